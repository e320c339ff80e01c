package versionedfunction_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

// Adopt gives each resource it names the deployed logical ID, applies the mapping IDs at
// synth to mappings added after New, and keeps the deployment group's and application's
// names as the deployed template has them (none, or the one given).
func TestAdoptKeepsLogicalIDsAndNames(t *testing.T) {
	tests := []struct {
		name      string
		adopt     func(queueArn string) *versionedfunction.Adopt
		appName   string
		wantGroup any // the group's DeploymentGroupName; nil: absent
		wantApp   any
	}{
		{
			name: "names CloudFormation generated (CDK's and SAM's defaults)",
			adopt: func(queueArn string) *versionedfunction.Adopt {
				return &versionedfunction.Adopt{
					FunctionLogicalID: "Worker11F36D0F", AliasLogicalID: "LiveAlias9B8FFEA9",
					DeploymentGroupLogicalID: "DeploymentGroup6D277AF0", GeneratedDeploymentGroupName: true,
					EventSourceMappingLogicalIDs: map[string]string{queueArn: "LiveAliasSqsEventSourceordersQueueD2FC838996B384FA"},
				}
			},
		},
		{
			name: "names the deployed template gives",
			adopt: func(queueArn string) *versionedfunction.Adopt {
				return &versionedfunction.Adopt{
					FunctionLogicalID: "Worker11F36D0F", AliasLogicalID: "LiveAlias9B8FFEA9",
					DeploymentGroupLogicalID: "DeploymentGroup6D277AF0", DeploymentGroupName: "orders-canary",
					EventSourceMappingLogicalIDs: map[string]string{queueArn: "LiveAliasSqsEventSourceordersQueueD2FC838996B384FA"},
				}
			},
			appName: "orders", wantGroup: "orders-canary", wantApp: "orders",
		},
		{
			name: "logical IDs only: the group named after the function",
			adopt: func(queueArn string) *versionedfunction.Adopt {
				return &versionedfunction.Adopt{
					FunctionLogicalID: "Worker11F36D0F", AliasLogicalID: "LiveAlias9B8FFEA9", DeploymentGroupLogicalID: "DeploymentGroup6D277AF0",
					EventSourceMappingLogicalIDs: map[string]string{queueArn: "LiveAliasSqsEventSourceordersQueueD2FC838996B384FA"},
				}
			},
			wantGroup: "orders-prd-worker",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("orders"), nil)
			queue := awssqs.NewQueue(stack, jsii.String("Queue"), nil)
			versionedfunction.SharedOf(stack, &versionedfunction.SharedProps{ApplicationName: tt.appName, ApplicationLogicalID: "DeploymentGroupApplication7B89ABEB"})
			vf := versionedfunction.New(stack, "Worker", &versionedfunction.Props{
				FunctionName: "orders-prd-worker", Entry: entry, LiveVersion: "3", Deployment: canary(),
				Adopt: tt.adopt(*queue.QueueArn()),
			})
			// After New, as an app adds its event sources.
			vf.Alias.AddEventSource(awslambdaeventsources.NewSqsEventSource(queue, nil))
			tmpl := template(app, stack)

			want := map[string]string{
				"Worker11F36D0F":                                     "AWS::Lambda::Function",
				"LiveAlias9B8FFEA9":                                  "AWS::Lambda::Alias",
				"DeploymentGroup6D277AF0":                            "AWS::CodeDeploy::DeploymentGroup",
				"DeploymentGroupApplication7B89ABEB":                 "AWS::CodeDeploy::Application",
				"LiveAliasSqsEventSourceordersQueueD2FC838996B384FA": "AWS::Lambda::EventSourceMapping",
			}
			for id, typ := range want {
				if r, ok := tmpl.Resources[id]; !ok || r.Type != typ {
					t.Errorf("no %s with logical ID %s; resources: %v", typ, id, ids(tmpl))
				}
			}
			group := tmpl.Resources["DeploymentGroup6D277AF0"].Properties
			if got := group["DeploymentGroupName"]; got != tt.wantGroup {
				t.Errorf("DeploymentGroupName = %v, want %v", got, tt.wantGroup)
			}
			if got := tmpl.Resources["DeploymentGroupApplication7B89ABEB"].Properties["ApplicationName"]; got != tt.wantApp {
				t.Errorf("ApplicationName = %v, want %v", got, tt.wantApp)
			}
			// The kept IDs are what the alias and the mapping refer to.
			if got := tmpl.Resources["LiveAlias9B8FFEA9"].Properties["FunctionName"]; !refersTo(got, "Worker11F36D0F") {
				t.Errorf("alias FunctionName = %v, want a Ref to Worker11F36D0F", got)
			}
			if got := tmpl.Resources["LiveAliasSqsEventSourceordersQueueD2FC838996B384FA"].Properties["FunctionName"]; !refersTo(got, "LiveAlias9B8FFEA9") {
				t.Errorf("mapping FunctionName = %v, want one naming LiveAlias9B8FFEA9", got)
			}
			if msgs := synthcheck.Errors(stack); len(msgs) > 0 {
				t.Errorf("synth errors: %v", msgs)
			}
			// golive --stack finds the function's deployments in the group the stack records.
			out, recorded := tmpl.Outputs["DeploymentGroupWorker"]
			switch {
			case tt.wantGroup == "orders-prd-worker" && recorded:
				t.Errorf("output DeploymentGroupWorker %v for a group named after its function; want none", out)
			case tt.wantGroup != "orders-prd-worker" && (!recorded || !refersTo(out["Value"], "DeploymentGroup6D277AF0")):
				t.Errorf("output DeploymentGroupWorker = %v; want the group's name, a Ref to DeploymentGroup6D277AF0", out)
			}
		})
	}
}

