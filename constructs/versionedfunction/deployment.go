package versionedfunction

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/lambdarules"
)

// Deployment configures CodeDeploy for a pinned function, on the model of aws-cdk-lib's
// LambdaDeploymentGroup: how LIVE's traffic shifts from the old version to the new one,
// what judges the new version on the way (a smoke test before any traffic, the rollback
// alarm on the new version's own metrics and alarms of one's own during the shift, a bake
// after it) and what rolls it back. CodeDeploy shifts traffic only between published
// versions, so a Deployment is used only while LiveVersion is pinned. Every field is
// optional: the zero Deployment is a 10 % canary for 5 minutes that rolls back a failed or
// stopped deployment.
type Deployment struct {
	// Config is the traffic shift. Default:
	// awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES() - 10 % of the traffic
	// for 5 minutes, then all of it (config.json's default, and CDK's).
	Config awscodedeploy.ILambdaDeploymentConfig
	// Application is the CodeDeploy application. Default: with Role unset too, the stack's,
	// shared by every VersionedFunction of the stack (SharedOf); with Role set, one of the
	// deployment group's own.
	Application awscodedeploy.ILambdaApplication
	// Role is the CodeDeploy service role. Default: with Application unset too, one per
	// stack, shared like Application; with Application set, one of the deployment group's own.
	Role awsiam.IRole
	// Thresholds make the rollback alarm, on the new version's own metrics, and judge the
	// Bake. Default: none - no rollback alarm.
	Thresholds Thresholds
	// Alarms are alarms of one's own that also roll the deployment back, e.g.
	// awscloudwatch.Alarm_FromAlarmName(stack, jsii.String("Orders5xx"), jsii.String("orders-5xx")).
	// More can be added with VersionedFunction.AddAlarm. CodeDeploy watches at most 10
	// alarms per deployment group, the rollback alarm included. Default: none.
	Alarms []awscloudwatch.IAlarm
	// Smoke invokes the version being released with each of its events before any
	// traffic shifts, through the shipped pre-traffic hook (see Hooks); a function error,
	// an invoke error, an unexpected response or the timeout fails the deployment with 0 %
	// shifted. Not with PreHook. Default: no smoke test.
	Smoke *Smoke
	// Bake waits once traffic is fully shifted, then judges the new version's own metrics
	// over the whole deployment against Thresholds (ErrorRatePercent, P99Duration and
	// MinInvocations), through the shipped post-traffic hook; Failed rolls back. CodeDeploy
	// stops watching alarms when the shift ends, and Lambda's metrics arrive minutes late,
	// so without a bake the end of a canary and all of AllAtOnce go unjudged. Needs a
	// threshold; not with PostHook. Default: no bake.
	Bake *Bake
	// Hooks are the shipped hook functions Smoke and Bake use. Default: the stack's
	// (SharedOf(...).Hooks()) when Application or Role is defaulted too; otherwise this
	// function's own.
	Hooks *Hooks
	// PreHook is a pre-traffic hook of one's own, run before any traffic shifts, and
	// PostHook a post-traffic hook, run once it has (VersionedFunction.AddPreHook and
	// AddPostHook set them later). A hook declared elsewhere goes in by name or ARN, in the
	// stack's account and region (CodeDeploy invokes hooks there): by name through
	// awslambda.Function_FromFunctionName, by ARN through Function_FromFunctionAttributes
	// with SameEnvironment, as the stacks package does. The deployment group's role is granted invoke on the hook, so its name
	// needs no CodeDeployHook_ prefix unless Role is an imported role that cannot take the
	// grant. A hook declared in this app (with its role) is granted
	// codedeploy:PutLifecycleEventHookExecutionStatus on this deployment group; a hook
	// referenced by name or ARN needs that grant in its own role. PreHook is not with Smoke,
	// PostHook not with Bake: a deployment runs one hook per side. Default: none.
	PreHook  awslambda.IFunction
	PostHook awslambda.IFunction
	// AutoRollback says which events roll a deployment back, as in CDK's
	// LambdaDeploymentGroupProps. A field left nil keeps golive's default, which is every
	// event: a failed deployment, a stopped one (CDK's own default leaves a stopped
	// deployment where it stopped) and, when the group watches an alarm, one in alarm.
	// Default: nil - all three.
	AutoRollback *awscodedeploy.AutoRollbackConfig
	// NotificationTopics are told about every release of the function (see
	// VersionedFunction.AddNotificationTopic, which adds more): deployment-group triggers,
	// rollback-alarm actions and publish on exactly these topics for the group's role. At
	// most MaxNotificationTopics. Default: none.
	NotificationTopics []awssns.ITopic
}

