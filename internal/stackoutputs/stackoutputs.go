// Package stackoutputs holds the stack outputs a deploy leaves for the golive CLI: the key
// and value format of each function's LiveVersion output, which the construct writes and
// config, status and publish read, the key of the output naming an alias other than LIVE,
// and the key of the release dashboard's output. Both
// sides import it so that the format is written once. Plain Go: no jsii, no AWS SDK.
package stackoutputs

import (
	"strings"
	"unicode/utf8"
)

// OutputKey is the stack output that records what a deploy left LIVE on for the function
// with key name: outputs must be alphanumeric, so "order-api" becomes "LiveVersionOrderApi".
func OutputKey(name string) string {
	var b strings.Builder
	b.WriteString(OutputKeyPrefix)
	upper := true
	for _, r := range name {
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'):
			if upper && 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}

// OutputKeyPrefix starts every OutputKey.
const OutputKeyPrefix = "LiveVersion"

// AliasOutputKey is the stack output that names the alias of the function with key name
// when it is not the default LIVE, e.g. "LiveAliasOrderApi" beside "LiveVersionOrderApi":
// its value is the alias's name. A function without one has its alias named LIVE, so the
// templates of stacks that keep the default are unchanged.
func AliasOutputKey(name string) string {
	return AliasOutputKeyPrefix + strings.TrimPrefix(OutputKey(name), OutputKeyPrefix)
}

// AliasOutputKeyPrefix starts every AliasOutputKey.
const AliasOutputKeyPrefix = "LiveAlias"

// GroupOutputKey is the stack output that names the CodeDeploy deployment group of the
// function with key name when the group is not named after the function (a group adopted
// with its name, or with the one CloudFormation generated), e.g. "DeploymentGroupOrderApi":
// its value is the group's name. A function without one has its group named after it.
func GroupOutputKey(name string) string {
	return GroupOutputKeyPrefix + strings.TrimPrefix(OutputKey(name), OutputKeyPrefix)
}

// GroupOutputKeyPrefix starts every GroupOutputKey.
const GroupOutputKeyPrefix = "DeploymentGroup"

// OutputValue is the value of a function's output: NAME:VERSION, a qualified function
// name (version "$LATEST" when LIVE follows it). The CLI reads the version to find drift
// and the name to refuse a rename, which would leave the versions behind.
func OutputValue(functionName, version string) string { return functionName + ":" + version }

// ParseOutputValue splits an OutputValue; ok is false for anything else.
func ParseOutputValue(v string) (functionName, version string, ok bool) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 || i == len(v)-1 {
		return "", "", false
	}
	return v[:i], v[i+1:], true
}

// DashboardOutputKey is the stack output holding the name of the stack's release dashboard,
// which golive status links to; a stack without one has no such output.
const DashboardOutputKey = "ReleaseDashboard"
