package stacks_test

import (
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// A stack with a pinned function gets the release dashboard {project}-{env}-releases, named
// in its output, with a row per pinned function; "dashboard": false and an env without a
// pinned function get none.
func TestReleaseDashboardFromConfig(t *testing.T) {
	cfg := load(t, "testdata/full.json")
	_, tpl := synth(t, cfg, "prd")
	found := *tpl.FindResources(jsii.String("AWS::CloudWatch::Dashboard"), nil)
	if len(found) != 1 {
		t.Fatalf("%d dashboards in prd, want 1", len(found))
	}
	for _, d := range found {
		props := (*d)["Properties"].(map[string]any)
		if props["DashboardName"] != "full-prd-releases" {
			t.Errorf("dashboard named %v, want full-prd-releases", props["DashboardName"])
		}
		body, _ := props["DashboardBody"].(string)
		for _, fn := range []string{"api", "batch", "report", "split", "image"} {
			if !strings.Contains(body, `FunctionName=\"full-prd-`+fn+`\" Resource=\"full-prd-`+fn+`:LIVE\" MetricName=\"Errors\"`) {
				t.Errorf("the dashboard has no errors graph of %s:\n%s", fn, body)
			}
		}
	}
	tpl.HasOutput(jsii.String("ReleaseDashboard"), map[string]any{"Value": "full-prd-releases"})

	_, dev := synth(t, cfg, "dev")
	dev.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(0))

	off := parse(t, strings.Replace(`{"project": "p", "lambda_functions": {"w": {"entry": "functions/worker"}},
		"envs": {"prd": {"account": "333333333333", "region": "us-east-1", "dashboard": false, "lambda_functions": {"w": {"live_version": "2"}}}}}`, "\t", "", -1))
	_, none := synth(t, off, "prd")
	none.ResourceCountIs(jsii.String("AWS::CloudWatch::Dashboard"), jsii.Number(0))
	if _, ok := (*none.ToJSON())["Outputs"].(map[string]any)["ReleaseDashboard"]; ok {
		t.Error(`"dashboard": false still declares the ReleaseDashboard output`)
	}
}
