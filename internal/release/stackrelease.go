package release

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/plan"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// Without config.json (--stack), how a function's next deploy releases it is read from what
// the stack deployed, the settings that release will run with unless the same deploy
// changes them:
//   - the shift: the function's deployment group (named after the function, as the construct
//     names it) gives its deploymentConfigName (GetDeploymentGroup), and that configuration
//     its trafficRoutingConfig (GetDeploymentConfig), CodeDeploy's own predefined ones too:
//     "a list of deployment configurations, including built-in configurations such as
//     CodeDeployDefault.OneAtATime" (CodeDeploy API Reference, ListDeploymentConfigs) are the
//     account's, and GetDeploymentConfig reads "a deployment configuration associated with
//     the user or AWS account" (its SDK doc comment), whose TrafficRoutingConfig is "used for
//     deployments with a Lambda or Amazon ECS compute platform" (types.DeploymentConfigInfo);
//   - the smoke test and the bake: the shipped hooks' settings for the group, in the hook
//     functions' environment (hooksettings), read with GetFunctionConfiguration and parsed
//     by the hook's own parser: they are exactly what the hooks will check;
//   - the rollback alarm and its min_invocations: the group's alarmConfiguration names the
//     alarm (resourcenames.RollbackAlarmName of the deployed version), which CodeDeploy
//     watches only while "enabled" (types.AlarmConfiguration), and DescribeAlarms gives its
//     metric math, from which hooksettings reads min_invocations back. The bake's settings
//     carry the same min_invocations (the construct writes one value into both); without a
//     bake the alarm is the only place it is deployed.
//
// Traffic hooks of one's own are named only in the alias's UpdatePolicy, which no API but
// the template shows: the timeline leaves them out.

// GroupAPI reads a deployment group and its deployment configuration; *codedeploy.Client
// implements it.
type GroupAPI interface {
	GetDeploymentGroup(ctx context.Context, params *codedeploy.GetDeploymentGroupInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentGroupOutput, error)
	GetDeploymentConfig(ctx context.Context, params *codedeploy.GetDeploymentConfigInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentConfigOutput, error)
}

// AlarmAPI reads the rollback alarm's metric math; *cloudwatch.Client implements it.
type AlarmAPI interface {
	DescribeAlarms(ctx context.Context, params *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

var (
	_ GroupAPI = (*codedeploy.Client)(nil)
	_ AlarmAPI = (*cloudwatch.Client)(nil)
)

// stackHooks reads the shipped hooks' settings of a stack once, on first need, for every
// function planned.
type stackHooks struct {
	once    sync.Once
	targets map[string]hooksettings.HookTarget
	err     error
}

func (h *stackHooks) get(ctx context.Context, e *Env) (map[string]hooksettings.HookTarget, error) {
	h.once.Do(func() { h.targets, h.err = e.readHooks(ctx) })
	return h.targets, h.err
}

// readHooks reads the settings of every shipped hook of the stack, by deployment group. A
// function whose logical ID merely looks like a hook's but whose environment names no hook
// phase is not one.
func (e *Env) readHooks(ctx context.Context) (map[string]hooksettings.HookTarget, error) {
	out := map[string]hooksettings.HookTarget{}
	for _, name := range e.Target.HookFunctions {
		c, err := e.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)})
		if err != nil {
			return nil, fmt.Errorf("read the settings of hook %s of stack %s: %w", name, e.Target.Stack, err)
		}
		if c.Environment == nil {
			continue
		}
		if c.Environment.Error != nil {
			// "Error messages for environment variables that couldn't be applied"
			// (types.EnvironmentResponse): the settings the hook runs with are unknown.
			return nil, fmt.Errorf("read the settings of hook %s of stack %s: Lambda answers %s: %s", name, e.Target.Stack,
				aws.ToString(c.Environment.Error.ErrorCode), aws.ToString(c.Environment.Error.Message))
		}
		vars := c.Environment.Variables
		if phase := vars[hooksettings.HookPhaseEnv]; phase != hooksettings.HookPhaseSmoke && phase != hooksettings.HookPhaseBake {
			continue
		}
		environ := make([]string, 0, len(vars))
		for k, v := range vars {
			environ = append(environ, k+"="+v)
		}
		targets, err := hooksettings.ParseHookTargets(environ)
		if err != nil {
			return nil, fmt.Errorf("read the settings of hook %s of stack %s: %w", name, e.Target.Stack, err)
		}
		for g, t := range targets {
			have := out[g]
			if t.Smoke != nil {
				have.Smoke = t.Smoke
			}
			if t.Bake != nil {
				have.Bake = t.Bake
			}
			have.Group, have.Function, have.Alias = t.Group, t.Function, t.Alias
			out[g] = have
		}
	}
	return out, nil
}

