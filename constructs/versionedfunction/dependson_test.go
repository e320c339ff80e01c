package versionedfunction_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
)

// TestAliasWaitsForHookGrants holds that the update of the alias, which starts the
// CodeDeploy deployment, comes after every policy that lets CodeDeploy invoke the hooks
// (the group's service role) and lets the hooks report (their own roles): CloudFormation
// orders only what a reference or DependsOn orders, and the alias refers to neither
// policy.
func TestAliasWaitsForHookGrants(t *testing.T) {
	for _, tt := range []struct {
		name string
		set  func(d *versionedfunction.Deployment, stack awscdk.Stack)
		// hookRoles is how many hook roles with policies the stack declares.
		hookRoles int
	}{
		{"shipped smoke and bake", func(d *versionedfunction.Deployment, _ awscdk.Stack) {
			d.Smoke, d.Bake = smoke(), &versionedfunction.Bake{Wait: minutes(3)}
		}, 2},
		{"hooks by name", func(d *versionedfunction.Deployment, stack awscdk.Stack) {
			d.PreHook = awslambda.Function_FromFunctionName(stack, jsii.String("Smoke"), jsii.String("orders-smoke"))
			d.PostHook = awslambda.Function_FromFunctionName(stack, jsii.String("Check"), jsii.String("orders-check"))
		}, 0},
		{"an IFunction of the app", func(d *versionedfunction.Deployment, stack awscdk.Stack) {
			d.PostHook = awslambda.NewFunction(stack, jsii.String("Check"), &awslambda.FunctionProps{
				Runtime: awslambda.Runtime_PYTHON_3_12(), Handler: jsii.String("index.handler"), Code: awslambda.Code_FromInline(jsii.String("def handler(e, c): pass")),
			})
		}, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			d := canary()
			tt.set(d, stack)
			versionedfunction.New(stack, "Fn0", &versionedfunction.Props{FunctionName: "orders", Entry: entry, LiveVersion: "2", Deployment: d})
			tpl := assertions.Template_FromStack(stack, nil)
			resources := (*tpl.ToJSON())["Resources"].(map[string]any)

			var aliasID string
			for id := range *tpl.FindResources(jsii.String("AWS::Lambda::Alias"), nil) {
				aliasID = id
			}
			alias := resources[aliasID].(map[string]any)
			var dependsOn []string
			if deps, ok := alias["DependsOn"].([]any); ok {
				for _, d := range deps {
					dependsOn = append(dependsOn, d.(string))
				}
			}

			// The roles: the group's service role, and each hook function's role.
			group := only(t, tpl, "AWS::CodeDeploy::DeploymentGroup")["Properties"].(map[string]any)
			roles := []string{getAttTarget(t, group["ServiceRoleArn"])}
			upd := alias["UpdatePolicy"].(map[string]any)["CodeDeployLambdaAliasUpdate"].(map[string]any)
			hookRoles := 0
			for _, key := range []string{"BeforeAllowTrafficHook", "AfterAllowTrafficHook"} {
				hook, _ := upd[key].(map[string]any)
				ref, ok := hook["Ref"].(string)
				if !ok {
					continue // no hook, or one by name or ARN: not a resource of the stack
				}
				fn := resources[ref].(map[string]any)["Properties"].(map[string]any)
				roles = append(roles, getAttTarget(t, fn["Role"]))
				hookRoles++
			}
			if hookRoles != tt.hookRoles {
				t.Fatalf("%d hook functions in the stack, want %d", hookRoles, tt.hookRoles)
			}

			// THEN the alias depends on each role and every policy attached to it.
			var want []string
			for id, r := range resources {
				res := r.(map[string]any)
				if res["Type"] != "AWS::IAM::Policy" {
					continue
				}
				b, _ := json.Marshal(res["Properties"].(map[string]any)["Roles"])
				for _, role := range roles {
					if strings.Contains(string(b), `{"Ref":"`+role+`"}`) {
						want = append(want, id)
					}
				}
			}
			// The service role always carries invoke on a hook here, so there is at least
			// its policy to wait for.
			if len(want) < 1+tt.hookRoles {
				t.Fatalf("policies of the roles %v: %v; want the service role's and each hook role's", roles, want)
			}
			want = append(want, roles...)
			for _, id := range want {
				if !slices.Contains(dependsOn, id) {
					t.Errorf("alias %s DependsOn %v; want it to include %s", aliasID, dependsOn, id)
				}
			}
		})
	}
}

// getAttTarget is the logical ID in {"Fn::GetAtt": [ID, "Arn"]}.
func getAttTarget(t *testing.T, v any) string {
	t.Helper()
	m, ok := v.(map[string]any)
	if !ok {
		t.Fatalf("got %v, want an Fn::GetAtt", v)
	}
	ga, ok := m["Fn::GetAtt"].([]any)
	if !ok || len(ga) != 2 {
		t.Fatalf("got %v, want an Fn::GetAtt", v)
	}
	return ga[0].(string)
}
