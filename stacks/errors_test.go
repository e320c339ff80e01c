package stacks_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
	"github.com/golive-dev/golive/stacks"
)

// What the stacks cannot declare is a synth error at the stack's path, in Errors and in
// the stack's error annotations alike, never a panic; the stack then declares nothing of it.
// Nothing is synthesized: under cdk init's flags (@aws-cdk/core:annotationsInValidationReport)
// an app synthesized outside the CDK CLI throws on error annotations, while the CLI reports
// them (TestCdkSynthReportsConstructErrors in constructs/versionedfunction).
func TestStacksReportWhatTheyCannotDeclare(t *testing.T) {
	const pipeline = `{"project": "p",
		"lambda_functions": {"img": {"image": {"repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/img", "tag": "v1"}}},
		"envs": {"sbx": {"account": "111111111111", "region": "us-east-1"}},
		"pipeline": {"account": "444444444444", "region": "us-east-1", "repository": "o/r",
			"connection_arn": "arn:aws:codeconnections:us-east-1:444444444444:connection/abc", "stages": ["sbx"]}}`
	tests := []struct {
		name string
		// declare returns the stack and its Errors.
		declare func(t *testing.T, app awscdk.App) (awscdk.Stack, []string)
		want    string
		// none is what the stack must not declare.
		none string
	}{
		{"a config past CloudFormation's limits", func(t *testing.T, app awscdk.App) (awscdk.Stack, []string) {
			cfg := pinnedFunctions(t, 100, true)
			s := stacks.NewServiceStack(app, "p-prd", &stacks.ServiceStackProps{Config: cfg, Env: env(t, cfg, "prd"), Root: root})
			return s.Stack, s.Errors()
		}, "p-prd: envs.prd: its stack would declare at least 504 resources, CloudFormation allows 500", "AWS::Lambda::Function"},
		{"a pipeline deploying an image by tag", func(t *testing.T, app awscdk.App) (awscdk.Stack, []string) {
			p := stacks.NewPipelineStack(app, "p-pipeline", &stacks.PipelineStackProps{Config: parse(t, pipeline), Root: root})
			return p.Stack, p.Errors()
		}, `p-pipeline: envs.sbx.lambda_functions.img.image.tag: got "v1"; the pipeline deploys sbx`, "AWS::CodePipeline::Pipeline"},
		{"a custom deployment type without its shift (a Config built by hand)", func(t *testing.T, app awscdk.App) (awscdk.Stack, []string) {
			cfg := pinnedFunctions(t, 1, true)
			e := env(t, cfg, "prd")
			e.Functions[0].Deployment.Type, e.Functions[0].Deployment.Custom = config.DeploymentCustom, nil
			s := stacks.NewServiceStack(app, "p-prd", &stacks.ServiceStackProps{Config: cfg, Env: e, Root: root})
			return s.Stack, s.Errors()
		}, `p-prd: envs.prd.lambda_functions.f0.deployment.type: got "Custom" without deployment.custom`, "AWS::Lambda::Function"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack, errs := tt.declare(t, newApp(t, ""))
			if got := strings.Join(errs, "; "); !strings.Contains(got, tt.want) {
				t.Errorf("Errors() = %q; want one containing %q", got, tt.want)
			}
			if annotated := synthcheck.Errors(stack); fmt.Sprint(annotated) != fmt.Sprint(errs) {
				t.Errorf("error annotations %q; want those of Errors(), %q", annotated, errs)
			}
			for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
				if r, ok := c.(awscdk.CfnResource); ok && *r.CfnResourceType() == tt.none {
					t.Errorf("the stack declares %s (%s)", tt.none, *c.Node().Path())
				}
			}
		})
	}
}
