// Package lambdarules holds the rules Lambda and CodeDeploy apply to a function, its alias
// and the traffic shift that moves the alias, and the rules golive draws from them across
// fields: each written here once, with its AWS source. Package config (config.json) and
// the VersionedFunction construct both check against it, config.schema.json's patterns are
// compared with it, and internal/testkit/rulecases runs the same cases through config and
// the construct, so a rule changed in one place only fails a test.
//
// Plain Go: no jsii, no AWS SDK, so that config stays fast to test and fuzz.
//
// Patterns avoid lookaround so that Go's RE2 and editors' ECMAScript engines (the JSON
// Schema) read them the same way.
package lambdarules

import (
	"fmt"
	"regexp"
	"slices"
)

// A Rule is one rule as both config and the construct word it: ID names it in the table and
// in test cases, Allowed ends every message that refuses a value ("got X; want Allowed"),
// Source says where AWS says so, or why golive draws it.
type Rule struct {
	ID      string
	Allowed string
	Source  string
}

// Rules is the table: every rule this package holds. A rule missing from it has no test
// case (rulecases checks that each row has one refused and config and the construct agree).
func Rules() []Rule {
	return []Rule{
		FunctionName, HookFunction, AliasName, Version, EnvVarName, EnvironmentSize, MemoryMB, TimeoutS, Description,
		ImageDigest, Weight, ShiftPercent, ShiftTotal, Alarms, ErrorRatePercent, P99DurationMs,
		MinInvocations, SplitNeedsPin, SplitNotLive, SplitWithoutCodeDeploy,
		ProvisionedNeedsPin, ProvisionedNotSplit, RolloutNeedsPin, RolloutCanaryNeedsCodeDeploy, TagNotPinned,
		OnePreTrafficHook, OnePostTrafficHook, BakeNeedsThreshold, RelativeNeedsRate,
		P99WithinTimeout,
	}
}

// Lambda's rules on a function's own settings.
var (
	FunctionName = Rule{
		ID:      "function-name",
		Allowed: `a Lambda function name of 1 to 64 letters, digits, "_" and "-"`,
		Source: "Lambda API Reference, CreateFunction, FunctionName: pattern [a-zA-Z0-9-_]+ for the name part; " +
			`"If you specify only the function name, it is limited to 64 characters in length"`,
	}
	HookFunction = Rule{
		ID:      "hook-function",
		Allowed: `a Lambda function name of 1 to 64 letters, digits, "_" and "-", or its unqualified ARN`,
		Source: "CodeDeploy User Guide, AppSpec 'hooks' section for an AWS Lambda deployment: a hook is a Lambda function, named as " +
			"CreateFunction's FunctionName takes it; golive takes no qualified ARN, since CodeDeploy invokes the hook by name",
	}
	EnvVarName = Rule{
		ID:      "env-var-name",
		Allowed: `a variable name of at least 2 letters, digits and "_", starting with a letter, and not one Lambda reserves (AWS_REGION, AWS_LAMBDA_FUNCTION_NAME, ...)`,
		Source: "Lambda API Reference, Environment, Variables: key pattern [a-zA-Z]([a-zA-Z0-9_])+; Lambda Developer Guide, " +
			`"Defined runtime environment variables": "The keys for these environment variables are reserved and cannot be set in your function configuration"`,
	}
	EnvironmentSize = Rule{
		ID:      "environment-size",
		Allowed: fmt.Sprintf("at most %d bytes of names and values: Lambda's limit for all of a function's variables", MaxEnvironmentBytes),
		Source:  `Lambda Developer Guide, Lambda quotas: "Function environment variables: 4 KB, for all environment variables associated with the function, in aggregate"`,
	}
	MemoryMB = Rule{
		ID:      "memory",
		Allowed: fmt.Sprintf("an integer from %d to %d (MB)", MinMemoryMB, MaxMemoryMB),
		Source:  "Lambda API Reference, CreateFunction, MemorySize: valid range 128 to 10240",
	}
	TimeoutS = Rule{
		ID:      "timeout",
		Allowed: fmt.Sprintf("an integer from 1 to %d (seconds)", MaxTimeoutS),
		Source:  "Lambda API Reference, CreateFunction, Timeout: minimum 1; Lambda Developer Guide, Lambda quotas: function timeout 900 seconds (15 minutes)",
	}
	Description = Rule{
		ID:      "description",
		Allowed: fmt.Sprintf("a string of at most %d characters", MaxDescription),
		Source:  "Lambda API Reference, CreateFunction, Description: length 0 to 256",
	}
	ImageDigest = Rule{
		ID:      "image-digest",
		Allowed: `an image digest: "sha256:" and 64 lowercase hex digits`,
		Source:  "Amazon ECR API Reference, ImageIdentifier, imageDigest (sha256 digests of the image manifest)",
	}
)

