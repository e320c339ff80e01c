package versionedfunction_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
)

// Functions of one stack built from one handler run the same S3 object: the asset is
// hashed on the built binary, so CDK stages and uploads it once.
func TestFunctionsOfAStackShareTheirCode(t *testing.T) {
	app := awscdk.NewApp(nil)
	var stacks []awscdk.Stack
	for _, name := range []string{"One", "Two"} {
		stack := awscdk.NewStack(app, jsii.String(name), nil)
		stacks = append(stacks, stack)
		for _, fn := range []string{"a", "b", "c"} {
			versionedfunction.New(stack, fn, &versionedfunction.Props{FunctionName: name + "-" + fn, Entry: entry})
		}
	}
	asm := app.Synth(nil)
	for _, stack := range stacks {
		tpl := asm.GetStackByName(stack.StackName()).Template().(map[string]any)
		keys := map[any]bool{}
		for _, r := range tpl["Resources"].(map[string]any) {
			r := r.(map[string]any)
			if r["Type"] == "AWS::Lambda::Function" {
				keys[r["Properties"].(map[string]any)["Code"].(map[string]any)["S3Key"]] = true
			}
		}
		if len(keys) != 1 {
			t.Errorf("%s: function code keys %v, want one", *stack.StackName(), keys)
		}
	}
}
