package bench

import "testing"

// The per-environment report compares each stack's time share with its resource share;
// that share must be the env's own stack over every stack, by resource count.
func TestResourceShare(t *testing.T) {
	ts := map[string]Template{
		"bench-sbx": {Resources: map[string]int{"AWS::Lambda::Function": 50, "AWS::IAM::Role": 50, "AWS::Lambda::Alias": 50, "AWS::CDK::Metadata": 1}},
		"bench-tst": {Resources: map[string]int{"AWS::Lambda::Function": 50, "AWS::IAM::Role": 50, "AWS::Lambda::Alias": 50, "AWS::CDK::Metadata": 1}},
		"bench-prd": {Resources: map[string]int{"AWS::Lambda::Function": 50, "AWS::IAM::Role": 51, "AWS::Lambda::Alias": 50,
			"AWS::CodeDeploy::DeploymentGroup": 50, "AWS::CloudWatch::Alarm": 50, "AWS::CodeDeploy::Application": 1, "AWS::CDK::Metadata": 1}},
	}
	for env, want := range map[string]float64{"prd": 253.0 / 555, "sbx": 151.0 / 555, "dev": 0} {
		if got := resourceShare(ts, env); got != want {
			t.Errorf("resourceShare(%s) = %.4f, want %.4f", env, got, want)
		}
	}
	if got := resourceShare(nil, "prd"); got != 0 {
		t.Errorf("resourceShare of no templates = %v, want 0", got)
	}
}
