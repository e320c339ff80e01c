package versionedfunction

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/internal/contract"
	"github.com/golive-dev/golive/internal/lambdarules"
)

type Deployment struct {
	// Config is the traffic shift, e.g. awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES().
	// Required.
	Config awscodedeploy.ILambdaDeploymentConfig
	// Application is the CodeDeploy application. Default: with Role unset too, the stack's,
	// shared by every VersionedFunction of the stack (SharedOf); with Role set, one of the
	// deployment group's own.
	Application awscodedeploy.ILambdaApplication
	// Role is the CodeDeploy service role. Default: with Application unset too, one per
	// stack, shared like Application; with Application set, one of the deployment group's own.
	Role awsiam.IRole
	// Alarms are the thresholds of the version-scoped rollback alarm. Default: no alarm.
	Alarms Alarms
	// ExtraAlarmNames are existing CloudWatch alarms that also roll back. Default: none.
	ExtraAlarmNames []string
	// Smoke invokes the version being released with each of its events before any
	// traffic shifts, through the shipped pre-traffic hook (see Hooks); a function error,
	// an invoke error, an unexpected response or the timeout fails the deployment with 0 %
	// shifted. Not with PreTrafficHook. Default: no smoke test.
	Smoke *Smoke
	// Bake waits once traffic is fully shifted, then judges the new version's own metrics
	// over the whole deployment against Alarms (ErrorRatePercent, P99DurationMs and
	// MinInvocations), through the shipped post-traffic hook; Failed rolls back. CodeDeploy
	// stops watching alarms when the shift ends, and Lambda's metrics arrive minutes late,
	// so without a bake the end of a canary and all of AllAtOnce go unjudged. Needs a
	// threshold; not with PostTrafficHook. Default: no bake.
	Bake *Bake
	// Hooks are the shipped hook functions Smoke and Bake use. Default: the stack's, in
	// the Shared construct, when Application or Role are defaulted too; otherwise this
	// function's own.
	Hooks *Hooks
	// PreTrafficHook and PostTrafficHook are hooks of your own, by function name or
	// unqualified ARN (contract.HookFunctionPattern); PreTrafficHookFunction and
	// PostTrafficHookFunction take an awslambda.IFunction instead. The deployment group's
	// role is granted invoke on the hook, so no CodeDeployHook_ prefix is needed. A hook
	// declared in this app (an IFunction with its role) is granted
	// codedeploy:PutLifecycleEventHookExecutionStatus on this deployment group; a hook
	// referenced by name or ARN needs that grant in its own role. Default: no hook.
	PreTrafficHook          string
	PostTrafficHook         string
	PreTrafficHookFunction  awslambda.IFunction
	PostTrafficHookFunction awslambda.IFunction
	// DisableRollbackOnFailure, DisableRollbackOnStop and DisableRollbackOnAlarm turn off
	// automatic rollback. Default: false - a failed, stopped or in-alarm deployment rolls back.
	DisableRollbackOnFailure bool
	DisableRollbackOnStop    bool
	DisableRollbackOnAlarm   bool
	// NotificationTopics are told about every release of the function (see
	// VersionedFunction.AddNotificationTopic, which adds more): deployment-group triggers,
	// rollback-alarm actions and publish on exactly these topics for the group's role. At
	// most MaxNotificationTopics. Default: none.
	NotificationTopics []awssns.ITopic
}

// Alarms holds thresholds; a nil threshold adds no term to the rollback alarm.
//
// There is no throttles threshold: Lambda counts throttles per function and per alias,
// and the ExecutedVersion dimension, "a combination of alias and version", belongs to the
// version that ran (Lambda Developer Guide, "Types of metrics for Lambda functions"); a
// throttled request runs no version. A throttles term therefore counts the old version's
// throttles, and the account's concurrency running out, against the new version.
type Alarms struct {
	// ErrorRatePercent breaches when Errors / Invocations * 100 of the new version exceeds it.
	ErrorRatePercent *float64
	// P99DurationMs breaches when the new version's p99 duration exceeds it.
	P99DurationMs *float64
	// ErrorRateRelative makes the error-rate term also compare with the old version over the
	// same minute (the alias's errors and invocations minus the new version's): it breaches
	// only when the new version's rate exceeds ErrorRatePercent and the old version's rate by
	// more than ErrorRatePercent, so a dependency outage that fails both versions does not
	// roll the new one back. Needs ErrorRatePercent. Default: false - the new version's rate
	// alone. The bake judges the new version's rate alone either way.
	ErrorRateRelative bool
	// MinInvocations is the evidence a threshold needs: no term breaches in a minute with
	// fewer invocations of the new version, and a bake fails with fewer over its window.
	// Default: 10 (contract.DefaultMinInvocations); 0 turns the guard off.
	MinInvocations *float64
}

