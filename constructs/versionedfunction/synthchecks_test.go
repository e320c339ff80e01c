package versionedfunction_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

// What synth used to let through silently: each case is reported at the construct's path,
// and its near miss is not.
func TestSynthMessages(t *testing.T) {
	env := func(account string) *awscdk.StackProps {
		return &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(account), Region: jsii.String("eu-west-1")}}
	}
	tests := []struct {
		name string
		// build declares the app and returns the stack whose annotations are read.
		build   func(app awscdk.App) awscdk.Stack
		warning bool
		path    string
		want    string // regexp; "" for no message
	}{
		{"pinned without a Deployment", func(app awscdk.App) awscdk.Stack {
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{Function: nodeFunction(stack, "H", "n"), LiveVersion: "3"})
			return stack
		}, true, "/Test/Fn", "LIVE is pinned to version 3 without a Deployment: CloudFormation moves the alias at once, with no canary, no alarm and no rollback"},
		{"pinned with a Deployment", func(app awscdk.App) awscdk.Stack {
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{Function: nodeFunction(stack, "H", "n"), LiveVersion: "3", Deployment: canary()})
			return stack
		}, true, "/Test/Fn", ""},
		{"an alias of golive's name on the function", func(app awscdk.App) awscdk.Stack {
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			fn := nodeFunction(stack, "H", "n")
			awslambda.NewAlias(stack, jsii.String("Own"), &awslambda.AliasProps{AliasName: jsii.String("LIVE"), Version: fn.LatestVersion()})
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{Function: fn})
			return stack
		}, false, "/Test/Fn", `Function: n already has an alias named "LIVE" \(Test/Own/Resource\)`},
		{"an alias of golive's name added after New, on the function's name", func(app awscdk.App) awscdk.Stack {
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{Function: nodeFunction(stack, "H", "n")})
			awslambda.NewCfnAlias(stack, jsii.String("Raw"), &awslambda.CfnAliasProps{FunctionName: jsii.String("n"), FunctionVersion: jsii.String("1"), Name: jsii.String("LIVE")})
			return stack
		}, false, "/Test/Fn", `Function: n already has an alias named "LIVE" \(Test/Raw\)`},
		{"an alias of another name", func(app awscdk.App) awscdk.Stack {
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			fn := nodeFunction(stack, "H", "n")
			awslambda.NewAlias(stack, jsii.String("Own"), &awslambda.AliasProps{AliasName: jsii.String("live"), Version: fn.LatestVersion()})
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{Function: fn})
			return stack
		}, false, "/Test/Fn", ""},
		{"an alias of the configured name on the function", func(app awscdk.App) awscdk.Stack {
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			fn := nodeFunction(stack, "H", "n")
			awslambda.NewAlias(stack, jsii.String("Own"), &awslambda.AliasProps{AliasName: jsii.String("live"), Version: fn.LatestVersion()})
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{Function: fn, AliasName: "live"})
			return stack
		}, false, "/Test/Fn", `Function: n already has an alias named "live" \(Test/Own/Resource\)`},
		{"pinned without a Deployment, alias named", func(app awscdk.App) awscdk.Stack {
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			versionedfunction.New(stack, "Fn", &versionedfunction.Props{Function: nodeFunction(stack, "H", "n"), LiveVersion: "3", AliasName: "live"})
			return stack
		}, true, "/Test/Fn", "live is pinned to version 3 without a Deployment"},
		{"one name in two stacks of one account", func(app awscdk.App) awscdk.Stack {
			a := awscdk.NewStack(app, jsii.String("A"), env("111111111111"))
			versionedfunction.New(a, "Fn", &versionedfunction.Props{Function: nodeFunction(a, "H", "same")})
			b := awscdk.NewStack(app, jsii.String("B"), env("111111111111"))
			versionedfunction.New(b, "Fn", &versionedfunction.Props{Function: nodeFunction(b, "H", "same")})
			return b
		}, false, "/B/Fn", `FunctionName: got "same", already the name of A/Fn in another stack of this app deploying to the same account and region`},
		{"one name in two environment-agnostic stacks", func(app awscdk.App) awscdk.Stack {
			a := awscdk.NewStack(app, jsii.String("A"), nil)
			versionedfunction.New(a, "Fn", &versionedfunction.Props{Function: nodeFunction(a, "H", "same")})
			b := awscdk.NewStack(app, jsii.String("B"), nil)
			versionedfunction.New(b, "Fn", &versionedfunction.Props{Function: nodeFunction(b, "H", "same")})
			return b
		}, false, "/B/Fn", `FunctionName: got "same", already the name of A/Fn`},
		{"one stack declared again in a pipeline stage", func(app awscdk.App) awscdk.Stack {
			a := awscdk.NewStack(app, jsii.String("A"), env("111111111111"))
			versionedfunction.New(a, "Fn", &versionedfunction.Props{Function: nodeFunction(a, "H", "same")})
			props := env("111111111111")
			props.StackName = jsii.String("A")
			b := awscdk.NewStack(awscdk.NewStage(app, jsii.String("Prd"), nil), jsii.String("Service"), props)
			versionedfunction.New(b, "Fn", &versionedfunction.Props{Function: nodeFunction(b, "H", "same")})
			return b
		}, false, "/Prd/Service/Fn", ""},
		{"one name in two accounts", func(app awscdk.App) awscdk.Stack {
			a := awscdk.NewStack(app, jsii.String("A"), env("111111111111"))
			versionedfunction.New(a, "Fn", &versionedfunction.Props{Function: nodeFunction(a, "H", "same")})
			b := awscdk.NewStack(app, jsii.String("B"), env("222222222222"))
			versionedfunction.New(b, "Fn", &versionedfunction.Props{Function: nodeFunction(b, "H", "same")})
			return b
		}, false, "/B/Fn", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := tt.build(awscdk.NewApp(nil))
			ann := assertions.Annotations_FromStack(stack)
			find := ann.FindError
			if tt.warning {
				find = ann.FindWarning
			}
			if tt.want == "" {
				// No error anywhere in the stack; no warning of this kind (other checks warn too).
				pattern := ".*"
				if tt.warning {
					pattern = "without a Deployment"
				}
				if got := find(jsii.String("*"), assertions.Match_StringLikeRegexp(jsii.String(pattern))); len(*got) > 0 {
					t.Errorf("got %v; want none", *got)
				}
				return
			}
			if got := find(jsii.String(tt.path), assertions.Match_StringLikeRegexp(jsii.String(tt.want))); len(*got) != 1 {
				all := append(*ann.FindError(jsii.String("*"), assertions.Match_AnyValue()), *ann.FindWarning(jsii.String("*"), assertions.Match_AnyValue())...)
				t.Errorf("no message at %s matching %q; messages: %v", tt.path, tt.want, all)
			}
		})
	}
}

