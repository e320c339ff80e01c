// Package hooksettings holds what the CDK app and the shipped CodeDeploy hook
// (cmd/golive-hook) must agree on: the format of the hook's settings in its environment,
// which the construct writes and the hook reads, the phase variable, the release verdict's
// limits that config, the construct and the hook all check, and the patterns config and
// config.schema.json accept for a traffic hook and a smoke.ignore entry. The construct
// links jsii and the hook must stay small, so both import this plain Go package: no jsii,
// no AWS SDK.
package hooksettings

import (
	"encoding/json"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// HookFunctionPattern is what a traffic hook the app declares may be: a Lambda function
// name or its unqualified ARN. CodeDeploy invokes a hook by the name in the alias's
// UpdatePolicy, and the construct grants the deployment group's role invoke on that
// function itself, so no CodeDeployHook_ prefix is required (the prefix only matters to
// the managed policy AWSCodeDeployRoleForLambda, which this project does not use).
// RE2 and ECMAScript read it alike: config.schema.json carries the same string.
const HookFunctionPattern = `^(` + lambdarules.FunctionNameChars +
	`|arn:aws(-cn|-us-gov)?:lambda:[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}:[0-9]{12}:function:` + lambdarules.FunctionNameChars + `)$`

// HookFunctionRe is HookFunctionPattern compiled.
var HookFunctionRe = regexp.MustCompile(HookFunctionPattern)

// The release verdict's limits, shared by config, the construct and the shipped hook.
const (
	// DefaultMinInvocations is how many requests the new version must have served in a
	// period (a minute for the alarm, the whole window for the bake) before any threshold
	// may judge it: with 2 requests, 1 error is a 50 % error rate and one slow request is
	// the p99.
	DefaultMinInvocations = 10
	// MaxBakeMinutes bounds the bake: the post-traffic hook waits that long inside one
	// Lambda invocation, which may last 15 minutes, and keeps one minute to judge and report.
	MaxBakeMinutes = 14
	// MaxSmokeTimeoutS bounds a smoke test, all its events together, for the same reason.
	MaxSmokeTimeoutS = 840
	// DefaultSmokeTimeoutS is a smoke test's default budget.
	DefaultSmokeTimeoutS = 60
	// HookTimeoutS is the shipped hooks' Lambda timeout, the most Lambda allows; each run
	// ends earlier by its own settings and reports before this deadline.
	HookTimeoutS = lambdarules.MaxTimeoutS
	// MaxHookEnvironmentBytes is Lambda's limit on a function's environment variables,
	// names and values together, which holds the shipped hook's settings.
	MaxHookEnvironmentBytes = lambdarules.MaxEnvironmentBytes
)

// HookPhaseEnv names the shipped hook function's phase, HookPhaseSmoke (pre-traffic) or
// HookPhaseBake (post-traffic). CodeDeploy's hook event carries no phase, so each phase is
// a function of its own.
const (
	HookPhaseEnv   = "GOLIVE_PHASE"
	HookPhaseSmoke = "smoke"
	HookPhaseBake  = "bake"
)

// HookSettingsEnv is the environment variable that holds, as HookSettings JSON, what the
// shipped hook checks for each deployment group.
const HookSettingsEnv = "GOLIVE_HOOK_SETTINGS"

// HookTarget is what the shipped hook checks for one deployment group. CodeDeploy's
// hook event names only the deployment; the hook reads the group, the function and the
// target version from GetDeployment, and these settings by the group's name.
type HookTarget struct {
	// Group is the deployment group's name.
	Group string `json:"-"`
	// Function is the function's name, which the deployment's AppSpec must name. The
	// construct names each deployment group after its function, so it is Group.
	Function string `json:"-"`
	// Alias is the name of the alias the group's deployments shift, which the AppSpec must
	// name and the bake's metrics are scoped to. The construct writes it only when it is not
	// resourcenames.DefaultAlias, so the settings of a stack that keeps LIVE stay as they
	// were; ParseHookTargets fills in the default.
	Alias string `json:"alias,omitempty"`
	Smoke *Smoke `json:"smoke,omitempty"`
	Bake  *Bake  `json:"bake,omitempty"`
}

// HookSettings are the HookTargets of one hook function in the compact form its
// environment holds: Lambda allows 4 KB of variables per function, and most functions of
// a stack share their settings (the config's shared defaults), so each distinct setting is
// written once and each group names its index.
//
// Groups are keyed by name past Prefix, which Env sets to the names' common prefix: a
// stack's function names, and so its deployment group names, usually share one
// ("{project}-{env}-"), which is then written once rather than per group.
type HookSettings struct {
	Settings []HookTarget   `json:"settings"`
	Prefix   string         `json:"prefix,omitempty"`
	Groups   map[string]int `json:"groups"`
}

// Add records t, reusing an equal setting.
func (h *HookSettings) Add(t HookTarget) error {
	b, err := json.Marshal(t)
	if err != nil {
		return fmt.Errorf("hook settings of %s: %w", t.Group, err)
	}
	if h.Groups == nil {
		h.Groups = map[string]int{}
	}
	for i, s := range h.Settings {
		if sb, _ := json.Marshal(s); string(sb) == string(b) {
			h.Groups[t.Group] = i
			return nil
		}
	}
	h.Settings = append(h.Settings, t)
	h.Groups[t.Group] = len(h.Settings) - 1
	return nil
}

// Env is the variable holding h, its groups written past their common prefix: its key and
// its JSON.
func (h *HookSettings) Env() (key, value string) {
	names := slices.Sorted(maps.Keys(h.Groups))
	prefix := ""
	if len(names) > 1 {
		// The common prefix of a sorted list is that of its first and last names; it
		// stops short of the whole shortest name, so no group's key is empty.
		first, last := names[0], names[len(names)-1]
		n := 0
		for n < len(first)-1 && first[n] == last[n] {
			n++
		}
		prefix = first[:n]
		// A group name has no "$" (Lambda's [a-zA-Z0-9_-]); one that does is a CDK token
		// such as "${Token[TOKEN.12]}", resolved at deploy, which must stay whole.
		if i := strings.IndexByte(prefix, '$'); i >= 0 {
			prefix = prefix[:i]
		}
	}
	out := HookSettings{Settings: h.Settings, Prefix: prefix, Groups: make(map[string]int, len(h.Groups))}
	for g, i := range h.Groups {
		out.Groups[strings.TrimPrefix(g, prefix)] = i
	}
	b, _ := json.Marshal(out) // plain data: cannot fail
	return HookSettingsEnv, string(b)
}

// ParseHookTargets reads the HookTargets from an environment (os.Environ()), by group.
func ParseHookTargets(environ []string) (map[string]HookTarget, error) {
	targets := map[string]HookTarget{}
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k != HookSettingsEnv {
			continue
		}
		var h HookSettings
		if err := json.Unmarshal([]byte(v), &h); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
		for g, i := range h.Groups {
			if i < 0 || i >= len(h.Settings) || g == "" {
				return nil, fmt.Errorf("%s: group %q names setting %d of %d", k, g, i, len(h.Settings))
			}
			g = h.Prefix + g
			t := h.Settings[i]
			t.Group, t.Function = g, g
			t.Alias = resourcenames.AliasOr(t.Alias)
			targets[g] = t
		}
	}
	return targets, nil
}

// Smoke invokes the version being released with each event before any traffic.
type Smoke struct {
	Events []json.RawMessage `json:"events"`
	// Expect, when set, must be contained in every response parsed as JSON: an object's
	// keys recursively, any other value equal.
	Expect json.RawMessage `json:"expect,omitempty"`
	// TimeoutS is the budget of all events together.
	TimeoutS int `json:"timeout_s"`
	// Compare also invokes the current version (the AppSpec's CurrentVersion) with each
	// event and fails when its response differs from the target's, except at Ignore.
	Compare bool `json:"compare,omitempty"`
	// Ignore are JSON Pointers (RFC 6901) at which the responses may differ, with
	// everything under them; only with Compare.
	Ignore []string `json:"ignore,omitempty"`
}

// Bake judges the new version's own metrics over the whole deployment after waiting
// Minutes once traffic is fully shifted.
type Bake struct {
	Minutes          int      `json:"minutes"`
	ErrorRatePercent *float64 `json:"error_rate_percent,omitempty"`
	P99DurationMs    *float64 `json:"p99_duration_ms,omitempty"`
	MinInvocations   int      `json:"min_invocations"`
}
