package versionedfunction

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
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
	// PreTrafficHook and PostTrafficHook are Lambda function names; they must start with
	// CodeDeployHook_, the only functions the managed CodeDeploy policy may invoke.
	// Default: no hook.
	PreTrafficHook  string
	PostTrafficHook string
	// DisableRollbackOnFailure, DisableRollbackOnStop and DisableRollbackOnAlarm turn off
	// automatic rollback. Default: false - a failed, stopped or in-alarm deployment rolls back.
	DisableRollbackOnFailure bool
	DisableRollbackOnStop    bool
	DisableRollbackOnAlarm   bool
}

// Alarms holds thresholds; a nil threshold adds no term to the rollback alarm.
type Alarms struct {
	// ErrorRatePercent breaches when Errors / Invocations * 100 of the new version exceeds it.
	ErrorRatePercent *float64
	// Throttles breaches when the alias is throttled at least this many times a minute.
	Throttles *float64
	// P99DurationMs breaches when the new version's p99 duration exceeds it.
	P99DurationMs *float64
}

func (a Alarms) any() bool {
	return a.ErrorRatePercent != nil || a.Throttles != nil || a.P99DurationMs != nil
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
	if d.PreTrafficHook != "" {
		gp.PreHook = awslambda.Function_FromFunctionName(v.Construct, jsii.String("PreTrafficHook"), jsii.String(d.PreTrafficHook))
	}
	if d.PostTrafficHook != "" {
		gp.PostHook = awslambda.Function_FromFunctionName(v.Construct, jsii.String("PostTrafficHook"), jsii.String(d.PostTrafficHook))
	}
	v.DeploymentGroup = awscodedeploy.NewLambdaDeploymentGroup(v.Construct, jsii.String("Deployment"), gp)

	if props.Rollout == RolloutDirect {
		// The group, its alarms and hooks stay declared, so the next canary needs no new
		// resources; only the alias leaves CodeDeploy's hands for this deploy, which lets
		// CloudFormation move it from $LATEST (the AppSpec cannot name $LATEST) or
		// re-record a version set by an emergency rollback.
		v.Alias.Node().DefaultChild().(awscdk.CfnResource).AddDeletionOverride(jsii.String("UpdatePolicy"))
	}
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
	for _, h := range []struct{ field, name string }{{"PreTrafficHook", d.PreTrafficHook}, {"PostTrafficHook", d.PostTrafficHook}} {
		if h.name != "" && !hookRE.MatchString(h.name) {
			add("Deployment.%s: got %q; want a function name starting with CodeDeployHook_ (the managed CodeDeploy policy invokes only those)", h.field, h.name)
		}
	}
	for _, t := range []struct {
		field string
		v     *float64
	}{{"ErrorRatePercent", d.Alarms.ErrorRatePercent}, {"Throttles", d.Alarms.Throttles}, {"P99DurationMs", d.Alarms.P99DurationMs}} {
		if t.v != nil && *t.v <= 0 {
			add("Deployment.Alarms.%s: got %g; want a positive threshold", t.field, *t.v)
		}
	}
	if r := d.Alarms.ErrorRatePercent; r != nil && *r > 100 {
		add("Deployment.Alarms.ErrorRatePercent: got %g; want a percentage above 0 and at most 100", *r)
	}
	for i, name := range d.ExtraAlarmNames {
		if strings.TrimSpace(name) == "" {
			add("Deployment.ExtraAlarmNames[%d]: got %q; want the name of an existing CloudWatch alarm", i, name)
		}
	}
	return problems
}
