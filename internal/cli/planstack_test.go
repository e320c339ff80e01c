package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/awsclient"
	"github.com/golive-dev/golive/internal/cli"
	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/stackoutputs"
	"github.com/golive-dev/golive/internal/testkit/codedeployfake"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

// deployedStack is planWorld's prd environment as a stack of the construct deployed it, for
// --stack: moto holds the functions, their versions, LIVE, the traffic history, the shipped
// hooks (their settings in their environment, written by hooksettings as the construct
// writes them) and each function's rollback alarm (the construct's metric math); a fake
// CloudFormation holds the stack's outputs and resources (moto's CloudFormation makes no
// CodeDeploy application), and the CodeDeploy fake each function's deployment group
// (moto's GetDeploymentGroup answers no alarm configuration, and moto has no
// GetDeploymentConfig).
type deployedStack struct {
	w      *world
	name   string
	stacks *fakeaws.Stacks
	cd     *codedeployfake.Server
	pins   string
}

// planStack deploys planWorld's settings as a stack: a 10 % canary for 5 minutes, a smoke
// test, a rollback alarm on the error rate and a 3-minute bake wanting 10 requests
// (min_invocations), except fresh, which has neither smoke test nor bake and whose
// min_invocations only the alarm holds; the pins file pins what config.json does.
func planStack(t *testing.T, w *world) *deployedStack {
	t.Helper()
	ctx := context.Background()
	d := &deployedStack{w: w, name: w.project + "-prd", stacks: fakeaws.NewStacks(), cd: codedeployfake.Start()}
	t.Cleanup(d.cd.Close)
	app := d.name
	resources := []cftypes.StackResourceSummary{
		{LogicalResourceId: aws.String("SharedApplication1A2B3C4D"), ResourceType: aws.String("AWS::CodeDeploy::Application"), PhysicalResourceId: aws.String(app)},
	}
	var smoke, bake hooksettings.HookSettings
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	cw := cloudwatch.NewFromConfig(awsCfg, awsclient.QueryProtocol, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	pins := map[string]map[string]string{}
	for _, fn := range []string{"quiet", "busy", "fresh", "freshbake", "ghost"} {
		id := strings.ToUpper(fn[:1]) + fn[1:]
		name := w.name(fn)
		d.stacks.Set(d.name, stackoutputs.OutputKey(id), name+":1")
		resources = append(resources, cftypes.StackResourceSummary{LogicalResourceId: aws.String(id + "Function0A1B2C3D"), ResourceType: aws.String("AWS::Lambda::Function"), PhysicalResourceId: aws.String(name)})
		version := "2"
		if fn == "ghost" {
			version = "9"
		}
		pins[id] = map[string]string{"live_version": version}

		alarm := resourcenames.RollbackAlarmName(name, resourcenames.DefaultAlias, "1")
		d.cd.AddDeploymentGroup(codedeployfake.DeploymentGroup{
			ApplicationName: app, Name: name, DeploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes",
			Alarms: []string{alarm}, AlarmsEnabled: true, ServiceRoleArn: roleARN,
		})
		putRollbackAlarm(t, cw, alarm, name, "1", 10)
		if fn == "fresh" {
			continue // neither smoke test nor bake
		}
		if err := smoke.Add(hooksettings.HookTarget{Group: name, Function: name, Smoke: &hooksettings.Smoke{Events: []json.RawMessage{json.RawMessage(`{"ping":true}`)}, TimeoutS: hooksettings.DefaultSmokeTimeoutS}}); err != nil {
			t.Fatal(err)
		}
		rate := 1.0
		if err := bake.Add(hooksettings.HookTarget{Group: name, Function: name, Bake: &hooksettings.Bake{Minutes: 3, ErrorRatePercent: &rate, MinInvocations: 10}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, h := range []struct {
		id, phase string
		settings  *hooksettings.HookSettings
	}{{hooksettings.SmokeHookID, hooksettings.HookPhaseSmoke, &smoke}, {hooksettings.BakeHookID, hooksettings.HookPhaseBake, &bake}} {
		physical := d.name + "-Shared" + h.id + "-1XYZ2ABC3DEF"
		key, value := h.settings.Env()
		_, err := w.lambda.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(physical), Role: aws.String(roleARN), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Code:        &ltypes.FunctionCode{ZipFile: w.zip()},
			Environment: &ltypes.Environment{Variables: map[string]string{hooksettings.HookPhaseEnv: h.phase, key: value}},
		})
		if err != nil {
			t.Fatal(err)
		}
		resources = append(resources, cftypes.StackResourceSummary{LogicalResourceId: aws.String("Shared" + h.id + "5E6F7A8B"), ResourceType: aws.String("AWS::Lambda::Function"), PhysicalResourceId: aws.String(physical)})
	}
	d.stacks.Resources = map[string][]cftypes.StackResourceSummary{d.name: resources}
	b, _ := json.Marshal(map[string]any{d.name: pins})
	d.pins = filepath.Join(t.TempDir(), "pins.json")
	if err := os.WriteFile(d.pins, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return d
}

// putRollbackAlarm makes the construct's rollback alarm of version in moto: its metric math,
// written by the construct's own function, over the version's invocations and errors.
func putRollbackAlarm(t *testing.T, cw *cloudwatch.Client, alarm, name, version string, min int) {
	t.Helper()
	dims := []cwtypes.Dimension{
		{Name: aws.String("ExecutedVersion"), Value: aws.String(version)},
		{Name: aws.String("FunctionName"), Value: aws.String(name)},
		{Name: aws.String("Resource"), Value: aws.String(name + ":LIVE")},
	}
	metric := func(id, metric string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), ReturnData: aws.Bool(false), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(metric), Dimensions: dims},
			Period: aws.Int32(60), Stat: aws.String("Sum"),
		}}
	}
	_, err := cw.PutMetricAlarm(context.Background(), &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(alarm), EvaluationPeriods: aws.Int32(3), DatapointsToAlarm: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold, TreatMissingData: aws.String("notBreaching"),
		Metrics: []cwtypes.MetricDataQuery{
			{Id: aws.String("breaching"), Label: aws.String("breaching"), ReturnData: aws.Bool(true),
				Expression: aws.String(hooksettings.RollbackAlarmExpression([]string{"100 * errors / invocations > 1"}, min))},
			metric("invocations", "Invocations"), metric("errors", "Errors"),
		},
	})
	if err != nil {
		t.Fatalf("put rollback alarm: %v", err)
	}
}

