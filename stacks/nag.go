package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// CheckWithNag runs cdk-nag's AwsSolutions checks on the app at synth and records, in each
// template, why the remaining findings of these stacks are accepted. Each suppression names
// exactly what it applies to, so a new managed policy or wildcard still fails the checks.
// It is opt-in (cdk synth -c nag=true, and the tests): loading cdk-nag costs every synth
// about 70 ms, and the suppressions only matter to the checks.
func CheckWithNag(app awscdk.App, services []*ServiceStack, pipelines []*PipelineStack) {
	for _, p := range pipelines {
		suppress(p.Stack, pipelineSuppressions)
		for _, st := range p.Stages {
			services = append(services, st.Service)
		}
	}
	for _, s := range services {
		suppress(s.Stack, serviceSuppressions)
		if s.CLIRole != nil {
			suppress(s.Stack, []*cdknag.NagPackSuppression{cliRoleSuppression})
		}
		if s.Hooks != nil {
			if bake := s.Hooks.Bake(); bake != nil {
				cdknag.NagSuppressions_AddResourceSuppressions(bake.Role(), &[]*cdknag.NagPackSuppression{bakeSuppression}, jsii.Bool(true))
			}
		}
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

func suppress(stack awscdk.Stack, suppressions []*cdknag.NagPackSuppression) {
	cdknag.NagSuppressions_AddStackSuppressions(stack, &suppressions, nil)
}

// anyPartition matches an ARN's partition, literal or left to CloudFormation.
const anyPartition = `(aws|aws-cn|aws-us-gov|<AWS::Partition>)`

// regex is an appliesTo pattern for cdk-nag's granular findings.
func regex(pattern string) cdknag.RegexAppliesTo {
	return cdknag.RegexAppliesTo{Regex: jsii.String("/" + pattern + "/g")}
}

var serviceSuppressions = []*cdknag.NagPackSuppression{
	{
		Id: jsii.String("AwsSolutions-IAM4"),
		Reason: jsii.String("AWSLambdaBasicExecutionRole only lets a function write its own CloudWatch Logs; " +
			"AWSCodeDeployRoleForLambdaLimited is the policy AWS maintains for CodeDeploy's Lambda deployments: " +
			"update aliases, read alarms, invoke only CodeDeployHook_* functions (other hooks are granted invoke by name)"),
		AppliesTo: &[]any{
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
			"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited",
		},
	},
	{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("CodeDeploy invokes a traffic hook by qualified ARN: the trailing :* allows any version " +
			"or alias of that one named hook, nothing else (the group's role is granted it by CDK's LambdaDeploymentGroup); " +
			"golive's smoke hook invokes the version being released of the functions it tests (function:NAME:*, " +
			"with an explicit deny on $LATEST and the unqualified function)"),
		AppliesTo: &[]any{
			regex(`^Resource::arn:` + anyPartition + `:lambda:[^:]+:[0-9]{12}:function:[A-Za-z0-9_-]+:\*$`),
			regex(`^Resource::<[A-Za-z0-9]+\.Arn>:\*$`),
		},
	},
}

// bakeSuppression explains the bake hook's one wildcard, on that hook's role alone.
var bakeSuppression = &cdknag.NagPackSuppression{
	Id: jsii.String("AwsSolutions-IAM5"),
	Reason: jsii.String("golive's bake hook reads the released version's metrics with cloudwatch:GetMetricData, " +
		"which has no resource type and takes only * (Service Authorization Reference, Amazon CloudWatch)"),
	AppliesTo: &[]any{"Resource::*"},
}

// cliRoleSuppression explains the golive CLI role's resource wildcards; its actions are
// all named.
var cliRoleSuppression = &cdknag.NagPackSuppression{
	Id: jsii.String("AwsSolutions-IAM5"),
	Reason: jsii.String("golive publishes, reads and deletes versions of this environment's functions (function:NAME:*, one " +
		"per function), reads the account's code storage, the alias's request metrics and the rollback alarms' states (GetAccountSettings and cloudwatch:GetMetricData have no resource type; DescribeAlarms is read-only), reads this stack by name " +
		"(stack/NAME/* covers its generated id), lists, reads and stops deployments in the deployment groups of this stack's CodeDeploy application, " +
		"and, read-only for golive watch and history: the account's deployment configurations (deploymentconfig:*; a custom one sets a release's " +
		"expected end) and the log groups of the stack's functions and hooks (/aws/lambda/STACK-*: the shipped hooks' names are generated from the stack's)"),
	AppliesTo: &[]any{
		regex(`^Resource::arn:` + anyPartition + `:lambda:[^:]+:[0-9]{12}:function:[A-Za-z0-9_-]+:\*$`),
		"Resource::*",
		regex(`^Resource::arn:` + anyPartition + `:cloudformation:[^:]+:[0-9]{12}:stack/[A-Za-z0-9-]+/\*$`),
		regex(`^Resource::arn:` + anyPartition + `:codedeploy:[^:]+:[0-9]{12}:deploymentgroup:[A-Za-z0-9-]+/\*$`),
		regex(`^Resource::arn:` + anyPartition + `:codedeploy:[^:]+:[0-9]{12}:deploymentconfig:\*$`),
		regex(`^Resource::arn:` + anyPartition + `:logs:[^:]+:[0-9]{12}:log-group:/aws/lambda/[A-Za-z0-9-]+-\*$`),
	},
}

// pipelineSuppressions explain what CDK Pipelines generates for its own roles.
var pipelineSuppressions = []*cdknag.NagPackSuppression{
	{
		Id: jsii.String("AwsSolutions-IAM5"),
		Reason: jsii.String("CDK Pipelines grants its stage roles read/write on the pipeline's own artifact bucket " +
			"(bucket/*) and its KMS key, its CodeBuild log and report groups, and lets self-mutation read stacks and " +
			"assume the CDK bootstrap roles (role/*) of the pipeline account; every wildcard is scoped by CDK to the " +
			"pipeline's resources"),
		AppliesTo: &[]any{
			"Action::s3:GetObject*", "Action::s3:GetBucket*", "Action::s3:List*", "Action::s3:DeleteObject*", "Action::s3:Abort*",
			"Action::kms:ReEncrypt*", "Action::kms:GenerateDataKey*", "Resource::*",
			regex(`^Resource::<PipelineArtifactsBucket[A-Z0-9]+\.Arn>/\*$`),
			regex(`^Resource::arn:` + anyPartition + `:logs:[^:]+:[0-9]{12}:log-group:/aws/codebuild/(\*|<[A-Za-z0-9]+>:\*)$`),
			regex(`^Resource::arn:` + anyPartition + `:codebuild:[^:]+:[0-9]{12}:report-group/(\*|<[A-Za-z0-9]+>-\*)$`),
			regex(`^Resource::arn:\*:iam::[0-9]{12}:role/\*$`),
		},
	},
	{
		Id: jsii.String("AwsSolutions-S1"),
		Reason: jsii.String("the artifact bucket only passes build artifacts between the pipeline's own actions; " +
			"CloudTrail records its access"),
	},
}
