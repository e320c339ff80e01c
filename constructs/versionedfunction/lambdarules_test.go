package versionedfunction

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"

	"github.com/golive-dev/golive/internal/testkit/rulecases"
)

// TestLambdaRules runs the cases config's tests run too (rulecases) through the construct's
// validation: Props must be accepted and refused exactly as config.json is, since both
// check Lambda's and CodeDeploy's rules against internal/lambdarules. It calls what New
// calls before declaring anything (readFacts, validate), so no Go build runs.
func TestLambdaRules(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Rules"), nil)
	check := func(f rulecases.Function, id string) (problems []string) {
		// A value a CDK type cannot hold (a negative Duration) is refused before the
		// construct sees it: CDK panics when it is made.
		defer func() {
			if r := recover(); r != nil {
				problems = []string{fmt.Sprint("CDK refuses the value: ", r)}
			}
		}()
		p := caseProps(stack, f, id)
		facts, problems := readFacts(p, nil)
		return append(problems, validate(p, facts, nil)...)
	}
	if problems := check(rulecases.Base(), "Base"); len(problems) > 0 {
		t.Fatalf("the base case is refused: %s", strings.Join(problems, "; "))
	}
	for i, c := range rulecases.Cases() {
		t.Run(c.Name, func(t *testing.T) {
			problems := check(c.Function, fmt.Sprint("Case", i))
			switch {
			case c.Refused && len(problems) == 0:
				t.Errorf("the construct accepts the case; rule %s refuses it: %+v", c.Rule, c.Function)
			case !c.Refused && len(problems) > 0:
				t.Errorf("the construct refuses the case; rule %s accepts it: %s", c.Rule, strings.Join(problems, "; "))
			}
		})
	}
}

// caseProps writes f as Props; a custom shift becomes a LambdaDeploymentConfig in stack.
func caseProps(stack awscdk.Stack, f rulecases.Function, id string) *Props {
	p := &Props{
		FunctionName: f.FunctionName, AliasName: f.Alias, Entry: "functions/worker", LiveVersion: f.LiveVersion,
		Rollout: Rollout(f.Rollout), Description: f.Description, Environment: f.Environment,
	}
	// A zero count is unset, as in config.
	if f.MemoryMB != 0 {
		p.MemorySize = jsii.Number(float64(f.MemoryMB))
	}
	if f.TimeoutS != 0 {
		p.Timeout = awscdk.Duration_Seconds(jsii.Number(float64(f.TimeoutS)))
	}
	if f.Provisioned != 0 {
		p.ProvisionedConcurrentExecutions = jsii.Number(float64(f.Provisioned))
	}
	if f.ImageDigest != "" || f.ImageTag != "" {
		p.Entry = ""
		p.Image = &Image{Repository: "golive/worker", Digest: f.ImageDigest, Tag: f.ImageTag}
	}
	if a := f.Additional; a != nil {
		p.Additional = &WeightedVersion{Version: a.Version, Weight: jsii.Number(a.Weight)}
	}
	d := f.Deployment
	if d == nil {
		return p
	}
	dep := &Deployment{
		Thresholds: Thresholds{ErrorRatePercent: d.ErrorRatePercent, ErrorRateRelative: d.ErrorRateRelative, MinInvocations: d.MinInvocations},
	}
	if d.P99DurationMs != nil {
		dep.Thresholds.P99Duration = awscdk.Duration_Millis(d.P99DurationMs)
	}
	// A hook by ARN: CDK keeps the name of Function_FromFunctionName only inside an ARN
	// token, which the construct cannot read at synth.
	hook := func(id, ref string) awslambda.IFunction {
		if !strings.HasPrefix(ref, "arn:") {
			ref = "arn:aws:lambda:eu-west-1:333333333333:function:" + ref
		}
		return awslambda.Function_FromFunctionArn(stack, jsii.String(id), jsii.String(ref))
	}
	if d.PreTrafficHook != "" {
		dep.PreHook = hook("Pre"+id, d.PreTrafficHook)
	}
	if d.PostTrafficHook != "" {
		dep.PostHook = hook("Post"+id, d.PostTrafficHook)
	}
	if s := d.Shift; s != nil {
		routing := awscodedeploy.TrafficRouting_TimeBasedCanary(&awscodedeploy.TimeBasedCanaryTrafficRoutingProps{
			Interval: awscdk.Duration_Minutes(jsii.Number(s.IntervalMinutes)), Percentage: jsii.Number(s.Percent)})
		if s.Linear {
			routing = awscodedeploy.TrafficRouting_TimeBasedLinear(&awscodedeploy.TimeBasedLinearTrafficRoutingProps{
				Interval: awscdk.Duration_Minutes(jsii.Number(s.IntervalMinutes)), Percentage: jsii.Number(s.Percent)})
		}
		dep.Config = awscodedeploy.NewLambdaDeploymentConfig(stack, jsii.String("Shift"+id),
			&awscodedeploy.LambdaDeploymentConfigProps{TrafficRouting: routing})
	}
	for i := range d.ExtraAlarms {
		dep.Alarms = append(dep.Alarms, awscloudwatch.Alarm_FromAlarmName(stack, jsii.String(fmt.Sprintf("Extra%s-%d", id, i+1)), jsii.String(fmt.Sprintf("extra-%d", i+1))))
	}
	if d.Smoke {
		dep.Smoke = &Smoke{Events: []json.RawMessage{json.RawMessage(`{"ping": true}`)}}
	}
	if d.BakeMinutes != 0 {
		dep.Bake = &Bake{Wait: awscdk.Duration_Minutes(jsii.Number(float64(d.BakeMinutes)))}
	}
	p.Deployment = dep
	return p
}
