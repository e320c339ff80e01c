// Command badapp is a CDK app of one's own declaring a VersionedFunction with invalid props,
// which TestCdkSynthReportsConstructErrors runs through the real `cdk synth`.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/golive-dev/golive/constructs/versionedfunction"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("BadApp"), nil)
	orders := versionedfunction.New(stack, "Orders", &versionedfunction.Props{
		FunctionName: "orders api",    // a space: not a Lambda function name
		MemorySize:   jsii.Number(64), // below Lambda's 128 MB
		Image:        &versionedfunction.Image{Repository: "orders", Digest: "sha256:" + "0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f0f"},
		LiveVersion:  "3",
		Deployment:   &versionedfunction.Deployment{},
	})
	// What an app goes on doing with the function: the synth still reaches the errors.
	orders.MetricErrors(nil).CreateAlarm(stack, jsii.String("OrdersErrors"), &awscloudwatch.CreateAlarmOptions{
		Threshold: jsii.Number(1), EvaluationPeriods: jsii.Number(1),
	})
	app.Synth(nil)
}
