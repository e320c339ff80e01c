package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// suppressNag records, in the template, why the service stack's remaining cdk-nag
// AwsSolutions findings are accepted. Each suppression names exactly what it applies to,
// so a new managed policy or wildcard still fails the checks.
func suppressNag(stack awscdk.Stack) {
	cdknag.NagSuppressions_AddStackSuppressions(stack, &[]*cdknag.NagPackSuppression{
		{
			Id: jsii.String("AwsSolutions-IAM4"),
			Reason: jsii.String("AWSLambdaBasicExecutionRole only lets a function write its own CloudWatch Logs; " +
				"AWSCodeDeployRoleForLambdaLimited is the policy AWS maintains for CodeDeploy's Lambda deployments: " +
				"update aliases, read alarms, invoke only CodeDeployHook_* functions"),
			AppliesTo: &[]any{
				"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
				"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited",
			},
		},
		{
			Id: jsii.String("AwsSolutions-IAM5"),
			Reason: jsii.String("CodeDeploy invokes a traffic hook by qualified ARN: the trailing :* allows any version " +
				"or alias of that one named CodeDeployHook_ function, nothing else"),
			AppliesTo: &[]any{
				cdknag.RegexAppliesTo{Regex: jsii.String(`/^Resource::arn:<AWS::Partition>:lambda:[^:]+:[0-9]{12}:function:CodeDeployHook_[A-Za-z0-9_-]+:\*$/g`)},
			},
		},
	}, nil)
}
