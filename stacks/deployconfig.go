package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
)

// predefined maps config's deployment types to CodeDeploy's predefined Lambda configs.
var predefined = map[string]func() awscodedeploy.ILambdaDeploymentConfig{
	"AllAtOnce":                     awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE,
	"Canary10Percent5Minutes":       awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES,
	"Canary10Percent10Minutes":      awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_10MINUTES,
	"Canary10Percent15Minutes":      awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_15MINUTES,
	"Canary10Percent30Minutes":      awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_30MINUTES,
	"Linear10PercentEvery1Minute":   awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_1MINUTE,
	"Linear10PercentEvery2Minutes":  awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_2MINUTES,
	"Linear10PercentEvery3Minutes":  awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_3MINUTES,
	"Linear10PercentEvery10Minutes": awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_10MINUTES,
}

// deploymentConfigs hands out one config object per distinct deployment type of a stack:
// a custom shift is an AWS::CodeDeploy::DeploymentConfig resource, declared once however
// many functions use it.
type deploymentConfigs struct {
	scope constructs.Construct
	byKey map[string]awscodedeploy.ILambdaDeploymentConfig
}

func (d *deploymentConfigs) get(dep config.Deployment) awscodedeploy.ILambdaDeploymentConfig {
	key := dep.Type
	if c := dep.Custom; dep.Type == config.DeploymentCustom && c != nil {
		kind := "Canary"
		if c.Linear {
			kind = "Linear"
		}
		key = fmt.Sprintf("%s%dPercent%dMinutes", kind, c.Percent, c.IntervalMinutes)
	}
	if cfg, ok := d.byKey[key]; ok {
		return cfg
	}
	if d.byKey == nil {
		d.byKey = map[string]awscodedeploy.ILambdaDeploymentConfig{}
	}
	var cfg awscodedeploy.ILambdaDeploymentConfig
	if f, ok := predefined[key]; ok {
		cfg = f()
	} else {
		cfg = customConfig(d.scope, key, dep.Custom)
	}
	d.byKey[key] = cfg
	return cfg
}

func customConfig(scope constructs.Construct, id string, c *config.CustomShift) awscodedeploy.ILambdaDeploymentConfig {
	if c == nil {
		// config validation guarantees Custom for any type that is not predefined.
		panic(fmt.Sprintf("deployment type %q is neither predefined nor custom", id))
	}
	interval := awscdk.Duration_Minutes(jsii.Number(float64(c.IntervalMinutes)))
	var routing awscodedeploy.TrafficRouting
	if c.Linear {
		routing = awscodedeploy.TrafficRouting_TimeBasedLinear(&awscodedeploy.TimeBasedLinearTrafficRoutingProps{
			Interval: interval, Percentage: jsii.Number(float64(c.Percent)),
		})
	} else {
		routing = awscodedeploy.TrafficRouting_TimeBasedCanary(&awscodedeploy.TimeBasedCanaryTrafficRoutingProps{
			Interval: interval, Percentage: jsii.Number(float64(c.Percent)),
		})
	}
	return awscodedeploy.NewLambdaDeploymentConfig(scope, jsii.String("Deployment"+id), &awscodedeploy.LambdaDeploymentConfigProps{
		TrafficRouting: routing,
	})
}