// Thresholds are the rollback alarm's terms; a nil threshold adds no term.
//
// There is no throttles threshold: Lambda counts throttles per function and per alias,
// and the ExecutedVersion dimension, "a combination of alias and version", belongs to the
// version that ran (Lambda Developer Guide, "Types of metrics for Lambda functions"); a
// throttled request runs no version. A throttles term therefore counts the old version's
// throttles, and the account's concurrency running out, against the new version.
type Thresholds struct {
	// ErrorRatePercent breaches when Errors / Invocations * 100 of the new version exceeds
	// it: above 0, at most 100.
	ErrorRatePercent *float64
	// P99Duration breaches when the new version's p99 duration exceeds it: more than 0 ms,
	// at most the function's timeout.
	P99Duration awscdk.Duration
	// ErrorRateRelative makes the error-rate term also compare with the old version over the
	// same minute (the alias's errors and invocations minus the new version's): it breaches
	// only when the new version's rate exceeds ErrorRatePercent and the old version's rate by
	// more than ErrorRatePercent, so a dependency outage that fails both versions does not
	// roll the new one back. Needs ErrorRatePercent. Default: false - the new version's rate
	// alone. The bake judges the new version's rate alone either way.
	ErrorRateRelative bool
	// MinInvocations is the evidence a threshold needs: no term breaches in a minute with
	// fewer invocations of the new version, and a bake fails with fewer over its window.
	// A whole number. Default: 10; 0 turns the guard off.
	MinInvocations *float64
}

func (t Thresholds) any() bool {
	return t.ErrorRatePercent != nil || t.P99Duration != nil
}

// alarmThresholds are Thresholds as the rollback alarm and the bake read them: numbers,
// the p99 in milliseconds.
type alarmThresholds struct {
	ErrorRatePercent  *float64
	P99DurationMs     *float64
	ErrorRateRelative bool
	MinInvocations    *float64
}

func (a alarmThresholds) minInvocations() int {
	if a.MinInvocations == nil {
		return hooksettings.DefaultMinInvocations
	}
	return int(*a.MinInvocations)
}

// alarms reads t's durations, which validateDeployment has checked.
func (t Thresholds) alarms(ss *stackScope) alarmThresholds {
	a := alarmThresholds{ErrorRatePercent: t.ErrorRatePercent, ErrorRateRelative: t.ErrorRateRelative, MinInvocations: t.MinInvocations}
	if t.P99Duration != nil {
		ms, _ := ss.millis(t.P99Duration)
		a.P99DurationMs = &ms
	}
	return a
}

// millis reads a Duration at synth; ok is false for one CloudFormation resolves (a token).
func millis(d awscdk.Duration) (ms float64, ok bool) {
	if *d.IsUnresolved() {
		return 0, false
	}
	return *d.ToMilliseconds(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)}), true
}

