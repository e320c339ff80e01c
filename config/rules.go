package config

import (
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/lambdarules"
)

// The rules below are mirrored in config.schema.json; schema_test.go keeps the two in
// step. Patterns avoid lookaround so that Go's RE2 and editors' ECMAScript engines read
// them the same way.
var (
	projectRe     = regexp.MustCompile(`^[a-z][a-z0-9-]{0,31}$`)
	envNameRe     = regexp.MustCompile(`^[a-z0-9]{1,16}$`)
	functionKeyRe = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9_-]{0,63}$`)
	accountRe     = regexp.MustCompile(`^[0-9]{12}$`)
	regionRe      = regexp.MustCompile(`^[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}$`)
	lambdaNameRe  = regexp.MustCompile(lambdarules.FunctionNamePattern)
	hookRe        = hooksettings.HookFunctionRe
	digestRe      = regexp.MustCompile(lambdarules.DigestPattern)
	tagRe         = regexp.MustCompile(`^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,127}$`)
	envVarRe      = regexp.MustCompile(lambdarules.EnvVarNamePattern)
	versionRe     = regexp.MustCompile(lambdarules.VersionPattern)
	branchRe      = regexp.MustCompile(`^[a-zA-Z0-9._/-]{1,255}$`)
	githubRepoRe  = regexp.MustCompile(`^[a-zA-Z0-9_.-]+/[a-zA-Z0-9_.-]+$`)
	connectionRe  = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:(codestar-connections|codeconnections):[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}:[0-9]{12}:connection/[a-zA-Z0-9-]+$`)
	repoNameRe    = regexp.MustCompile(`^` + repoName + `$`)
	repoURIRe     = regexp.MustCompile(`^([0-9]{12})\.dkr\.ecr\.([a-z]{2}(?:-[a-z]+){1,2}-[0-9]{1,2})\.amazonaws\.com(?:\.cn)?/(` + repoName + `)$`)
)

// repoName is ECR's repository name grammar.
const repoName = `(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*`

// predefinedTypes are CodeDeploy's predefined Lambda deployment configs, without the
// "CodeDeployDefault.Lambda" prefix.
var predefinedTypes = []string{
	"AllAtOnce",
	"Canary10Percent5Minutes",
	"Canary10Percent10Minutes",
	"Canary10Percent15Minutes",
	"Canary10Percent30Minutes",
	"Linear10PercentEvery1Minute",
	"Linear10PercentEvery2Minutes",
	"Linear10PercentEvery3Minutes",
	"Linear10PercentEvery10Minutes",
}

// wantType is derived from predefinedTypes, the one list of them.
var wantType = `"None", a predefined type (` + strings.Join(predefinedTypes, ", ") +
	`), or {"canary_percent": P, "interval_minutes": M} or {"linear_percent": P, "interval_minutes": M}`

// DefaultDeploymentType is a canary rather than AllAtOnce: a bad version then meets 10%
// of traffic for five minutes, long enough for an alarm to roll it back.
const DefaultDeploymentType = "Canary10Percent5Minutes"

// Defaults applied where neither the shared function nor the env sets a value; they are
// Lambda's own defaults except Architecture (Graviton is cheaper for Go).
const (
	DefaultArchitecture = "arm64"
	DefaultMemoryMB     = 128
	DefaultTimeoutS     = 3
	DefaultBranch       = "main"
)

// DeploymentTypes lists the predefined deployment types accepted in deployment.type,
// besides "None" and custom shifts.
func DeploymentTypes() []string { return slices.Clone(predefinedTypes) }

// CodeDeployConfigName is the name CodeDeploy knows a predefined type by
// ("CodeDeployDefault.LambdaCanary10Percent5Minutes"), or "" for "None", "Custom" and
// unknown types.
func CodeDeployConfigName(typ string) string {
	if !slices.Contains(predefinedTypes, typ) {
		return ""
	}
	return "CodeDeployDefault.Lambda" + typ
}

