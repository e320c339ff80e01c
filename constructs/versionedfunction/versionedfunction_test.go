package versionedfunction_test

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

func TestMain(m *testing.M) {
	// aws-cdk-lib's built-in template validation only warns without the
	// validateAgainstDefaultRules flag, which these apps do not set, and no test reads its
	// warnings; cfn-lint is the template check. Off, each synth is about 2 s cheaper.
	os.Setenv("CDK_VALIDATION", "false")
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

const entry = "../../functions/worker"

func ptr(f float64) *float64 { return &f }

func ms(n float64) awscdk.Duration { return awscdk.Duration_Millis(jsii.Number(n)) }

func minutes(n float64) awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(n)) }

func canary() *versionedfunction.Deployment {
	return &versionedfunction.Deployment{
		Config:     awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES(),
		Thresholds: versionedfunction.Thresholds{ErrorRatePercent: ptr(1), P99Duration: ms(2000)},
	}
}

// synth declares the functions in a fresh stack and returns its template.
func synth(t *testing.T, props ...*versionedfunction.Props) (assertions.Template, []*versionedfunction.VersionedFunction) {
	t.Helper()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	var fns []*versionedfunction.VersionedFunction
	for i, p := range props {
		fns = append(fns, versionedfunction.New(stack, fmt.Sprintf("Fn%d", i), p))
	}
	return assertions.Template_FromStack(stack, nil), fns
}

func TestLatestAliasHasNoCodeDeploy(t *testing.T) {
	// GIVEN a function that follows $LATEST, even with a deployment configured
	tpl, fns := synth(t, &versionedfunction.Props{FunctionName: "demo-sbx-worker", Entry: entry, Deployment: canary()})

	// THEN LIVE points at $LATEST and nothing of CodeDeploy exists
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{
		"Name": "LIVE", "FunctionVersion": "$LATEST",
	})
	for _, typ := range []string{"AWS::CodeDeploy::Application", "AWS::CodeDeploy::DeploymentGroup", "AWS::CloudWatch::Alarm", "AWS::Lambda::Version"} {
		tpl.ResourceCountIs(jsii.String(typ), jsii.Number(0))
	}
	tpl.HasResource(jsii.String("AWS::Lambda::Alias"), map[string]any{"UpdatePolicy": assertions.Match_Absent()})
	if fns[0].DeploymentGroup != nil || fns[0].Alarm != nil {
		t.Errorf("DeploymentGroup, Alarm = %v, %v; want nil on $LATEST", fns[0].DeploymentGroup, fns[0].Alarm)
	}
	if got := fns[0].LiveVersion(); got != "$LATEST" {
		t.Errorf("LiveVersion() = %q, want $LATEST", got)
	}
}

func TestFunctionIsBuiltLocallyAndRetained(t *testing.T) {
	tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "demo-sbx-worker", Entry: entry, MemorySize: jsii.Number(256), Timeout: awscdk.Duration_Seconds(jsii.Number(10)),
		Environment: map[string]string{"LOG_LEVEL": "debug"}})
	tpl.HasResource(jsii.String("AWS::Lambda::Function"), map[string]any{
		"DeletionPolicy": "Retain",
		"Properties": map[string]any{
			"FunctionName":  "demo-sbx-worker",
			"Runtime":       "provided.al2023",
			"Handler":       "bootstrap",
			"Architectures": []any{"arm64"},
			"MemorySize":    256,
			"Timeout":       10,
			"Environment":   map[string]any{"Variables": map[string]any{"LOG_LEVEL": "debug"}},
			"Code":          map[string]any{"S3Bucket": assertions.Match_AnyValue(), "S3Key": assertions.Match_StringLikeRegexp(jsii.String("^[0-9a-f]{64}\\.zip$"))},
		},
	})
	// The execution role is kept with the function, or the retained function could not run.
	tpl.HasResource(jsii.String("AWS::IAM::Role"), map[string]any{
		"DeletionPolicy": "Retain",
		"Properties":     map[string]any{"AssumeRolePolicyDocument": assumedBy("lambda.amazonaws.com")},
	})
}