// app is golive over moto with CloudFormation the stack fake and the deployment groups and
// configurations the CodeDeploy fake.
func (d *deployedStack) app(stdout, stderr *bytes.Buffer) runner {
	return &cli.App{Stdout: stdout, Stderr: stderr, NewClients: func(ctx context.Context, o awsclient.Options) (cli.Clients, error) {
		o.MaxBackoff = 20 * time.Millisecond
		c, err := cli.SDKClients(ctx, o)
		c.Stacks, c.Groups = d.stacks, d.cd.Client()
		return c, err
	}}
}

func (d *deployedStack) run(args ...string) (stdout, stderr string, code int) {
	return d.w.runApp(d.app, args...)
}

// TestPlanStack judges a deployed stack's next release as plan --env judges the same
// release from config.json: the same timeline, expected requests, problems (naming
// min_invocations, with the same advice), notes and exit status, for a function at about 1
// request a minute, one at about 300 and two without history. verify --stack lists the
// same findings as verify --env.
func TestPlanStackJudgesAsConfigDoes(t *testing.T) {
	w := planWorld(t)
	d := planStack(t, w)

	envOut, _, envCode := w.run("plan", "--env", "prd", "--output", "json")
	stackOut, stderr, stackCode := d.run("plan", "--stack", d.name, "--pins", d.pins, "--output", "json")
	if envCode != 1 || stackCode != envCode || !strings.Contains(stderr, "plan found 4 problem(s) in "+d.name) {
		t.Errorf("plan --env exit %d, --stack exit %d (stderr %q); want 1 and 1, 4 problems", envCode, stackCode, stderr)
	}
	env, stack := jsonOut[release.PlanReport](t, envOut), jsonOut[release.PlanReport](t, stackOut)
	if len(stack.Functions) != len(env.Functions) {
		t.Fatalf("--stack planned %d functions, --env %d", len(stack.Functions), len(env.Functions))
	}
	for _, e := range env.Functions {
		i := slices.IndexFunc(stack.Functions, func(f release.FunctionPlan) bool { return f.FunctionName == e.FunctionName })
		if i < 0 {
			t.Errorf("--stack did not plan %s", e.FunctionName)
			continue
		}
		s := stack.Functions[i]
		if s.Release != e.Release || s.From != e.From || s.To != e.To || s.Why != e.Why || s.Error != e.Error {
			t.Errorf("%s: --stack %s %s→%s (%q, %q); --env %s %s→%s (%q, %q)", e.Function, s.Release, s.From, s.To, s.Why, s.Error, e.Release, e.From, e.To, e.Why, e.Error)
		}
		if !reflect.DeepEqual(s.Plan, e.Plan) {
			sj, _ := json.Marshal(s.Plan)
			ej, _ := json.Marshal(e.Plan)
			t.Errorf("%s: --stack plans\n%s\n--env plans\n%s", e.Function, sj, ej)
		}
	}

	// What the two judge, said once more in the user's words.
	byName := func(fn string) release.FunctionPlan {
		for _, f := range stack.Functions {
			if f.FunctionName == w.name(fn) {
				return f
			}
		}
		t.Fatalf("no plan of %s", fn)
		return release.FunctionPlan{}
	}
	quiet := byName("quiet")
	if quiet.Release != "canary" || quiet.Plan == nil || quiet.Plan.Shift.Name != "CodeDeployDefault.LambdaCanary10Percent5Minutes" || len(quiet.Plan.Problems) != 2 ||
		!strings.Contains(quiet.Plan.Problems[0], "the alarm cannot fire during step 1 (10% for 5 min): the new version can expect 0.1 requests a minute") ||
		!strings.Contains(quiet.Plan.Problems[1], `fewer than min_invocations 10; a bake of 10 minutes would ("bake": {"minutes": 10}); or min_invocations 3 fits`) {
		t.Errorf("quiet: %+v", quiet.Plan)
	}
	if busy := byName("busy"); busy.Plan == nil || len(busy.Plan.Problems) != 0 || busy.Plan.BakeWindow == nil || busy.Plan.BakeWindow.Median != 1050 {
		t.Errorf("busy: %+v", busy.Plan)
	}
	if fresh := byName("fresh"); fresh.History == nil || fresh.History.Found || fresh.Plan == nil || len(fresh.Plan.Problems) != 0 ||
		fresh.Plan.MinInvocations != 10 || !slices.Contains(fresh.Plan.Notes, "no traffic history: LIVE had no requests in the window read") {
		t.Errorf("fresh, no history and no bake, min_invocations from its alarm: %+v", fresh.Plan)
	}
	if fb := byName("freshbake"); fb.Plan == nil || len(fb.Plan.Problems) != 1 || !strings.Contains(fb.Plan.Problems[0], "no traffic history, so the bake will refuse the release: it wants at least 10 requests") {
		t.Errorf("freshbake: %+v", fb.Plan)
	}

	t.Run("one function, as a table", func(t *testing.T) {
		out, _, code := d.run("plan", "--stack", d.name, "--pins", d.pins, "--function", "Busy")
		if code != 0 || !strings.Contains(out, d.name+"/Busy ("+w.name("busy")+"): release 1 to 2 through CodeDeployDefault.LambdaCanary10Percent5Minutes") ||
			!strings.Contains(out, "it wants 10 (min_invocations)") {
			t.Errorf("exit %d:\n%s", code, out)
		}
	})

	t.Run("without --pins LIVE stays where the stack put it", func(t *testing.T) {
		out, _, code := d.run("plan", "--stack", d.name, "--function", "Quiet", "--output", "json")
		rep := jsonOut[release.PlanReport](t, out)
		if code != 0 || len(rep.Functions) != 1 || rep.Functions[0].Plan != nil || !strings.Contains(rep.Functions[0].Why, "LIVE stays on 1") ||
			!strings.Contains(rep.Functions[0].Why, "--pins") {
			t.Errorf("exit %d, %+v", code, rep.Functions)
		}
	})

	t.Run("verify --stack carries the same findings as verify --env", func(t *testing.T) {
		envOut, _, envCode := w.run("verify", "--env", "prd")
		stackOut, _, stackCode := d.run("verify", "--stack", d.name, "--pins", d.pins)
		if envCode != 1 || stackCode != 1 {
			t.Errorf("verify --env exit %d, --stack exit %d; want 1", envCode, stackCode)
		}
		// The same lines, but for the function's name: prd/quiet is STACK/Quiet.
		var want []string
		for _, line := range strings.Split(strings.TrimSpace(envOut), "\n") {
			for _, fn := range []string{"quiet", "busy", "fresh", "freshbake", "ghost"} {
				if rest, ok := strings.CutPrefix(line, "prd/"+fn+": "); ok {
					line = d.name + "/" + strings.ToUpper(fn[:1]) + fn[1:] + ": " + rest
				}
			}
			want = append(want, line)
		}
		got := strings.Split(strings.TrimSpace(stackOut), "\n")
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("verify --stack:\n%s\nwant (verify --env's):\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if !strings.Contains(stackOut, d.name+"/Quiet: release 1 to 2: the alarm cannot fire during step 1") ||
			!strings.Contains(stackOut, "or min_invocations 3 fits") {
			t.Errorf("verify --stack lacks quiet's findings:\n%s", stackOut)
		}
	})
}

// TestPlanStackReadsWhatTheStackDeployed: a custom configuration is planned as it shifts and
// named; an alarm the group does not watch (its alarm configuration disabled) judges
// nothing; a function without a deployment group of its name has no canary, and plan says
// why; an alarm whose metric math is not the construct's fails that function's plan,
// quoting it, rather than guessing min_invocations.
func TestPlanStackReadsWhatTheStackDeployed(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "2" }`))
	ctx := context.Background()
	d := &deployedStack{w: w, name: w.project + "-prd", stacks: fakeaws.NewStacks(), cd: codedeployfake.Start()}
	t.Cleanup(d.cd.Close)
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	cw := cloudwatch.NewFromConfig(awsCfg, awsclient.QueryProtocol, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	d.stacks.Resources = map[string][]cftypes.StackResourceSummary{d.name: {
		{LogicalResourceId: aws.String("SharedApplication1A2B3C4D"), ResourceType: aws.String("AWS::CodeDeploy::Application"), PhysicalResourceId: aws.String(d.name)},
	}}
	pins := map[string]map[string]string{}
	for _, fn := range []string{"linear", "nogroup", "odd"} {
		w.releases(fn, 2)
		w.setAlias(fn, "1", nil)
		id := strings.ToUpper(fn[:1]) + fn[1:]
		d.stacks.Set(d.name, stackoutputs.OutputKey(id), w.name(fn)+":1")
		pins[id] = map[string]string{"live_version": "2"}
	}
	d.cd.AddDeploymentConfig(codedeployfake.DeploymentConfig{Name: d.name + "-linear", Type: "TimeBasedLinear", Percentage: 20, Interval: 2})
	linearAlarm := resourcenames.RollbackAlarmName(w.name("linear"), resourcenames.DefaultAlias, "1")
	putRollbackAlarm(t, cw, linearAlarm, w.name("linear"), "1", 10)
	d.cd.AddDeploymentGroup(codedeployfake.DeploymentGroup{ApplicationName: d.name, Name: w.name("linear"), DeploymentConfigName: d.name + "-linear",
		Alarms: []string{linearAlarm}, AlarmsEnabled: false})
	oddAlarm := resourcenames.RollbackAlarmName(w.name("odd"), resourcenames.DefaultAlias, "1")
	if _, err := cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(oddAlarm), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
		Metrics:            []cwtypes.MetricDataQuery{{Id: aws.String("e1"), Expression: aws.String("SUM(METRICS())"), ReturnData: aws.Bool(true)}},
	}); err != nil {
		t.Fatal(err)
	}
	d.cd.AddDeploymentGroup(codedeployfake.DeploymentGroup{ApplicationName: d.name, Name: w.name("odd"), DeploymentConfigName: "CodeDeployDefault.LambdaAllAtOnce",
		Alarms: []string{oddAlarm}, AlarmsEnabled: true})
	b, _ := json.Marshal(map[string]any{d.name: pins})
	d.pins = filepath.Join(t.TempDir(), "pins.json")
	if err := os.WriteFile(d.pins, b, 0o644); err != nil {
		t.Fatal(err)
	}

	out, _, code := d.run("plan", "--stack", d.name, "--pins", d.pins, "--output", "json")
	rep := jsonOut[release.PlanReport](t, out)
	if code != 1 || len(rep.Functions) != 3 {
		t.Fatalf("exit %d, %d functions; want 1 (odd cannot be planned), 3", code, len(rep.Functions))
	}
	byID := map[string]release.FunctionPlan{}
	for _, f := range rep.Functions {
		byID[f.Function] = f
	}
	linear := byID["Linear"]
	if p := linear.Plan; linear.Release != "canary" || p == nil || p.Shift.Name != d.name+"-linear (custom linear: 20% more every 2 min)" ||
		len(p.Shift.Steps) != 5 || p.TotalMinutes != 8 || p.MinInvocations != 0 || len(p.Problems) != 0 {
		t.Errorf("linear: %+v %+v", linear, linear.Plan)
	}
	if ng := byID["Nogroup"]; ng.Release != "none" || ng.Plan != nil ||
		!strings.Contains(ng.Why, "no CodeDeploy deployment group "+w.name("nogroup")+" in application "+d.name) {
		t.Errorf("nogroup: %+v", ng)
	}
	if odd := byID["Odd"]; !strings.Contains(odd.Error, `rollback alarm `+oddAlarm+`: its metric math "SUM(METRICS())" is not the construct's`) {
		t.Errorf("odd: %+v", odd)
	}
}