// deployedRelease is what fn's next deploy runs through CodeDeploy, read from the stack
// deployed with version from (see above); why says why nothing is planned.
func (e *Env) deployedRelease(ctx context.Context, fn Function, from, to string, hooks *stackHooks) (*plan.Release, string, error) {
	if e.Groups == nil || e.Alarms == nil {
		return nil, fmt.Sprintf("CodeDeploy moves %s from %s to %s; golive reads no deployment group here", AliasOf(fn), from, to), nil
	}
	app, group := e.Target.Application, fn.GroupName()
	g, err := e.Groups.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group)})
	if hasCode(err, "DeploymentGroupDoesNotExistException") {
		// The construct makes no group for a function without a Deployment, whose alias
		// CloudFormation moves at once (an adopted group of another name is found by the
		// stack's DeploymentGroup<Key> output): there is no canary golive can judge.
		return nil, fmt.Sprintf("no CodeDeploy deployment group %s in application %s: CloudFormation moves %s from %s to %s at once if the function has no Deployment",
			group, app, AliasOf(fn), from, to), nil
	}
	if err != nil {
		return nil, "", fmt.Errorf("read deployment group %s of application %s: %w", group, app, err)
	}
	info := g.DeploymentGroupInfo
	if info == nil || aws.ToString(info.DeploymentConfigName) == "" {
		return nil, "", fmt.Errorf("deployment group %s of application %s names no deployment configuration", group, app)
	}
	shift, err := e.shift(ctx, aws.ToString(info.DeploymentConfigName))
	if err != nil {
		return nil, "", err
	}
	r := &plan.Release{Alias: AliasOf(fn), Shift: shift}

	targets, err := hooks.get(ctx, e)
	if err != nil {
		return nil, "", err
	}
	t := targets[group]
	if t.Smoke != nil {
		r.Smoke = time.Duration(t.Smoke.TimeoutS) * time.Second
	}
	if t.Bake != nil {
		r.BakeMinutes, r.MinInvocations = t.Bake.Minutes, t.Bake.MinInvocations
	}

	alarm := resourcenames.RollbackAlarmName(fn.FunctionName, AliasOf(fn), from)
	if ac := info.AlarmConfiguration; ac != nil && ac.Enabled && slices.ContainsFunc(ac.Alarms, func(a cdtypes.Alarm) bool { return aws.ToString(a.Name) == alarm }) {
		min, found, err := e.alarmMinInvocations(ctx, alarm)
		if err != nil {
			return nil, "", err
		}
		if found {
			r.Alarm = true
			if t.Bake == nil {
				r.MinInvocations = min
			}
		}
	}
	return r, "", nil
}

// shift is the traffic shift of the deployment configuration name.
func (e *Env) shift(ctx context.Context, name string) (plan.Shift, error) {
	out, err := e.Groups.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String(name)})
	if err != nil {
		return plan.Shift{}, fmt.Errorf("read deployment configuration %s: %w", name, err)
	}
	var tr *cdtypes.TrafficRoutingConfig
	if out.DeploymentConfigInfo != nil {
		tr = out.DeploymentConfigInfo.TrafficRoutingConfig
	}
	var s plan.Shift
	switch {
	case tr == nil:
	case tr.Type == cdtypes.TrafficRoutingTypeTimeBasedCanary && tr.TimeBasedCanary != nil:
		s = plan.Canary(int(tr.TimeBasedCanary.CanaryPercentage), int(tr.TimeBasedCanary.CanaryInterval))
	case tr.Type == cdtypes.TrafficRoutingTypeTimeBasedLinear && tr.TimeBasedLinear != nil && tr.TimeBasedLinear.LinearPercentage > 0:
		s = plan.Linear(int(tr.TimeBasedLinear.LinearPercentage), int(tr.TimeBasedLinear.LinearInterval))
	case tr.Type == cdtypes.TrafficRoutingTypeAllAtOnce:
		s = plan.Shift{Name: "all at once", Steps: []plan.Step{{Percent: 100}}}
	}
	if len(s.Steps) == 0 {
		return plan.Shift{}, fmt.Errorf("deployment configuration %s has no traffic routing for Lambda (TimeBasedCanary, TimeBasedLinear or AllAtOnce)", name)
	}
	// CodeDeploy's own configurations read as config.json names them; a custom one also
	// says how it shifts.
	if strings.HasPrefix(name, "CodeDeployDefault.") {
		s.Name = name
	} else {
		s.Name = name + " (" + s.Name + ")"
	}
	return s, nil
}

// alarmMinInvocations reads the rollback alarm's min_invocations from its metric math;
// found is false when CloudWatch has no such alarm.
func (e *Env) alarmMinInvocations(ctx context.Context, name string) (min int, found bool, err error) {
	out, err := e.Alarms.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{name}})
	if err != nil {
		return 0, false, fmt.Errorf("read rollback alarm %s: %w", name, err)
	}
	for _, a := range out.MetricAlarms {
		if aws.ToString(a.AlarmName) != name {
			continue
		}
		for _, q := range a.Metrics {
			if q.ReturnData != nil && !*q.ReturnData || q.Expression == nil {
				continue
			}
			if min, ok := hooksettings.RollbackAlarmMinInvocations(*q.Expression); ok {
				return min, true, nil
			}
			return 0, false, fmt.Errorf("rollback alarm %s: its metric math %q is not the construct's, so golive cannot read min_invocations from it", name, *q.Expression)
		}
		return 0, false, fmt.Errorf("rollback alarm %s has no metric math, so golive cannot read min_invocations from it", name)
	}
	return 0, false, nil
}