func TestRemovalPolicy(t *testing.T) {
	tests := []struct {
		policy awscdk.RemovalPolicy
		want   string
	}{{"", "Retain"}, {awscdk.RemovalPolicy_DESTROY, "Delete"}}
	for _, tt := range tests {
		t.Run(tt.want, func(t *testing.T) {
			tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2", Deployment: canary(), RemovalPolicy: tt.policy})
			// The function and its execution role; the stack's shared CodeDeploy role is not the
			// function's to keep.
			kept := map[string]any{
				"AWS::Lambda::Function": nil,
				"AWS::IAM::Role":        map[string]any{"Properties": map[string]any{"AssumeRolePolicyDocument": assumedBy("lambda.amazonaws.com")}},
			}
			for typ, props := range kept {
				found := *tpl.FindResources(jsii.String(typ), props)
				if len(found) != 1 {
					t.Fatalf("%d %s, want 1", len(found), typ)
				}
				for id, r := range found {
					if got := (*r)["DeletionPolicy"]; got != tt.want {
						t.Errorf("%s %s DeletionPolicy = %v, want %s", typ, id, got, tt.want)
					}
				}
			}
			tpl.HasResource(jsii.String("AWS::IAM::Role"), map[string]any{
				"Properties":     map[string]any{"AssumeRolePolicyDocument": assumedBy("codedeploy.amazonaws.com")},
				"DeletionPolicy": assertions.Match_Absent(),
			})
			// The alias, group and alarm follow CloudFormation's default.
			for _, typ := range []string{"AWS::Lambda::Alias", "AWS::CodeDeploy::DeploymentGroup", "AWS::CloudWatch::Alarm"} {
				tpl.HasResource(jsii.String(typ), map[string]any{"DeletionPolicy": assertions.Match_Absent()})
			}
		})
	}
}

func TestAssetIsHashedOnBuildOutput(t *testing.T) {
	dir1, sha1, err := versionedfunction.BuildGo(entry, versionedfunction.Arm64, nil)
	if err != nil {
		t.Fatal(err)
	}
	dir2, sha2, err := versionedfunction.BuildGo(entry, versionedfunction.X86_64, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sha1 == sha2 || dir1 == dir2 {
		t.Errorf("arm64 and x86_64 builds share hash %s; want distinct outputs", sha1)
	}
	b, err := os.ReadFile(dir1 + "/bootstrap")
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 4 || string(b[1:4]) != "ELF" {
		t.Errorf("bootstrap is not an ELF binary")
	}
	tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		// CDK stores a custom asset hash hashed once more.
		"Code": map[string]any{"S3Key": fmt.Sprintf("%x.zip", sha256.Sum256([]byte(sha1)))},
	})
}

