package config_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/testkit/rulecases"
)

// TestLambdaRules runs the cases the construct's tests run too (rulecases) through Parse:
// config.json must accept and refuse exactly what the VersionedFunction construct accepts
// and refuses, since both check Lambda's and CodeDeploy's rules against internal/lambdarules.
func TestLambdaRules(t *testing.T) {
	if _, err := config.Parse([]byte(caseConfig(rulecases.Base()))); err != nil {
		t.Fatalf("Parse() refuses the base case:\n%v", err)
	}
	for _, c := range rulecases.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			doc := caseConfig(c.Function)
			_, err := config.Parse([]byte(doc))
			switch {
			case c.Refused && err == nil:
				t.Errorf("Parse() accepts the case; rule %s refuses it:\n%s", c.Rule, doc)
			case !c.Refused && err != nil:
				t.Errorf("Parse() refuses the case; rule %s accepts it:\n%v\n%s", c.Rule, err, doc)
			}
		})
	}
}

// caseConfig writes f as the function "worker" of env prd; the code (entry or image) is
// shared, everything else is prd's.
func caseConfig(f rulecases.Function) string {
	shared := map[string]any{"entry": "functions/worker"}
	if f.ImageDigest != "" || f.ImageTag != "" {
		img := map[string]any{"repository": "golive/worker"}
		if f.ImageDigest != "" {
			img["digest"] = f.ImageDigest
		}
		if f.ImageTag != "" {
			img["tag"] = f.ImageTag
		}
		shared = map[string]any{"image": img}
	}
	prd := map[string]any{"function_name": f.FunctionName}
	if f.LiveVersion != "" {
		prd["live_version"] = f.LiveVersion
	}
	set := func(key string, v any, ok bool) {
		if ok {
			prd[key] = v
		}
	}
	set("alias", f.Alias, f.Alias != "")
	set("rollout", f.Rollout, f.Rollout != "")
	set("memory_mb", f.MemoryMB, f.MemoryMB != 0)
	set("timeout_s", f.TimeoutS, f.TimeoutS != 0)
	set("description", f.Description, f.Description != "")
	set("environment", f.Environment, f.Environment != nil)
	set("provisioned_concurrency", f.Provisioned, f.Provisioned != 0)
	if a := f.Additional; a != nil {
		prd["additional_versions"] = map[string]any{a.Version: a.Weight}
	}
	prd["deployment"] = caseDeployment(f.Deployment)
	doc := map[string]any{
		"project":          "demo",
		"lambda_functions": map[string]any{"worker": shared},
		"envs": map[string]any{
			"prd": map[string]any{"account": "333333333333", "region": "eu-west-1",
				"lambda_functions": map[string]any{"worker": prd}},
		},
	}
	b, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return string(b)
}

func caseDeployment(d *rulecases.Deployment) map[string]any {
	if d == nil {
		return map[string]any{"type": config.DeploymentNone}
	}
	out := map[string]any{"type": config.DefaultDeploymentType}
	if s := d.Shift; s != nil {
		key := "canary_percent"
		if s.Linear {
			key = "linear_percent"
		}
		out["type"] = map[string]any{key: s.Percent, "interval_minutes": s.IntervalMinutes}
	}
	alarms := map[string]any{}
	if d.ErrorRatePercent != nil {
		alarms["error_rate_percent"] = *d.ErrorRatePercent
	}
	if d.P99DurationMs != nil {
		alarms["p99_duration_ms"] = *d.P99DurationMs
	}
	if d.ErrorRateRelative {
		alarms["error_rate_relative"] = true
	}
	if d.MinInvocations != nil {
		alarms["min_invocations"] = *d.MinInvocations
	}
	if d.ExtraAlarms > 0 {
		var names []string
		for i := range d.ExtraAlarms {
			names = append(names, fmt.Sprintf("extra-%d", i+1))
		}
		alarms["extra"] = names
	}
	if len(alarms) > 0 {
		out["alarms"] = alarms
	}
	if d.Smoke {
		out["smoke"] = map[string]any{"events": []any{map[string]any{"ping": true}}}
	}
	if d.BakeMinutes != 0 {
		out["bake"] = map[string]any{"minutes": d.BakeMinutes}
	}
	if d.PreTrafficHook != "" {
		out["pre_traffic_hook"] = d.PreTrafficHook
	}
	if d.PostTrafficHook != "" {
		out["post_traffic_hook"] = d.PostTrafficHook
	}
	return out
}
