package hook

import (
	"log/slog"
	"strings"
	"testing"
)

// CodeDeploy's AppSpec always names a current version (parseAppSpec requires one), so a
// release without one cannot reach the handler; skipCompare still says why it compares
// nothing.
func TestSkipCompareSaysWhy(t *testing.T) {
	var logs strings.Builder
	log := slog.New(slog.NewTextHandler(&logs, nil))
	if !skipCompare(release{function: "f", target: "1"}, log) {
		t.Error("a release without a current version compares")
	}
	if !strings.Contains(logs.String(), "smoke comparison skipped: no current version to compare with (a first release)") {
		t.Errorf("log: %s", logs.String())
	}
	if skipCompare(release{function: "f", current: "1", target: "2"}, log) {
		t.Error("a release from 1 to 2 skips the comparison")
	}
}
