package main

import (
	"os"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

func TestMain(m *testing.M) {
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// The example synthesizes under cdk init's feature flags (what an app of one's own has):
// both functions are reached only through LIVE, the Go one pinned with a canary, and each
// records its output for golive --stack. cdk-nag's AwsSolutions checks and cfn-lint pass.
func TestShopStack(t *testing.T) {
	ctx, err := synthcheck.Context("../../../stacks/testdata/cdk-init.json")
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(out)})
	env := &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")}
	latest := NewShopStack(app, "shop", &ShopStackProps{StackProps: awscdk.StackProps{Env: env}, OrdersVersion: "3"})
	// The second variant goes to another account: two stacks of one app naming the same
	// functions in one account and region are refused at synth.
	other := &awscdk.Environment{Account: jsii.String("222222222222"), Region: jsii.String("eu-west-1")}
	pinned := NewShopStack(app, "shop-both-pinned", &ShopStackProps{StackProps: awscdk.StackProps{Env: other}, OrdersVersion: "3", NotifyVersion: "2", Rollout: versionedfunction.RolloutDirect})
	for _, s := range []*ShopStack{latest, pinned} {
		cdknag.NagSuppressions_AddStackSuppressions(s.Stack, &nagSuppressions, nil)
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	// One synth for every assertion: Template_FromStack and Annotations_FromStack would
	// each synthesize the app again.
	asm := app.Synth(nil)

	tpl := synthcheck.Template(asm, latest.Stack)
	aliasRef := func(id string) any {
		return map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^" + id + "Live"))}
	}
	// THEN SQS feeds the Go function's LIVE alias, and the HTTP API integrates the Node.js one's
	// (the alias's name qualified by the function name taken from the alias's ARN)
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::EventSourceMapping"), map[string]any{
		"FunctionName": map[string]any{"Fn::Join": []any{"", []any{
			map[string]any{"Fn::Select": []any{6, map[string]any{"Fn::Split": []any{":", aliasRef("Orders")}}}}, ":LIVE",
		}}},
		"FunctionResponseTypes": []any{"ReportBatchItemFailures"},
	})
	tpl.HasResourceProperties(jsii.String("AWS::ApiGatewayV2::Integration"), map[string]any{
		"IntegrationType": "AWS_PROXY", "IntegrationUri": aliasRef("Notify"),
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
		"Action": "lambda:InvokeFunction", "FunctionName": aliasRef("Notify"), "Principal": "apigateway.amazonaws.com",
	})
	// THEN the Go function is pinned with a canary, the Node.js one follows $LATEST
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{"Name": "LIVE", "FunctionVersion": "3"})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{"Name": "LIVE", "FunctionVersion": "$LATEST"})
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{"DeploymentGroupName": "shop-orders"})
	tpl.HasOutput(jsii.String("LiveVersionOrders"), map[string]any{"Value": "shop-orders:3"})
	tpl.HasOutput(jsii.String("LiveVersionNotify"), map[string]any{"Value": "shop-notify:$LATEST"})
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Version"), jsii.Number(0))
	// cdk init's flags give each function a log group of its own.
	tpl.ResourceCountIs(jsii.String("AWS::Logs::LogGroup"), jsii.Number(3))

	tpl = synthcheck.Template(asm, pinned.Stack)
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(2))
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{"DeploymentGroupName": "shop-notify"})
	tpl.HasOutput(jsii.String("LiveVersionNotify"), map[string]any{"Value": "shop-notify:2"})
	// The first pin: CloudFormation moves LIVE, CodeDeploy takes over from the next release.
	tpl.HasResource(jsii.String("AWS::Lambda::Alias"), map[string]any{"UpdatePolicy": assertions.Match_Absent()})

	for _, s := range []*ShopStack{latest, pinned} {
		for _, m := range synthcheck.NagFindings(asm, s.Stack) {
			t.Errorf("%s: unsuppressed cdk-nag finding %s", *s.StackName(), m)
		}
	}
	synthcheck.LintDir(t, out, 2, cfnLintAllowed)
}

// nagSuppressions explain what the example leaves to the app it grows into.
var nagSuppressions = []*cdknag.NagPackSuppression{
	{
		Id:     jsii.String("AwsSolutions-IAM4"),
		Reason: jsii.String("AWSLambdaBasicExecutionRole only lets a function write its own logs; AWSCodeDeployRoleForLambdaLimited is AWS's policy for CodeDeploy's Lambda deployments"),
		AppliesTo: &[]any{
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited",
		},
	},
	{
		Id:     jsii.String("AwsSolutions-APIG4"),
		Reason: jsii.String("an example: a real API adds an authorizer to its routes"),
	},
}

// cfnLintAllowed are the cfn-lint warnings left on purpose.
var cfnLintAllowed = map[string]string{
	"W3005": "aws-cdk-lib's Function adds DependsOn on its role next to the Fn::GetAtt of the same role",
}