func TestPinnedCanary(t *testing.T) {
	tpl, fns := synth(t, &versionedfunction.Props{FunctionName: "demo-prd-worker", Entry: entry, LiveVersion: "7", Deployment: canary()})
	fn := fns[0]

	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{"Name": "LIVE", "FunctionVersion": "7"})
	tpl.HasResource(jsii.String("AWS::Lambda::Alias"), map[string]any{
		"UpdatePolicy": map[string]any{"CodeDeployLambdaAliasUpdate": map[string]any{
			"ApplicationName":     assertions.Match_AnyValue(),
			"DeploymentGroupName": assertions.Match_AnyValue(),
		}},
	})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentGroupName":  "demo-prd-worker",
		"DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
		"AutoRollbackConfiguration": map[string]any{
			"Enabled": true,
			"Events":  []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST", "DEPLOYMENT_STOP_ON_ALARM"},
		},
		"AlarmConfiguration": map[string]any{"Enabled": true, "Alarms": []any{map[string]any{"Name": map[string]any{"Ref": assertions.Match_AnyValue()}}}},
	})
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(1))
	versionDims := []any{
		map[string]any{"Name": "ExecutedVersion", "Value": "7"},
		map[string]any{"Name": "FunctionName", "Value": "demo-prd-worker"},
		map[string]any{"Name": "Resource", "Value": "demo-prd-worker:LIVE"},
	}
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		// A new alarm per release: the name carries the version.
		"AlarmName":          "demo-prd-worker-LIVE-v7-rollback",
		"ComparisonOperator": "GreaterThanOrEqualToThreshold",
		"Threshold":          1,
		// 1 out of 3 minutes: a breaching minute whose metrics arrive late still counts
		// while a newer minute is missing or partly reported.
		"EvaluationPeriods": 3,
		"DatapointsToAlarm": 1,
		"TreatMissingData":  "notBreaching",
		"Metrics": assertions.Match_ArrayWith(&[]any{
			// CDK's Alarm gives the expression the id expr_1 and lists the metrics it uses
			// in the order of their ids.
			assertions.Match_ObjectLike(&map[string]any{"Id": "expr_1", "Label": "breaching", "ReturnData": true,
				"Expression": "IF(invocations >= 10 AND (100 * errors / invocations > 1 OR p99 > 2000), 1, 0)"}),
			assertions.Match_ObjectLike(&map[string]any{"Id": "errors", "ReturnData": false, "MetricStat": map[string]any{"Stat": "Sum", "Period": 60,
				"Metric": map[string]any{"MetricName": "Errors", "Namespace": "AWS/Lambda", "Dimensions": versionDims}}}),
			assertions.Match_ObjectLike(&map[string]any{"Id": "invocations", "ReturnData": false, "MetricStat": map[string]any{"Stat": "Sum", "Period": 60,
				"Metric": map[string]any{"MetricName": "Invocations", "Dimensions": versionDims}}}),
			assertions.Match_ObjectLike(&map[string]any{"Id": "p99", "ReturnData": false, "MetricStat": map[string]any{"Stat": "p99", "Period": 60,
				"Metric": map[string]any{"MetricName": "Duration", "Dimensions": versionDims}}}),
		}),
	})
	if fn.DeploymentGroup == nil || fn.Alarm == nil || len(fn.Alarms) != 1 {
		t.Errorf("exported children: group %v, alarm %v, alarms %d; want both set and one alarm", fn.DeploymentGroup, fn.Alarm, len(fn.Alarms))
	}
}

func TestAlarmTermsFollowThresholds(t *testing.T) {
	tests := []struct {
		name   string
		alarms versionedfunction.Thresholds
		extra  []string
		want   string // "" means no alarm resource
		groupN int    // alarms the group watches
	}{
		{name: "error rate only", alarms: versionedfunction.Thresholds{ErrorRatePercent: ptr(2.5)},
			want: "IF(invocations >= 10 AND (100 * errors / invocations > 2.5), 1, 0)", groupN: 1},
		{name: "p99 only", alarms: versionedfunction.Thresholds{P99Duration: ms(800)},
			want: "IF(invocations >= 10 AND (p99 > 800), 1, 0)", groupN: 1},
		{name: "min invocations 50", alarms: versionedfunction.Thresholds{P99Duration: ms(800), MinInvocations: ptr(50)},
			want: "IF(invocations >= 50 AND (p99 > 800), 1, 0)", groupN: 1},
		{name: "error rate relative to the old version", alarms: versionedfunction.Thresholds{ErrorRatePercent: ptr(2), ErrorRateRelative: true},
			want: "IF(invocations >= 10 AND ((100 * errors / invocations > 2 AND 100 * errors / invocations - " +
				"100 * (aliaserrors - errors) / IF((aliasinvocations - invocations) > 0, (aliasinvocations - invocations), 1) > 2)), 1, 0)", groupN: 1},
		{name: "min invocations off", alarms: versionedfunction.Thresholds{ErrorRatePercent: ptr(1), MinInvocations: ptr(0)},
			want: "IF(100 * errors / invocations > 1, 1, 0)", groupN: 1},
		{name: "extra alarms without thresholds", extra: []string{"orders-5xx", "queue-age"}, groupN: 2},
		{name: "nothing", groupN: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := &versionedfunction.Deployment{Config: awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE(), Thresholds: tt.alarms}
			for _, name := range tt.extra {
				d.Alarms = append(d.Alarms, importedAlarm(name))
			}
			tpl, fns := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "3", Deployment: d})
			if tt.want == "" {
				tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(0))
			} else {
				tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
					"Metrics":           assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Expression": tt.want})}),
					"EvaluationPeriods": 3, "DatapointsToAlarm": 1, "TreatMissingData": "notBreaching",
				})
				// FILL would stand in for the newest minute before its late metrics arrive
				// (CloudWatch User Guide, FILL): no query of the alarm may use it.
				if b, _ := json.Marshal(tpl.FindResources(jsii.String("AWS::CloudWatch::Alarm"), nil)); strings.Contains(string(b), "FILL(") {
					t.Errorf("the rollback alarm uses FILL: %s", b)
				}
			}
			if got := len(fns[0].Alarms); got != tt.groupN {
				t.Errorf("len(Alarms) = %d, want %d", got, tt.groupN)
			}
			events := []any{"DEPLOYMENT_FAILURE", "DEPLOYMENT_STOP_ON_REQUEST"}
			if tt.groupN > 0 {
				events = append(events, "DEPLOYMENT_STOP_ON_ALARM")
			}
			tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
				"AutoRollbackConfiguration": map[string]any{"Events": events},
			})
			for _, name := range tt.extra {
				tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
					"AlarmConfiguration": map[string]any{"Alarms": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Name": name})})},
				})
			}
		})
	}
}

