package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/golive-dev/golive/config"
)

// doc builds a valid config and splices extra fields into the shared worker (shared,
// which replaces the default entry when it sets one) and into prd's override of it (prd). sbx keeps the shared settings, so a row also shows
// what an env without overrides inherits.
func doc(shared, prd string) string {
	worker := `"entry": "functions/worker"` + comma(shared)
	if strings.Contains(shared, `"entry"`) {
		worker = shared
	}
	return `{
  "project": "demo",
  "lambda_functions": {"worker": {` + worker + `}},
  "envs": {
    "sbx": {"account": "111111111111", "region": "us-east-1"},
    "prd": {"account": "333333333333", "region": "eu-west-1", "lambda_functions": {"worker": {` + prd + `}}}
  }
}`
}

func comma(s string) string {
	if s == "" {
		return ""
	}
	return ", " + s
}

const digest = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// rule is one validation rule: a config that breaks it, and the error a user must see.
// The table is shared with the schema test, which expects config.schema.json to refuse
// the same configs unless goOnly says why a JSON Schema cannot tell.
type rule struct {
	name string
	json string
	// path, got and want must all appear in one reported error: where, what was
	// written, and what is allowed.
	path, got, want string
	goOnly          string
}

// Reasons a rule is checked by Go only.
const (
	crossField = "depends on another field after merging the env's overrides"
	shiftRule  = "multiplies one field by a function of another"
	crossEnv   = "compares envs or functions with each other"
	sizeRule   = "counts bytes or characters across fields"
	jsonRule   = "JSON Schema sees decoded values, never duplicate keys"
)

