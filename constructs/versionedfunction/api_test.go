package versionedfunction_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

// The zero Deployment is CDK's and config.json's default: a 10 % canary for 5 minutes
// that rolls back a failed or a stopped deployment.
func TestZeroDeploymentIsACanary(t *testing.T) {
	tpl, fns := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2", Deployment: &versionedfunction.Deployment{}})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentConfigName":      "CodeDeployDefault.LambdaCanary10Percent5Minutes",
		"AutoRollbackConfiguration": map[string]any{"Enabled": true, "Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"}},
		"AlarmConfiguration":        assertions.Match_Absent(),
	})
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(0))
	if fns[0].Alarm != nil || len(fns[0].Alarms) != 0 {
		t.Errorf("Alarm %v, Alarms %v; want none without thresholds", fns[0].Alarm, fns[0].Alarms)
	}
}

// AutoRollback is CDK's AutoRollbackConfig; a nil field keeps golive's default (on).
func TestAutoRollback(t *testing.T) {
	f, tr := jsii.Bool(false), jsii.Bool(true)
	for _, tt := range []struct {
		name   string
		config *awscodedeploy.AutoRollbackConfig
		alarm  bool
		want   any // AutoRollbackConfiguration
	}{
		{"default with an alarm", nil, true,
			map[string]any{"Enabled": true, "Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"}}},
		{"nil fields keep the default", &awscodedeploy.AutoRollbackConfig{}, true,
			map[string]any{"Enabled": true, "Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"}}},
		{"no rollback on alarm", &awscodedeploy.AutoRollbackConfig{DeploymentInAlarm: f}, true,
			map[string]any{"Enabled": true, "Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"}}},
		{"no rollback on stop", &awscodedeploy.AutoRollbackConfig{StoppedDeployment: f}, true,
			map[string]any{"Enabled": true, "Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_ALARM"}}},
		{"in alarm without an alarm is a no-op", &awscodedeploy.AutoRollbackConfig{DeploymentInAlarm: tr}, false,
			map[string]any{"Enabled": true, "Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"}}},
		{"all off", &awscodedeploy.AutoRollbackConfig{FailedDeployment: f, StoppedDeployment: f, DeploymentInAlarm: f}, true,
			map[string]any{"Enabled": false}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			d := &versionedfunction.Deployment{AutoRollback: tt.config}
			if tt.alarm {
				d.Thresholds.ErrorRatePercent = ptr(1)
			}
			tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2", Deployment: d})
			tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{"AutoRollbackConfiguration": tt.want})
		})
	}
}

// Alarms of one's own come in as IAlarms, at New or later with AddAlarm, after the
// rollback alarm; an alarm added later also turns on rollback on alarm.
func TestAlarmsOfOnesOwn(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	fn := versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2",
		Deployment: &versionedfunction.Deployment{
			Thresholds: versionedfunction.Thresholds{ErrorRatePercent: ptr(1)},
			Alarms:     []awscloudwatch.IAlarm{awscloudwatch.Alarm_FromAlarmName(stack, jsii.String("Five"), jsii.String("orders-5xx"))},
		}})
	plain := versionedfunction.New(stack, "Plain", &versionedfunction.Props{FunctionName: "g", Entry: entry, LiveVersion: "2",
		Deployment: &versionedfunction.Deployment{}})
	queue := awscloudwatch.NewAlarm(stack, jsii.String("QueueAge"), &awscloudwatch.AlarmProps{
		Metric:    awscloudwatch.NewMetric(&awscloudwatch.MetricProps{Namespace: jsii.String("AWS/SQS"), MetricName: jsii.String("ApproximateAgeOfOldestMessage")}),
		Threshold: jsii.Number(60), EvaluationPeriods: jsii.Number(1),
	})
	fn.AddAlarm(queue)
	plain.AddAlarm(queue)
	tpl := assertions.Template_FromStack(stack, nil)

	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentGroupName": "f",
		"AlarmConfiguration": map[string]any{"Enabled": true, "Alarms": []any{
			map[string]any{"Name": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^FnRollbackAlarm"))}},
			map[string]any{"Name": "orders-5xx"},
			map[string]any{"Name": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^QueueAge"))}},
		}},
	})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentGroupName": "g",
		"AlarmConfiguration": map[string]any{"Enabled": true, "Alarms": []any{
			map[string]any{"Name": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^QueueAge"))}},
		}},
		// Added after New, the alarm still rolls back.
		"AutoRollbackConfiguration": map[string]any{"Events": []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"}},
	})
	if len(fn.Alarms) != 3 || len(plain.Alarms) != 1 {
		t.Errorf("Alarms: %d and %d; want 3 (rollback, own, added) and 1", len(fn.Alarms), len(plain.Alarms))
	}
}