func TestRelativeErrorRateReadsTheAliasTotals(t *testing.T) {
	d := &versionedfunction.Deployment{Config: awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE(),
		Thresholds: versionedfunction.Thresholds{ErrorRatePercent: ptr(1), ErrorRateRelative: true}}
	tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "3", Deployment: d})
	aliasDims := []any{
		map[string]any{"Name": "FunctionName", "Value": "f"},
		map[string]any{"Name": "Resource", "Value": "f:LIVE"},
	}
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"Metrics": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Id": "aliaserrors", "MetricStat": map[string]any{"Stat": "Sum",
				"Metric": map[string]any{"MetricName": "Errors", "Dimensions": aliasDims}}}),
			assertions.Match_ObjectLike(&map[string]any{"Id": "aliasinvocations", "MetricStat": map[string]any{"Stat": "Sum",
				"Metric": map[string]any{"MetricName": "Invocations", "Dimensions": aliasDims}}}),
		}),
	})
}

func TestDirectRolloutDropsUpdatePolicyOnly(t *testing.T) {
	tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "1",
		Rollout: versionedfunction.RolloutDirect, Deployment: canary()})
	tpl.HasResource(jsii.String("AWS::Lambda::Alias"), map[string]any{
		"Properties":   map[string]any{"FunctionVersion": "1"},
		"UpdatePolicy": assertions.Match_Absent(),
	})
	// The group and its alarm stay, so the next release is a canary without new resources.
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(1))
}

func TestWeightedRoutingWithoutCodeDeploy(t *testing.T) {
	tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "8",
		Additional: &versionedfunction.WeightedVersion{Version: "7", Weight: jsii.Number(0.25)}})
	tpl.HasResource(jsii.String("AWS::Lambda::Alias"), map[string]any{
		"Properties": map[string]any{
			"FunctionVersion": "8",
			"RoutingConfig": map[string]any{"AdditionalVersionWeights": []any{
				map[string]any{"FunctionVersion": "7", "FunctionWeight": 0.25},
			}},
		},
		"UpdatePolicy": assertions.Match_Absent(),
	})
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(0))
}

func TestImageByDigest(t *testing.T) {
	digest := "sha256:" + strings.Repeat("ab", 32)
	tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "f", Image: &versionedfunction.Image{Repository: "worker", Digest: digest}})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"PackageType": "Image",
	})
	if b, _ := json.Marshal(only(t, tpl, "AWS::Lambda::Function")["Properties"].(map[string]any)["Code"]); !strings.Contains(string(b), "/worker@"+digest) {
		t.Errorf("Code = %s, want an ImageUri ending in /worker@%s", b, digest)
	}
}

