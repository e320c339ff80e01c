package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
)

// deploymentConfigs hands out one config object per distinct deployment type of a stack:
// a custom shift is an AWS::CodeDeploy::DeploymentConfig resource, declared once however
// many functions use it.
type deploymentConfigs struct {
	scope constructs.Construct
	byKey map[string]awscodedeploy.ILambdaDeploymentConfig
}

// get is the config of dep; an error for a custom type without its shift, which config.Load
// refuses (a Config built by hand may hold one).
func (d *deploymentConfigs) get(dep config.Deployment) (awscodedeploy.ILambdaDeploymentConfig, error) {
	key := dep.Type
	if c := dep.Custom; dep.Type == config.DeploymentCustom && c != nil {
		kind := "Canary"
		if c.Linear {
			kind = "Linear"
		}
		key = fmt.Sprintf("%s%dPercent%dMinutes", kind, c.Percent, c.IntervalMinutes)
	}
	if cfg, ok := d.byKey[key]; ok {
		return cfg, nil
	}
	if d.byKey == nil {
		d.byKey = map[string]awscodedeploy.ILambdaDeploymentConfig{}
	}
	var cfg awscodedeploy.ILambdaDeploymentConfig
	if name := config.CodeDeployConfigName(key); name != "" {
		// config's one list of predefined types names the CodeDeploy config; CDK's
		// LambdaDeploymentConfig_* constants are the same references to it.
		cfg = awscodedeploy.LambdaDeploymentConfig_FromLambdaDeploymentConfigName(d.scope, jsii.String("Deployment"+key), jsii.String(name))
	} else if dep.Custom == nil {
		return nil, fmt.Errorf("deployment.type: got %q without deployment.custom; want a predefined type or %q with deployment.custom", dep.Type, config.DeploymentCustom)
	} else {
		cfg = customConfig(d.scope, key, dep.Custom)
	}
	d.byKey[key] = cfg
	return cfg, nil
}

func customConfig(scope constructs.Construct, id string, c *config.CustomShift) awscodedeploy.ILambdaDeploymentConfig {
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
