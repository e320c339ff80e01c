// Command goapp is the benchmark's second yardstick: what a Go team writes without golive.
// A Go CDK app on the same aws-cdk-lib declaring, with CDK's own L2 constructs, the same
// resources as golive's app for the same config (as bench/jsapp/app.js does in JavaScript):
// per function a Function (with its role, from the same prebuilt asset), the LIVE alias on
// Version_FromVersionAttributes and, when pinned, a LambdaDeploymentGroup with one
// metric-math rollback Alarm; per stack one CodeDeploy application and service role shared
// by the groups; one output per function; and, with a pinned function, the release
// dashboard (a row of graphs per pinned function) and the output naming it. synthbench checks that the resource counts per
// type are equal.
//
// Context: config=PATH (the generated config.json), env=NAME (one environment only).
// Environment: BENCH_ASSET_DIR and BENCH_ASSET_HASH, the handler golive builds, prebuilt
// by synthbench so that every app packages the same bytes.
package main

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

const alias = "LIVE"

// The generated config's shape (bench.WriteConfig), only what the app reads.
type alarms struct {
	ErrorRatePercent *float64 `json:"error_rate_percent"`
	Throttles        *float64 `json:"throttles"`
	P99DurationMS    *float64 `json:"p99_duration_ms"`
}

type function struct {
	FunctionName string  `json:"function_name"`
	MemoryMB     float64 `json:"memory_mb"`
	TimeoutS     float64 `json:"timeout_s"`
	LiveVersion  *string `json:"live_version"`
	Deployment   *struct {
		Type   string  `json:"type"`
		Alarms *alarms `json:"alarms"`
	} `json:"deployment"`
}

type env struct {
	Account, Region string
	Dashboard       *bool                      `json:"dashboard"`
	Functions       map[string]json.RawMessage `json:"lambda_functions"`
}

type config struct {
	Project   string
	Functions map[string]json.RawMessage `json:"lambda_functions"`
	Envs      map[string]env
}

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	path, _ := app.Node().TryGetContext(jsii.String("config")).(string)
	only, _ := app.Node().TryGetContext(jsii.String("env")).(string)
	b, err := os.ReadFile(path)
	if err != nil {
		fail(err)
	}
	var cfg config
	if err := json.Unmarshal(b, &cfg); err != nil {
		fail(err)
	}
	assetDir, assetHash := os.Getenv("BENCH_ASSET_DIR"), os.Getenv("BENCH_ASSET_HASH")
	if assetDir == "" || assetHash == "" {
		fail(fmt.Errorf("BENCH_ASSET_DIR and BENCH_ASSET_HASH must name the prebuilt handler"))
	}
	// The JS app declares the environments in the config's order, which only changes
	// the order of the stacks in the assembly.
	for _, name := range slices.Sorted(maps.Keys(cfg.Envs)) {
		if only == "" || only == name {
			serviceStack(app, &cfg, name, cfg.Envs[name], assetDir, assetHash)
		}
	}
	app.Synth(nil)
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "goapp:", err)
	os.Exit(1)
}

var configs = map[string]func() awscodedeploy.ILambdaDeploymentConfig{
	"AllAtOnce":                   awscodedeploy.LambdaDeploymentConfig_ALL_AT_ONCE,
	"Canary10Percent5Minutes":     awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES,
	"Linear10PercentEvery1Minute": awscodedeploy.LambdaDeploymentConfig_LINEAR_10PERCENT_EVERY_1MINUTE,
}

var nonAlnum = regexp.MustCompile(`[^A-Za-z0-9]+`)