func (a Alarms) any() bool {
	return a.ErrorRatePercent != nil || a.P99DurationMs != nil
}

func (a Alarms) minInvocations() int {
	if a.MinInvocations == nil {
		return contract.DefaultMinInvocations
	}
	return int(*a.MinInvocations)
}

func (v *VersionedFunction) addDeployment(props *Props) {
	d := props.Deployment
	app, role := d.Application, d.Role
	// Neither set: the stack's shared pair. One set: the group creates the other for itself
	// (CDK's default), so no shared application or role is left unused.
	if app == nil && role == nil {
		shared := SharedOf(v.Construct, nil)
		app, role = shared.Application, shared.Role
	}

	if d.Alarms.any() {
		v.Alarm = newRollbackAlarm(v.Construct, v.functionName, props.LiveVersion, d.Alarms)
		v.Alarms = append(v.Alarms, v.Alarm)
	}
	for i, name := range d.ExtraAlarmNames {
		v.Alarms = append(v.Alarms, awscloudwatch.Alarm_FromAlarmName(v.Construct, jsii.String("ExtraAlarm"+strconv.Itoa(i)), jsii.String(name)))
	}

	gp := &awscodedeploy.LambdaDeploymentGroupProps{
		Alias:               v.Alias,
		Application:         app,
		Role:                role,
		DeploymentConfig:    d.Config,
		DeploymentGroupName: jsii.String(v.functionName),
		AutoRollback: &awscodedeploy.AutoRollbackConfig{
			FailedDeployment:  jsii.Bool(!d.DisableRollbackOnFailure),
			StoppedDeployment: jsii.Bool(!d.DisableRollbackOnStop),
			DeploymentInAlarm: jsii.Bool(!d.DisableRollbackOnAlarm && len(v.Alarms) > 0),
		},
	}
	if len(v.Alarms) > 0 {
		alarms := slices.Clone(v.Alarms)
		gp.Alarms = &alarms
	}
	gp.PreHook = ownHook(v.Construct, "PreTrafficHook", d.PreTrafficHook, d.PreTrafficHookFunction)
	gp.PostHook = ownHook(v.Construct, "PostTrafficHook", d.PostTrafficHook, d.PostTrafficHookFunction)
	if d.Smoke != nil || d.Bake != nil {
		hooks := d.Hooks
		if hooks == nil {
			if d.Application == nil || d.Role == nil {
				hooks = SharedOf(v.Construct, nil).Hooks()
			} else {
				hooks = NewHooks(v.Construct)
			}
		}
		// The group's ARN from names known at synth, so that the hook's policy needs no
		// reference to the group (which itself refers to the hook).
		groupArn := awscdk.Stack_Of(v.Construct).FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("codedeploy"), Resource: jsii.String("deploymentgroup"),
			ResourceName: jsii.String(*app.ApplicationName() + "/" + v.functionName),
			ArnFormat:    awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
		// The application's ARN, arn:PARTITION:codedeploy:REGION:ACCOUNT:application:NAME,
		// on which the hook reads the deployment's AppSpec (GetApplicationRevision).
		appArn := awscdk.Stack_Of(v.Construct).FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("codedeploy"), Resource: jsii.String("application"),
			ResourceName: app.ApplicationName(), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})
		grants := hookGrants{group: *groupArn, application: *appArn, applicationName: *app.ApplicationName()}
		// The settings name no version: the hook reads the target from the deployment, so a
		// release changes nothing of the hooks.
		if s := d.Smoke; s != nil {
			timeout := s.TimeoutSeconds
			if timeout == 0 {
				timeout = contract.DefaultSmokeTimeoutS
			}
			smoke := contract.HookTarget{Group: v.functionName, Function: v.functionName,
				Smoke: &contract.Smoke{Events: s.Events, Expect: s.Expect, TimeoutS: timeout}}
			gp.PreHook = hooks.add(v, contract.HookPhaseSmoke, smoke, grants)
		}
		if b := d.Bake; b != nil {
			bake := contract.HookTarget{Group: v.functionName, Function: v.functionName, Bake: &contract.Bake{
				Minutes: b.Minutes, ErrorRatePercent: d.Alarms.ErrorRatePercent, P99DurationMs: d.Alarms.P99DurationMs,
				MinInvocations: d.Alarms.minInvocations(),
			}}
			gp.PostHook = hooks.add(v, contract.HookPhaseBake, bake, grants)
		}
	}
	v.DeploymentGroup = awscodedeploy.NewLambdaDeploymentGroup(v.Construct, jsii.String("Deployment"), gp)
	dependOnHookGrants(v.Alias, v.DeploymentGroup.Role(), gp.PreHook, gp.PostHook)
	for _, topic := range d.NotificationTopics {
		v.AddNotificationTopic(topic)
	}

	if props.Rollout == RolloutDirect {
		// The group, its alarms and hooks stay declared, so the next canary needs no new
		// resources; only the alias leaves CodeDeploy's hands for this deploy, which lets
		// CloudFormation move it from $LATEST (the AppSpec cannot name $LATEST) or
		// re-record a version set by an emergency rollback.
		v.Alias.Node().DefaultChild().(awscdk.CfnResource).AddDeletionOverride(jsii.String("UpdatePolicy"))
	}
}

