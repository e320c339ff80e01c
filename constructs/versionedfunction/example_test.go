package versionedfunction_test

import (
	"encoding/json"
	"fmt"
	"log"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/pins"
)

// A production function pinned to version 7: a change of LiveVersion is shifted by a
// CodeDeploy canary that rolls back on the version-scoped alarm.
func Example() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("orders-prd"), nil)

	fn := versionedfunction.New(stack, "Worker", &versionedfunction.Props{
		FunctionName: "orders-prd-worker",
		Entry:        "../../functions/worker", // a Go main package, built locally
		MemorySize:   jsii.Number(256),
		LiveVersion:  "7",
		Deployment: &versionedfunction.Deployment{
			Config:     awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES(),
			Thresholds: versionedfunction.Thresholds{ErrorRatePercent: jsii.Number(1), P99Duration: awscdk.Duration_Seconds(jsii.Number(2))},
		},
	})
	// Callers get the alias, never $LATEST or a bare version.
	caller := awsiam.NewRole(stack, jsii.String("Caller"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil),
	})
	fn.GrantInvoke(caller)

	t := template(app, stack)
	alias := t.only("AWS::Lambda::Alias")
	fmt.Println("alias", alias["Name"], "on version", alias["FunctionVersion"])
	group := t.only("AWS::CodeDeploy::DeploymentGroup")
	fmt.Println("deployment config:", group["DeploymentConfigName"])
	fmt.Println("rolls back on:", group.strings("AutoRollbackConfiguration", "Events"))
	alarm := t.only("AWS::CloudWatch::Alarm")
	fmt.Println("alarm on:", alarm.dimensions())
	fmt.Println("stack output:", t.Outputs["LiveVersionWorker"]["Value"])
	// Output:
	// alias LIVE on version 7
	// deployment config: CodeDeployDefault.LambdaCanary10Percent5Minutes
	// rolls back on: [DEPLOYMENT_FAILURE DEPLOYMENT_STOP_ON_ALARM DEPLOYMENT_STOP_ON_REQUEST]
	// alarm on: [ExecutedVersion=7 FunctionName=orders-prd-worker Resource=orders-prd-worker:LIVE]
	// stack output: orders-prd-worker:7
}

// A development function: without LiveVersion, LIVE follows $LATEST, every deploy is live
// and no CodeDeploy resources are created.
func ExampleNew_latest() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("orders-sbx"), nil)

	versionedfunction.New(stack, "Worker", &versionedfunction.Props{
		FunctionName: "orders-sbx-worker",
		Entry:        "../../functions/worker",
	})

	t := template(app, stack)
	alias := t.only("AWS::Lambda::Alias")
	fmt.Println("alias", alias["Name"], "on version", alias["FunctionVersion"])
	fmt.Println("deployment groups:", len(t.of("AWS::CodeDeploy::DeploymentGroup")))
	fmt.Println("stack output:", t.Outputs["LiveVersionWorker"]["Value"])
	// Output:
	// alias LIVE on version $LATEST
	// deployment groups: 0
	// stack output: orders-sbx-worker:$LATEST
}

// The README's quick start for an app of one's own: the pins come from a reviewed pins file
// (here after a first release, pinned to 7), keyed by the stack's name and the construct id,
// as golive publish --stack shop-prd --pins pins.json --pin writes them.
func ExampleNew_pinsFile() {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("shop-prd"), nil)
	file, err := pins.Load("testdata/pins.json") // every problem at once, with its JSON path
	if err != nil {
		log.Fatal(err)
	}
	pin, err := file.Pin("shop-prd", "Orders") // the stack's name, the construct id; unknown ones are errors
	if err != nil {
		log.Fatal(err)
	}
	versionedfunction.New(stack, "Orders", &versionedfunction.Props{
		FunctionName: "shop-orders",
		Entry:        "../../functions/worker", // a Go main package, built locally (or Image, or Function)
		LiveVersion:  pin.LiveVersion,          // "" (null) = LIVE follows $LATEST
		Rollout:      versionedfunction.Rollout(pin.Rollout),
		Deployment: &versionedfunction.Deployment{ // a 10 % canary for 5 minutes by default
			Thresholds: versionedfunction.Thresholds{ErrorRatePercent: jsii.Number(1)},
		},
	})

	t := template(app, stack)
	alias := t.only("AWS::Lambda::Alias")
	fmt.Println("alias", alias["Name"], "on version", alias["FunctionVersion"])
	fmt.Println("deployment config:", t.only("AWS::CodeDeploy::DeploymentGroup")["DeploymentConfigName"])
	fmt.Println("stack output:", t.Outputs["LiveVersionOrders"]["Value"])
	// Output:
	// alias LIVE on version 7
	// deployment config: CodeDeployDefault.LambdaCanary10Percent5Minutes
	// stack output: shop-orders:7
}

// cfnTemplate is the part of a synthesized CloudFormation template the examples print.
type cfnTemplate struct {
	Resources map[string]struct {
		Type       string
		Properties properties
	}
	Outputs map[string]map[string]any
}

type properties map[string]any

// template synthesizes app and reads stack's template from the cloud assembly, as a CDK
// user would find it in cdk.out.
func template(app awscdk.App, stack awscdk.Stack) cfnTemplate {
	raw := app.Synth(nil).GetStackArtifact(stack.ArtifactId()).Template()
	b, err := json.Marshal(raw)
	if err != nil {
		panic(err)
	}
	var t cfnTemplate
	if err := json.Unmarshal(b, &t); err != nil {
		panic(err)
	}
	return t
}

func (t cfnTemplate) of(typ string) []properties {
	var ps []properties
	for _, r := range t.Resources {
		if r.Type == typ {
			ps = append(ps, r.Properties)
		}
	}
	return ps
}

func (t cfnTemplate) only(typ string) properties {
	ps := t.of(typ)
	if len(ps) != 1 {
		panic(fmt.Sprintf("%d resources of type %s, want 1", len(ps), typ))
	}
	return ps[0]
}

// strings is the sorted list of strings at path.
func (p properties) strings(path ...string) []string {
	var v any = map[string]any(p)
	for _, k := range path {
		m, _ := v.(map[string]any)
		v = m[k]
	}
	list, _ := v.([]any)
	var out []string
	for _, s := range list {
		out = append(out, fmt.Sprint(s))
	}
	slices.Sort(out)
	return out
}

// dimensions are the metric dimensions of every metric in the alarm's metric math, once
// each, sorted.
func (p properties) dimensions() []string {
	var out []string
	metrics, _ := p["Metrics"].([]any)
	for _, m := range metrics {
		stat, _ := m.(map[string]any)["MetricStat"].(map[string]any)
		metric, _ := stat["Metric"].(map[string]any)
		dims, _ := metric["Dimensions"].([]any)
		for _, d := range dims {
			d := d.(map[string]any)
			kv := fmt.Sprintf("%v=%v", d["Name"], d["Value"])
			if !slices.Contains(out, kv) {
				out = append(out, kv)
			}
		}
	}
	slices.Sort(out)
	return out
}
