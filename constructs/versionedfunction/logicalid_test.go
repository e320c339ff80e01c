package versionedfunction_test

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
)

// TestLogicalIDsAreStable holds the promise of docs/versioning.md: the logical IDs of what
// a VersionedFunction declares, and its stack output's key, do not change between
// versions. A changed logical ID makes CloudFormation replace the resource: a new function
// under the same name fails to create beside the retained old one, and the versions the CLI
// published stay on the old. If this test fails, the change breaks every deployed stack:
// keep the IDs, or release it as a new major version with the old and new IDs in
// CHANGELOG.md.
func TestLogicalIDsAreStable(t *testing.T) {
	tests := []struct {
		name    string
		props   versionedfunction.Props
		want    map[string]string // logical ID: resource type
		outputs []string
	}{
		{
			name:  "on $LATEST",
			props: versionedfunction.Props{FunctionName: "orders-sbx-worker", Entry: entry},
			want: map[string]string{
				"WorkerF29CA63A":            "AWS::Lambda::Function",
				"WorkerServiceRoleB344C70A": "AWS::IAM::Role",
				"WorkerLive248EE82B":        "AWS::Lambda::Alias",
			},
			outputs: []string{"LiveVersionWorker"},
		},
		{
			name: "pinned, with a canary and an alarm",
			props: versionedfunction.Props{FunctionName: "orders-prd-worker", Entry: entry, LiveVersion: "7",
				Deployment: &versionedfunction.Deployment{
					Config:     awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES(),
					Thresholds: versionedfunction.Thresholds{ErrorRatePercent: jsii.Number(1)},
				}},
			want: map[string]string{
				"WorkerF29CA63A":                 "AWS::Lambda::Function",
				"WorkerServiceRoleB344C70A":      "AWS::IAM::Role",
				"WorkerLive248EE82B":             "AWS::Lambda::Alias",
				"WorkerDeploymentD62DD3F5":       "AWS::CodeDeploy::DeploymentGroup",
				"WorkerRollbackAlarmAAE1A466":    "AWS::CloudWatch::Alarm",
				"CodeDeployApplication86BF9145":  "AWS::CodeDeploy::Application",
				"CodeDeployServiceRole73476ACF":  "AWS::IAM::Role",
				"GoliveReleaseDashboardCDC6ED86": "AWS::CloudWatch::Dashboard",
			},
			outputs: []string{"LiveVersionWorker", "ReleaseDashboard"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("orders"), nil)
			versionedfunction.New(stack, "Worker", &tt.props)
			tmpl := template(app, stack)
			got := map[string]string{}
			for id, r := range tmpl.Resources {
				got[id] = r.Type
			}
			if !maps.Equal(got, tt.want) {
				t.Errorf("logical IDs changed:\n got %v\nwant %v", got, tt.want)
			}
			for _, o := range tt.outputs {
				if _, ok := tmpl.Outputs[o]; !ok {
					t.Errorf("no stack output %s among %v", o, slices.Sorted(maps.Keys(tmpl.Outputs)))
				}
			}
		})
	}
}

// TestCDKLogicalIDIsCDKs holds the rollback alarm's logical ID: the construct computes, in Go,
// the IDs CDK gives the L2's AWS::CloudWatch::Alarm and the L1 it replaced, and renames the
// one to the other. Each case puts a resource at the components in a stack and compares.
func TestCDKLogicalIDIsCDKs(t *testing.T) {
	long := strings.Repeat("Abc-", 70)
	for _, components := range [][]string{
		{"Worker", "RollbackAlarm"},
		{"Worker", "RollbackAlarm", "Resource"},
		{"order-api", "RollbackAlarm", "Resource"},
		{"Group", "Default", "Worker", "RollbackAlarm"},
		{"Only-One"},
		{"A", "BA", "A", "Resource"},
		{long, "RollbackAlarm"},
		{long + long},
	} {
		t.Run(strings.Join(components, "/")[:min(40, len(strings.Join(components, "/")))], func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("orders"), nil)
			var scope constructs.Construct = stack
			for _, id := range components[:len(components)-1] {
				scope = constructs.NewConstruct(scope, jsii.String(id))
			}
			r := awscdk.NewCfnResource(scope, jsii.String(components[len(components)-1]), &awscdk.CfnResourceProps{Type: jsii.String("Test::Resource")})
			want := *stack.GetLogicalId(r)
			if got := versionedfunction.CDKLogicalID(components); got != want {
				t.Errorf("got %s; want CDK's %s", got, want)
			}
		})
	}
}

// TestRollbackAlarmKeepsItsLogicalIDInAConstruct: a VersionedFunction declared in a construct
// of one's own, not on the stack, keeps the alarm's logical ID too.
func TestRollbackAlarmKeepsItsLogicalIDInAConstruct(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("orders"), nil)
	group := constructs.NewConstruct(stack, jsii.String("Services"))
	versionedfunction.New(group, "Worker", &versionedfunction.Props{FunctionName: "orders-prd-worker", Entry: entry, LiveVersion: "7",
		Deployment: &versionedfunction.Deployment{Thresholds: versionedfunction.Thresholds{ErrorRatePercent: jsii.Number(1)}}})
	// The ID an L1 alarm had at Services/Worker/RollbackAlarm, as CDK gives it.
	other := awscdk.NewStack(app, jsii.String("other"), nil)
	l1 := awscdk.NewCfnResource(constructs.NewConstruct(constructs.NewConstruct(other, jsii.String("Services")), jsii.String("Worker")),
		jsii.String("RollbackAlarm"), &awscdk.CfnResourceProps{Type: jsii.String("AWS::CloudWatch::Alarm")})
	want := *other.GetLogicalId(l1)
	var got []string
	for id, r := range template(app, stack).Resources {
		if r.Type == "AWS::CloudWatch::Alarm" {
			got = append(got, id)
		}
	}
	if len(got) != 1 || got[0] != want {
		t.Errorf("alarm logical IDs %v; want [%s]", got, want)
	}
}
