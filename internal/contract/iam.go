package contract

import "slices"

// Scope is what a CLI permission may act on. Whoever writes a policy turns each scope into
// ARNs: the CLI role of a stack names one environment's resources, the README's policy a
// project's.
type Scope string

// Scopes, in the order CLIPolicy lists their statements.
const (
	// ScopeFunctions is the environment's functions, unqualified and qualified
	// (function:NAME and function:NAME:*): golive reads, publishes, invokes and moves aliases.
	ScopeFunctions Scope = "functions"
	// ScopeVersions is qualified function ARNs only (function:NAME:*): DeleteFunction on a
	// version ARN deletes that version, on the bare name the function with all its versions.
	ScopeVersions Scope = "versions"
	// ScopeAccount is "*", for actions that take no resource (GetAccountSettings; Service
	// Authorization Reference, "Actions, resources, and condition keys for AWS Lambda";
	// GetMetricData, "… for Amazon CloudWatch": no resource type, so "*").
	ScopeAccount Scope = "account"
	// ScopeStack is the environment's CloudFormation stack (stack/NAME/*, the id is generated).
	ScopeStack Scope = "stack"
	// ScopeDeploymentGroups is every deployment group of the environment's CodeDeploy
	// application (deploymentgroup:APP/*). ListDeployments, GetDeployment and StopDeployment
	// authorize on the deployment group ("CodeDeploy permissions reference"); golive asks for the
	// deployments of every function, with CodeDeploy or not, so the grant covers groups
	// that do not exist (yet), and CodeDeploy then answers that they do not.
	ScopeDeploymentGroups Scope = "deployment-groups"
)

var scopes = []struct {
	scope Scope
	sid   string
}{
	{ScopeFunctions, "ReadAndRelease"},
	{ScopeVersions, "DeleteVersions"},
	{ScopeAccount, "AccountWide"},
	{ScopeStack, "DeployedVersions"},
	{ScopeDeploymentGroups, "Deployments"},
}

// Permission is one AWS API operation the golive CLI calls and the IAM action that
// allows it.
type Permission struct {
	// Service is the IAM service prefix, which is also the name of the SDK's service
	// package ("lambda" for github.com/aws/aws-sdk-go-v2/service/lambda).
	Service string
	// Operation is the API operation: the SDK client's method ("Invoke").
	Operation string
	// Action is the IAM action authorizing it, without the prefix ("InvokeFunction").
	// It is the operation's name except where the Service Authorization Reference names
	// it otherwise.
	Action string
	Scope  Scope
}

// IAMAction is the action as a policy writes it, "lambda:InvokeFunction".
func (p Permission) IAMAction() string { return p.Service + ":" + p.Action }

// cliPermissions is the one list of the CLI's AWS calls. internal/release tests that its
// SDK interfaces declare exactly these operations; the stacks grant them to the pipeline's
// golive role and the README's policy is tested against them.
var cliPermissions = []Permission{
	{"lambda", "GetFunctionConfiguration", "GetFunctionConfiguration", ScopeFunctions},
	{"lambda", "ListVersionsByFunction", "ListVersionsByFunction", ScopeFunctions},
	{"lambda", "PublishVersion", "PublishVersion", ScopeFunctions},
	{"lambda", "Invoke", "InvokeFunction", ScopeFunctions},
	{"lambda", "GetAlias", "GetAlias", ScopeFunctions},
	{"lambda", "ListAliases", "ListAliases", ScopeFunctions},
	{"lambda", "UpdateAlias", "UpdateAlias", ScopeFunctions},
	{"lambda", "GetProvisionedConcurrencyConfig", "GetProvisionedConcurrencyConfig", ScopeFunctions},
	{"lambda", "DeleteFunction", "DeleteFunction", ScopeVersions},
	{"lambda", "GetAccountSettings", "GetAccountSettings", ScopeAccount},
	{"cloudwatch", "GetMetricData", "GetMetricData", ScopeAccount},
	{"cloudformation", "DescribeStacks", "DescribeStacks", ScopeStack},
	{"cloudformation", "ListStackResources", "ListStackResources", ScopeStack},
	{"codedeploy", "ListDeployments", "ListDeployments", ScopeDeploymentGroups},
	{"codedeploy", "GetDeployment", "GetDeployment", ScopeDeploymentGroups},
	{"codedeploy", "StopDeployment", "StopDeployment", ScopeDeploymentGroups},
}

// CLIPermissions lists every AWS operation the golive CLI calls.
func CLIPermissions() []Permission { return slices.Clone(cliPermissions) }

// Statement is one Allow statement of a policy for the golive CLI.
type Statement struct {
	Sid       string
	Actions   []string
	Resources []string
}

// CLIPolicy is the policy the golive CLI needs: one statement per scope, in a fixed
// order, with the ARNs resources gives for that scope. A scope for which resources
// returns none is left out.
func CLIPolicy(resources func(Scope) []string) []Statement {
	var out []Statement
	for _, s := range scopes {
		var actions []string
		for _, p := range cliPermissions {
			if p.Scope == s.scope {
				actions = append(actions, p.IAMAction())
			}
		}
		if r := resources(s.scope); len(actions) > 0 && len(r) > 0 {
			out = append(out, Statement{Sid: s.sid, Actions: actions, Resources: r})
		}
	}
	return out
}

// The resources the shipped traffic hook's permissions name, per action (Service
// Authorization Reference, "Actions defined by AWS CodeDeploy" and "... AWS Lambda", the
// Resource types column).
const (
	// ScopeDeploymentGroup is the one deployment group a hook serves
	// (deploymentgroup:APP/GROUP): GetDeployment and PutLifecycleEventHookExecutionStatus
	// authorize on it.
	ScopeDeploymentGroup Scope = "deployment-group"
	// ScopeApplication is the group's CodeDeploy application (application:APP):
	// GetApplicationRevision's resource type is application.
	ScopeApplication Scope = "application"
)

// hookPermissions is the one list of the shipped hook's AWS calls. internal/hook tests that
// its SDK interfaces declare exactly these operations; the construct's template test that
// the hooks' roles grant exactly these actions, each on its scope.
var hookPermissions = []Permission{
	{"codedeploy", "GetDeployment", "GetDeployment", ScopeDeploymentGroup},
	{"codedeploy", "GetApplicationRevision", "GetApplicationRevision", ScopeApplication},
	{"codedeploy", "PutLifecycleEventHookExecutionStatus", "PutLifecycleEventHookExecutionStatus", ScopeDeploymentGroup},
	// The smoke test invokes the released version (function:NAME:*, $LATEST denied).
	{"lambda", "Invoke", "InvokeFunction", ScopeVersions},
	// The bake reads metrics; GetMetricData has no resource type.
	{"cloudwatch", "GetMetricData", "GetMetricData", ScopeAccount},
}

// HookPermissions lists every AWS operation the shipped traffic hook calls.
func HookPermissions() []Permission { return slices.Clone(hookPermissions) }