// dependOnHookGrants makes the alias wait for the policies the hooks need. Updating the
// alias is what starts the CodeDeploy deployment (its CodeDeployLambdaAliasUpdate update
// policy), and CodeDeploy then invokes the hooks with the group's service role, and the
// hooks report with their own roles. Those grants are AWS::IAM::Policy resources of their
// own (the role's DefaultPolicy) that nothing of the alias refers to: the alias refers to
// the group, which refers to the role, not to its policy. CloudFormation creates and
// updates resources in parallel unless a reference or DependsOn orders them ("DependsOn
// attribute", CloudFormation Template Reference), so without this the deployment may
// start before the service role may invoke a hook that is new in the same update.
// A dependency on a role covers every resource under it: the role and its policies.
func dependOnHookGrants(alias awslambda.Alias, serviceRole awsiam.IRole, hooks ...awslambda.IFunction) {
	alias.Node().AddDependency(serviceRole)
	for _, h := range hooks {
		// A hook referenced by name or ARN has no role in this app.
		if h != nil && h.Role() != nil {
			alias.Node().AddDependency(h.Role())
		}
	}
}

// ownHook is a hook of the app's own: an IFunction as given, else by ARN or name.
func ownHook(scope constructs.Construct, id, ref string, fn awslambda.IFunction) awslambda.IFunction {
	switch {
	case fn != nil:
		return fn
	case strings.HasPrefix(ref, "arn:"):
		// CodeDeploy invokes a hook by name, so it lives in the stack's account and region;
		// SameEnvironment lets the group's role be granted invoke on it.
		return awslambda.Function_FromFunctionAttributes(scope, jsii.String(id), &awslambda.FunctionAttributes{
			FunctionArn: jsii.String(ref), SameEnvironment: jsii.Bool(true),
		})
	case ref != "":
		return awslambda.Function_FromFunctionName(scope, jsii.String(id), jsii.String(ref))
	}
	return nil
}