func TestImageTagAndCrossAccountRepository(t *testing.T) {
	tpl, _ := synth(t, &versionedfunction.Props{FunctionName: "f",
		Image: &versionedfunction.Image{Repository: "worker", Account: "999999999999", Region: "eu-west-1", Tag: "main"}})
	b, _ := json.Marshal(only(t, tpl, "AWS::Lambda::Function")["Properties"].(map[string]any)["Code"])
	if want := "999999999999.dkr.ecr.eu-west-1."; !strings.Contains(string(b), want) || !strings.Contains(string(b), "/worker:main") {
		t.Errorf("Code = %s, want an ImageUri in %s for worker:main", b, want)
	}
}

func TestPinnedFunctionsShareApplicationAndRole(t *testing.T) {
	d1, d2 := canary(), canary()
	d2.Config = awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_1MINUTE()
	tpl, _ := synth(t,
		&versionedfunction.Props{FunctionName: "a", Entry: entry, LiveVersion: "3", Deployment: d1},
		&versionedfunction.Props{FunctionName: "b", Entry: entry, LiveVersion: "5", Deployment: d2},
		&versionedfunction.Props{FunctionName: "c", Entry: entry},
	)
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::Application"), jsii.Number(1))
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(2))
	// Three execution roles and one CodeDeploy service role.
	tpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(4))
	tpl.ResourcePropertiesCountIs(jsii.String("AWS::IAM::Role"), map[string]any{
		"AssumeRolePolicyDocument": assumedBy("codedeploy.amazonaws.com"),
	}, jsii.Number(1))
}

func TestNoVersionResourceInAnyMode(t *testing.T) {
	tpl, _ := synth(t,
		&versionedfunction.Props{FunctionName: "a", Entry: entry},
		&versionedfunction.Props{FunctionName: "b", Entry: entry, LiveVersion: "3", Deployment: canary()},
		&versionedfunction.Props{FunctionName: "c", Entry: entry, LiveVersion: "3", Rollout: versionedfunction.RolloutDirect, Deployment: canary()},
		&versionedfunction.Props{FunctionName: "d", Entry: entry, LiveVersion: "4", Additional: &versionedfunction.WeightedVersion{Version: "3", Weight: jsii.Number(0.5)}},
	)
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Version"), jsii.Number(0))
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Alias"), jsii.Number(4))
}

func TestGrantInvokeTargetsAlias(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	fn := versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry})
	caller := awsiam.NewRole(stack, jsii.String("Caller"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("states.amazonaws.com"), nil)})
	fn.GrantInvoke(caller)
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
			"Action": "lambda:InvokeFunction", "Effect": "Allow",
			"Resource": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^FnLive"))},
		}}},
	})
}