var rules = []rule{
	// live_version
	{name: "live_version word", json: doc("", `"live_version": "abc"`),
		path: "envs.prd.lambda_functions.worker.live_version", got: `"abc"`, want: `want null or a positive integer version such as "7"`},
	{name: "live_version zero", json: doc("", `"live_version": 0`),
		path: "envs.prd.lambda_functions.worker.live_version", got: "got 0;", want: "positive integer version"},
	{name: "live_version negative", json: doc("", `"live_version": -1`),
		path: "envs.prd.lambda_functions.worker.live_version", got: "got -1;", want: "positive integer version"},
	{name: "live_version fraction", json: doc("", `"live_version": 1.5`),
		path: "envs.prd.lambda_functions.worker.live_version", got: "got 1.5;", want: "positive integer version"},
	{name: "live_version $LATEST", json: doc("", `"live_version": "$LATEST"`),
		path: "envs.prd.lambda_functions.worker.live_version", got: `"$LATEST"`, want: "null is how LIVE follows $LATEST"},
	{name: "live_version leading zero", json: doc("", `"live_version": "07"`),
		path: "envs.prd.lambda_functions.worker.live_version", got: `"07"`, want: "positive integer version"},
	{name: "live_version bool", json: doc("", `"live_version": true`),
		path: "envs.prd.lambda_functions.worker.live_version", got: "got true;", want: "positive integer version"},
	{name: "live_version object", json: doc("", `"live_version": {}`),
		path: "envs.prd.lambda_functions.worker.live_version", got: "got {};", want: "positive integer version"},
	{name: "live_version zero string", json: doc("", `"live_version": "0"`),
		path: "envs.prd.lambda_functions.worker.live_version", got: `"0"`, want: "positive integer version"},
	{name: "live_version 16 digits", json: doc("", `"live_version": "1234567890123456"`),
		path: "envs.prd.lambda_functions.worker.live_version", got: `"1234567890123456"`, want: "positive integer version"},
	{name: "live_version in shared", json: doc(`"live_version": "7"`, ""),
		path: "lambda_functions.worker.live_version", got: `"7"`, want: "envs.<env>.lambda_functions.worker.live_version"},
	{name: "live_version null in shared", json: doc(`"live_version": null`, ""),
		path: "lambda_functions.worker.live_version", got: "null", want: "set per environment"},

	// rollout
	{name: "rollout unknown", json: doc("", `"live_version": 7, "rollout": "fast"`),
		path: "envs.prd.lambda_functions.worker.rollout", got: `"fast"`, want: `"canary" or "direct"`},
	{name: "rollout in shared", json: doc(`"rollout": "direct"`, ""),
		path: "lambda_functions.worker.rollout", got: `"direct"`, want: "envs.<env>.lambda_functions.worker.rollout"},
	{name: "rollout unpinned", json: doc("", `"rollout": "direct"`),
		path: "envs.prd.lambda_functions.worker.rollout", got: `"direct"`, want: "no rollout while live_version is null", goOnly: crossField},
	{name: "rollout canary with type None", json: doc(`"deployment": {"type": "None"}`, `"live_version": 7, "rollout": "canary"`),
		path: "envs.prd.lambda_functions.worker.rollout", got: `"canary"`, want: `want "direct" or no rollout`, goOnly: crossField},

	// additional_versions
	{name: "additional two entries", json: doc(`"deployment": {"type": "None"}`, `"live_version": 7, "additional_versions": {"5": 0.1, "6": 0.1}`),
		path: "envs.prd.lambda_functions.worker.additional_versions", got: `{"5":0.1,"6":0.1}`, want: "at most one entry"},
	{name: "additional $LATEST", json: doc(`"deployment": {"type": "None"}`, `"live_version": 7, "additional_versions": {"$LATEST": 0.1}`),
		path: "envs.prd.lambda_functions.worker.additional_versions.$LATEST", got: `"$LATEST"`, want: "never $LATEST"},
	{name: "additional word version", json: doc(`"deployment": {"type": "None"}`, `"live_version": 7, "additional_versions": {"old": 0.1}`),
		path: "envs.prd.lambda_functions.worker.additional_versions.old", got: `"old"`, want: "positive integer version"},
	{name: "additional weight 1", json: doc(`"deployment": {"type": "None"}`, `"live_version": 7, "additional_versions": {"6": 1}`),
		path: "envs.prd.lambda_functions.worker.additional_versions.6", got: "got 1;", want: "greater than 0 and less than 1"},
	{name: "additional weight 0", json: doc(`"deployment": {"type": "None"}`, `"live_version": 7, "additional_versions": {"6": 0}`),
		path: "envs.prd.lambda_functions.worker.additional_versions.6", got: "got 0;", want: "greater than 0 and less than 1"},
	{name: "additional weight string", json: doc(`"deployment": {"type": "None"}`, `"live_version": 7, "additional_versions": {"6": "0.5"}`),
		path: "envs.prd.lambda_functions.worker.additional_versions.6", got: `"0.5"`, want: "greater than 0 and less than 1"},
	{name: "additional array", json: doc(`"deployment": {"type": "None"}`, `"live_version": 7, "additional_versions": [6]`),
		path: "envs.prd.lambda_functions.worker.additional_versions", got: "[6]", want: `{"6": 0.1}`},
	{name: "additional with provisioned concurrency", json: doc(`"deployment": {"type": "None"}, "provisioned_concurrency": 2`, `"live_version": 7, "additional_versions": {"6": 0.1}`),
		path: "envs.prd.lambda_functions.worker.provisioned_concurrency", got: `got 2 (from lambda_functions.worker.provisioned_concurrency) with additional_versions {"6":0.1}`,
		want: "Lambda does not manage provisioned concurrency on an alias that routes to two versions", goOnly: crossField},
	{name: "additional in shared", json: doc(`"additional_versions": {}`, ""),
		path: "lambda_functions.worker.additional_versions", got: "{}", want: "set per environment"},
	{name: "additional unpinned", json: doc(`"deployment": {"type": "None"}`, `"additional_versions": {"6": 0.1}`),
		path: "envs.prd.lambda_functions.worker.additional_versions", got: `{"6":0.1}`, want: "needs a pinned live_version", goOnly: crossField},
	{name: "additional is live", json: doc(`"deployment": {"type": "None"}`, `"live_version": "7", "additional_versions": {"7": 0.1}`),
		path: "envs.prd.lambda_functions.worker.additional_versions.7", got: `"7"`, want: "another published version", goOnly: crossField},
	{name: "additional with CodeDeploy", json: doc("", `"live_version": 7, "additional_versions": {"6": 0.1}`),
		path: "envs.prd.lambda_functions.worker.additional_versions", got: `{"6":0.1}`, want: `deployment.type set to "None"`, goOnly: crossField},

	// deployment.type
	{name: "type unknown", json: doc(`"deployment": {"type": "Fast"}`, ""),
		path: "lambda_functions.worker.deployment.type", got: `"Fast"`, want: "Canary10Percent5Minutes"},
	{name: "type with Lambda prefix", json: doc(`"deployment": {"type": "LambdaCanary10Percent5Minutes"}`, ""),
		path: "lambda_functions.worker.deployment.type", got: `"LambdaCanary10Percent5Minutes"`, want: `write "Canary10Percent5Minutes"`},
	{name: "type number", json: doc(`"deployment": {"type": 10}`, ""),
		path: "lambda_functions.worker.deployment.type", got: "got 10;", want: `"None"`},
	{name: "custom canary 100", json: doc(`"deployment": {"type": {"canary_percent": 100, "interval_minutes": 5}}`, ""),
		path: "lambda_functions.worker.deployment.type.canary_percent", got: "got 100;", want: "from 1 to 99"},
	{name: "custom linear 60", json: doc(`"deployment": {"type": {"linear_percent": 60, "interval_minutes": 5}}`, ""),
		path: "lambda_functions.worker.deployment.type.linear_percent", got: "got 60;", want: "use canary_percent"},
	{name: "custom interval 0", json: doc(`"deployment": {"type": {"canary_percent": 10, "interval_minutes": 0}}`, ""),
		path: "lambda_functions.worker.deployment.type.interval_minutes", got: "got 0;", want: "from 1 to 2880"},
	{name: "custom interval 2881", json: doc(`"deployment": {"type": {"linear_percent": 10, "interval_minutes": 2881}}`, ""),
		path: "lambda_functions.worker.deployment.type.interval_minutes", got: "got 2881;", want: "from 1 to 2880"},
	{name: "custom interval fraction", json: doc(`"deployment": {"type": {"linear_percent": 10, "interval_minutes": 1.5}}`, ""),
		path: "lambda_functions.worker.deployment.type.interval_minutes", got: "got 1.5;", want: "an integer"},
	{name: "custom linear over 48 hours", json: doc(`"deployment": {"type": {"linear_percent": 10, "interval_minutes": 321}}`, ""),
		path: "lambda_functions.worker.deployment.type", got: "got a linear shift of 2889 minutes (10 steps of 10% every 321 minutes)", want: "at most 2880 minutes (48 hours)", goOnly: shiftRule},
	{name: "custom linear 1% over 48 hours", json: doc(`"deployment": {"type": {"linear_percent": 1, "interval_minutes": 30}}`, ""),
		path: "lambda_functions.worker.deployment.type", got: "got a linear shift of 2970 minutes", want: "ceil(100/percent) - 1) x interval", goOnly: shiftRule},
	{name: "custom canary and linear", json: doc(`"deployment": {"type": {"canary_percent": 10, "linear_percent": 10, "interval_minutes": 5}}`, ""),
		path: "lambda_functions.worker.deployment.type", got: `"canary_percent":10`, want: "not both"},
	{name: "custom missing interval", json: doc(`"deployment": {"type": {"canary_percent": 10}}`, ""),
		path: "lambda_functions.worker.deployment.type.interval_minutes", got: "missing", want: "from 1 to 2880"},
	{name: "custom missing percent", json: doc(`"deployment": {"type": {"interval_minutes": 5}}`, ""),
		path: "lambda_functions.worker.deployment.type", got: `{"interval_minutes":5}`, want: "canary_percent or linear_percent"},
	{name: "custom unknown key", json: doc(`"deployment": {"type": {"canary_percent": 10, "interval_minutes": 5, "steps": 2}}`, ""),
		path: "lambda_functions.worker.deployment.type.steps", got: "unknown field", want: "canary_percent, interval_minutes"},

	// deployment.alarms
	{name: "error rate 0", json: doc(`"deployment": {"alarms": {"error_rate_percent": 0}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.error_rate_percent", got: "got 0;", want: "greater than 0 and at most 100"},
	{name: "error rate 101", json: doc(`"deployment": {"alarms": {"error_rate_percent": 101}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.error_rate_percent", got: "got 101;", want: "at most 100"},
	{name: "throttles removed", json: doc(`"deployment": {"alarms": {"throttles": 1}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.throttles", got: "got 1;", want: "throttles was removed: Lambda publishes no throttles for the version being released"},
	{name: "throttles removed in an env", json: doc("", `"deployment": {"alarms": {"throttles": null}}`),
		path: "envs.prd.lambda_functions.worker.deployment.alarms.throttles", got: "got null;", want: "delete the field"},
	{name: "error_rate_relative not bool", json: doc(`"deployment": {"alarms": {"error_rate_percent": 1, "error_rate_relative": "yes"}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.error_rate_relative", got: `"yes"`, want: "true or false"},
	{name: "error_rate_relative without error_rate_percent", json: doc(`"deployment": {"alarms": {"p99_duration_ms": 100, "error_rate_relative": true}}`, ""),
		path: "envs.prd.lambda_functions.worker.deployment.alarms.error_rate_relative", got: "got true (from lambda_functions.worker.deployment.alarms.error_rate_relative) without error_rate_percent",
		want: "the margin by which the new version's error rate may exceed the old one's", goOnly: crossField},
	{name: "min_invocations negative", json: doc(`"deployment": {"alarms": {"min_invocations": -1}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.min_invocations", got: "got -1;", want: "an integer from 0 to 1000000"},
	{name: "min_invocations fraction", json: doc(`"deployment": {"alarms": {"min_invocations": 2.5}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.min_invocations", got: "got 2.5;", want: "requests of the new version a minute"},
	{name: "p99 0", json: doc(`"deployment": {"alarms": {"p99_duration_ms": 0}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.p99_duration_ms", got: "got 0;", want: "greater than 0"},
	{name: "p99 string", json: doc(`"deployment": {"alarms": {"p99_duration_ms": "2s"}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.p99_duration_ms", got: `"2s"`, want: "milliseconds"},
	{name: "p99 above timeout", json: doc(`"timeout_s": 2, "deployment": {"alarms": {"p99_duration_ms": 2500}}`, ""),
		path: "envs.prd.lambda_functions.worker.deployment.alarms.p99_duration_ms", got: "got 2500 (from lambda_functions.worker.deployment.alarms.p99_duration_ms)", want: "at most 2000", goOnly: crossField},
	{name: "p99 above env timeout", json: doc(`"timeout_s": 10, "deployment": {"alarms": {"p99_duration_ms": 5000}}`, `"timeout_s": 3`),
		path: "envs.prd.lambda_functions.worker.deployment.alarms.p99_duration_ms", got: "got 5000", want: "at most 3000", goOnly: crossField},
	{name: "extra empty name", json: doc(`"deployment": {"alarms": {"extra": [""]}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.extra[0]", got: `""`, want: "1 to 255 characters"},
	{name: "extra duplicate", json: doc(`"deployment": {"alarms": {"extra": ["a", "a"]}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.extra[1]", got: `"a"`, want: "each entry once"},
	{name: "extra not array", json: doc(`"deployment": {"alarms": {"extra": "a"}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.extra", got: `"a"`, want: "an array of names"},
	{name: "extra 11", json: doc(`"deployment": {"alarms": {"extra": ["a1","a2","a3","a4","a5","a6","a7","a8","a9","a10","a11"]}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.extra", got: "got 11 items", want: "at most 10"},
	{name: "alarms over 10", json: doc(`"deployment": {"alarms": {"error_rate_percent": 1, "p99_duration_ms": 100, "extra": ["a1","a2","a3","a4","a5","a6","a7","a8","a9","a10"]}}`, ""),
		path: "envs.prd.lambda_functions.worker.deployment.alarms", got: "got 11 alarms", want: "at most 10", goOnly: crossField},

	// hooks, auto_rollback, the removed rollback_type
	{name: "hook name with a space", json: doc(`"deployment": {"pre_traffic_hook": "My Hook"}`, ""),
		path: "lambda_functions.worker.deployment.pre_traffic_hook", got: `"My Hook"`, want: `a Lambda function name of 1 to 64 letters, digits, "_" and "-", or its unqualified ARN`},
	{name: "hook too long", json: doc(`"deployment": {"post_traffic_hook": "CodeDeployHook_`+strings.Repeat("x", 50)+`"}`, ""),
		path: "lambda_functions.worker.deployment.post_traffic_hook", got: `"CodeDeployHook_xxx`, want: "1 to 64"},
	{name: "hook qualified ARN", json: doc(`"deployment": {"pre_traffic_hook": "arn:aws:lambda:eu-west-1:333333333333:function:check:LIVE"}`, ""),
		path: "lambda_functions.worker.deployment.pre_traffic_hook", got: `function:check:LIVE"`, want: "unqualified ARN"},
	{name: "hook ARN in another account", json: doc("", `"live_version": 7, "deployment": {"post_traffic_hook": "arn:aws:lambda:eu-west-1:111111111111:function:check"}`),
		path: "envs.prd.lambda_functions.worker.deployment.post_traffic_hook", got: `"arn:aws:lambda:eu-west-1:111111111111:function:check"`,
		want: "want a function in this env's account 333333333333 and region eu-west-1: CodeDeploy invokes a hook by name", goOnly: crossField},

	// smoke and bake, the shipped hooks
	{name: "smoke not object", json: doc(`"deployment": {"smoke": [{"ping": 1}]}`, ""),
		path: "lambda_functions.worker.deployment.smoke", got: `[{"ping":1}]`, want: `an object such as {"events": [{"ping": true}]`},
	{name: "smoke without events", json: doc(`"deployment": {"smoke": {"timeout_s": 10}}`, ""),
		path: "envs.prd.lambda_functions.worker.deployment.smoke.events", got: "missing", want: "a non-empty array of JSON events", goOnly: crossField},
	{name: "smoke events empty", json: doc(`"deployment": {"smoke": {"events": []}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.events", got: "got [];", want: "a non-empty array of JSON events"},
	{name: "smoke events not array", json: doc(`"deployment": {"smoke": {"events": {"ping": 1}}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.events", got: `{"ping":1}`, want: "a non-empty array"},
	{name: "smoke timeout 0", json: doc(`"deployment": {"smoke": {"events": [1], "timeout_s": 0}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.timeout_s", got: "got 0;", want: "an integer from 1 to 840"},
	{name: "smoke timeout 841", json: doc(`"deployment": {"smoke": {"events": [1], "timeout_s": 841}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.timeout_s", got: "got 841;", want: "the hook runs in one Lambda invocation"},
	{name: "smoke unknown field", json: doc(`"deployment": {"smoke": {"events": [1], "expected": 1}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.expected", got: "unknown field", want: "events, expect, timeout_s, compare, ignore"},
	{name: "smoke compare not a boolean", json: doc(`"deployment": {"smoke": {"events": [1], "compare": "yes"}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.compare", got: `"yes"`, want: "true or false"},
	{name: "smoke ignore not an array", json: doc(`"deployment": {"smoke": {"events": [1], "compare": true, "ignore": "/requestId"}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.ignore", got: `"/requestId"`, want: `an array of JSON Pointers`},
	{name: "smoke ignore not a pointer", json: doc(`"deployment": {"smoke": {"events": [1], "compare": true, "ignore": ["requestId"]}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.ignore[0]", got: `"requestId"`, want: `a JSON Pointer to a part of the response, such as "/requestId"`},
	{name: "smoke ignore the whole response", json: doc(`"deployment": {"smoke": {"events": [1], "compare": true, "ignore": [""]}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.ignore[0]", got: `""`, want: `a JSON Pointer to a part of the response`},
	{name: "smoke ignore a bad escape", json: doc(`"deployment": {"smoke": {"events": [1], "compare": true, "ignore": ["/a~2b"]}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.ignore[0]", got: `"/a~2b"`, want: `"~1" for a "/" in a key, "~0" for a "~"`},
	{name: "smoke ignore twice", json: doc(`"deployment": {"smoke": {"events": [1], "compare": true, "ignore": ["/t", "/t"]}}`, ""),
		path: "lambda_functions.worker.deployment.smoke.ignore[1]", got: `"/t" again`, want: "each entry once"},
	{name: "smoke ignore without compare", json: doc(`"deployment": {"smoke": {"events": [1], "ignore": ["/requestId"]}}`, ""),
		path: "envs.sbx.lambda_functions.worker.deployment.smoke.ignore", got: `["/requestId"] (from lambda_functions.worker.deployment.smoke.ignore) without compare: true`,
		want: `want "compare": true, or no ignore`, goOnly: crossField},
	{name: "bake not object", json: doc(`"deployment": {"bake": 5}`, ""),
		path: "lambda_functions.worker.deployment.bake", got: "got 5;", want: `{"minutes": 5}`},
	{name: "bake without minutes", json: doc(`"deployment": {"bake": {}}`, ""),
		path: "lambda_functions.worker.deployment.bake.minutes", got: "missing", want: "an integer from 1 to 14"},
	{name: "bake 0 minutes", json: doc(`"deployment": {"bake": {"minutes": 0}}`, ""),
		path: "lambda_functions.worker.deployment.bake.minutes", got: "got 0;", want: "an integer from 1 to 14"},
	{name: "bake 15 minutes", json: doc(`"deployment": {"bake": {"minutes": 15}}`, ""),
		path: "lambda_functions.worker.deployment.bake.minutes", got: "got 15;", want: "one Lambda invocation of at most 15 minutes"},
	{name: "smoke with type None", json: doc(`"deployment": {"type": "None", "smoke": {"events": [1]}}`, ""),
		path: "envs.sbx.lambda_functions.worker.deployment.smoke", got: `{"events":[1]} (from lambda_functions.worker.deployment.smoke)`, want: "the shipped hooks only run in CodeDeploy deployments", goOnly: crossField},
	{name: "bake with type None", json: doc(`"deployment": {"alarms": {"p99_duration_ms": 100}}`, `"deployment": {"type": "None", "bake": {"minutes": 3}}`),
		path: "envs.prd.lambda_functions.worker.deployment.bake", got: `{"minutes":3}`, want: "want no bake while deployment.type is \"None\"", goOnly: crossField},
	{name: "smoke with a pre-traffic hook", json: doc(`"deployment": {"smoke": {"events": [1]}}`, `"deployment": {"pre_traffic_hook": "check"}`),
		path: "envs.prd.lambda_functions.worker.deployment.pre_traffic_hook", got: `"check"`, want: "together with deployment.smoke; want one of the two: a deployment runs one pre_traffic hook", goOnly: crossField},
	{name: "bake with a post-traffic hook", json: doc(`"deployment": {"alarms": {"p99_duration_ms": 100}, "bake": {"minutes": 3}, "post_traffic_hook": "check"}`, ""),
		path: "envs.prd.lambda_functions.worker.deployment.post_traffic_hook", got: `"check" (from lambda_functions.worker.deployment.post_traffic_hook)`, want: "together with deployment.bake", goOnly: crossField},
	{name: "bake without a threshold", json: doc(`"deployment": {"alarms": {"extra": ["a"]}, "bake": {"minutes": 3}}`, ""),
		path: "envs.prd.lambda_functions.worker.deployment.bake", got: `{"minutes":3} (from lambda_functions.worker.deployment.bake) without a threshold`, want: "error_rate_percent or p99_duration_ms", goOnly: crossField},
	{name: "hook with type None", json: doc(`"deployment": {"type": "None", "pre_traffic_hook": "CodeDeployHook_check"}`, ""),
		path: "envs.sbx.lambda_functions.worker.deployment.pre_traffic_hook", got: `"CodeDeployHook_check" (from lambda_functions.worker.deployment.pre_traffic_hook)`, want: "hooks only run in CodeDeploy deployments", goOnly: crossField},
	{name: "auto_rollback not bool", json: doc(`"deployment": {"auto_rollback": {"on_alarm": "yes"}}`, ""),
		path: "lambda_functions.worker.deployment.auto_rollback.on_alarm", got: `"yes"`, want: "true or false"},
	{name: "on_alarm without alarms", json: doc(`"deployment": {"auto_rollback": {"on_alarm": true}}`, `"live_version": 7`),
		path: "envs.prd.lambda_functions.worker.deployment.auto_rollback.on_alarm", got: "got true", want: "defines no alarm", goOnly: crossField},
	{name: "rollback_type removed", json: doc(`"deployment": {"rollback_type": "AllAtOnce"}`, ""),
		path: "lambda_functions.worker.deployment.rollback_type", got: `"AllAtOnce"`, want: "rollback_type was removed: golive rollback never shifts traffic gradually"},
	{name: "rollback_type removed in an env", json: doc("", `"deployment": {"rollback_type": null}`),
		path: "envs.prd.lambda_functions.worker.deployment.rollback_type", got: "null", want: "so it had no effect; delete the field"},
	{name: "deployment not object", json: doc(`"deployment": "Canary10Percent5Minutes"`, ""),
		path: "lambda_functions.worker.deployment", got: `"Canary10Percent5Minutes"`, want: `{"type": "Canary10Percent5Minutes"`},

	// entry and image
	{name: "entry parent", json: doc(`"entry": "../worker"`, ""),
		path: "lambda_functions.worker.entry", got: `"../worker"`, want: `no ".."`},
	{name: "entry absolute", json: doc(`"entry": "/src/worker"`, ""),
		path: "lambda_functions.worker.entry", got: `"/src/worker"`, want: `leading "/"`},
	{name: "entry unclean", json: doc(`"entry": "functions//worker"`, ""),
		path: "lambda_functions.worker.entry", got: `"functions//worker"`, want: "clean relative path"},
	{name: "entry dot", json: doc(`"entry": "./functions/worker"`, ""),
		path: "lambda_functions.worker.entry", got: `"./functions/worker"`, want: "clean relative path"},
	{name: "entry trailing slash", json: doc(`"entry": "functions/worker/"`, ""),
		path: "lambda_functions.worker.entry", got: `"functions/worker/"`, want: "clean relative path"},
	{name: "entry backslash", json: doc(`"entry": "functions\\worker"`, ""),
		path: "lambda_functions.worker.entry", got: `"functions\\worker"`, want: "slashes only"},
	{name: "entry inner parent", json: doc(`"entry": "functions/../../x"`, ""),
		path: "lambda_functions.worker.entry", got: `"functions/../../x"`, want: `no ".."`},
	{name: "entry number", json: doc(`"entry": 5`, ""),
		path: "lambda_functions.worker.entry", got: "got 5;", want: "clean relative path"},
	{name: "entry and image", json: doc(`"image": {"repository": "demo/worker", "digest": "`+digest+`"}`, ""),
		path: "envs.prd.lambda_functions.worker", got: "both entry (from lambda_functions.worker.entry) and image", want: "exactly one", goOnly: crossField},
	{name: "neither entry nor image", json: doc(`"entry": null`, ""),
		path: "envs.sbx.lambda_functions.worker", got: "missing entry and image", want: "exactly one", goOnly: crossField},
	{name: "image bad digest", json: doc(`"entry": null, "image": {"repository": "demo/worker", "digest": "sha256:abc"}`, ""),
		path: "lambda_functions.worker.image.digest", got: `"sha256:abc"`, want: "64 lowercase hex"},
	{name: "image bad tag", json: doc(`"entry": null, "image": {"repository": "demo/worker", "tag": ".hidden"}`, ""),
		path: "lambda_functions.worker.image.tag", got: `".hidden"`, want: "image tag"},
	{name: "image bad repository", json: doc(`"entry": null, "image": {"repository": "Demo/Worker", "digest": "`+digest+`"}`, ""),
		path: "lambda_functions.worker.image.repository", got: `"Demo/Worker"`, want: "ECR repository name"},
	{name: "image repository URI elsewhere", json: doc(`"entry": null, "image": {"repository": "111111111111.dkr.ecr.us-east-1.example.com/w", "digest": "`+digest+`"}`, ""),
		path: "lambda_functions.worker.image.repository", got: `example.com`, want: "repository URI"},
	{name: "image unknown field", json: doc(`"entry": null, "image": {"repository": "demo/worker", "sha": "`+digest+`"}`, ""),
		path: "lambda_functions.worker.image.sha", got: "unknown field", want: "repository, digest, tag"},
	{name: "image digest and tag", json: doc(`"entry": null, "image": {"repository": "demo/worker", "digest": "`+digest+`", "tag": "v1"}`, ""),
		path: "envs.sbx.lambda_functions.worker.image", got: "both digest (from lambda_functions.worker.image.digest) and tag", want: "exactly one", goOnly: crossField},
	{name: "image without digest or tag", json: doc(`"entry": null, "image": {"repository": "demo/worker"}`, ""),
		path: "envs.sbx.lambda_functions.worker.image", got: "missing digest and tag", want: "exactly one", goOnly: crossField},
	{name: "image without repository", json: doc(`"entry": null, "image": {"digest": "`+digest+`"}`, ""),
		path: "envs.sbx.lambda_functions.worker.image.repository", got: "missing", want: "ECR repository name", goOnly: crossField},
	{name: "image tag where pinned", json: doc(`"entry": null, "image": {"repository": "demo/worker", "tag": "v1"}`, `"live_version": 3`),
		path: "envs.prd.lambda_functions.worker.image.tag", got: `"v1" (from lambda_functions.worker.image.tag)`, want: "pin images by digest", goOnly: crossField},

	// function settings
	{name: "function_name bad", json: doc(`"function_name": "my worker"`, ""),
		path: "lambda_functions.worker.function_name", got: `"my worker"`, want: "1 to 64 letters"},
	{name: "function_name too long", json: doc(`"function_name": "`+strings.Repeat("f", 65)+`"`, ""),
		path: "lambda_functions.worker.function_name", got: `"fff`, want: "1 to 64"},
	{name: "default function_name too long", json: strings.ReplaceAll(doc("", ""), `"worker"`, `"`+strings.Repeat("w", 60)+`"`),
		path: "envs.prd.lambda_functions." + strings.Repeat("w", 60) + ".function_name", got: "is 69 characters", want: "want function_name set", goOnly: sizeRule},
	{name: "alias digits", json: doc(`"alias": "7"`, ""),
		path: "lambda_functions.worker.alias", got: `"7"`, want: `not all digits (a number names a version), such as "LIVE" or "live"`},
	{name: "alias $LATEST", json: doc("", `"alias": "$LATEST"`),
		path: "envs.prd.lambda_functions.worker.alias", got: `"$LATEST"`, want: `an alias name of 1 to 128 letters, digits, "_" and "-"`},
	{name: "alias too long", json: doc(`"alias": "`+strings.Repeat("a", 129)+`"`, ""),
		path: "lambda_functions.worker.alias", got: `"aaa`, want: "1 to 128"},
	{name: "alias empty", json: doc(`"alias": ""`, ""),
		path: "lambda_functions.worker.alias", got: `""`, want: "1 to 128"},
	{name: "alias number", json: doc(`"alias": 7`, ""),
		path: "lambda_functions.worker.alias", got: `7`, want: "alias name"},
	{name: "architecture", json: doc(`"architecture": "arm"`, ""),
		path: "lambda_functions.worker.architecture", got: `"arm"`, want: `"arm64" or "x86_64"`},
	{name: "memory low", json: doc(`"memory_mb": 127`, ""),
		path: "lambda_functions.worker.memory_mb", got: "got 127;", want: "from 128 to 10240"},
	{name: "memory high", json: doc("", `"memory_mb": 10241`),
		path: "envs.prd.lambda_functions.worker.memory_mb", got: "got 10241;", want: "from 128 to 10240"},
	{name: "memory fraction", json: doc(`"memory_mb": 256.5`, ""),
		path: "lambda_functions.worker.memory_mb", got: "got 256.5;", want: "an integer"},
	{name: "memory string", json: doc(`"memory_mb": "256"`, ""),
		path: "lambda_functions.worker.memory_mb", got: `"256"`, want: "an integer"},
	{name: "timeout 0", json: doc(`"timeout_s": 0`, ""),
		path: "lambda_functions.worker.timeout_s", got: "got 0;", want: "from 1 to 900"},
	{name: "timeout 901", json: doc(`"timeout_s": 901`, ""),
		path: "lambda_functions.worker.timeout_s", got: "got 901;", want: "from 1 to 900"},
	{name: "description long", json: doc(`"description": "`+strings.Repeat("d", 257)+`"`, ""),
		path: "lambda_functions.worker.description", got: `"ddd`, want: "at most 256"},
	{name: "environment key", json: doc(`"environment": {"1X": "a"}`, ""),
		path: `lambda_functions.worker.environment.1X`, got: `"1X"`, want: "variable name"},
	{name: "environment key of one letter", json: doc(`"environment": {"X": "a"}`, ""),
		path: `lambda_functions.worker.environment.X`, got: `"X"`, want: "at least 2 letters"},
	{name: "environment reserved", json: doc(`"environment": {"AWS_REGION": "us-east-1"}`, ""),
		path: "lambda_functions.worker.environment.AWS_REGION", got: `"AWS_REGION"`, want: "not one Lambda reserves"},
	{name: "environment number value", json: doc(`"environment": {"PORT": 8080}`, ""),
		path: "lambda_functions.worker.environment.PORT", got: "got 8080;", want: `quote numbers`},
	{name: "environment array", json: doc(`"environment": ["A=1"]`, ""),
		path: "lambda_functions.worker.environment", got: `["A=1"]`, want: "an object of variable names"},
	{name: "environment over 4 KB", json: doc(`"environment": {"AA": "`+strings.Repeat("v", 4000)+`", "BB": "`+strings.Repeat("v", 98)+`"}`, ""),
		path: "envs.sbx.lambda_functions.worker.environment", got: "got 4102 bytes", want: "at most 4096", goOnly: sizeRule},
	{name: "provisioned negative", json: doc(`"provisioned_concurrency": -1`, ""),
		path: "lambda_functions.worker.provisioned_concurrency", got: "got -1;", want: "a non-negative integer"},
	{name: "provisioned unpinned", json: doc(`"provisioned_concurrency": 5`, `"live_version": 7`),
		path: "envs.sbx.lambda_functions.worker.provisioned_concurrency", got: "got 5 (from lambda_functions.worker.provisioned_concurrency)", want: "needs a published version", goOnly: crossField},

	{name: "rolled_back unpinned", json: doc("", `"rolled_back": "8"`),
		path: "envs.prd.lambda_functions.worker.rolled_back", got: `got "8";`, want: "no rolled_back while live_version is null", goOnly: crossField},
	{name: "rolled_back is the pin", json: doc("", `"live_version": 7, "rolled_back": "7"`),
		path: "envs.prd.lambda_functions.worker.rolled_back", got: `got "7", the live_version itself`, want: "the version rollback moved LIVE away from", goOnly: crossField},
	{name: "rolled_back not a version", json: doc("", `"live_version": 7, "rolled_back": "v8"`),
		path: "envs.prd.lambda_functions.worker.rolled_back", got: `got "v8";`, want: "a positive integer version"},
	{name: "rolled_back shared", json: doc(`"rolled_back": "8"`, ""),
		path: "lambda_functions.worker.rolled_back", got: `got "8";`, want: "no rolled_back in the shared defaults"},

	// unknown fields
	{name: "unknown shared field", json: doc(`"memory": 256`, ""),
		path: "lambda_functions.worker.memory", got: "unknown field", want: "entry, image, function_name, alias, architecture, memory_mb"},
	{name: "unknown camel field", json: doc("", `"liveVersion": 7`),
		path: "envs.prd.lambda_functions.worker.liveVersion", got: `did you mean "live_version"`, want: "allowed fields: entry"},
	{name: "unknown deployment field", json: doc(`"deployment": {"typ": "None"}`, ""),
		path: "lambda_functions.worker.deployment.typ", got: "unknown field", want: "type, alarms, smoke, bake, pre_traffic_hook"},
	{name: "unknown alarms field", json: doc(`"deployment": {"alarms": {"errors": 1}}`, ""),
		path: "lambda_functions.worker.deployment.alarms.errors", got: "unknown field", want: "error_rate_percent, error_rate_relative, throttles"},
	{name: "unknown auto_rollback field", json: doc(`"deployment": {"auto_rollback": {"on_timeout": true}}`, ""),
		path: "lambda_functions.worker.deployment.auto_rollback.on_timeout", got: "unknown field", want: "on_failure, on_stop, on_alarm"},
	{name: "unknown top field", json: strings.Replace(doc("", ""), `"project"`, `"projects": 1, "project"`, 1),
		path: "projects", got: "unknown field", want: "$schema, project, lambda_functions, envs, pipeline"},
	{name: "unknown env field", json: strings.Replace(doc("", ""), `"region": "us-east-1"`, `"region": "us-east-1", "acount": "1"`, 1),
		path: "envs.sbx.acount", got: "unknown field", want: "account, region, lambda_functions"},

	// project, envs, function keys
	{name: "project uppercase", json: strings.Replace(doc("", ""), `"demo"`, `"Demo"`, 1),
		path: "project", got: `"Demo"`, want: "lowercase letters"},
	{name: "project digit first", json: strings.Replace(doc("", ""), `"demo"`, `"1demo"`, 1),
		path: "project", got: `"1demo"`, want: "starting with a letter"},
	{name: "project too long", json: strings.Replace(doc("", ""), `"demo"`, `"`+strings.Repeat("p", 33)+`"`, 1),
		path: "project", got: `"ppp`, want: "at most 32"},
	{name: "project missing", json: strings.Replace(doc("", ""), `"project": "demo",`, ``, 1),
		path: "project", got: "missing", want: "lowercase letters"},
	{name: "project number", json: strings.Replace(doc("", ""), `"demo"`, `5`, 1),
		path: "project", got: "got 5;", want: "lowercase letters"},
	{name: "schema not string", json: strings.Replace(doc("", ""), `"project"`, `"$schema": 1, "project"`, 1),
		path: "$schema", got: "got 1;", want: "a string"},
	{name: "no functions", json: `{"project": "demo", "lambda_functions": {}, "envs": {"prd": {"account": "333333333333", "region": "us-east-1"}}}`,
		path: "lambda_functions", got: "got {};", want: "at least one function"},
	{name: "functions missing", json: `{"project": "demo", "envs": {"prd": {"account": "333333333333", "region": "us-east-1"}}}`,
		path: "lambda_functions", got: "missing", want: "at least one function"},
	{name: "function key", json: strings.Replace(doc("", ""), `{"worker": {"entry"`, `{"1worker": {"entry": "a"}, "worker": {"entry"`, 1),
		path: "lambda_functions.1worker", got: `"1worker"`, want: "starting with a letter"},
	{name: "function key dotted", json: strings.Replace(doc("", ""), `{"worker": {"entry"`, `{"a.b": {"entry": "a"}, "worker": {"entry"`, 1),
		path: `lambda_functions["a.b"]`, got: `"a.b"`, want: "function key"},
	{name: "output key collision", json: strings.Replace(doc("", ""), `{"worker": {"entry"`, `{"order-api": {"entry": "a"}, "order_api": {"entry": "b"}, "worker": {"entry"`, 1),
		path: "lambda_functions.order_api", got: "LiveVersionOrderApi", want: "differ in more than punctuation", goOnly: crossEnv},
	{name: "no envs", json: `{"project": "demo", "lambda_functions": {"worker": {"entry": "w"}}, "envs": {}}`,
		path: "envs", got: "got {};", want: "at least one env"},
	{name: "envs missing", json: `{"project": "demo", "lambda_functions": {"worker": {"entry": "w"}}}`,
		path: "envs", got: "missing", want: "at least one env"},
	{name: "env name uppercase", json: strings.Replace(doc("", ""), `"prd":`, `"Prd":`, 1),
		path: "envs.Prd", got: `"Prd"`, want: "lowercase letters and digits"},
	{name: "env name long", json: strings.Replace(doc("", ""), `"prd":`, `"production1234567":`, 1),
		path: "envs.production1234567", got: `"production1234567"`, want: "1 to 16"},
	{name: "account number", json: strings.Replace(doc("", ""), `"111111111111"`, `111111111111`, 1),
		path: "envs.sbx.account", got: "got 111111111111;", want: "12-digit AWS account ID written as a string"},
	{name: "account short", json: strings.Replace(doc("", ""), `"111111111111"`, `"11111"`, 1),
		path: "envs.sbx.account", got: `"11111"`, want: "12-digit"},
	{name: "account missing", json: strings.Replace(doc("", ""), `"account": "111111111111", `, ``, 1),
		path: "envs.sbx.account", got: "missing", want: "12-digit"},
	{name: "region bad", json: strings.Replace(doc("", ""), `"us-east-1"`, `"useast1"`, 1),
		path: "envs.sbx.region", got: `"useast1"`, want: `"us-gov-west-1"`},
	{name: "region missing", json: strings.Replace(doc("", ""), `, "region": "us-east-1"`, ``, 1),
		path: "envs.sbx.region", got: "missing", want: "AWS region"},
	{name: "env not object", json: strings.Replace(doc("", ""), `"sbx": {"account": "111111111111", "region": "us-east-1"}`, `"sbx": "111111111111"`, 1),
		path: "envs.sbx", got: `"111111111111"`, want: `{"account": "111111111111"`},
	{name: "env functions array", json: strings.Replace(doc("", ""), `"region": "us-east-1"}`, `"region": "us-east-1", "lambda_functions": []}`, 1),
		path: "envs.sbx.lambda_functions", got: "got [];", want: "overrides"},
	{name: "env override null", json: strings.Replace(doc("", ""), `"worker": {}}}`, `"worker": null}}`, 1),
		path: "envs.prd.lambda_functions.worker", got: "got null;", want: "overrides for the function"},
	{name: "unknown function in env", json: strings.Replace(doc("", ""), `{"worker": {}}`, `{"worker": {}, "wroker": {"live_version": 7}}`, 1),
		path: "envs.prd.lambda_functions.wroker", got: `"wroker"`, want: "defined in lambda_functions: worker", goOnly: crossEnv},
	{name: "function name reused", json: `{"project": "demo", "lambda_functions": {"worker": {"entry": "w", "function_name": "worker"}},
		"envs": {"sbx": {"account": "111111111111", "region": "us-east-1"}, "tst": {"account": "111111111111", "region": "us-east-1"}}}`,
		path: "envs.tst.lambda_functions.worker.function_name", got: `"worker", also the name at envs.sbx.lambda_functions.worker`, want: "unique in account 111111111111, region us-east-1", goOnly: crossEnv},
	{name: "rollback alarm names meet", json: `{"project": "demo", "lambda_functions": {"a": {"entry": "w", "function_name": "x-y", "alias": "z"},
		"b": {"entry": "w", "function_name": "x", "alias": "y-z"}}, "envs": {"sbx": {"account": "111111111111", "region": "us-east-1"}}}`,
		path: "envs.sbx.lambda_functions.b.alias", got: `"y-z" with function name "x": its rollback alarms would be named x-y-z-vN-rollback like those of envs.sbx.lambda_functions.a`,
		want: "FUNCTION-ALIAS differ in account 111111111111, region us-east-1", goOnly: crossEnv},
	{name: "duplicate key", json: strings.Replace(doc("", ""), `"project": "demo"`, `"project": "demo", "project": "demo"`, 1),
		path: "project", got: "duplicate key", want: "each key once", goOnly: jsonRule},

	// pipeline
	{name: "pipeline missing repository", json: withPipeline(`"account": "444444444444", "region": "us-east-1", "connection_arn": "` + connection + `"`),
		path: "pipeline.repository", got: "missing", want: `"owner/repo"`},
	{name: "pipeline connection", json: withPipeline(`"account": "444444444444", "region": "us-east-1", "connection_arn": "arn:aws:iam::444444444444:role/x", "repository": "o/r"`),
		path: "pipeline.connection_arn", got: `"arn:aws:iam::444444444444:role/x"`, want: "CodeConnections ARN"},
	{name: "pipeline repository", json: withPipeline(`"account": "444444444444", "region": "us-east-1", "connection_arn": "` + connection + `", "repository": "repo"`),
		path: "pipeline.repository", got: `"repo"`, want: `"owner/repo"`},
	{name: "pipeline branch", json: withPipeline(pipelineBase + `, "branch": "my branch"`),
		path: "pipeline.branch", got: `"my branch"`, want: "branch name"},
	{name: "pipeline stages empty", json: withPipeline(pipelineBase + `, "stages": []`),
		path: "pipeline.stages", got: "got [];", want: "at least one env"},
	{name: "pipeline stages duplicate", json: withPipeline(pipelineBase + `, "stages": ["sbx", "sbx"]`),
		path: "pipeline.stages[1]", got: `"sbx"`, want: "each entry once"},
	{name: "pipeline stage unknown", json: withPipeline(pipelineBase + `, "stages": ["sbx", "tst"]`),
		path: "pipeline.stages[1]", got: `"tst"`, want: "an env defined in envs: sbx, prd", goOnly: crossEnv},
	{name: "pipeline approval outside stages", json: withPipeline(pipelineBase + `, "stages": ["sbx"], "approval_before": ["prd"]`),
		path: "pipeline.approval_before[0]", got: `"prd"`, want: "one of the pipeline's stages: sbx", goOnly: crossField},
	{name: "pipeline unknown field", json: withPipeline(pipelineBase + `, "approval": ["prd"]`),
		path: "pipeline.approval", got: `did you mean "approval_before"`, want: "account, region, connection_arn"},
	{name: "pipeline not object", json: strings.Replace(doc("", ""), `"project"`, `"pipeline": true, "project"`, 1),
		path: "pipeline", got: "got true;", want: `"connection_arn"`},
}

const connection = "arn:aws:codeconnections:us-east-1:444444444444:connection/0123abcd-0123-4567-89ab-0123456789ab"

const pipelineBase = `"account": "444444444444", "region": "us-east-1", "connection_arn": "` + connection + `", "repository": "golive-dev/demo"`

func withPipeline(fields string) string {
	return strings.Replace(doc("", ""), `"project"`, `"pipeline": {`+fields+`}, "project"`, 1)
}

// valid are configs both Parse and the schema accept; they pin down what the rules allow.
var valid = []struct{ name, json string }{
	{"base", doc("", "")},
	{"pinned number", doc("", `"live_version": 7`)},
	{"pinned string", doc("", `"live_version": "7"`)},
	{"pinned 7.0", doc("", `"live_version": 7.0`)},
	{"pinned direct", doc("", `"live_version": 7, "rollout": "direct"`)},
	{"null everywhere", doc(`"image": null, "description": null, "deployment": null`, `"live_version": null, "rollout": null, "additional_versions": null, "memory_mb": null`)},
	{"empty split", doc("", `"live_version": 7, "additional_versions": {}`)},
	{"split with None", doc(`"deployment": {"type": "None"}`, `"live_version": 7, "additional_versions": {"6": 0.25}`)},
	{"split with env None", doc("", `"live_version": 7, "additional_versions": {"6": 0.25}, "deployment": {"type": "None"}`)},
	{"custom canary", doc(`"deployment": {"type": {"canary_percent": 20, "interval_minutes": 15}}`, `"live_version": 7`)},
	{"custom linear", doc(`"deployment": {"type": {"linear_percent": 50, "interval_minutes": 2880}}`, `"live_version": 7`)},
	{"every predefined type", doc(`"deployment": {"type": "Linear10PercentEvery10Minutes"}`, "")},
	{"image by digest", doc(`"entry": null, "image": {"repository": "demo/worker", "digest": "`+digest+`"}`, `"live_version": 1`)},
	{"image by tag unpinned", doc(`"entry": null, "image": {"repository": "111111111111.dkr.ecr.us-east-1.amazonaws.com/demo/worker", "tag": "v1.2"}`, `"image": {"tag": null, "digest": "`+digest+`"}, "live_version": 1`)},
	{"switch env to image", doc("", `"entry": null, "image": {"repository": "demo/worker", "digest": "`+digest+`"}`)},
	{"full function", doc(`"function_name": "custom-Name_1", "alias": "live", "architecture": "x86_64", "memory_mb": 10240, "timeout_s": 900, "description": "d",
		"environment": {"LOG_LEVEL": "info", "AWS_LAMBDA_EXEC_WRAPPER": "/opt/w"}, "provisioned_concurrency": 0,
		"deployment": {"alarms": {"error_rate_percent": 100, "p99_duration_ms": 900000, "min_invocations": 0, "extra": ["a", "b"]},
		"pre_traffic_hook": "CodeDeployHook_pre", "post_traffic_hook": "CodeDeployHook_post",
		"auto_rollback": {"on_failure": false, "on_stop": true, "on_alarm": false}}`,
		`"live_version": "12", "provisioned_concurrency": 2, "environment": {"LOG_LEVEL": null}`)},
	{"on_alarm unpinned", doc(`"deployment": {"auto_rollback": {"on_alarm": true}}`, "")},
	{"smoke and bake", doc(`"deployment": {"alarms": {"error_rate_percent": 1, "error_rate_relative": true, "min_invocations": 100}, "smoke": {"events": [{"name": "x"}, [1, 2], "s", 3, null, true], "expect": {"ok": true}, "timeout_s": 840}, "bake": {"minutes": 14}}`, `"live_version": 7`)},
	{"hooks by name and ARN", doc(`"deployment": {"pre_traffic_hook": "orders-smoke"}`, `"live_version": 7, "deployment": {"post_traffic_hook": "arn:aws:lambda:eu-west-1:333333333333:function:orders-check"}`)},
	{"numbers as exponents", doc(`"memory_mb": 1.28e2, "timeout_s": 3E0`, `"live_version": 7e0`)},
	{"entry dotted names", doc(`"entry": "cmd/.x/..y/...z"`, "")},
	{"pipeline", withPipeline(pipelineBase + `, "branch": "release/v1", "stages": ["sbx", "prd"], "approval_before": ["prd"]`)},
	{"pipeline codestar", withPipeline(`"account": "444444444444", "region": "cn-north-1", "connection_arn": "arn:aws-cn:codestar-connections:cn-north-1:444444444444:connection/abc", "repository": "o/r"`)},
	{"regions", strings.Replace(strings.Replace(doc("", ""), `"us-east-1"`, `"us-gov-west-1"`, 1), `"eu-west-1"`, `"ap-southeast-2"`, 1)},
}

func TestRules(t *testing.T) {
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			_, err := config.Parse([]byte(r.json))
			var errs config.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("Parse() error = %v; want config.Errors", err)
			}
			for _, e := range errs {
				if e.Path == r.path && strings.Contains(e.Message, r.got) && strings.Contains(e.Message, r.want) {
					return
				}
			}
			t.Errorf("Parse() errors:\n%v\nwant one at %s containing %q and %q", err, r.path, r.got, r.want)
		})
	}
}

func TestValid(t *testing.T) {
	for _, v := range valid {
		t.Run(v.name, func(t *testing.T) {
			if _, err := config.Parse([]byte(v.json)); err != nil {
				t.Errorf("Parse() error:\n%v", err)
			}
		})
	}
}

// Each rule row must break exactly one rule, or the table would prove less than it says.
func TestRulesBreakOneRule(t *testing.T) {
	for _, r := range rules {
		_, err := config.Parse([]byte(r.json))
		var errs config.Errors
		if errors.As(err, &errs) && len(errs) > 3 {
			t.Errorf("%s: %d errors, want at most 3:\n%v", r.name, len(errs), err)
		}
	}
}