// FunctionNameChars is a function's name, unanchored, for patterns that embed it (a name or
// an ARN); with an ARN, Lambda takes 140 characters in all.
const FunctionNameChars = `[a-zA-Z0-9_-]{1,64}`

// FunctionNamePattern is a function's name.
const FunctionNamePattern = `^` + FunctionNameChars + `$`

// EnvVarNamePattern is Lambda's key pattern for an environment variable.
const EnvVarNamePattern = `^[a-zA-Z][a-zA-Z0-9_]+$`

// ReservedEnvVars are the keys Lambda's runtimes set, which a function's configuration may
// not (Lambda Developer Guide, "Defined runtime environment variables", its list of
// reserved environment variables). _HANDLER and _X_AMZN_TRACE_ID are reserved too, and
// EnvVarNamePattern already refuses them; TZ is no longer reserved (the guide lists it among
// the variables that can be extended).
var ReservedEnvVars = []string{
	"AWS_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_DEFAULT_REGION", "AWS_EXECUTION_ENV",
	"AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "AWS_LAMBDA_FUNCTION_NAME", "AWS_LAMBDA_FUNCTION_VERSION",
	"AWS_LAMBDA_INITIALIZATION_TYPE", "AWS_LAMBDA_LOG_GROUP_NAME", "AWS_LAMBDA_LOG_STREAM_NAME",
	"AWS_LAMBDA_RUNTIME_API", "AWS_REGION", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"LAMBDA_RUNTIME_DIR", "LAMBDA_TASK_ROOT",
}

// Lambda's numeric limits on a function.
const (
	MaxEnvironmentBytes = 4096
	MinMemoryMB         = 128
	MaxMemoryMB         = 10240
	MaxTimeoutS         = 900
	MaxDescription      = 256
)

// DigestPattern is an image digest as ECR reports it.
const DigestPattern = `^sha256:[0-9a-f]{64}$`

var (
	functionNameRe = regexp.MustCompile(FunctionNamePattern)
	envVarNameRe   = regexp.MustCompile(EnvVarNamePattern)
	digestRe       = regexp.MustCompile(DigestPattern)
	versionRe      = regexp.MustCompile(VersionPattern)
	aliasNameRe    = regexp.MustCompile(AliasNamePattern)
)

// ValidFunctionName reports whether name is a function name Lambda accepts.
func ValidFunctionName(name string) bool { return functionNameRe.MatchString(name) }

// ValidEnvVarName reports whether Lambda accepts name as an environment variable's key.
func ValidEnvVarName(name string) bool {
	return envVarNameRe.MatchString(name) && !slices.Contains(ReservedEnvVars, name)
}

// EnvironmentBytes is the size Lambda's 4 KB limit counts: every name and value.
func EnvironmentBytes(vars map[string]string) int {
	n := 0
	for k, v := range vars {
		n += len(k) + len(v)
	}
	return n
}

// ValidDigest reports whether d is an image digest.
func ValidDigest(d string) bool { return digestRe.MatchString(d) }

// The alias: its name, the version it points at and the split of its traffic.
var (
	AliasName = Rule{
		ID: "alias-name",
		Allowed: fmt.Sprintf(`an alias name of 1 to %d letters, digits, "_" and "-", not all digits (a number names a version), such as "LIVE" or "live"`,
			MaxAliasName),
		Source: "Lambda API Reference, CreateAlias, Name: length 1 to 128, pattern (?!^[0-9]+$)([a-zA-Z0-9-_]+); " +
			"$LATEST is the unpublished version's qualifier, not an alias name, and the pattern refuses its \"$\"",
	}
	Version = Rule{
		ID:      "version",
		Allowed: `a positive integer version such as "7"`,
		Source: "Lambda API Reference, CreateAlias/UpdateAlias, FunctionVersion: pattern (\\$LATEST|[0-9]+); PublishVersion numbers versions from 1. " +
			"golive writes no leading zero and at most 15 digits, which a JSON number holds exactly",
	}
	Weight = Rule{
		ID:      "weight",
		Allowed: "a number greater than 0 and less than 1",
		Source: "Lambda API Reference, AliasRoutingConfiguration, AdditionalVersionWeights: values from 0.0 to 1.0; " +
			"0 and 1 are no split, so golive refuses them",
	}
)

// AliasNamePattern is Lambda's alias name pattern without its lookahead, which neither RE2
// nor this package's rule for editors' patterns takes: at least one character that is not a
// digit, among letters, digits, "_" and "-". Its length, 1 to MaxAliasName, is checked apart
// (JSON Schema: minLength and maxLength).
const AliasNamePattern = `^[a-zA-Z0-9_-]*[a-zA-Z_-][a-zA-Z0-9_-]*$`

// MaxAliasName is the longest alias name Lambda takes.
const MaxAliasName = 128

