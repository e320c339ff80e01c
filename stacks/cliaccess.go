package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
)

// CLIRoleName is the role the pipeline's golive steps assume in an environment's account.
// It is named, not generated, so the pipeline can build its ARN without a cross-stack
// reference (which CloudFormation cannot resolve across accounts).
func CLIRoleName(cfg *config.Config, env string) string { return cfg.StackName(env) + "-golive" }

// CLIRoleArn is the ARN of CLIRoleName in env's account.
func CLIRoleArn(cfg *config.Config, env *config.Env) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", partition(env.Region), env.Account, CLIRoleName(cfg, env.Name))
}

// newCLIRole lets the pipeline account run golive against this environment: pipeline
// shell steps cannot act in another account on their own (aws/aws-cdk#9625, #18272). The
// role grants exactly the calls the CLI makes, on this environment's functions only.
func newCLIRole(stack awscdk.Stack, cfg *config.Config, env *config.Env) awsiam.Role {
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", partition(env.Region), service, env.Region, env.Account, resource)
	}
	var functions, versions, groups []*string
	for _, fn := range env.Functions {
		functions = append(functions, jsii.String(arn("lambda", "function:"+fn.FunctionName)))
		versions = append(versions, jsii.String(arn("lambda", "function:"+fn.FunctionName+":*")))
		if fn.UsesCodeDeploy() {
			groups = append(groups, jsii.String(arn("codedeploy", "deploymentgroup:"+cfg.CodeDeployApplication(env.Name)+"/"+fn.FunctionName)))
		}
	}
	qualified := append(append([]*string{}, functions...), versions...)
	statements := []awsiam.PolicyStatement{
		statement("ReadAndRelease", []string{
			"lambda:GetFunctionConfiguration", "lambda:ListVersionsByFunction", "lambda:PublishVersion",
			"lambda:InvokeFunction", "lambda:GetAlias", "lambda:ListAliases", "lambda:UpdateAlias",
		}, qualified),
		// Qualified ARNs only: prune deletes versions, never the function with all of them.
		statement("DeleteVersions", []string{"lambda:DeleteFunction"}, versions),
		statement("CodeStorage", []string{"lambda:GetAccountSettings"}, []*string{jsii.String("*")}),
		statement("DeployedVersions", []string{"cloudformation:DescribeStacks"},
			[]*string{jsii.String(arn("cloudformation", "stack/"+cfg.StackName(env.Name)+"/*"))}),
	}
	if len(groups) > 0 {
		statements = append(statements,
			statement("Deployments", []string{"codedeploy:ListDeployments"}, groups),
			statement("StopDeployments", []string{"codedeploy:StopDeployment"},
				[]*string{jsii.String(arn("codedeploy", "deploymentgroup:"+cfg.CodeDeployApplication(env.Name)+"/*"))}))
	}
	return awsiam.NewRole(stack, jsii.String("GoliveCLIRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(CLIRoleName(cfg, env.Name)),
		AssumedBy:   awsiam.NewAccountPrincipal(jsii.String(cfg.Pipeline.Account)),
		Description: jsii.String("Lets the pipeline run golive verify and publish against " + env.Name),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"golive": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})
}

func statement(sid string, actions []string, resources []*string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings(actions...),
		Resources: &resources,
	})
}

func partition(region string) string {
	switch {
	case len(region) > 3 && region[:3] == "cn-":
		return "aws-cn"
	case len(region) > 7 && region[:7] == "us-gov-":
		return "aws-us-gov"
	}
	return "aws"
}
