package stacks_test

import (
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/golive-dev/golive/internal/hooksettings"
)

// TestSmokeCompareReachesTheHook: deployment.smoke's compare and ignore in config.json are
// what the shipped smoke hook reads from its environment for the function's group.
func TestSmokeCompareReachesTheHook(t *testing.T) {
	cfg := functionsWith(t, 1, true, `{"alarms": {"error_rate_percent": 1},
		"smoke": {"events": [{"name": "x"}], "compare": true, "ignore": ["/requestId", "/items/0/time"]}}`)
	_, tpl := synth(t, cfg, "prd")
	fns := *tpl.FindResources(jsii.String("AWS::Lambda::Function"), map[string]any{"Properties": map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{hooksettings.HookPhaseEnv: hooksettings.HookPhaseSmoke})},
	}})
	if len(fns) != 1 {
		t.Fatalf("%d smoke hook functions, want 1", len(fns))
	}
	for _, fn := range fns {
		vars := (*fn)["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)
		settings, ok := vars[hooksettings.HookSettingsEnv].(string)
		if !ok {
			t.Fatalf("%s = %#v, want a string", hooksettings.HookSettingsEnv, vars[hooksettings.HookSettingsEnv])
		}
		targets, err := hooksettings.ParseHookTargets([]string{hooksettings.HookSettingsEnv + "=" + settings})
		if err != nil {
			t.Fatal(err)
		}
		s := targets["p-prd-f0"].Smoke
		if s == nil || !s.Compare || !slices.Equal(s.Ignore, []string{"/requestId", "/items/0/time"}) {
			t.Errorf("the hook's smoke settings for p-prd-f0 = %+v; want compare with ignore /requestId, /items/0/time (all: %s)", s, settings)
		}
	}
}