// ValidAliasName reports whether Lambda takes name as an alias's name.
func ValidAliasName(name string) bool {
	return len(name) <= MaxAliasName && aliasNameRe.MatchString(name)
}

// VersionPattern is a published version as config.json, the construct and the CLI write it.
const VersionPattern = `^[1-9][0-9]{0,14}$`

// ValidVersion reports whether v names a published version.
func ValidVersion(v string) bool { return versionRe.MatchString(v) }

// ValidWeight reports whether w splits an alias's traffic.
func ValidWeight(w float64) bool { return w > 0 && w < 1 }

// CodeDeploy's rules on a Lambda traffic shift and its rollback alarms.
var (
	ShiftPercent = Rule{
		ID:      "shift-percent",
		Allowed: "a canary percent from 1 to 99, or a linear percent from 1 to 50 (above 50 a linear shift is a two-step canary: use a canary)",
		Source:  "CodeDeploy API Reference, TimeBasedCanary and TimeBasedLinear: integer percentages of traffic; golive refuses a linear step above 50",
	}
	ShiftTotal = Rule{
		ID: "shift-total",
		Allowed: fmt.Sprintf("an interval of 1 minute or more, and at most %d minutes (48 hours) from the first traffic shift to the last: "+
			"a canary's interval, a linear shift's (ceil(100/percent) - 1) x interval", MaxShiftMinutes),
		Source: `CodeDeploy User Guide, CodeDeploy quotas, "AWS Lambda deployment run in hours": 50, not adjustable ` +
			`("48 hours for the maximum time between the first and last traffic shift plus one hour for each of two possible lifecycle hooks")`,
	}
	Alarms = Rule{
		ID:      "alarms",
		Allowed: fmt.Sprintf("at most %d alarms (thresholds and extra): CodeDeploy's limit per deployment group", MaxAlarms),
		Source:  `CodeDeploy API Reference, AlarmConfiguration, alarms: "A maximum of 10 alarms can be added"`,
	}
	ErrorRatePercent = Rule{
		ID:      "error-rate",
		Allowed: "a number greater than 0 and at most 100 (percent of invocations)",
		Source:  "golive's rule: the rollback alarm compares Errors / Invocations x 100 with it, so only (0, 100] can breach",
	}
	P99DurationMs = Rule{
		ID:      "p99",
		Allowed: "a number greater than 0 (milliseconds)",
		Source:  "golive's rule: a duration threshold of 0 or less breaches on every request",
	}
	MinInvocations = Rule{
		ID: "min-invocations",
		Allowed: fmt.Sprintf("an integer from 0 to %d: the requests of the new version a minute (and over a bake) before any threshold may judge it; 0 turns the guard off",
			MaxMinInvocations),
		Source: "golive's rule: the evidence rule of the rollback alarm and the bake",
	}
)

// MaxShiftMinutes is CodeDeploy's limit on the time between a Lambda deployment's first and
// last traffic shift.
const MaxShiftMinutes = 48 * 60

// MaxAlarms is CodeDeploy's limit of alarms per deployment group.
const MaxAlarms = 10

// MaxMinInvocations bounds MinInvocations to something a minute of Lambda traffic reaches.
const MaxMinInvocations = 1000000

// Percent bounds of a custom shift.
const (
	MaxCanaryPercent = 99
	MaxLinearPercent = 50
)

// ShiftMinutes is the time from a custom shift's first traffic shift to its last. A canary
// shifts twice, interval apart; a linear shift moves percent every interval until all
// traffic has moved, ceil(100/percent) shifts in all, the first at once.
func ShiftMinutes(linear bool, percent, interval int) int {
	if !linear || percent <= 0 {
		return interval
	}
	steps := (100 + percent - 1) / percent
	return (steps - 1) * interval
}

// CheckShift refuses a custom shift CodeDeploy would refuse or golive does not take: the
// first problem of percent, then the interval and the shift's total, in ShiftPercent's and
// ShiftTotal's words.
func CheckShift(linear bool, percent, interval int) error {
	kind, field, maxPct := "canary", "percent", MaxCanaryPercent
	if linear {
		kind, maxPct = "linear", MaxLinearPercent
	}
	switch {
	case percent < 1 || percent > maxPct:
		return fmt.Errorf("got %s %s %d; want %s", kind, field, percent, ShiftPercent.Allowed)
	case interval < 1:
		return fmt.Errorf("got an interval of %d minutes; want %s", interval, ShiftTotal.Allowed)
	}
	if total := ShiftMinutes(linear, percent, interval); total > MaxShiftMinutes {
		how := fmt.Sprintf("its interval of %d minutes", interval)
		if linear {
			how = fmt.Sprintf("%d steps of %d%% every %d minutes", (100+percent-1)/percent, percent, interval)
		}
		return fmt.Errorf("got a %s shift of %d minutes (%s) from its first traffic shift to its last; want %s",
			kind, total, how, ShiftTotal.Allowed)
	}
	return nil
}

