package watch

import (
	"context"
	"regexp"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
)

// shift is when a deployment's traffic shift started (its AllowTraffic event).
type shift struct{ start time.Time }

// predefined reads the names of CodeDeploy's predefined Lambda configurations:
// CodeDeployDefault.LambdaCanary10Percent5Minutes, ...LambdaLinear10PercentEvery1Minute,
// ...LambdaAllAtOnce (CodeDeploy User Guide, "Deployment configurations on an AWS Lambda
// compute platform", Predefined deployment configurations for an AWS Lambda compute
// platform). Any other name is a custom configuration, read with GetDeploymentConfig.
var predefined = regexp.MustCompile(`^CodeDeployDefault\.Lambda(?:(Canary)(\d+)Percent(\d+)Minutes?|(Linear)(\d+)PercentEvery(\d+)Minutes?|(AllAtOnce))$`)

// shiftDuration is how long a configuration shifts traffic: a canary's interval, a linear
// configuration's interval times its increments after the first ("shifts traffic in equal
// increments with an equal number of minutes between each increment", TimeBasedLinear), 0
// for all at once. ok is false when the configuration is unknown.
func (r *Reader) shiftDuration(ctx context.Context, name string) (time.Duration, bool) {
	if m := predefined.FindStringSubmatch(name); m != nil {
		switch {
		case m[1] != "":
			n, _ := strconv.Atoi(m[3])
			return time.Duration(n) * time.Minute, true
		case m[4] != "":
			pct, _ := strconv.Atoi(m[5])
			n, _ := strconv.Atoi(m[6])
			return linear(int32(pct), int32(n)), true
		}
		return 0, true
	}
	out, err := r.CodeDeploy.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String(name)})
	if err != nil || out.DeploymentConfigInfo == nil || out.DeploymentConfigInfo.TrafficRoutingConfig == nil {
		return 0, false
	}
	tr := out.DeploymentConfigInfo.TrafficRoutingConfig
	switch {
	case tr.Type == cdtypes.TrafficRoutingTypeTimeBasedCanary && tr.TimeBasedCanary != nil:
		return time.Duration(tr.TimeBasedCanary.CanaryInterval) * time.Minute, true
	case tr.Type == cdtypes.TrafficRoutingTypeTimeBasedLinear && tr.TimeBasedLinear != nil:
		return linear(tr.TimeBasedLinear.LinearPercentage, tr.TimeBasedLinear.LinearInterval), true
	case tr.Type == cdtypes.TrafficRoutingTypeAllAtOnce:
		return 0, true
	}
	return 0, false
}

func linear(pct, minutes int32) time.Duration {
	if pct <= 0 {
		return 0
	}
	steps := (100 + pct - 1) / pct
	return time.Duration(steps-1) * time.Duration(minutes) * time.Minute
}

// expectedEnd is when the traffic shift should be over: its start (or, before it started,
// now) plus the configuration's duration; nil when the configuration is unknown.
func (r *Reader) expectedEnd(ctx context.Context, rel *Release) *time.Time {
	if rel.Config == "" {
		return nil
	}
	d, ok := r.shiftDuration(ctx, rel.Config)
	if !ok {
		return nil
	}
	start := r.now()
	if rel.shift != nil {
		start = rel.shift.start
	}
	end := start.Add(d).UTC().Truncate(time.Second)
	return &end
}