func (v *VersionedFunction) addDeployment(props *Props, ss *stackScope) {
	d := props.Deployment
	app, role := d.Application, d.Role
	// Neither set: the stack's shared pair. One set: the group creates the other for itself
	// (CDK's default), so no shared application or role is left unused.
	if app == nil && role == nil {
		shared := ss.shared(v.Construct)
		if shared.Application == nil {
			// SharedOf reported why at the stack's "CodeDeploy".
			v.refused = true
			return
		}
		app, role = shared.Application, shared.Role
	}
	config := d.Config
	if config == nil {
		config = awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES()
	}

	thresholds := d.Thresholds.alarms(ss)
	if d.Thresholds.any() {
		v.Alarm = newRollbackAlarm(v, props.LiveVersion, thresholds)
		v.Alarms = append(v.Alarms, v.Alarm)
	}
	for _, a := range d.Alarms {
		v.Alarms = append(v.Alarms, a)
	}

	gp := &awscodedeploy.LambdaDeploymentGroupProps{
		Alias:               v.Alias,
		Application:         app,
		Role:                role,
		DeploymentConfig:    config,
		DeploymentGroupName: groupName(props.Adopt, v.functionName),
		AutoRollback:        autoRollback(d.AutoRollback),
	}
	if len(v.Alarms) > 0 {
		alarms := slices.Clone(v.Alarms)
		gp.Alarms = &alarms
	}
	gp.PreHook, gp.PostHook = d.PreHook, d.PostHook
	if d.Smoke != nil || d.Bake != nil {
		hooks := d.Hooks
		if hooks == nil {
			if d.Application == nil || d.Role == nil {
				hooks = ss.shared(v.Construct).Hooks()
			} else {
				hooks = newHooks(v.Construct)
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
		// release changes nothing of the hooks. They name the alias only when it is not LIVE,
		// so the settings of a stack that keeps the default are unchanged.
		hookAlias := ""
		if v.aliasName != DefaultAliasName {
			hookAlias = v.aliasName
		}
		if s := d.Smoke; s != nil {
			timeout := hooksettings.DefaultSmokeTimeoutS
			if s.Timeout != nil {
				ms, _ := ss.millis(s.Timeout)
				timeout = int(ms / 1000)
			}
			smoke := hooksettings.HookTarget{Group: v.functionName, Function: v.functionName, Alias: hookAlias,
				Smoke: &hooksettings.Smoke{Events: s.Events, Expect: s.Expect, TimeoutS: timeout, Compare: s.Compare, Ignore: s.Ignore}}
			gp.PreHook = hooks.add(v, hooksettings.HookPhaseSmoke, smoke, grants)
		}
		if b := d.Bake; b != nil {
			ms, _ := ss.millis(b.Wait)
			bake := hooksettings.HookTarget{Group: v.functionName, Function: v.functionName, Alias: hookAlias, Bake: &hooksettings.Bake{
				Minutes: int(ms / 60000), ErrorRatePercent: thresholds.ErrorRatePercent, P99DurationMs: thresholds.P99DurationMs,
				MinInvocations: thresholds.minInvocations(),
			}}
			gp.PostHook = hooks.add(v, hooksettings.HookPhaseBake, bake, grants)
		}
	}
	v.DeploymentGroup = awscodedeploy.NewLambdaDeploymentGroup(v.Construct, jsii.String("Deployment"), gp)
	if role == nil {
		// Only then did the group create a role of its own.
		role = v.DeploymentGroup.Role()
	}
	dependOnHookGrants(v.Alias, role, gp.PreHook, gp.PostHook)
	for _, topic := range d.NotificationTopics {
		v.AddNotificationTopic(topic)
	}
	v.preHook, v.postHook = gp.PreHook != nil, gp.PostHook != nil
	v.importedRole = d.Role != nil && !isRole(d.Role)
	for _, h := range []struct {
		field string
		fn    awslambda.IFunction
	}{{"PreHook", d.PreHook}, {"PostHook", d.PostHook}} {
		v.warnHookName("Deployment."+h.field, h.fn)
	}

	if props.Rollout == RolloutDirect {
		// The group, its alarms and hooks stay declared, so the next canary needs no new
		// resources; only the alias leaves CodeDeploy's hands for this deploy, which lets
		// CloudFormation move it from $LATEST (the AppSpec cannot name $LATEST) or
		// re-record a version set by an emergency rollback.
		v.Alias.Node().DefaultChild().(awscdk.CfnResource).AddDeletionOverride(jsii.String("UpdatePolicy"))
	}
}

// autoRollback is CDK's AutoRollbackConfig with golive's defaults for what c leaves nil:
// roll back a failed and a stopped deployment. DeploymentInAlarm stays nil unless turned
// off: CDK then rolls back on alarm exactly when the group watches one at synth, alarms
// added later by AddAlarm included.
func autoRollback(c *awscodedeploy.AutoRollbackConfig) *awscodedeploy.AutoRollbackConfig {
	out := &awscodedeploy.AutoRollbackConfig{FailedDeployment: jsii.Bool(true), StoppedDeployment: jsii.Bool(true)}
	if c == nil {
		return out
	}
	if c.FailedDeployment != nil {
		out.FailedDeployment = c.FailedDeployment
	}
	if c.StoppedDeployment != nil {
		out.StoppedDeployment = c.StoppedDeployment
	}
	if c.DeploymentInAlarm != nil && !*c.DeploymentInAlarm {
		out.DeploymentInAlarm = jsii.Bool(false)
	}
	return out
}

// isRole tells a role declared in this app, which takes grants, from an imported one.
func isRole(r awsiam.IRole) bool {
	_, ok := r.(awsiam.Role)
	return ok
}

// warnHookName warns when CodeDeploy may not be allowed to invoke hook: the group's role
// is imported, so the invoke grant may go nowhere (an immutable import drops it), and
// then only the managed policy AWSCodeDeployRoleForLambdaLimited lets it invoke a hook,
// which it does for functions named CodeDeployHook_* alone.
func (v *VersionedFunction) warnHookName(field string, hook awslambda.IFunction) {
	if hook == nil || !v.importedRole {
		return
	}
	name := hook.FunctionName()
	if name == nil || *awscdk.Token_IsUnresolved(name) || strings.HasPrefix(*name, codeDeployHookPrefix) {
		return
	}
	reportWarning(v.Construct, "golive:hookName", fmt.Sprintf(
		"%s: %q with an imported Deployment.Role: if that role cannot take the invoke grant, CodeDeploy may invoke only functions named %s* "+
			"(AWSCodeDeployRoleForLambdaLimited); name the hook so, or grant the role lambda:InvokeFunction on it", field, *name, codeDeployHookPrefix))
}

// codeDeployHookPrefix is the name prefix of the functions AWSCodeDeployRoleForLambdaLimited
// lets CodeDeploy invoke.
const codeDeployHookPrefix = "CodeDeployHook_"

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

// hookProblem is what is wrong with hook as field's hook of one's own, "" when nothing
// (nil included): Deployment.PreHook and PostHook and AddPreHook and AddPostHook take the
// same functions.
func hookProblem(field string, hook awslambda.IFunction) string {
	if hook == nil {
		return ""
	}
	if name := hook.FunctionName(); name != nil && !*awscdk.Token_IsUnresolved(name) && !lambdarules.ValidFunctionName(*name) {
		return fmt.Sprintf("%s: function name %q; want %s", field, *name, lambdarules.FunctionName.Allowed)
	}
	// CDK reads a name out of a qualified ARN too; the qualifier would be dropped, and the
	// deployment would run a hook other than the one named.
	if arn := hook.FunctionArn(); arn != nil && !*awscdk.Token_IsUnresolved(arn) && !hooksettings.HookFunctionRe.MatchString(*arn) {
		return fmt.Sprintf("%s: function ARN %q; want %s", field, *arn, lambdarules.HookFunction.Allowed)
	}
	return ""
}

// validateDeployment checks what Deployment itself declares; nil is valid (no CodeDeploy).
func validateDeployment(d *Deployment, ss *stackScope) []string {
	if d == nil {
		return nil
	}
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	for _, h := range []struct {
		field string
		fn    awslambda.IFunction
	}{{"PreHook", d.PreHook}, {"PostHook", d.PostHook}} {
		if p := hookProblem("Deployment."+h.field, h.fn); p != "" {
			problems = append(problems, p)
		}
	}
	if d.Smoke != nil && d.PreHook != nil {
		add("Deployment.Smoke: set with a PreHook; a deployment runs one pre-traffic hook: drop one of the two")
	}
	if d.Bake != nil && d.PostHook != nil {
		add("Deployment.Bake: set with a PostHook; a deployment runs one post-traffic hook: drop one of the two")
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
		for i, p := range s.Ignore {
			if err := hooksettings.CheckIgnorePointer(p); err != nil {
				add("Deployment.Smoke.Ignore[%d]: %v", i, err)
			}
		}
		if len(s.Ignore) > 0 && !s.Compare {
			add("Deployment.Smoke.Ignore: set without Compare; want Compare true, or no Ignore: Ignore lists where the current and the new version's responses may differ")
		}
		if s.Timeout != nil {
			ms, ok := ss.millis(s.Timeout)
			if !ok || ms < 1000 || ms > hooksettings.MaxSmokeTimeoutS*1000 || math.Mod(ms, 1000) != 0 {
				add("Deployment.Smoke.Timeout: got %s; want whole seconds from 1 to %d (the hook runs in one Lambda invocation), or nil for %d seconds",
					durationString(s.Timeout), hooksettings.MaxSmokeTimeoutS, hooksettings.DefaultSmokeTimeoutS)
			}
		}
	}
	if b := d.Bake; b != nil {
		ms, ok := 0.0, false
		if b.Wait != nil {
			ms, ok = ss.millis(b.Wait)
		}
		if !ok || ms < 60000 || ms > hooksettings.MaxBakeMinutes*60000 || math.Mod(ms, 60000) != 0 {
			add("Deployment.Bake.Wait: got %s; want whole minutes from 1 to %d (the hook waits and judges in one Lambda invocation of at most 15 minutes)",
				durationString(b.Wait), hooksettings.MaxBakeMinutes)
		}
		if !d.Thresholds.any() {
			add("Deployment.Bake: set without Thresholds.ErrorRatePercent or Thresholds.P99Duration; a bake judges the new version against them: set one")
		}
	}
	t := d.Thresholds
	if r := t.ErrorRatePercent; r != nil && !lambdarules.ValidErrorRate(*r) {
		add("Deployment.Thresholds.ErrorRatePercent: got %g; want %s", *r, lambdarules.ErrorRatePercent.Allowed)
	}
	if t.P99Duration != nil {
		if ms, ok := ss.millis(t.P99Duration); !ok || ms <= 0 {
			add("Deployment.Thresholds.P99Duration: got %s; want more than 0 ms, known at synth", durationString(t.P99Duration))
		}
	}
	// The thresholds make one rollback alarm; each alarm of one's own is one more.
	n := len(d.Alarms)
	if d.Thresholds.any() {
		n++
	}
	if n > lambdarules.MaxAlarms {
		add("Deployment.Alarms: got %d alarms with the rollback alarm; want %s", n, lambdarules.Alarms.Allowed)
	}
	for i, a := range d.Alarms {
		if a == nil {
			add("Deployment.Alarms[%d]: nil; want an awscloudwatch.IAlarm, e.g. Alarm_FromAlarmName", i)
		}
	}
	problems = append(problems, validateNotifications(d.NotificationTopics)...)
	if t.ErrorRateRelative && t.ErrorRatePercent == nil {
		add("Deployment.Thresholds.ErrorRateRelative: set without ErrorRatePercent; want ErrorRatePercent, the margin the new version's error rate may exceed the old one's by")
	}
	if m := t.MinInvocations; m != nil && !lambdarules.ValidMinInvocations(*m) {
		add("Deployment.Thresholds.MinInvocations: got %g; want %s (default %d)", *m, lambdarules.MinInvocations.Allowed, hooksettings.DefaultMinInvocations)
	}
	return problems
}

// durationString shows a Duration in an error message; nil is "nil".
func durationString(d awscdk.Duration) string {
	if d == nil {
		return "nil"
	}
	if *d.IsUnresolved() {
		return "a token resolved at deploy"
	}
	return *d.ToHumanString()
}