// AddPreHook and AddPostHook set the hooks of one's own after New, as CDK's group does,
// with the same grants and ordering as the Deployment's fields.
func TestAddHooks(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	fn := versionedfunction.New(stack, "Fn0", &versionedfunction.Props{FunctionName: "orders", Entry: entry, LiveVersion: "2", Deployment: canary()})
	fn.AddPreHook(awslambda.Function_FromFunctionName(stack, jsii.String("Smoke"), jsii.String("orders-smoke")))
	check := awslambda.NewFunction(stack, jsii.String("Check"), &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_PYTHON_3_12(), Handler: jsii.String("index.handler"), Code: awslambda.Code_FromInline(jsii.String("def handler(e, c): pass")),
	})
	fn.AddPostHook(check)
	tpl := assertions.Template_FromStack(stack, nil)
	alias := only(t, tpl, "AWS::Lambda::Alias")
	upd := alias["UpdatePolicy"].(map[string]any)["CodeDeployLambdaAliasUpdate"].(map[string]any)
	if upd["BeforeAllowTrafficHook"] == nil || upd["AfterAllowTrafficHook"] == nil {
		t.Fatalf("UpdatePolicy %v; want both hooks", upd)
	}
	deps, _ := alias["DependsOn"].([]any)
	var roles []string
	for _, d := range deps {
		roles = append(roles, d.(string))
	}
	if !strings.Contains(strings.Join(roles, " "), "CheckServiceRole") {
		t.Errorf("alias DependsOn %v; want the added hook's role and its policy", roles)
	}
	if got := policyOf(t, tpl, "CheckServiceRole"); len(got) != 1 || got[0].action != "codedeploy:PutLifecycleEventHookExecutionStatus" {
		t.Errorf("the added hook's role: %+v; want PutLifecycleEventHookExecutionStatus on its group", got)
	}
}

func TestAddRefusals(t *testing.T) {
	for _, tt := range []struct {
		name string
		do   func(stack awscdk.Stack)
		want string
	}{
		{"alarm on $LATEST", func(stack awscdk.Stack) {
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry}).
				AddAlarm(awscloudwatch.Alarm_FromAlarmName(stack, jsii.String("A"), jsii.String("a")))
		}, "Test/Fn: AddAlarm: the function has no deployment group; want a pinned LiveVersion and a Props.Deployment"},
		{"second pre hook", func(stack awscdk.Stack) {
			d := canary()
			d.Smoke = smoke()
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2", Deployment: d}).
				AddPreHook(awslambda.Function_FromFunctionName(stack, jsii.String("H"), jsii.String("check")))
		}, "Test/Fn: AddPreHook: the deployment already runs a pre-traffic hook, and CodeDeploy runs one per side"},
		{"post hook by a bad name", func(stack awscdk.Stack) {
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2", Deployment: canary()}).
				AddPostHook(awslambda.Function_FromFunctionArn(stack, jsii.String("H"), jsii.String("arn:aws:lambda:us-east-1:111111111111:function:no spaces")))
		}, `Test/Fn: AddPostHook: function name "no spaces"; want a Lambda function name`},
		{"pre hook by a qualified ARN", func(stack awscdk.Stack) {
			// CDK reads the name out of the ARN and drops the qualifier: the deployment would
			// run the unqualified function, not the version or alias named.
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2", Deployment: canary()}).
				AddPreHook(awslambda.Function_FromFunctionArn(stack, jsii.String("H"), jsii.String("arn:aws:lambda:us-east-1:111111111111:function:check:7")))
		}, `Test/Fn: AddPreHook: function ARN "arn:aws:lambda:us-east-1:111111111111:function:check:7"; want`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
			// A refused call is a synth error at the path, never a panic (which fails the test).
			tt.do(stack)
			if err := strings.Join(synthcheck.Errors(stack), "; "); !strings.Contains(err, tt.want) {
				t.Errorf("synth errors %q; want one containing %q", err, tt.want)
			}
		})
	}
}

