// Command emptyapp is a Go CDK app with one empty stack (the CLI refuses an app without
// stacks): the floor of every golive synth
// (CDK CLI start, Node and the jsii runtime, aws-cdk-lib's load), which the
// per-environment benchmark subtracts.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	awscdk.NewStack(app, jsii.String("floor"), nil)
	app.Synth(nil)
}
