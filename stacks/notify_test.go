package stacks_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"
)

// The env's topics hear about every release of every CodeDeploy function of its stack, and
// CodeDeploy's role may publish to them and nothing else; an env without topics has none.
func TestNotificationsFromConfig(t *testing.T) {
	cfg := load(t, "testdata/full.json")
	topics := []any{"arn:aws:sns:eu-west-1:333333333333:full-releases", "arn:aws:sns:eu-west-1:333333333333:full-on-call"}
	_, tpl := synth(t, cfg, "prd")

	groups := *tpl.FindResources(jsii.String("AWS::CodeDeploy::DeploymentGroup"), nil)
	if len(groups) != 4 {
		t.Fatalf("%d deployment groups, want 4", len(groups))
	}
	for id, g := range groups {
		triggers, _ := (*g)["Properties"].(map[string]any)["TriggerConfigurations"].([]any)
		var targets []any
		for _, tr := range triggers {
			tr := tr.(map[string]any)
			targets = append(targets, tr["TriggerTargetArn"])
			if got := fmt.Sprint(tr["TriggerEvents"]); got != "[DeploymentStart DeploymentSuccess DeploymentFailure DeploymentStop DeploymentRollback]" {
				t.Errorf("%s: trigger events %s", id, got)
			}
		}
		if !slices.Equal(targets, topics) {
			t.Errorf("%s: triggers publish to %v, want %v", id, targets, topics)
		}
	}
	alarms := *tpl.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil)
	if len(alarms) != 4 {
		t.Fatalf("%d rollback alarms, want 4", len(alarms))
	}
	for id, a := range alarms {
		if got, _ := (*a)["Properties"].(map[string]any)["AlarmActions"].([]any); !slices.Equal(got, topics) {
			t.Errorf("%s: alarm actions %v, want %v", id, got, topics)
		}
	}
	// Under @aws-cdk/aws-iam:minimizePolicies the grants merge into one statement.
	var published []string
	for id, p := range *tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil) {
		props := (*p)["Properties"].(map[string]any)
		for _, s := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			if !strings.Contains(fmt.Sprint(st["Action"]), "sns:") {
				continue
			}
			if st["Action"] != "sns:Publish" || st["Effect"] != "Allow" || !strings.HasPrefix(id, "CodeDeployServiceRoleDefaultPolicy") {
				t.Errorf("%s: %v; want only Allow sns:Publish, on CodeDeploy's service role", id, st)
			}
			switch r := st["Resource"].(type) {
			case string:
				published = append(published, r)
			case []any:
				for _, x := range r {
					published = append(published, fmt.Sprint(x))
				}
			}
		}
	}
	slices.Sort(published)
	if want := []string{topics[1].(string), topics[0].(string)}; !slices.Equal(published, want) {
		t.Errorf("sns:Publish on %v, want exactly %v", published, want)
	}

	_, dev := synth(t, cfg, "dev")
	if strings.Contains(fmt.Sprint(*dev.ToJSON()), "sns") {
		t.Error("dev has no notifications in config.json, but its template mentions SNS")
	}
}