func TestInvalidProps(t *testing.T) {
	base := func(mut func(p *versionedfunction.Props)) *versionedfunction.Props {
		p := &versionedfunction.Props{FunctionName: "f", Entry: entry}
		mut(p)
		return p
	}
	deploy := func(mut func(d *versionedfunction.Deployment)) *versionedfunction.Props {
		d := canary()
		mut(d)
		return &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "2", Deployment: d}
	}
	tests := []struct {
		name  string
		props *versionedfunction.Props
		want  string
	}{
		{"function name", base(func(p *versionedfunction.Props) { p.FunctionName = "bad name" }), `FunctionName: got "bad name"; want a Lambda function name of 1 to 64 letters`},
		{"no code", base(func(p *versionedfunction.Props) { p.Entry = "" }), "Entry, Image or Function: none is set"},
		{"both codes", base(func(p *versionedfunction.Props) {
			p.Image = &versionedfunction.Image{Repository: "r", Digest: "sha256:x"}
		}), "Entry and Image: both set; set exactly one of Entry, Image and Function"},
		{"image digest", base(func(p *versionedfunction.Props) {
			p.Entry, p.Image = "", &versionedfunction.Image{Repository: "r", Digest: "latest"}
		}), `Image.Digest: got "latest"; want an image digest: "sha256:"`},
		{"image tag when pinned", base(func(p *versionedfunction.Props) {
			p.Entry, p.LiveVersion, p.Image = "", "3", &versionedfunction.Image{Repository: "r", Tag: "latest"}
		}), `Image.Tag: got "latest" with LiveVersion "3"; a pinned function takes its image by digest`},
		{"architecture", base(func(p *versionedfunction.Props) { p.Architecture = "riscv" }), `Architecture: got "riscv"; want "arm64" or "x86_64"`},
		{"memory", base(func(p *versionedfunction.Props) { p.MemorySize = jsii.Number(64) }), "MemorySize: got 64; want an integer from 128 to 10240"},
		{"memory not whole", base(func(p *versionedfunction.Props) { p.MemorySize = jsii.Number(256.5) }), "MemorySize: got 256.5; want an integer from 128 to 10240"},
		{"timeout", base(func(p *versionedfunction.Props) { p.Timeout = ms(1500) }), "Timeout: got 1 second 500 millis; want whole seconds"},
		{"timeout above 15 minutes", base(func(p *versionedfunction.Props) { p.Timeout = minutes(16) }), "Timeout: got 16 minutes; want whole seconds: an integer from 1 to 900"},
		{"weight unset", base(func(p *versionedfunction.Props) {
			p.LiveVersion, p.Additional = "2", &versionedfunction.WeightedVersion{Version: "1"}
		}), "Additional.Weight: not set; want a number greater than 0 and less than 1"},
		{"live version", base(func(p *versionedfunction.Props) { p.LiveVersion = "$LATEST" }), `LiveVersion: got "$LATEST"; want "" ($LATEST) or a positive integer`},
		{"rollout value", base(func(p *versionedfunction.Props) { p.LiveVersion, p.Rollout = "2", "fast" }), `Rollout: got "fast"; want "canary" or "direct"`},
		{"rollout on latest", base(func(p *versionedfunction.Props) { p.Rollout = versionedfunction.RolloutDirect }), `Rollout: got "direct" while LIVE follows $LATEST`},
		{"canary without deployment", base(func(p *versionedfunction.Props) { p.LiveVersion, p.Rollout = "2", versionedfunction.RolloutCanary }), "a canary needs a Deployment"},
		{"weight on latest", base(func(p *versionedfunction.Props) {
			p.Additional = &versionedfunction.WeightedVersion{Version: "1", Weight: jsii.Number(0.1)}
		}), "Additional: set while LIVE follows $LATEST"},
		{"weight on live version", base(func(p *versionedfunction.Props) {
			p.LiveVersion, p.Additional = "2", &versionedfunction.WeightedVersion{Version: "2", Weight: jsii.Number(0.1)}
		}), `Additional.Version: got "2", the LiveVersion itself`},
		{"weight range", base(func(p *versionedfunction.Props) {
			p.LiveVersion, p.Additional = "2", &versionedfunction.WeightedVersion{Version: "1", Weight: jsii.Number(1)}
		}), "Additional.Weight: got 1; want a number greater than 0 and less than 1"},
		{"weight with codedeploy", base(func(p *versionedfunction.Props) {
			p.LiveVersion, p.Additional, p.Deployment = "2", &versionedfunction.WeightedVersion{Version: "1", Weight: jsii.Number(0.5)}, canary()
		}), "an alias left split makes CodeDeploy deployments fail"},
		{"provisioned on latest", base(func(p *versionedfunction.Props) { p.ProvisionedConcurrentExecutions = jsii.Number(1) }), "ProvisionedConcurrentExecutions: got 1"},
		{"weight with provisioned concurrency", base(func(p *versionedfunction.Props) {
			p.LiveVersion, p.Additional, p.ProvisionedConcurrentExecutions = "2", &versionedfunction.WeightedVersion{Version: "1", Weight: jsii.Number(0.5)}, jsii.Number(3)
		}), "ProvisionedConcurrentExecutions: got 3 with Additional; Lambda does not manage provisioned concurrency on an alias split between two versions"},
		{"hook name", deploy(func(d *versionedfunction.Deployment) { d.PreHook = importedFunction("smoke test") }),
			`Deployment.PreHook: function name "smoke test"; want a Lambda function name of 1 to 64 letters, digits, "_" and "-"`},
		{"smoke with pre-traffic hook", deploy(func(d *versionedfunction.Deployment) {
			d.Smoke, d.PreHook = smoke(), importedFunction("check")
		}), "Deployment.Smoke: set with a PreHook; a deployment runs one pre-traffic hook"},
		{"bake with post-traffic hook", deploy(func(d *versionedfunction.Deployment) {
			d.Bake, d.PostHook = &versionedfunction.Bake{Wait: minutes(5)}, importedFunction("check")
		}), "Deployment.Bake: set with a PostHook; a deployment runs one post-traffic hook"},
		{"smoke without events", deploy(func(d *versionedfunction.Deployment) { d.Smoke = &versionedfunction.Smoke{} }),
			"Deployment.Smoke.Events: empty; want at least one JSON event"},
		{"smoke event not JSON", deploy(func(d *versionedfunction.Deployment) {
			d.Smoke = &versionedfunction.Smoke{Events: []json.RawMessage{json.RawMessage(`{"a":`)}}
		}), `Deployment.Smoke.Events[0]: got "{\"a\":"; want a JSON value`},
		{"smoke expect not JSON", deploy(func(d *versionedfunction.Deployment) {
			d.Smoke = smoke()
			d.Smoke.Expect = json.RawMessage(`ok`)
		}), `Deployment.Smoke.Expect: got "ok"; want a JSON value`},
		{"smoke timeout", deploy(func(d *versionedfunction.Deployment) {
			d.Smoke = smoke()
			d.Smoke.Timeout = awscdk.Duration_Seconds(jsii.Number(900))
		}), "Deployment.Smoke.Timeout: got 15 minutes; want whole seconds from 1 to 840"},
		{"smoke timeout not whole seconds", deploy(func(d *versionedfunction.Deployment) {
			d.Smoke = smoke()
			d.Smoke.Timeout = ms(1500)
		}), "Deployment.Smoke.Timeout: got 1 second 500 millis; want whole seconds"},
		{"smoke ignore not a JSON Pointer", deploy(func(d *versionedfunction.Deployment) {
			d.Smoke = smoke()
			d.Smoke.Compare, d.Smoke.Ignore = true, []string{"/requestId", "requestId"}
		}), `Deployment.Smoke.Ignore[1]: got "requestId"; want a JSON Pointer to a part of the response, such as "/requestId"`},
		{"smoke ignore without compare", deploy(func(d *versionedfunction.Deployment) {
			d.Smoke = smoke()
			d.Smoke.Ignore = []string{"/requestId"}
		}), "Deployment.Smoke.Ignore: set without Compare; want Compare true, or no Ignore"},
		{"smoke settings past Lambda's 4 KB environment", deploy(func(d *versionedfunction.Deployment) {
			d.Smoke = &versionedfunction.Smoke{Events: []json.RawMessage{json.RawMessage(`"` + strings.Repeat("x", 4000) + `"`)}}
		}), "the smoke hook's settings reach 4"},
		{"bake minutes", deploy(func(d *versionedfunction.Deployment) { d.Bake = &versionedfunction.Bake{Wait: minutes(15)} }),
			"Deployment.Bake.Wait: got 15 minutes; want whole minutes from 1 to 14"},
		{"bake without wait", deploy(func(d *versionedfunction.Deployment) { d.Bake = &versionedfunction.Bake{} }),
			"Deployment.Bake.Wait: got nil; want whole minutes from 1 to 14"},
		{"bake without threshold", deploy(func(d *versionedfunction.Deployment) {
			d.Bake, d.Thresholds = &versionedfunction.Bake{Wait: minutes(5)}, versionedfunction.Thresholds{}
		}), "Deployment.Bake: set without Thresholds.ErrorRatePercent or Thresholds.P99Duration"},
		{"min invocations", deploy(func(d *versionedfunction.Deployment) { d.Thresholds.MinInvocations = ptr(2.5) }),
			"Deployment.Thresholds.MinInvocations: got 2.5; want an integer from 0 to 1000000"},
		{"relative without error rate", deploy(func(d *versionedfunction.Deployment) {
			d.Thresholds = versionedfunction.Thresholds{P99Duration: ms(100), ErrorRateRelative: true}
		}), "Deployment.Thresholds.ErrorRateRelative: set without ErrorRatePercent"},
		{"threshold", deploy(func(d *versionedfunction.Deployment) { d.Thresholds.P99Duration = ms(0) }),
			"Deployment.Thresholds.P99Duration: got 0 millis; want more than 0 ms"},
		{"error rate zero", deploy(func(d *versionedfunction.Deployment) { d.Thresholds.ErrorRatePercent = ptr(0) }),
			"Deployment.Thresholds.ErrorRatePercent: got 0; want a number greater than 0 and at most 100"},
		{"entry not a package", base(func(p *versionedfunction.Props) { p.Entry = "../../nowhere" }), `entry "`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, fns := synth(t, tt.props)
			err := strings.Join(synthcheck.Errors(fns[0].Node().Scope()), "; ")
			if err == "" {
				t.Fatalf("New accepted invalid props; want a synth error containing %q", tt.want)
			}
			if !strings.Contains(err, tt.want) || !strings.Contains(err, "Test/Fn0: ") {
				t.Errorf("synth errors = %q\nwant one containing %q at the construct path Test/Fn0", err, tt.want)
			}
			// Nothing of the refused function is declared; the hook's settings are checked
			// as the function joins the stack's shared hook, once it is declared.
			if res, _ := (*tpl.ToJSON())["Resources"].(map[string]any); len(res) != 0 && !strings.Contains(tt.want, "hook's settings") {
				t.Errorf("the refused function declares %d resources, want none", len(res))
			}
		})
	}
}

