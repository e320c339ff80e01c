package hooksettings_test

import (
	"testing"

	"github.com/golive-dev/golive/internal/hooksettings"
)

// TestRollbackAlarmMinInvocations: what the construct writes, plan --stack reads back.
func TestRollbackAlarmMinInvocations(t *testing.T) {
	for _, tt := range []struct {
		terms []string
		min   int
	}{
		{[]string{"100 * errors / invocations > 1", "p99 > 2000"}, 10},
		{[]string{"p99 > 800"}, 50},
		{[]string{"(100 * errors / invocations > 2 AND 100 * errors / invocations - 100 * (aliaserrors - errors) / IF((aliasinvocations - invocations) > 0, (aliasinvocations - invocations), 1) > 2)"}, 1},
		{[]string{"100 * errors / invocations > 1"}, 0},
	} {
		expr := hooksettings.RollbackAlarmExpression(tt.terms, tt.min)
		if got, ok := hooksettings.RollbackAlarmMinInvocations(expr); !ok || got != tt.min {
			t.Errorf("%s: read %d, %v; want %d", expr, got, ok, tt.min)
		}
	}
	for _, expr := range []string{"", "errors > 1", "IF(invocations >= ten AND (p99 > 1), 1, 0)", "SUM(METRICS())"} {
		if got, ok := hooksettings.RollbackAlarmMinInvocations(expr); ok {
			t.Errorf("%q: read %d; want not the construct's", expr, got)
		}
	}
}