// refersTo reports whether v, a property value, holds a Ref to id.
func refersTo(v any, id string) bool {
	b, _ := json.Marshal(v)
	return strings.Contains(string(b), `{"Ref":"`+id+`"}`)
}

func ids(t cfnTemplate) []string {
	var out []string
	for id, r := range t.Resources {
		out = append(out, id+" ("+r.Type+")")
	}
	return out
}

// Every Adopt field refuses a bad value, naming the field, the value and what is allowed.
func TestAdoptRefusals(t *testing.T) {
	pinned := func(a *versionedfunction.Adopt) *versionedfunction.Props {
		return &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "3", Deployment: canary(), Adopt: a}
	}
	onLatest := func(a *versionedfunction.Adopt) *versionedfunction.Props {
		return &versionedfunction.Props{FunctionName: "f", Entry: entry, Adopt: a}
	}
	long := strings.Repeat("A", 256)
	tests := []struct {
		name string
		// build declares the construct in stack.
		build func(stack awscdk.Stack)
		want  string
	}{
		{"function logical id with a dash", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{FunctionLogicalID: "Worker-1"}))
		}, `Test/Fn: Adopt.FunctionLogicalID: got "Worker-1"; want a CloudFormation logical ID: 1 to 255 letters and digits (A-Za-z0-9)`},
		{"alias logical id too long", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{AliasLogicalID: long}))
		}, `Adopt.AliasLogicalID: got "` + long + `"; want a CloudFormation logical ID`},
		{"one logical id twice", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{FunctionLogicalID: "Worker", AliasLogicalID: "Worker"}))
		}, `Adopt.AliasLogicalID: got "Worker", already Adopt.FunctionLogicalID; want the logical ID of another resource`},
		{"log group logical id with a dash", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{LogGroupLogicalID: "Logs-1"}))
		}, `Adopt.LogGroupLogicalID: got "Logs-1"; want a CloudFormation logical ID`},
		{"log group logical id without a log group CDK declares", func(s awscdk.Stack) {
			// No useCdkManagedLogGroup feature flag in this app: the function has no LogGroup.
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{LogGroupLogicalID: "WorkerLogGroup67ABCFFE"}))
		}, `Test/Fn: Adopt.LogGroupLogicalID: "WorkerLogGroup67ABCFFE", but CDK declares no log group for the function (the @aws-cdk/aws-lambda:useCdkManagedLogGroup feature flag is off`},
		{"group logical id with a space", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", pinned(&versionedfunction.Adopt{DeploymentGroupLogicalID: "Deployment Group"}))
		}, `Adopt.DeploymentGroupLogicalID: got "Deployment Group"; want a CloudFormation logical ID`},
		{"group logical id without a group", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{DeploymentGroupLogicalID: "DeploymentGroup6D277AF0"}))
		}, `Adopt.DeploymentGroupLogicalID: set without a deployment group; want it with a pinned LiveVersion and a Deployment`},
		{"group name without a group", func(s awscdk.Stack) {
			p := pinned(&versionedfunction.Adopt{DeploymentGroupName: "g"})
			p.Deployment = nil
			versionedfunction.New(s, "Fn", p)
		}, `Adopt.DeploymentGroupName: set without a deployment group`},
		{"generated group name without a group", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{GeneratedDeploymentGroupName: true}))
		}, `Adopt.GeneratedDeploymentGroupName: set without a deployment group`},
		{"group name too long", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", pinned(&versionedfunction.Adopt{DeploymentGroupName: strings.Repeat("g", 101)}))
		}, `Adopt.DeploymentGroupName: got "` + strings.Repeat("g", 101) + `"; want a CodeDeploy deployment group name of 1 to 100 characters`},
		{"group name and generated", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", pinned(&versionedfunction.Adopt{DeploymentGroupName: "g", GeneratedDeploymentGroupName: true}))
		}, `Adopt.DeploymentGroupName: got "g" with GeneratedDeploymentGroupName; set the name the deployed template gives the group, or GeneratedDeploymentGroupName when it gives none, not both`},
		{"adopted group name with the shipped smoke test", func(s awscdk.Stack) {
			p := pinned(&versionedfunction.Adopt{GeneratedDeploymentGroupName: true})
			p.Deployment.Smoke = &versionedfunction.Smoke{Events: []json.RawMessage{json.RawMessage(`{}`)}}
			versionedfunction.New(s, "Fn", p)
		}, `Deployment.Smoke: set with an adopted deployment group name; golive's shipped hooks find a function's settings by its group's name, which must be the function's`},
		{"mapping id empty", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{EventSourceMappingLogicalIDs: map[string]string{"arn:aws:sqs:us-east-1:111111111111:q": ""}}))
		}, `Adopt.EventSourceMappingLogicalIDs["arn:aws:sqs:us-east-1:111111111111:q"]: empty; want a CloudFormation logical ID`},
		{"mapping id with a dash", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{EventSourceMappingLogicalIDs: map[string]string{"arn:aws:sqs:us-east-1:111111111111:q": "Q-1"}}))
		}, `Adopt.EventSourceMappingLogicalIDs["arn:aws:sqs:us-east-1:111111111111:q"]: got "Q-1"; want a CloudFormation logical ID`},
		{"mapping of an empty arn", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{EventSourceMappingLogicalIDs: map[string]string{"": "Q1"}}))
		}, `Adopt.EventSourceMappingLogicalIDs: an empty event source ARN; want the ARN the mapping reads from, e.g. queue.QueueArn()`},
		{"mapping given but not found (synth)", func(s awscdk.Stack) {
			queue := awssqs.NewQueue(s, jsii.String("Queue"), nil)
			other := awssqs.NewQueue(s, jsii.String("Other"), nil)
			vf := versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{EventSourceMappingLogicalIDs: map[string]string{*other.QueueArn(): "OldMapping"}}))
			vf.Alias.AddEventSource(awslambdaeventsources.NewSqsEventSource(queue, nil))
		}, `Test/Fn: Adopt.EventSourceMappingLogicalIDs[{"Fn::GetAtt":["Other34654A52","Arn"]}]: logical ID "OldMapping", but no event source mapping of alias LIVE reads from it ` +
			`(the alias's mappings read from: {"Fn::GetAtt":["Queue4A7E3555","Arn"]}); add the mapping to the alias (Alias.AddEventSource) or remove the entry`},
		{"mapping of a literal arn not found (synth)", func(s awscdk.Stack) {
			versionedfunction.New(s, "Fn", onLatest(&versionedfunction.Adopt{EventSourceMappingLogicalIDs: map[string]string{"arn:aws:sqs:us-east-1:111111111111:q": "OldMapping"}}))
		}, `Adopt.EventSourceMappingLogicalIDs["arn:aws:sqs:us-east-1:111111111111:q"]: logical ID "OldMapping", but no event source mapping of alias LIVE reads from it (the alias's mappings read from: none)`},
		{"application logical id with a dash", func(s awscdk.Stack) {
			versionedfunction.SharedOf(s, &versionedfunction.SharedProps{ApplicationLogicalID: "App-1"})
		}, `Test/CodeDeploy: ApplicationLogicalID: got "App-1"; want a CloudFormation logical ID: 1 to 255 letters and digits (A-Za-z0-9)`},
		{"application logical id other than the declared one", func(s awscdk.Stack) {
			versionedfunction.SharedOf(s, nil)
			versionedfunction.SharedOf(s, &versionedfunction.SharedProps{ApplicationLogicalID: "ServerlessDeploymentApplication"})
		}, `Test/CodeDeploy: ApplicationLogicalID: got "ServerlessDeploymentApplication", but the stack's CodeDeploy application was already declared with logical ID "CodeDeployApplication86BF9145"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			// Refused at New or found at synth (a mapping given but not found), each is an
			// error annotation.
			tt.build(stack)
			app.Synth(nil)
			got := strings.Join(synthcheck.Errors(stack), "; ")
			if !strings.Contains(got, tt.want) {
				t.Errorf("refusal:\n got %q\nwant it to contain %q", got, tt.want)
			}
		})
	}
}