// ValidErrorRate reports whether an error-rate threshold can breach.
func ValidErrorRate(pct float64) bool { return pct > 0 && pct <= 100 }

// ValidMinInvocations reports whether n is a whole count MinInvocations takes.
func ValidMinInvocations(n float64) bool {
	return n >= 0 && n <= MaxMinInvocations && n == float64(int(n))
}

// The rules across fields. Their predicates are one comparison each; the table holds what
// they allow and why, and rulecases holds the cases both config and the construct run.
var (
	SplitNeedsPin = Rule{
		ID:      "split-needs-pin",
		Allowed: "no weighted split while LIVE follows $LATEST: a weighted split needs a pinned live version",
		Source:  "Lambda Developer Guide, alias routing: both versions of a weighted alias are published versions; an alias cannot route to $LATEST",
	}
	SplitNotLive = Rule{
		ID:      "split-not-live",
		Allowed: "another published version than the live version itself",
		Source:  "Lambda API Reference, AliasRoutingConfiguration: the additional version is a second version besides the alias's FunctionVersion",
	}
	SplitWithoutCodeDeploy = Rule{
		ID:      "split-without-codedeploy",
		Allowed: `no weighted split together with a CodeDeploy deployment (deployment type "None"): an alias left split makes CodeDeploy deployments fail`,
		Source:  "golive's rule: CodeDeploy moves the alias's weights itself, from the AppSpec's CurrentVersion to its TargetVersion; not proven on AWS",
	}
	ProvisionedNeedsPin = Rule{
		ID:      "provisioned-needs-pin",
		Allowed: "0 provisioned concurrency while LIVE follows $LATEST: provisioned concurrency needs a published version",
		Source:  "Lambda Developer Guide, configuring provisioned concurrency: it is allocated to a published version or an alias of one, never to $LATEST",
	}
	ProvisionedNotSplit = Rule{
		ID:      "provisioned-not-split",
		Allowed: "0 provisioned concurrency while the alias is split: Lambda does not manage provisioned concurrency on an alias that routes to two versions",
		Source:  "golive's rule: provisioned concurrency is configured on the alias, which a weighted split spreads over two versions; not proven on AWS",
	}
	RolloutNeedsPin = Rule{
		ID:      "rollout-needs-pin",
		Allowed: "no rollout while LIVE follows $LATEST: a rollout applies only to a pinned live version",
		Source:  "golive's rule: CloudFormation moves an alias on $LATEST itself; CodeDeploy's AppSpec takes only published versions",
	}
	RolloutCanaryNeedsCodeDeploy = Rule{
		ID:      "rollout-canary-needs-codedeploy",
		Allowed: `"direct" or no rollout without a CodeDeploy deployment: no canary moves the alias`,
		Source:  "golive's rule: a canary rollout is CloudFormation handing the alias to CodeDeploy (the alias's CodeDeployLambdaAliasUpdate update policy), which needs a deployment group",
	}
	TagNotPinned = Rule{
		ID:      "tag-not-pinned",
		Allowed: "an image by digest where the live version is pinned: a tag can move to an image nobody tested",
		Source:  "golive's rule: the bytes promoted from one environment to the next are the tested ones",
	}
	OnePreTrafficHook = Rule{
		ID:      "one-pre-traffic-hook",
		Allowed: "one of smoke and a pre-traffic hook: a deployment runs one pre-traffic hook",
		Source:  "CodeDeploy User Guide, AppSpec 'hooks' section for an AWS Lambda deployment: one BeforeAllowTraffic function",
	}
	OnePostTrafficHook = Rule{
		ID:      "one-post-traffic-hook",
		Allowed: "one of bake and a post-traffic hook: a deployment runs one post-traffic hook",
		Source:  "CodeDeploy User Guide, AppSpec 'hooks' section for an AWS Lambda deployment: one AfterAllowTraffic function",
	}
	BakeNeedsThreshold = Rule{
		ID:      "bake-needs-threshold",
		Allowed: "an error-rate or p99 threshold with a bake: the bake judges the new version against them",
		Source:  "golive's rule: the bake's verdict",
	}
	RelativeNeedsRate = Rule{
		ID:      "relative-needs-rate",
		Allowed: "an error-rate threshold with a relative error rate: the margin by which the new version's rate may exceed the old one's",
		Source:  "golive's rule: the rollback alarm's relative term",
	}
	P99WithinTimeout = Rule{
		ID:      "p99-within-timeout",
		Allowed: "a p99 threshold of at most the function's timeout in milliseconds: a p99 above the timeout can never be reached",
		Source:  "golive's rule: Lambda stops an invocation at the function's timeout, so its Duration does not exceed it",
	}
)