// validateDeployment checks what Deployment itself declares; nil is valid (no CodeDeploy).
func validateDeployment(d *Deployment) []string {
	if d == nil {
		return nil
	}
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if d.Config == nil {
		add("Deployment.Config: not set; want a Lambda deployment config such as LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES()")
	}
	for _, h := range []struct {
		field, name string
		fn          awslambda.IFunction
	}{{"PreTrafficHook", d.PreTrafficHook, d.PreTrafficHookFunction}, {"PostTrafficHook", d.PostTrafficHook, d.PostTrafficHookFunction}} {
		if h.name != "" && !contract.HookFunctionRe.MatchString(h.name) {
			add("Deployment.%s: got %q; want a Lambda function name (1 to 64 letters, digits, \"-\" and \"_\") or its unqualified ARN", h.field, h.name)
		}
		if h.name != "" && h.fn != nil {
			add("Deployment.%s: got %q and %sFunction; want one of the two", h.field, h.name, h.field)
		}
	}
	if d.Smoke != nil && (d.PreTrafficHook != "" || d.PreTrafficHookFunction != nil) {
		add("Deployment.Smoke: set with a PreTrafficHook; a deployment runs one pre-traffic hook: drop one of the two")
	}
	if d.Bake != nil && (d.PostTrafficHook != "" || d.PostTrafficHookFunction != nil) {
		add("Deployment.Bake: set with a PostTrafficHook; a deployment runs one post-traffic hook: drop one of the two")
	}
	if s := d.Smoke; s != nil {
		if len(s.Events) == 0 {
			add("Deployment.Smoke.Events: empty; want at least one JSON event to invoke the new version with")
		}
		for i, ev := range s.Events {
			if !json.Valid(ev) {
				add("Deployment.Smoke.Events[%d]: got %q; want a JSON value", i, ev)
			}
		}
		if len(s.Expect) > 0 && !json.Valid(s.Expect) {
			add("Deployment.Smoke.Expect: got %q; want a JSON value", s.Expect)
		}
		if s.TimeoutSeconds < 0 || s.TimeoutSeconds > contract.MaxSmokeTimeoutS {
			add("Deployment.Smoke.TimeoutSeconds: got %d; want 1 to %d (the hook runs in one Lambda invocation), or 0 for %d",
				s.TimeoutSeconds, contract.MaxSmokeTimeoutS, contract.DefaultSmokeTimeoutS)
		}
	}
	if b := d.Bake; b != nil {
		if b.Minutes < 1 || b.Minutes > contract.MaxBakeMinutes {
			add("Deployment.Bake.Minutes: got %d; want 1 to %d (the hook waits and judges in one Lambda invocation of at most 15 minutes)",
				b.Minutes, contract.MaxBakeMinutes)
		}
		if !d.Alarms.any() {
			add("Deployment.Bake: set without Alarms.ErrorRatePercent or Alarms.P99DurationMs; a bake judges the new version against them: set one")
		}
	}
	for _, t := range []struct {
		field string
		v     *float64
	}{{"ErrorRatePercent", d.Alarms.ErrorRatePercent}, {"P99DurationMs", d.Alarms.P99DurationMs}} {
		if t.v != nil && *t.v <= 0 {
			add("Deployment.Alarms.%s: got %g; want a positive threshold", t.field, *t.v)
		}
	}
	if r := d.Alarms.ErrorRatePercent; r != nil && *r > 0 && !lambdarules.ValidErrorRate(*r) {
		add("Deployment.Alarms.ErrorRatePercent: got %g; want %s", *r, lambdarules.ErrorRatePercent.Allowed)
	}
	// The thresholds make one rollback alarm; each extra alarm is one more.
	n := len(d.ExtraAlarmNames)
	if d.Alarms.any() {
		n++
	}
	if n > lambdarules.MaxAlarms {
		add("Deployment.ExtraAlarmNames: got %d alarms with the rollback alarm; want %s", n, lambdarules.Alarms.Allowed)
	}
	for i, name := range d.ExtraAlarmNames {
		if strings.TrimSpace(name) == "" {
			add("Deployment.ExtraAlarmNames[%d]: got %q; want the name of an existing CloudWatch alarm", i, name)
		}
	}
	problems = append(problems, validateNotifications(d.NotificationTopics)...)
	if d.Alarms.ErrorRateRelative && d.Alarms.ErrorRatePercent == nil {
		add("Deployment.Alarms.ErrorRateRelative: set without ErrorRatePercent; want ErrorRatePercent, the margin the new version's error rate may exceed the old one's by")
	}
	if m := d.Alarms.MinInvocations; m != nil && !lambdarules.ValidMinInvocations(*m) {
		add("Deployment.Alarms.MinInvocations: got %g; want %s (default %d)", *m, lambdarules.MinInvocations.Allowed, contract.DefaultMinInvocations)
	}
	return problems
}
