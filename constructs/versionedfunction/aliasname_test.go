package versionedfunction_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
)

// TestAliasName: an app adopting a function whose callers call "live" keeps that name, and
// everything golive derives from the alias's name follows it: the alias, its logical ID
// (unchanged), the rollback alarm's name and dimensions, the dashboard's searches and the
// stack output the CLI reads with --stack. A function that keeps LIVE declares no such output.
func TestAliasName(t *testing.T) {
	// GIVEN a pinned function with a canary whose alias is named "live", and one keeping LIVE
	app := awscdk.NewApp(nil)
	stack := envStack(app, "Shop")
	v := versionedfunction.New(stack, "Orders", &versionedfunction.Props{Function: nodeFunction(stack, "OrdersFn", "shop-orders"),
		AliasName: "live", LiveVersion: "7", Deployment: canary()})
	d := versionedfunction.New(stack, "Notify", &versionedfunction.Props{Function: nodeFunction(stack, "NotifyFn", "shop-notify"), LiveVersion: "2"})
	tpl := assertions.Template_FromStack(stack, nil)

	// THEN the alias is named live, under the logical ID a LIVE alias has
	if got := v.AliasName(); got != "live" {
		t.Errorf("AliasName() = %q, want live", got)
	}
	if got := d.AliasName(); got != versionedfunction.DefaultAliasName {
		t.Errorf("AliasName() of the default = %q, want %s", got, versionedfunction.DefaultAliasName)
	}
	aliases := *tpl.FindResources(jsii.String("AWS::Lambda::Alias"), nil)
	names := map[string]string{}
	for id, a := range aliases {
		names[id] = (*a)["Properties"].(map[string]any)["Name"].(string)
	}
	wantID := *stack.GetLogicalId(v.Alias.Node().DefaultChild().(awscdk.CfnElement))
	if names[wantID] != "live" || !strings.HasPrefix(wantID, "OrdersLive") {
		t.Errorf("aliases %v; want %s (the id a LIVE alias gets) named live", names, wantID)
	}

	// THEN the rollback alarm is named after the alias and every metric is scoped to it
	alarm := only(t, tpl, "AWS::CloudWatch::Alarm")["Properties"].(map[string]any)
	if got, want := alarm["AlarmName"], versionedfunction.RollbackAlarmName("shop-orders", "live", "7"); got != want || want != "shop-orders-live-v7-rollback" {
		t.Errorf("AlarmName = %v, want %s (shop-orders-live-v7-rollback)", got, want)
	}
	b, _ := json.Marshal(alarm["Metrics"])
	if !strings.Contains(string(b), `{"Name":"Resource","Value":"shop-orders:live"}`) || strings.Contains(string(b), ":LIVE") {
		t.Errorf("alarm metrics %s; want every Resource dimension shop-orders:live", b)
	}
	m := v.MetricVersion("Errors", "7", &awscloudwatch.MetricOptions{})
	if got := (*m.Dimensions())["Resource"]; got != "shop-orders:live" {
		t.Errorf("MetricVersion's Resource = %s, want shop-orders:live", got)
	}

	// THEN the dashboard searches the alias's metrics and names its alarms
	body, _ := json.Marshal(dashboards(t, tpl)["Shop-releases"])
	for _, want := range []string{`Resource=\"shop-orders:live\"`, "shop-orders-live-vVERSION-rollback", `Resource=\"shop-notify:LIVE\"`, "FUNCTION-ALIAS-vVERSION-rollback"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("dashboard body lacks %s:\n%s", want, body)
		}
	}

	// THEN the stack records the alias for golive --stack, and nothing for the default
	tpl.HasOutput(jsii.String("LiveAliasOrders"), map[string]any{"Value": "live"})
	if got := *tpl.FindOutputs(jsii.String("LiveAliasNotify"), nil); len(got) != 0 {
		t.Errorf("outputs %v; want no LiveAliasNotify for an alias named LIVE", got)
	}
	tpl.HasOutput(jsii.String("LiveVersionOrders"), map[string]any{"Value": "shop-orders:7"})
}

// TestAliasNameOneFunction: a dashboard whose functions all share an alias names it.
func TestAliasNameOneFunction(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := envStack(app, "Shop")
	versionedfunction.New(stack, "Orders", &versionedfunction.Props{Function: nodeFunction(stack, "OrdersFn", "shop-orders"), AliasName: "live", LiveVersion: "7"})
	body, _ := json.Marshal(dashboards(t, assertions.Template_FromStack(stack, nil))["Shop-releases"])
	for _, want := range []string{"live's traffic by the version", "FUNCTION-live-vVERSION-rollback"} {
		if !strings.Contains(string(body), want) {
			t.Errorf("dashboard body lacks %s:\n%s", want, body)
		}
	}
}
