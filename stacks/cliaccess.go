package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/iampolicy"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// CLIRoleName is the role the pipeline's golive steps assume in an environment's account.
// It is named, not generated, so the pipeline can build its ARN without a cross-stack
// reference (which CloudFormation cannot resolve across accounts).
func CLIRoleName(cfg *config.Config, env string) string { return cfg.StackName(env) + "-golive" }

// CLIRoleArn is the ARN of CLIRoleName in env's account.
func CLIRoleArn(cfg *config.Config, env *config.Env) string {
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", resourcenames.Partition(env.Region), env.Account, CLIRoleName(cfg, env.Name))
}

// CLIStepRoleName is the CodeBuild role of the pipeline's golive steps for env, in the
// pipeline account, the one principal CLIRoleName trusts. Named for the same reason as
// CLIRoleName: the service stack lives in another account.
func CLIStepRoleName(cfg *config.Config, env string) string {
	return cfg.StackName(env) + "-golive-step"
}

// CLIStepRoleArn is the ARN of CLIStepRoleName in the pipeline account.
func CLIStepRoleArn(cfg *config.Config, env string) string {
	p := cfg.Pipeline
	return fmt.Sprintf("arn:%s:iam::%s:role/%s", resourcenames.Partition(p.Region), p.Account, CLIStepRoleName(cfg, env))
}

// newCLIRole lets the pipeline's golive steps run golive against this environment:
// pipeline shell steps cannot act in another account on their own (aws/aws-cdk#9625,
// #18272). The role grants exactly the calls the CLI makes (iampolicy.CLIPermissions), on
// this environment's resources only, except the actions that take no resource
// (lambda:GetAccountSettings for prune, cloudwatch:GetMetricData for plan and verify), on *.
//
// It trusts the steps' CodeBuild role alone, not the pipeline account: any principal
// there allowed to assume roles could otherwise move this environment's alias and delete
// its versions. The trust names the account with a condition on aws:PrincipalArn rather
// than the role as principal, because IAM refuses a trust policy naming a role that does
// not exist yet ("Invalid principal in policy"; the service stack may be deployed before
// the pipeline) and pins a named role to its unique id, so a recreated step role would
// silently lose access (IAM User Guide, "IAM JSON policy elements: Principal", IAM role
// principals). For a role's sessions aws:PrincipalArn is the role's ARN (IAM User Guide,
// "AWS global condition context keys").
func newCLIRole(stack awscdk.Stack, cfg *config.Config, env *config.Env) awsiam.Role {
	arn := func(service, resource string) string {
		return fmt.Sprintf("arn:%s:%s:%s:%s:%s", resourcenames.Partition(env.Region), service, env.Region, env.Account, resource)
	}
	resources := func(s iampolicy.Scope) []string {
		var out []string
		switch s {
		case iampolicy.ScopeFunctions, iampolicy.ScopeVersions:
			for _, fn := range env.Functions {
				if s == iampolicy.ScopeFunctions {
					out = append(out, arn("lambda", "function:"+fn.FunctionName))
				}
				out = append(out, arn("lambda", "function:"+fn.FunctionName+":*"))
			}
		case iampolicy.ScopeAccount:
			out = []string{"*"}
		case iampolicy.ScopeStack:
			out = []string{arn("cloudformation", "stack/"+cfg.StackName(env.Name)+"/*")}
		case iampolicy.ScopeDeploymentGroups:
			out = []string{arn("codedeploy", "deploymentgroup:"+cfg.CodeDeployApplication(env.Name)+"/*")}
		case iampolicy.ScopeApplication:
			out = []string{arn("codedeploy", "application:"+cfg.CodeDeployApplication(env.Name))}
		case iampolicy.ScopeDeploymentConfigs:
			out = []string{arn("codedeploy", "deploymentconfig:*")}
		case iampolicy.ScopeHookLogs:
			// The shipped hooks' generated names start with the stack's name.
			out = []string{arn("logs", "log-group:/aws/lambda/"+cfg.StackName(env.Name)+"-*")}
		}
		return out
	}
	var statements []awsiam.PolicyStatement
	for _, s := range iampolicy.CLIPolicy(resources) {
		statements = append(statements, statement(s.Sid, s.Actions, s.Resources))
	}
	trusted := awsiam.NewAccountPrincipal(jsii.String(cfg.Pipeline.Account)).WithConditions(&map[string]any{
		"ArnEquals": map[string]any{"aws:PrincipalArn": CLIStepRoleArn(cfg, env.Name)},
	})
	return awsiam.NewRole(stack, jsii.String("GoliveCLIRole"), &awsiam.RoleProps{
		RoleName:    jsii.String(CLIRoleName(cfg, env.Name)),
		AssumedBy:   trusted,
		Description: jsii.String("Lets the pipeline's golive steps run golive verify and publish against " + env.Name),
		InlinePolicies: &map[string]awsiam.PolicyDocument{
			"golive": awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &statements}),
		},
	})
}

func statement(sid string, actions, resources []string) awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String(sid),
		Actions:   jsii.Strings(actions...),
		Resources: jsii.Strings(resources...),
	})
}
