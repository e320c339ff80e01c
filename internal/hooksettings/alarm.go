package hooksettings

import (
	"regexp"
	"strconv"
	"strings"
)

// The shipped hooks' construct ids: the construct declares the smoke function as
// "SmokeHook" and the bake function as "BakeHook", so each one's CloudFormation logical ID
// (its construct path, letters and digits, and a hash) holds the id. golive plan --stack finds
// the hooks of a deployed stack among its resources by these, and reads their settings from
// their environment.
const (
	SmokeHookID = "SmokeHook"
	BakeHookID  = "BakeHook"
)

// RollbackAlarmExpression is the rollback alarm's metric math: 1 in a minute in which any of
// terms breaches, else 0, and with min above 0 only in a minute with at least min
// invocations of the new version (the query "invocations"). The construct writes it; golive
// plan --stack reads min back with RollbackAlarmMinInvocations.
func RollbackAlarmExpression(terms []string, min int) string {
	cond := strings.Join(terms, " OR ")
	if min > 0 {
		cond = "invocations >= " + strconv.Itoa(min) + " AND (" + cond + ")"
	}
	return "IF(" + cond + ", 1, 0)"
}

var (
	guardedAlarm   = regexp.MustCompile(`^IF\(invocations >= ([0-9]+) AND \(.+\), 1, 0\)$`)
	unguardedAlarm = regexp.MustCompile(`^IF\(.+, 1, 0\)$`)
)

// RollbackAlarmMinInvocations reads min_invocations from a RollbackAlarmExpression: 0 for
// an alarm without the guard. ok is false for an expression of another shape.
func RollbackAlarmMinInvocations(expression string) (min int, ok bool) {
	if m := guardedAlarm.FindStringSubmatch(expression); m != nil {
		n, err := strconv.Atoi(m[1])
		return n, err == nil
	}
	if unguardedAlarm.MatchString(expression) && !strings.HasPrefix(expression, "IF(invocations >= ") {
		return 0, true
	}
	return 0, false
}
