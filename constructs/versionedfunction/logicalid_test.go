package versionedfunction_test

import (
	"maps"
	"slices"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
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