func outputKey(name string) string {
	var b strings.Builder
	b.WriteString("LiveVersion")
	for _, w := range nonAlnum.Split(name, -1) {
		if w != "" {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

func serviceStack(app awscdk.App, cfg *config, envName string, e env, assetDir, assetHash string) {
	stackName := cfg.Project + "-" + envName
	stack := awscdk.NewStack(app, jsii.String(stackName), &awscdk.StackProps{
		Env:         &awscdk.Environment{Account: jsii.String(e.Account), Region: jsii.String(e.Region)},
		Description: jsii.String(fmt.Sprintf("golive: %s functions of %s (LIVE aliases, CodeDeploy canaries)", envName, cfg.Project)),
	})
	var application awscodedeploy.LambdaApplication
	var role awsiam.Role
	var rows []string
	for _, name := range slices.Sorted(maps.Keys(e.Functions)) {
		// The environment's entry over the function's, as the JS app's Object.assign.
		var fn function
		for _, raw := range []json.RawMessage{cfg.Functions[name], e.Functions[name]} {
			if err := json.Unmarshal(raw, &fn); err != nil {
				fail(fmt.Errorf("%s: %w", name, err))
			}
		}
		functionName := fn.FunctionName
		if functionName == "" {
			functionName = fmt.Sprintf("%s-%s-%s", cfg.Project, envName, name)
		}
		version := ""
		if fn.LiveVersion != nil {
			version = *fn.LiveVersion
		}
		memory, timeout := fn.MemoryMB, fn.TimeoutS
		if memory == 0 {
			memory = 128
		}
		if timeout == 0 {
			timeout = 3
		}
		scope := constructs.NewConstruct(stack, jsii.String(name))
		f := awslambda.NewFunction(scope, jsii.String("Resource"), &awslambda.FunctionProps{
			FunctionName: jsii.String(functionName),
			Architecture: awslambda.Architecture_ARM_64(),
			MemorySize:   jsii.Number(memory),
			Timeout:      awscdk.Duration_Seconds(jsii.Number(timeout)),
			Code: awslambda.Code_FromAsset(jsii.String(assetDir), &awss3assets.AssetOptions{
				AssetHash: jsii.String(assetHash), AssetHashType: awscdk.AssetHashType_CUSTOM,
			}),
			Handler: jsii.String("bootstrap"),
			Runtime: awslambda.Runtime_PROVIDED_AL2023(),
		})
		f.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
		f.Role().ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN)
		var v awslambda.IVersion
		if version != "" {
			v = awslambda.Version_FromVersionAttributes(scope, jsii.String("LiveVersion"), &awslambda.VersionAttributes{
				Lambda: f, Version: jsii.String(version),
			})
		} else {
			v = f.LatestVersion()
		}
		a := awslambda.NewAlias(scope, jsii.String("Live"), &awslambda.AliasProps{AliasName: jsii.String(alias), Version: v})
		if d := fn.Deployment; version != "" && (d == nil || d.Type != "None") {
			if application == nil {
				c := constructs.NewConstruct(stack, jsii.String("CodeDeploy"))
				application = awscodedeploy.NewLambdaApplication(c, jsii.String("Application"), &awscodedeploy.LambdaApplicationProps{
					ApplicationName: jsii.String(stackName),
				})
				role = awsiam.NewRole(c, jsii.String("ServiceRole"), &awsiam.RoleProps{
					AssumedBy:   awsiam.NewServicePrincipal(jsii.String("codedeploy.amazonaws.com"), nil),
					Description: jsii.String("Shifts LIVE alias traffic for the stack's CodeDeploy deployment groups"),
				})
			}
			typ := "Canary10Percent5Minutes"
			var al []interfacesawscloudwatch.IAlarmRef
			if d != nil {
				if d.Type != "" {
					typ = d.Type
				}
				if d.Alarms != nil {
					al = append(al, rollbackAlarm(scope, functionName, version, d.Alarms))
				}
			}
			awscodedeploy.NewLambdaDeploymentGroup(scope, jsii.String("Deployment"), &awscodedeploy.LambdaDeploymentGroupProps{
				Alias:               a,
				Application:         application,
				Role:                role,
				DeploymentConfig:    configs[typ](),
				DeploymentGroupName: jsii.String(functionName),
				Alarms:              &al,
				AutoRollback: &awscodedeploy.AutoRollbackConfig{
					FailedDeployment: jsii.Bool(true), StoppedDeployment: jsii.Bool(true), DeploymentInAlarm: jsii.Bool(len(al) > 0),
				},
			})
		}
		if version != "" {
			rows = append(rows, functionName)
		}
		value := version
		if value == "" {
			value = "$LATEST"
		}
		awscdk.NewCfnOutput(stack, jsii.String(outputKey(name)), &awscdk.CfnOutputProps{
			Value:       jsii.String(value),
			Description: jsii.String(fmt.Sprintf("LIVE version of %s recorded by the last deploy", functionName)),
		})
	}
	if len(rows) > 0 && (e.Dashboard == nil || *e.Dashboard) {
		releaseDashboard(stack, stackName, e.Region, rows)
	}
}

// releaseDashboard is the JS app's: graphs of each pinned function's metrics by version.
func releaseDashboard(stack awscdk.Stack, stackName, region string, functionNames []string) {
	search := func(fn, metric, stat string) string {
		return fmt.Sprintf(`SEARCH('{AWS/Lambda,ExecutedVersion,FunctionName,Resource} FunctionName="%s" Resource="%s:%s" MetricName="%s"', '%s', 60)`,
			fn, fn, alias, metric, stat)
	}
	widgets := []any{map[string]any{"type": "text", "x": 0, "y": 0, "width": 24, "height": 2, "properties": map[string]any{"markdown": "## Releases"}}}
	for i, fn := range functionNames {
		y := 2 + 6*i
		for j, m := range [][2]string{{"Invocations", "Sum"}, {"Errors", "Sum"}, {"Duration", "p99"}} {
			widgets = append(widgets, map[string]any{"type": "metric", "x": 6 * j, "y": y, "width": 6, "height": 6, "properties": map[string]any{
				"title": fn + ": " + m[0], "region": region, "view": "timeSeries", "stacked": false, "period": 60, "stat": m[1],
				"metrics": [][]any{{map[string]any{"expression": search(fn, m[0], m[1]), "id": strings.ToLower(m[0]), "label": "v${PROP('Dim.ExecutedVersion')}"}}},
			}})
		}
		widgets = append(widgets, map[string]any{"type": "text", "x": 18, "y": y, "width": 6, "height": 6, "properties": map[string]any{"markdown": "### " + fn + ": rollback alarm"}})
	}
	body, err := json.Marshal(map[string]any{"widgets": widgets})
	if err != nil {
		fail(err)
	}
	name := stackName + "-releases"
	awscloudwatch.NewCfnDashboard(stack, jsii.String("Releases"), &awscloudwatch.CfnDashboardProps{
		DashboardName: jsii.String(name), DashboardBody: jsii.String(string(body)),
	})
	awscdk.NewCfnOutput(stack, jsii.String("ReleaseDashboard"), &awscdk.CfnOutputProps{Value: jsii.String(name)})
}

// rollbackAlarm is the JS app's: one Alarm on a MathExpression over per-version Metrics.
func rollbackAlarm(scope constructs.Construct, functionName, version string, a *alarms) awscloudwatch.Alarm {
	metric := func(name, statistic string, executed bool) awscloudwatch.IMetric {
		dims := map[string]*string{"FunctionName": jsii.String(functionName), "Resource": jsii.String(functionName + ":" + alias)}
		if executed {
			dims["ExecutedVersion"] = jsii.String(version)
		}
		return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Lambda"), MetricName: jsii.String(name), Statistic: jsii.String(statistic),
			DimensionsMap: &dims, Period: awscdk.Duration_Minutes(jsii.Number(1)),
		})
	}
	using := map[string]awscloudwatch.IMetric{}
	var terms, desc []string
	if a.ErrorRatePercent != nil {
		using["errors"] = metric("Errors", "Sum", true)
		using["invocations"] = metric("Invocations", "Sum", true)
		terms = append(terms, fmt.Sprintf("100 * FILL(errors, 0) / FILL(invocations, 1) > %g", *a.ErrorRatePercent))
		desc = append(desc, fmt.Sprintf("error rate > %g%%", *a.ErrorRatePercent))
	}
	if a.Throttles != nil {
		using["throttles"] = metric("Throttles", "Sum", false)
		terms = append(terms, fmt.Sprintf("FILL(throttles, 0) >= %g", *a.Throttles))
		desc = append(desc, fmt.Sprintf("throttles >= %g/min", *a.Throttles))
	}
	if a.P99DurationMS != nil {
		using["p99"] = metric("Duration", "p99", true)
		terms = append(terms, fmt.Sprintf("FILL(p99, 0) > %g", *a.P99DurationMS))
		desc = append(desc, fmt.Sprintf("p99 duration > %g ms", *a.P99DurationMS))
	}
	return awscloudwatch.NewAlarm(scope, jsii.String("RollbackAlarm"), &awscloudwatch.AlarmProps{
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("IF(" + strings.Join(terms, " OR ") + ", 1, 0)"), UsingMetrics: &using,
			Label: jsii.String("breaching"), Period: awscdk.Duration_Minutes(jsii.Number(1)),
		}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription: jsii.String(fmt.Sprintf("Rolls back the CodeDeploy deployment of %s version %s when %s.",
			functionName, version, strings.Join(desc, " or "))),
	})
}