// With an imported service role the invoke grant may go nowhere, and the managed policy
// lets CodeDeploy invoke CodeDeployHook_* functions alone: a hook named otherwise warns.
func TestHookNameWithImportedRole(t *testing.T) {
	for _, tt := range []struct {
		name, hook string
		imported   bool
		warn       bool
	}{
		{"imported role, plain name", "orders-check", true, true},
		{"imported role, CodeDeployHook_ name", "CodeDeployHook_orders", true, false},
		{"role of the app, plain name", "orders-check", false, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			d := canary()
			d.Application = awscodedeploy.NewLambdaApplication(stack, jsii.String("App"), nil)
			if tt.imported {
				d.Role = awsiam.Role_FromRoleArn(stack, jsii.String("Role"), jsii.String("arn:aws:iam::111111111111:role/deployer"), &awsiam.FromRoleArnOptions{Mutable: jsii.Bool(false)})
			} else {
				d.Role = awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("codedeploy.amazonaws.com"), nil)})
			}
			d.PostHook = awslambda.Function_FromFunctionAttributes(stack, jsii.String("Hook"), &awslambda.FunctionAttributes{
				FunctionArn: jsii.String("arn:aws:lambda:us-east-1:111111111111:function:" + tt.hook), SameEnvironment: jsii.Bool(true),
			})
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2", Deployment: d})
			warnings := assertions.Annotations_FromStack(stack).FindWarning(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String("CodeDeployHook_")))
			if got := len(*warnings) > 0; got != tt.warn {
				t.Errorf("warned %v, want %v: %v", got, tt.warn, *warnings)
			}
		})
	}
}

// MetricVersion passes every option of MetricOptions on; the version's dimensions win.
func TestMetricVersionPassesEveryOption(t *testing.T) {
	// Every field of MetricOptions has a field of the same name and type in MetricProps,
	// which is what the construct copies into.
	opts, props := reflect.TypeFor[awscloudwatch.MetricOptions](), reflect.TypeFor[awscloudwatch.MetricProps]()
	for i := range opts.NumField() {
		f := opts.Field(i)
		if g, ok := props.FieldByName(f.Name); !ok || g.Type != f.Type {
			t.Errorf("MetricOptions.%s has no field of its type in MetricProps", f.Name)
		}
	}

	_, fns := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2"})
	m := fns[0].MetricVersion("Errors", "2", &awscloudwatch.MetricOptions{
		Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1"), Color: jsii.String("#ff0000"),
		Label: jsii.String("errors of v2"), Period: awscdk.Duration_Minutes(jsii.Number(5)), Statistic: jsii.String("Maximum"),
		Unit: awscloudwatch.Unit_COUNT, Id: jsii.String("errs"), Visible: jsii.Bool(false),
		DimensionsMap: &map[string]*string{"Team": jsii.String("orders"), "ExecutedVersion": jsii.String("9")},
	})
	for name, got := range map[string]any{
		"Account": *m.Account(), "Region": *m.Region(), "Color": *m.Color(), "Label": *m.Label(),
		"Period": *m.Period().ToSeconds(nil), "Statistic": *m.Statistic(), "Unit": m.Unit(), "Id": *m.Id(), "Visible": *m.Visible(),
		"Namespace": *m.Namespace(), "MetricName": *m.MetricName(),
	} {
		want := map[string]any{"Account": "222222222222", "Region": "eu-west-1", "Color": "#ff0000", "Label": "errors of v2",
			"Period": 300.0, "Statistic": "Maximum", "Unit": awscloudwatch.Unit_COUNT, "Id": "errs", "Visible": false,
			"Namespace": "AWS/Lambda", "MetricName": "Errors"}[name]
		if got != want {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
	dims := map[string]string{}
	for k, v := range *m.Dimensions() {
		dims[k] = v.(string)
	}
	want := map[string]string{"Team": "orders", "ExecutedVersion": "2", "FunctionName": "f", "Resource": "f:LIVE"}
	if !reflect.DeepEqual(dims, want) {
		t.Errorf("dimensions %v, want %v", dims, want)
	}
}
