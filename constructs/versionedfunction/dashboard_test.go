package versionedfunction_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

func envStack(app awscdk.App, name string) awscdk.Stack {
	return awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
}

// dashboards returns each dashboard's name and parsed body.
func dashboards(t *testing.T, tpl assertions.Template) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for id, d := range *tpl.FindResources(jsii.String("AWS::CloudWatch::Dashboard"), nil) {
		props := (*d)["Properties"].(map[string]any)
		body, ok := props["DashboardBody"].(string)
		if !ok {
			t.Fatalf("%s: DashboardBody is %v, want a plain string in a stack with an account and region", id, props["DashboardBody"])
		}
		var parsed map[string]any
		if err := json.Unmarshal([]byte(body), &parsed); err != nil {
			t.Fatalf("%s: DashboardBody is not JSON: %v\n%s", id, err, body)
		}
		out[props["DashboardName"].(string)] = parsed
	}
	return out
}

func search(fn, metric, stat string) string {
	return `SEARCH('{AWS/Lambda,ExecutedVersion,FunctionName,Resource} FunctionName="` + fn + `" Resource="` + fn + `:LIVE" MetricName="` + metric + `"', '` + stat + `', 60)`
}

func TestReleaseDashboard(t *testing.T) {
	// GIVEN a stack with two pinned functions (one with a rollback alarm), one on $LATEST and
	// one pinned but left out of the dashboard
	app := awscdk.NewApp(nil)
	stack := envStack(app, "Shop")
	versionedfunction.New(stack, "Orders", &versionedfunction.Props{FunctionName: "shop-orders", Entry: entry, LiveVersion: "7", Deployment: canary()})
	versionedfunction.New(stack, "Notify", &versionedfunction.Props{FunctionName: "shop-notify", Entry: entry, LiveVersion: "2"})
	versionedfunction.New(stack, "Dev", &versionedfunction.Props{FunctionName: "shop-dev", Entry: entry})
	versionedfunction.New(stack, "Quiet", &versionedfunction.Props{FunctionName: "shop-quiet", Entry: entry, LiveVersion: "4", DisableDashboard: true})
	tpl := assertions.Template_FromStack(stack, nil)

	// THEN the stack has one dashboard, named after it
	all := dashboards(t, tpl)
	body, ok := all["Shop-releases"]
	if len(all) != 1 || !ok {
		t.Fatalf("dashboards %v, want one named Shop-releases", all)
	}
	raw, _ := json.Marshal(body)
	// AND each pinned function in it has its invocations, errors and p99 by executed version
	type metric struct{ title, expr string }
	var metrics []metric
	var texts []string
	for _, w := range body["widgets"].([]any) {
		w := w.(map[string]any)
		p := w["properties"].(map[string]any)
		switch w["type"] {
		case "metric":
			if p["region"] != "eu-west-1" || p["period"] != 60.0 {
				t.Errorf("widget %v: want region eu-west-1 and a 60 s period, the alarm's", p["title"])
			}
			for _, row := range p["metrics"].([]any) {
				for _, m := range row.([]any) {
					metrics = append(metrics, metric{p["title"].(string), m.(map[string]any)["expression"].(string)})
				}
			}
		case "text":
			texts = append(texts, p["markdown"].(string))
		default:
			t.Errorf("widget of type %v", w["type"])
		}
	}
	want := []metric{
		{"Orders: invocations by version", search("shop-orders", "Invocations", "Sum")},
		{"Orders: errors by version", search("shop-orders", "Errors", "Sum")},
		{"Orders: p99 duration by version (ms)", search("shop-orders", "Duration", "p99")},
		{"Notify: invocations by version", search("shop-notify", "Invocations", "Sum")},
		{"Notify: errors by version", search("shop-notify", "Errors", "Sum")},
		{"Notify: p99 duration by version (ms)", search("shop-notify", "Duration", "p99")},
	}
	if fmt.Sprint(metrics) != fmt.Sprint(want) {
		t.Errorf("metric widgets:\n%v\nwant\n%v", metrics, want)
	}
	// AND the rollback alarm's thresholds are drawn, and its rule is named
	for _, s := range []string{`{"label":"rollback above 2000 ms","value":2000}`, `{"label":"alarm judges from 10 a minute","value":10}`} {
		if !strings.Contains(string(raw), s) {
			t.Errorf("body has no annotation %s", s)
		}
	}
	if len(texts) != 3 || !strings.Contains(texts[1], "`shop-orders-LIVE-vVERSION-rollback` rolls the release back on the new version's error rate above 1 % or p99 duration above 2000 ms, in a minute with at least 10 invocations of it") ||
		!strings.Contains(texts[2], "Notify: no rollback alarm") {
		t.Errorf("text widgets %q; want a header, Orders' rollback rule, and Notify without an alarm", texts)
	}
	// AND nothing of a release is in it
	for _, s := range []string{"arn:", "shop-dev", "shop-quiet", `"7"`, "v7", "v2", "LIVE-v7"} {
		if strings.Contains(string(raw), s) {
			t.Errorf("body contains %q:\n%s", s, raw)
		}
	}
}

