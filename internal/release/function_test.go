package release_test

import (
	"reflect"
	"testing"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/release"
)

// TestFunctionOf: what release acts on is what config.json says, field by field: the names
// and alias, the pin with its rollout (the same words as config's), the split, and how
// CodeDeploy releases a new pin; a deployment of type None is no CodeDeploy at all.
func TestFunctionOf(t *testing.T) {
	cfg, err := config.Parse([]byte(`{
  "project": "p",
  "lambda_functions": {
    "canary": {"entry": "functions/a", "deployment": {"type": "Canary10Percent10Minutes", "alarms": {"p99_duration_ms": 500, "min_invocations": 20},
      "smoke": {"events": [{}], "timeout_s": 30}, "bake": {"minutes": 4}}},
    "linear": {"entry": "functions/b", "alias": "live", "deployment": {"type": {"linear_percent": 20, "interval_minutes": 3}, "post_traffic_hook": "p-check"}},
    "none": {"entry": "functions/c", "deployment": {"type": "None"}}
  },
  "envs": {"prd": {"account": "123456789012", "region": "us-east-1", "lambda_functions": {
    "canary": {"live_version": "7", "rollout": "direct", "rolled_back": "8"},
    "linear": {"live_version": "3"},
    "none": {"live_version": "5", "additional_versions": {"4": 0.25}}
  }}}
}`))
	if err != nil {
		t.Fatal(err)
	}
	env, err := cfg.Env("prd")
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]release.Function{}
	for _, f := range release.FunctionsOf(env.Functions) {
		got[f.Name] = f
	}
	want := map[string]release.Function{
		"canary": {Name: "canary", FunctionName: "p-prd-canary", Alias: "LIVE", LiveVersion: "7", Rollout: release.RolloutDirect, RolledBack: "8",
			Deployment: &release.Deployment{Type: "Canary10Percent10Minutes", Alarm: true, MinInvocations: 20, SmokeTimeoutS: 30, BakeMinutes: 4}},
		"linear": {Name: "linear", FunctionName: "p-prd-linear", Alias: "live", LiveVersion: "3", Rollout: release.RolloutCanary,
			Deployment: &release.Deployment{Custom: &release.CustomShift{Linear: true, Percent: 20, IntervalMinutes: 3}, MinInvocations: 10, PostHook: true}},
		"none": {Name: "none", FunctionName: "p-prd-none", Alias: "LIVE", LiveVersion: "5", Rollout: release.RolloutDirect,
			Additional: &release.WeightedVersion{Version: "4", Weight: 0.25}},
	}
	for name, w := range want {
		if g := got[name]; !reflect.DeepEqual(g, w) {
			t.Errorf("%s:\n got %+v (deployment %+v)\nwant %+v (deployment %+v)", name, g, g.Deployment, w, w.Deployment)
		}
	}
	if !got["canary"].UsesCodeDeploy() || got["none"].UsesCodeDeploy() {
		t.Error("UsesCodeDeploy: want the canary's and not the None deployment's")
	}
	for c, r := range map[config.Rollout]release.Rollout{config.RolloutCanary: release.RolloutCanary, config.RolloutDirect: release.RolloutDirect} {
		if string(c) != string(r) {
			t.Errorf("config's rollout %q is release's %q", c, r)
		}
	}
}