// assumedBy matches a trust policy letting service assume the role.
func assumedBy(service string) any {
	return map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
		assertions.Match_ObjectLike(&map[string]any{"Principal": map[string]any{"Service": service}}),
	})}
}

// only returns the one resource of typ in tpl.
func only(t *testing.T, tpl assertions.Template, typ string) map[string]any {
	t.Helper()
	found := *tpl.FindResources(jsii.String(typ), nil)
	if len(found) != 1 {
		t.Fatalf("%d resources of type %s, want 1", len(found), typ)
	}
	for _, r := range found {
		return *r
	}
	return nil
}

func TestMetricHelpers(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	fn := versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "7"})
	for id, m := range map[string]awscloudwatch.IMetric{
		"Version": fn.MetricVersion("Errors", "7", &awscloudwatch.MetricOptions{Statistic: jsii.String("Sum")}),
		"Alias":   fn.MetricErrors(nil),
	} {
		awscloudwatch.NewAlarm(stack, jsii.String(id), &awscloudwatch.AlarmProps{Metric: m, Threshold: jsii.Number(1), EvaluationPeriods: jsii.Number(1)})
	}
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"MetricName": "Errors", "Statistic": "Sum",
		"Dimensions": []any{
			map[string]any{"Name": "ExecutedVersion", "Value": "7"},
			map[string]any{"Name": "FunctionName", "Value": "f"},
			map[string]any{"Name": "Resource", "Value": "f:LIVE"},
		},
	})
	// The alias metric counts every version behind LIVE.
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"MetricName": "Errors",
		"Dimensions": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Name": "Resource"})}),
	})
	if got := fn.FunctionName(); got != "f" {
		t.Errorf("FunctionName() = %q, want f", got)
	}
}

// TestAliasNameIsTheSharedAlias: the exported DefaultAliasName spells the default for its
// documentation; config, the CLI and the hook default to resourcenames.DefaultAlias, so the
// two must not drift.
func TestAliasNameIsTheSharedAlias(t *testing.T) {
	if versionedfunction.DefaultAliasName != resourcenames.DefaultAlias {
		t.Errorf("DefaultAliasName = %q, want %q (resourcenames.DefaultAlias)", versionedfunction.DefaultAliasName, resourcenames.DefaultAlias)
	}
}