// A VersionedFunction New refused declares nothing, and everything an app may still do with
// it (grant, metrics, alarms, hooks, topics, the dashboard) neither panics nor declares
// anything: synth goes on to report the errors, and only those.
func TestRefusedFunctionIsSafeToUse(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	v := versionedfunction.New(stack, "Fn", &versionedfunction.Props{
		FunctionName: "bad name", Entry: entry, LiveVersion: "3", Deployment: canary(),
	})
	if v.Function != nil || v.Alias != nil || v.DeploymentGroup != nil || v.Alarm != nil {
		t.Errorf("Function, Alias, DeploymentGroup, Alarm = %v, %v, %v, %v; want nil", v.Function, v.Alias, v.DeploymentGroup, v.Alarm)
	}
	caller := awsiam.NewRole(stack, jsii.String("Caller"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("ec2.amazonaws.com"), nil)})
	v.GrantInvoke(caller)
	for i, m := range []awscloudwatch.Metric{v.MetricErrors(nil), v.MetricInvocations(nil), v.MetricVersion("Errors", "3", nil)} {
		m.CreateAlarm(stack, jsii.String(fmt.Sprint("Alarm", i)), &awscloudwatch.CreateAlarmOptions{Threshold: jsii.Number(1), EvaluationPeriods: jsii.Number(1)})
	}
	v.AddAlarm(awscloudwatch.Alarm_FromAlarmName(stack, jsii.String("Own"), jsii.String("own")))
	v.AddPreHook(awslambda.Function_FromFunctionName(stack, jsii.String("Pre"), jsii.String("pre")))
	v.AddPostHook(awslambda.Function_FromFunctionName(stack, jsii.String("Post"), jsii.String("post")))
	v.AddNotificationTopic(awssns.Topic_FromTopicArn(stack, jsii.String("Topic"), jsii.String("arn:aws:sns:eu-west-1:111111111111:t")))
	versionedfunction.ReleaseDashboardOf(stack, nil).AddFunction(v)
	app.Synth(nil)

	// THEN the only errors are the props', at the construct's path
	want := []string{`Test/Fn: FunctionName: got "bad name"`}
	got := synthcheck.Errors(stack)
	if len(got) != len(want) || !strings.HasPrefix(got[0], want[0]) {
		t.Errorf("synth errors = %q; want exactly one starting with %q", got, want[0])
	}
	// AND nothing of the function was declared: no function, alias, group, output or
	// invoke grant; only the app's own role and alarms, and the empty dashboard.
	tpl := assertions.Template_FromStack(stack, nil)
	for _, typ := range []string{"AWS::Lambda::Function", "AWS::Lambda::Alias", "AWS::CodeDeploy::DeploymentGroup", "AWS::CodeDeploy::Application", "AWS::IAM::Policy"} {
		tpl.ResourceCountIs(jsii.String(typ), jsii.Number(0))
	}
	if outputs := *tpl.FindOutputs(jsii.String("LiveVersionFn"), nil); len(outputs) != 0 {
		t.Errorf("outputs %v; want no LiveVersionFn", outputs)
	}
}
