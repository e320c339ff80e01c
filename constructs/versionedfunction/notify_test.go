package versionedfunction_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

const releasesArn = "arn:aws:sns:us-east-1:111111111111:releases"

func TestNotificationTopics(t *testing.T) {
	// GIVEN two pinned functions sharing the stack's CodeDeploy role, one told about its
	// releases through Props, the other through AddNotificationTopic after New
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	own := awssns.NewTopic(stack, jsii.String("OnCall"), nil)
	imported := awssns.Topic_FromTopicArn(stack, jsii.String("Releases"), jsii.String(releasesArn))
	d := canary()
	d.NotificationTopics = []awssns.ITopic{imported, own}
	versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: d})
	b := versionedfunction.New(stack, "B", &versionedfunction.Props{FunctionName: "b", Entry: entry, LiveVersion: "5", Deployment: canary()})
	b.AddNotificationTopic(imported)
	b.AddNotificationTopic(imported) // a topic is told once
	tpl := assertions.Template_FromStack(stack, nil)

	ownArn := map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^OnCall"))}
	trigger := func(i int, target any) map[string]any {
		return map[string]any{
			"TriggerName":      fmt.Sprintf("golive-%d", i),
			"TriggerTargetArn": target,
			"TriggerEvents":    []any{"DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback"},
		}
	}
	// THEN each deployment group has one trigger per topic on every deployment event
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentGroupName":   "a",
		"TriggerConfigurations": []any{trigger(1, releasesArn), trigger(2, ownArn)},
	})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentGroupName":   "b",
		"TriggerConfigurations": []any{trigger(1, releasesArn)},
	})
	// AND each rollback alarm notifies the same topics
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"AlarmName": "a-LIVE-v3-rollback", "AlarmActions": []any{releasesArn, ownArn},
	})
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"AlarmName": "b-LIVE-v5-rollback", "AlarmActions": []any{releasesArn},
	})
	// AND CodeDeploy's role may publish to exactly those topics, each granted once
	var publish []any
	for _, p := range *tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil) {
		doc := (*p)["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range doc["Statement"].([]any) {
			st := s.(map[string]any)
			if strings.Contains(fmt.Sprint(st["Action"]), "sns:") {
				if st["Action"] != "sns:Publish" {
					t.Errorf("statement %v: want exactly sns:Publish", st)
				}
				publish = append(publish, st["Resource"])
			}
		}
		roles := fmt.Sprint((*p)["Properties"].(map[string]any)["Roles"])
		if strings.Contains(fmt.Sprint(doc), "sns:") && !strings.Contains(roles, "CodeDeployServiceRole") {
			t.Errorf("sns:Publish granted to %s, want CodeDeploy's service role only", roles)
		}
	}
	got, _ := json.Marshal(publish)
	if string(got) != `["`+releasesArn+`",{"Ref":"`+logicalID(t, tpl, "AWS::SNS::Topic")+`"}]` {
		t.Errorf("sns:Publish resources = %s, want the two topics, each once", got)
	}
}

func logicalID(t *testing.T, tpl assertions.Template, typ string) string {
	t.Helper()
	for id := range *tpl.FindResources(jsii.String(typ), nil) {
		return id
	}
	t.Fatalf("no %s", typ)
	return ""
}

func TestNotificationTopicsRefused(t *testing.T) {
	topics := func(n int, stack awscdk.Stack) []awssns.ITopic {
		var out []awssns.ITopic
		for i := range n {
			out = append(out, awssns.Topic_FromTopicArn(stack, jsii.String(fmt.Sprint("T", i)), jsii.String(fmt.Sprintf("%s%d", releasesArn, i))))
		}
		return out
	}
	tests := []struct {
		name string
		add  func(stack awscdk.Stack)
		want string
	}{
		{"six in props", func(stack awscdk.Stack) {
			d := canary()
			d.NotificationTopics = topics(6, stack)
			versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: d})
		}, "Test/A: Deployment.NotificationTopics: got 6 topics; want at most 5: a CloudWatch alarm takes at most 5 actions"},
		{"nil in props", func(stack awscdk.Stack) {
			d := canary()
			d.NotificationTopics = []awssns.ITopic{nil}
			versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: d})
		}, "Deployment.NotificationTopics[0]: got nil; want an SNS topic"},
		{"a sixth added", func(stack awscdk.Stack) {
			d := canary()
			all := topics(6, stack)
			d.NotificationTopics = all[:5]
			v := versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: d})
			v.AddNotificationTopic(all[5])
		}, "Test/A: AddNotificationTopic: got a topic beyond 5; want at most 5"},
		{"nil added", func(stack awscdk.Stack) {
			v := versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: canary()})
			v.AddNotificationTopic(nil)
		}, "Test/A: AddNotificationTopic: got nil; want an SNS topic"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
			tt.add(stack)
			if got := strings.Join(synthcheck.Errors(stack), "; "); !strings.Contains(got, tt.want) {
				t.Errorf("synth errors %q; want one containing %q", got, tt.want)
			}
		})
	}
}

func TestNotificationTopicWithoutDeployment(t *testing.T) {
	// GIVEN a function on $LATEST told about its releases
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	v := versionedfunction.New(stack, "A", &versionedfunction.Props{FunctionName: "a", Entry: entry})
	v.AddNotificationTopic(awssns.Topic_FromTopicArn(stack, jsii.String("T"), jsii.String(releasesArn)))

	// THEN nothing publishes, and synth says why
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(0))
	assertions.Annotations_FromStack(stack).HasWarning(jsii.String("/Test/A"),
		assertions.Match_StringLikeRegexp(jsii.String("AddNotificationTopic is ignored without a CodeDeploy deployment group")))
}