// validEntry accepts what `go build ./<entry>` resolves inside the repository and
// nothing that could escape it.
func validEntry(s string) bool {
	if s == "" || s == "." || strings.Contains(s, `\`) || path.IsAbs(s) || path.Clean(s) != s {
		return false
	}
	return !slices.Contains(strings.Split(s, "/"), "..")
}

// validRepository accepts a bare ECR name or a full ECR URI. Dots are legal in ECR names,
// so anything naming an ECR registry host must be a well-formed URI.
func validRepository(s string) bool {
	if strings.Contains(s, ".dkr.ecr.") {
		m := repoURIRe.FindStringSubmatch(s)
		return m != nil && len(m[3]) >= 2 && len(m[3]) <= 256
	}
	return len(s) >= 2 && len(s) <= 256 && repoNameRe.MatchString(s)
}

func maxLen(n int) func(string) bool {
	return func(s string) bool { return utf8.RuneCountInString(s) <= n }
}

func oneOf(allowed ...string) func(string) bool {
	return func(s string) bool { return slices.Contains(allowed, s) }
}

// Messages naming what is allowed; each is used by Go and described the same way in the
// schema. Those of Lambda's and CodeDeploy's rules are lambdarules', shared with the
// construct.
var (
	wantMemory         = lambdarules.MemoryMB.Allowed
	wantTimeout        = lambdarules.TimeoutS.Allowed
	wantDescription    = lambdarules.Description.Allowed
	wantEnvVar         = lambdarules.EnvVarName.Allowed
	wantDigest         = lambdarules.ImageDigest.Allowed
	wantFunctionName   = lambdarules.FunctionName.Allowed
	wantAlias          = lambdarules.AliasName.Allowed
	wantWeight         = lambdarules.Weight.Allowed
	wantErrorRate      = lambdarules.ErrorRatePercent.Allowed
	wantMinInvocations = lambdarules.MinInvocations.Allowed
	wantP99            = lambdarules.P99DurationMs.Allowed
)

const (
	wantProject      = `a name of lowercase letters, digits and hyphens, starting with a letter, at most 32 characters, such as "golive-demo"`
	wantEnvName      = `an env name of 1 to 16 lowercase letters and digits, such as "prd"`
	wantFunctionKey  = `a function key of letters, digits, "_" and "-", starting with a letter, at most 64 characters, such as "worker"`
	wantAccount      = `a 12-digit AWS account ID written as a string, such as "111111111111"`
	wantRegion       = `an AWS region such as "us-east-1", "ap-southeast-2", "us-gov-west-1" or "cn-north-1"`
	wantEntry        = `a clean relative path to a Go main package, such as "functions/worker" (slashes only; no "..", "." or leading "/")`
	wantRepository   = `an ECR repository name such as "golive/worker", or a repository URI such as "111111111111.dkr.ecr.us-east-1.amazonaws.com/golive/worker"`
	wantTag          = `an image tag of up to 128 letters, digits, "_", "." and "-", not starting with "." or "-"`
	wantArchitecture = `"arm64" or "x86_64"`

	wantEnvValue     = `a string (quote numbers and booleans, e.g. "8080"), or null to remove a shared variable`
	wantProvisioned  = `a non-negative integer`
	wantLiveVersion  = `null or a positive integer version such as "7"`
	wantRollout      = `"canary" or "direct"`
	wantAdditional   = `an object with at most one entry {"<version>": <weight>}, such as {"6": 0.1}, or {} for none`
	wantVersionKey   = `a positive integer version such as "6"`
	wantCanaryPct    = `an integer from 1 to 99 (percent of traffic shifted first)`
	wantLinearPct    = `an integer from 1 to 50 (percent of traffic shifted per step; above 50 a linear shift is a two-step canary: use canary_percent)`
	wantInterval     = `an integer from 1 to 2880 (minutes), with the whole shift within 48 hours`
	wantSmokeEvents  = `a non-empty array of JSON events, such as [{"ping": true}], each invoked on the new version before any traffic shifts`
	wantSmokeIgnore  = `an array of JSON Pointers at which the current and the new version's responses may differ, such as ["/requestId", "/timestamp"]`
	wantSmokeTimeout = `an integer from 1 to 840 (seconds for all events together; the hook runs in one Lambda invocation)`
	wantBakeMinutes  = `an integer from 1 to 14 (minutes to wait after the shift before judging; the hook runs in one Lambda invocation of at most 15 minutes)`
	wantAlarmName    = `a CloudWatch alarm name of 1 to 255 characters`
	wantHook         = `a Lambda function name of 1 to 64 letters, digits, "_" and "-", or its unqualified ARN, such as "orders-smoke" or "arn:aws:lambda:us-east-1:111111111111:function:orders-smoke"`
	wantBool         = `true or false`
	wantConnection   = `a CodeConnections ARN such as "arn:aws:codeconnections:us-east-1:111111111111:connection/0123abcd-..." (or arn:aws:codestar-connections:...)`
	wantGitHubRepo   = `"owner/repo"`
	wantBranch       = `a branch name of letters, digits, ".", "_", "/" and "-"`
)

// CheckRegion refuses a region name that envs.*.region would refuse, with the same words, so
// that a region given elsewhere (the CLI's --region) follows the same rule.
func CheckRegion(region string) error {
	if !regionRe.MatchString(region) {
		return fmt.Errorf("got %q; want %s", region, wantRegion)
	}
	return nil
}
