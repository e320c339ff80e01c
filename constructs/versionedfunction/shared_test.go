package versionedfunction_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

// logicalIDs returns the logical ids of tpl's resources of typ.
func logicalIDs(tpl assertions.Template, typ string) []string {
	var ids []string
	for id := range *tpl.FindResources(jsii.String(typ), nil) {
		ids = append(ids, id)
	}
	return ids
}

// TestSharedOfIsFoundInTheTree: the stack's application and role are its child
// "CodeDeploy", declared by the first caller (here with a name) and found by the
// functions, so the logical ids of a deployed stack never change.
func TestSharedOfIsFoundInTheTree(t *testing.T) {
	for _, named := range []bool{true, false} {
		t.Run(fmt.Sprintf("named=%v", named), func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			var first *versionedfunction.Shared
			if named {
				first = versionedfunction.SharedOf(stack, &versionedfunction.SharedProps{ApplicationName: "test-app"})
			}
			a := versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: canary()})
			versionedfunction.New(stack, "B", &versionedfunction.Props{FunctionName: "b", Entry: entry, LiveVersion: "4", Deployment: canary()})
			again := versionedfunction.SharedOf(a.Construct, nil)
			if named {
				// The same name again is the same construct.
				again = versionedfunction.SharedOf(stack, &versionedfunction.SharedProps{ApplicationName: "test-app"})
			}
			if first != nil && *again.Application.Node().Path() != *first.Application.Node().Path() {
				t.Errorf("SharedOf found %s, want %s", *again.Application.Node().Path(), *first.Application.Node().Path())
			}
			if got := *again.Node().Path(); got != "Test/"+versionedfunction.SharedID {
				t.Errorf("Shared path = %s, want Test/%s", got, versionedfunction.SharedID)
			}

			tpl := assertions.Template_FromStack(stack, nil)
			apps := logicalIDs(tpl, "AWS::CodeDeploy::Application")
			if len(apps) != 1 || !strings.HasPrefix(apps[0], "CodeDeployApplication") {
				t.Errorf("CodeDeploy applications %v, want one with logical id CodeDeployApplication…", apps)
			}
			roles := *tpl.FindResources(jsii.String("AWS::IAM::Role"), &map[string]any{
				"Properties": map[string]any{"AssumeRolePolicyDocument": assumedBy("codedeploy.amazonaws.com")},
			})
			for id := range roles {
				if len(roles) != 1 || !strings.HasPrefix(id, "CodeDeployServiceRole") {
					t.Errorf("CodeDeploy roles %d (%s), want one with logical id CodeDeployServiceRole…", len(roles), id)
				}
			}
			groups := map[string]any{"ApplicationName": map[string]any{"Ref": apps[0]}}
			tpl.ResourcePropertiesCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), groups, jsii.Number(2))
			if named {
				tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::Application"), map[string]any{"ApplicationName": "test-app"})
			}
		})
	}
}

func TestSharedOfRefuses(t *testing.T) {
	tests := []struct {
		name    string
		declare func(stack awscdk.Stack)
		want    string
	}{
		{"another construct with its id", func(stack awscdk.Stack) {
			constructs.NewConstruct(stack, jsii.String("CodeDeploy"))
			versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: canary()})
		}, `Test/CodeDeploy: the stack's child "CodeDeploy" is not golive's shared CodeDeploy application and role`},
		{"a name after it was declared", func(stack awscdk.Stack) {
			versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: canary()})
			versionedfunction.SharedOf(stack, &versionedfunction.SharedProps{ApplicationName: "late"})
		}, `Test/CodeDeploy: ApplicationName: got "late", but the stack's CodeDeploy application was already declared with a generated name`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
			tt.declare(stack)
			if got := strings.Join(synthcheck.Errors(stack), "; "); !strings.Contains(got, tt.want) {
				t.Errorf("synth errors = %q, want one containing %q", got, tt.want)
			}
		})
	}
}
