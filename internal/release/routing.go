package release

import (
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// routingProblems refuses an alias that would route to two versions whose execution role or
// dead-letter config differ. An alias may point to two versions only when "Both versions must
// have the same execution role" and "Both versions must have the same dead-letter queue
// configuration, or no dead-letter queue configuration" (Lambda Developer Guide, "Alias routing
// configuration", configuring-alias-routing.html). Two splits come from config: a CodeDeploy
// shift from the version the stack recorded to the pin (CodeDeploy moves the alias through
// weighted steps), and additional_versions beside the pin. Both versions' settings come from
// ListVersionsByFunction, which returns "the version-specific configuration of each" (its SDK
// doc comment): no call of its own.
func routingProblems(fn Function, s FunctionStatus, canary, moves bool, deployed string) []string {
	var p []string
	if canary && moves && deployed != Latest && fn.Pinned() {
		alias := AliasOf(fn)
		p = append(p, routingMismatch(s.versions, fn.FunctionName,
			deployed, "the version the stack recorded ("+alias+"'s)",
			fn.LiveVersion, "live_version",
			`the canary would fail: release it with "rollout": "direct" (CloudFormation moves `+alias+` at once, no split), or publish it with `+deployed+`'s settings`)...)
	}
	if fn.Additional != nil && fn.Pinned() {
		p = append(p, routingMismatch(s.versions, fn.FunctionName,
			fn.LiveVersion, "live_version",
			fn.Additional.Version, "additional_versions",
			"the split would be refused: weight a version with live_version's settings, or drop additional_versions")...)
	}
	return p
}

// routingMismatch compares versions a (called aName) and b of function name, "" each when
// either is not a published version (verify says so already).
func routingMismatch(vs []types.FunctionConfiguration, name, a, aName, b, bName, fix string) []string {
	ca, okA := version(vs, a)
	cb, okB := version(vs, b)
	if !okA || !okB || a == b {
		return nil
	}
	var p []string
	if ra, rb := aws.ToString(ca.Role), aws.ToString(cb.Role); ra != rb {
		p = append(p, fmt.Sprintf("%s %s of %s has execution role %s but %s %s has %s: Lambda routes an alias to two versions only with the same execution role; %s",
			bName, b, name, orNone(rb), aName, a, orNone(ra), fix))
	}
	if da, db := deadLetter(ca), deadLetter(cb); da != db {
		p = append(p, fmt.Sprintf("%s %s of %s has dead-letter config %s but %s %s has %s: Lambda routes an alias to two versions only with the same dead-letter config, or none on both; %s",
			bName, b, name, orNone(db), aName, a, orNone(da), fix))
	}
	return p
}

func version(vs []types.FunctionConfiguration, v string) (types.FunctionConfiguration, bool) {
	for _, c := range vs {
		if aws.ToString(c.Version) == v {
			return c, true
		}
	}
	return types.FunctionConfiguration{}, false
}

// deadLetter is a version's dead-letter target, "" when it has none.
func deadLetter(c types.FunctionConfiguration) string {
	if c.DeadLetterConfig == nil {
		return ""
	}
	return aws.ToString(c.DeadLetterConfig.TargetArn)
}