// A release changes nothing of the dashboard: the graphs search by ExecutedVersion and the
// alarm is named by its pattern.
func TestReleaseDashboardUnchangedByRelease(t *testing.T) {
	release := func(version string) (string, string) {
		stack := envStack(awscdk.NewApp(nil), "Shop")
		versionedfunction.New(stack, "Orders", &versionedfunction.Props{FunctionName: "shop-orders", Entry: entry, LiveVersion: version, Deployment: canary()})
		tpl := assertions.Template_FromStack(stack, nil)
		b, _ := json.Marshal(dashboards(t, tpl))
		alarm, _ := json.Marshal(tpl.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil))
		return string(b), string(alarm)
	}
	body7, alarm7 := release("7")
	body8, alarm8 := release("8")
	if alarm7 == alarm8 {
		t.Fatal("the rollback alarm did not change between versions 7 and 8; the test proves nothing")
	}
	if body7 != body8 {
		t.Errorf("the dashboard changed with the release:\n%s\n%s", body7, body8)
	}
}

func TestReleaseDashboardNames(t *testing.T) {
	t.Run("named before the functions", func(t *testing.T) {
		stack := envStack(awscdk.NewApp(nil), "Shop")
		d := versionedfunction.ReleaseDashboardOf(stack, &versionedfunction.ReleaseDashboardProps{DashboardName: "shop-prd-releases"})
		versionedfunction.New(stack, "Orders", &versionedfunction.Props{FunctionName: "shop-orders", Entry: entry, LiveVersion: "7"})
		if d != versionedfunction.ReleaseDashboardOf(stack, nil) || d.DashboardName() != "shop-prd-releases" {
			t.Errorf("ReleaseDashboardOf gave another dashboard, or named %q", d.DashboardName())
		}
		if _, ok := dashboards(t, assertions.Template_FromStack(stack, nil))["shop-prd-releases"]; !ok {
			t.Error("no dashboard shop-prd-releases")
		}
	})
	t.Run("a dashboard of one's own", func(t *testing.T) {
		app := awscdk.NewApp(nil)
		stack := envStack(app, "Shop")
		ops := envStack(app, "Ops")
		v := versionedfunction.New(stack, "Orders", &versionedfunction.Props{FunctionName: "shop-orders", Entry: entry, LiveVersion: "7", DisableDashboard: true})
		versionedfunction.NewReleaseDashboard(ops, "Releases", &versionedfunction.ReleaseDashboardProps{DashboardName: "all-releases"}).AddFunction(v)
		if n := len(dashboards(t, assertions.Template_FromStack(stack, nil))); n != 0 {
			t.Errorf("the function's stack has %d dashboards, want none", n)
		}
		body, _ := json.Marshal(dashboards(t, assertions.Template_FromStack(ops, nil))["all-releases"])
		if !strings.Contains(string(body), `FunctionName=\"shop-orders\"`) {
			t.Errorf("all-releases does not show shop-orders:\n%s", body)
		}
	})
	for _, tt := range []struct{ name, first, second, want string }{
		{"renamed later", "a", "b", `Shop/GoliveReleaseDashboard: DashboardName: got "b", but the stack's release dashboard was already declared as "a"`},
		{"bad name", "shop releases", "", `Shop/GoliveReleaseDashboard: DashboardName: got "shop releases"; want 1 to 255 letters, digits, "-" and "_"`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stack := envStack(awscdk.NewApp(nil), "Shop")
			versionedfunction.ReleaseDashboardOf(stack, &versionedfunction.ReleaseDashboardProps{DashboardName: tt.first})
			versionedfunction.ReleaseDashboardOf(stack, &versionedfunction.ReleaseDashboardProps{DashboardName: tt.second})
			if got := strings.Join(synthcheck.Errors(stack), "; "); !strings.Contains(got, tt.want) {
				t.Errorf("synth errors %q; want one containing %q", got, tt.want)
			}
		})
	}
}
