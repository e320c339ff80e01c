package cli_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golive-dev/golive/internal/testkit/syncbuf"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	logtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/awsclient"
	"github.com/golive-dev/golive/internal/cli"
	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/testkit/codedeployfake"
)

// scripted is one scripted CodeDeploy release of the worker from version 1 to 2: moto holds
// the function, its versions (2 with a commit in its description), LIVE, the rollback alarm
// and the hook's log group; the CodeDeploy fake holds the deployment, moved through its life
// one step at a time, each step seen by at least one full poll of golive watch.
type scripted struct {
	w    *world
	cd   *codedeployfake.Server
	cw   *cloudwatch.Client
	logs *cloudwatchlogs.Client
	id   string
	hook string
	// out and errb are the running watch's stdout and stderr.
	out, errb *syncbuf.Buffer
	exited    atomic.Bool
}

const appSpecHooks = `{"version":0.0,"Resources":[{"worker":{"Type":"AWS::Lambda::Function","Properties":{"Name":"%s","Alias":"%s","CurrentVersion":"1","TargetVersion":"2"}}}],"Hooks":[{"BeforeAllowTraffic":"%s"}]}`

func newRelease(t *testing.T, id string) *scripted { return newReleaseOf(t, id, "LIVE") }

// newReleaseOf is newRelease of a worker whose alias config.json names alias.
func newReleaseOf(t *testing.T, id, alias string) *scripted {
	t.Helper()
	w := newWorld(t, cfg(`{ "alias": "`+alias+`", "live_version": "2" }`))
	w.alias = alias
	ctx := context.Background()
	w.createFunction("worker")
	for i, desc := range []string{"commit 1111111", "commit 2222222abcdef0123456789"} {
		if i > 0 {
			w.updateCode("worker")
		}
		if _, err := w.lambda.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(w.name("worker")), Description: aws.String(desc)}); err != nil {
			t.Fatal(err)
		}
	}
	w.setAlias("worker", "1", nil)
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	r := &scripted{
		w: w, cd: codedeployfake.Start(), id: id, hook: w.project + "-prd-SmokeHook-ABC123",
		cw:   cloudwatch.NewFromConfig(awsCfg, awsclient.QueryProtocol, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		logs: cloudwatchlogs.NewFromConfig(awsCfg, func(o *cloudwatchlogs.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
	}
	t.Cleanup(r.cd.Close)
	// The rollback alarm as the construct makes it: the version's errors at LIVE, one minute.
	if _, err := r.cw.PutMetricAlarm(ctx, &cloudwatch.PutMetricAlarmInput{
		AlarmName: aws.String(r.alarm()), Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Errors"),
		Dimensions: []cwtypes.Dimension{
			{Name: aws.String("FunctionName"), Value: aws.String(w.name("worker"))},
			{Name: aws.String("Resource"), Value: aws.String(w.name("worker") + ":" + alias)},
			{Name: aws.String("ExecutedVersion"), Value: aws.String("2")},
		},
		Statistic: cwtypes.StatisticSum, Period: aws.Int32(60), EvaluationPeriods: aws.Int32(1), Threshold: aws.Float64(1),
		ComparisonOperator: cwtypes.ComparisonOperatorGreaterThanOrEqualToThreshold,
	}); err != nil {
		t.Fatal(err)
	}
	r.setAlarm(cwtypes.StateValueOk, "Threshold Crossed: no datapoints were breaching")
	r.cd.AddDeployment(codedeployfake.Deployment{
		ID: id, ApplicationName: w.project + "-prd", DeploymentGroupName: w.name("worker"),
		DeploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes", Creator: "CloudFormation",
		Status: "Created", CreateTime: time.Now().Add(-time.Minute), AppSpec: fmt.Sprintf(appSpecHooks, w.name("worker"), alias, r.hook),
	})
	return r
}

func (r *scripted) alarm() string {
	return resourcenames.RollbackAlarmName(r.w.name("worker"), r.w.aliasName(), "2")
}

// setAlarm puts the rollback alarm in moto into state, with reason as its StateReason, as
// CloudWatch's own evaluation would. SetAlarmState "temporarily sets the state of an alarm
// for testing purposes" (its SDK doc comment): CloudWatch re-evaluates it within seconds,
// moto never does, so the state stays what the test set.
func (r *scripted) setAlarm(state cwtypes.StateValue, reason string) {
	r.w.t.Helper()
	if _, err := r.cw.SetAlarmState(context.Background(), &cloudwatch.SetAlarmStateInput{
		AlarmName: aws.String(r.alarm()), StateValue: state, StateReason: aws.String(reason),
	}); err != nil {
		r.w.t.Fatal(err)
	}
}

// hookLog writes the hook's verdict line for the deployment into its log group.
func (r *scripted) hookLog(line string) {
	r.w.t.Helper()
	ctx := context.Background()
	group, stream := "/aws/lambda/"+r.hook, "2026/12/06/[$LATEST]abc"
	_, _ = r.logs.CreateLogGroup(ctx, &cloudwatchlogs.CreateLogGroupInput{LogGroupName: aws.String(group)})
	_, _ = r.logs.CreateLogStream(ctx, &cloudwatchlogs.CreateLogStreamInput{LogGroupName: aws.String(group), LogStreamName: aws.String(stream)})
	_, err := r.logs.PutLogEvents(ctx, &cloudwatchlogs.PutLogEventsInput{
		LogGroupName: aws.String(group), LogStreamName: aws.String(stream),
		LogEvents: []logtypes.InputLogEvent{
			{Message: aws.String(`{"level":"INFO","msg":"started","deployment":"d-OTHER","reason":"not this one"}`), Timestamp: aws.Int64(time.Now().UnixMilli())},
			{Message: aws.String(line), Timestamp: aws.Int64(time.Now().UnixMilli())},
		},
	})
	if err != nil {
		r.w.t.Fatal(err)
	}
}

// step changes the deployment (and LIVE's weights, as CodeDeploy does) and waits until golive
// has read the deployment's targets twice since: a whole poll saw the change.
func (r *scripted) step(f func(d *codedeployfake.Deployment), weights map[string]float64, version string) {
	r.w.t.Helper()
	if version != "" {
		if weights == nil {
			weights = map[string]float64{} // an empty routing config clears the split
		}
		r.w.setAlias("worker", version, weights)
	}
	if f != nil {
		// Between two polls, not within one: right after a poll's last CodeDeploy read, so
		// that no read sees half of a step.
		n := r.codeDeployReadsDone()
		for deadline := time.Now().Add(10 * time.Second); r.codeDeployReadsDone() == n && !r.exited.Load(); time.Sleep(time.Millisecond) {
			if time.Now().After(deadline) {
				r.w.t.Fatalf("golive watch did not poll deployment %s again; stdout:\n%s\nstderr:\n%s", r.id, r.out, r.errb)
			}
		}
		r.cd.Update(r.id, f)
	}
	before := r.cd.CallsTo("BatchGetDeployments")
	deadline := time.Now().Add(10 * time.Second)
	for r.cd.CallsTo("BatchGetDeployments") < before+2 && !r.exited.Load() {
		if time.Now().After(deadline) {
			r.w.t.Fatalf("golive watch did not poll deployment %s again; stdout:\n%s\nstderr:\n%s", r.id, r.out, r.errb)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// codeDeployReadsDone counts the polls whose CodeDeploy reads are over: the last of them is
// BatchGetDeploymentTargets, or ListDeploymentTargets refused before the deployment started.
func (r *scripted) codeDeployReadsDone() int {
	n := 0
	for _, c := range r.cd.Calls() {
		if c.Operation == "BatchGetDeploymentTargets" || (c.Operation == "ListDeploymentTargets" && c.Error != "") {
			n++
		}
	}
	return n
}

func lambdaTarget(r *scripted, status string, events ...string) *codedeployfake.LambdaTarget {
	t := &codedeployfake.LambdaTarget{FunctionName: r.w.name("worker"), Alias: "LIVE", CurrentVersion: "1", TargetVersion: "2", Status: status}
	names := []string{"BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"}
	for i, n := range names {
		st := "Pending"
		if i < len(events) {
			st = events[i]
		}
		e := codedeployfake.LifecycleEvent{Name: n, Status: st}
		if st != "Pending" {
			e.StartTime = time.Now()
		}
		t.Events = append(t.Events, e)
	}
	return t
}

// watchApp is golive over moto, with CodeDeploy's release reads going to the fake; the
// alarm is read from moto by golive's own CloudWatch client.
func watchApp(r *scripted, stdout, stderr io.Writer) *cli.App {
	return &cli.App{Stdout: stdout, Stderr: stderr, NewClients: func(ctx context.Context, o awsclient.Options) (cli.Clients, error) {
		o.MaxBackoff = 20 * time.Millisecond
		c, err := cli.SDKClients(ctx, o)
		c.Releases = r.cd.Client()
		return c, err
	}}
}

// watch runs golive watch in the background; wait returns its output and exit code.
func (r *scripted) watch(args ...string) (wait func() (stdout, stderr string, code int)) {
	out, errb := &syncbuf.Buffer{}, &syncbuf.Buffer{}
	r.out, r.errb = out, errb
	args = append(append([]string{"watch", "--env", "prd", "--poll", "250ms", "--start-wait", "5s", "--timeout", "60s"}, args...),
		"--config", r.w.cfgPath, "--endpoint-url", srv.URL)
	done := make(chan int)
	go func() {
		code := watchApp(r, out, errb).Run(context.Background(), args)
		r.exited.Store(true)
		done <- code
	}()
	r.step(nil, nil, "") // the first read, before anything changes
	return func() (string, string, int) {
		select {
		case code := <-done:
			r.w.t.Logf("golive %s -> %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errb.String())
			return out.String(), errb.String(), code
		case <-time.After(60 * time.Second):
			r.w.t.Fatal("golive watch did not end")
			return "", "", -1
		}
	}
}

type releaseJSON struct {
	Function     string
	DeploymentID string `json:"deployment_id"`
	Status       string
	From, To     string
	Commit       string
	Share        float64
	Events       []struct{ Name, Status string }
	Alarm        *struct{ Name, State, Reason string }
	RolledBack   bool `json:"rolled_back"`
	Reasons      []string
	Expected     *string `json:"expected_end"`
	Dashboard    *struct{ Name, URL string }
}

func jsonLines(t *testing.T, s string) []releaseJSON {
	t.Helper()
	var out []releaseJSON
	dec := json.NewDecoder(strings.NewReader(s))
	for dec.More() {
		var r releaseJSON
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("not JSON lines: %v\n%s", err, s)
		}
		out = append(out, r)
	}
	if n := strings.Count(strings.TrimSpace(s), "\n") + 1; n != len(out) {
		t.Errorf("%d objects on %d lines; want one object per line", len(out), n)
	}
	return out
}

func events(r releaseJSON) string {
	var e []string
	for _, x := range r.Events {
		e = append(e, x.Name+"="+x.Status)
	}
	return strings.Join(e, ",")
}

// TestWatchFollowsACanaryToTheEnd: a canary through its life, Created, BeforeAllowTraffic,
// 10 %, 100 %, AfterAllowTraffic, Succeeded, one JSON line per change; exit 0.
func TestWatchFollowsACanaryToTheEnd(t *testing.T) {
	r := newRelease(t, "d-CANARY0001")
	wait := r.watch("-o", "json")
	r.step(func(d *codedeployfake.Deployment) {
		d.Status, d.Target = "InProgress", lambdaTarget(r, "InProgress", "InProgress")
	}, nil, "")
	r.step(func(d *codedeployfake.Deployment) {
		d.Target = lambdaTarget(r, "InProgress", "Succeeded", "InProgress")
	}, nil, "")
	// CodeDeploy shifts traffic by moving LIVE's weights: 10 %, then all of it.
	r.step(func(d *codedeployfake.Deployment) { d.Target.TargetVersionWeight = 10 }, map[string]float64{"2": 0.1}, "1")
	r.step(func(d *codedeployfake.Deployment) { d.Target.TargetVersionWeight = 100 }, nil, "2")
	r.step(func(d *codedeployfake.Deployment) {
		d.Target = lambdaTarget(r, "InProgress", "Succeeded", "Succeeded", "InProgress")
		d.Target.TargetVersionWeight = 100
	}, nil, "")
	r.step(func(d *codedeployfake.Deployment) {
		d.Status, d.CompleteTime, d.Target = "Succeeded", time.Now(), lambdaTarget(r, "Succeeded", "Succeeded", "Succeeded", "Succeeded")
	}, nil, "")
	out, _, code := wait()
	if code != 0 {
		t.Errorf("exit %d; want 0 for a release that succeeded", code)
	}
	lines := jsonLines(t, out)
	var got []string
	for _, l := range lines {
		got = append(got, fmt.Sprintf("%s %s>%s %g%% %s", l.Status, l.From, l.To, l.Share, events(l)))
	}
	want := []string{
		"Created > 0% ",
		"InProgress 1>2 0% BeforeAllowTraffic=InProgress,AllowTraffic=Pending,AfterAllowTraffic=Pending",
		"InProgress 1>2 0% BeforeAllowTraffic=Succeeded,AllowTraffic=InProgress,AfterAllowTraffic=Pending",
		"InProgress 1>2 10% BeforeAllowTraffic=Succeeded,AllowTraffic=InProgress,AfterAllowTraffic=Pending",
		"InProgress 1>2 100% BeforeAllowTraffic=Succeeded,AllowTraffic=InProgress,AfterAllowTraffic=Pending",
		"InProgress 1>2 100% BeforeAllowTraffic=Succeeded,AllowTraffic=Succeeded,AfterAllowTraffic=InProgress",
		"Succeeded 1>2 100% BeforeAllowTraffic=Succeeded,AllowTraffic=Succeeded,AfterAllowTraffic=Succeeded",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	last := lines[len(lines)-1]
	if last.DeploymentID != r.id || last.Function != "worker" || last.Commit != "2222222abcdef0123456789" || len(last.Reasons) != 0 {
		t.Errorf("last = %+v; want deployment %s of worker, commit 2222222abcdef0123456789, no reasons", last, r.id)
	}
	if a := last.Alarm; a == nil || a.Name != r.alarm() || a.State != "OK" {
		t.Errorf("alarm = %+v; want %s OK", a, r.alarm())
	}
	if mid := lines[3]; mid.Expected == nil {
		t.Errorf("a running canary has no expected end: %+v", mid)
	}

	// Nothing runs any more: watch waits --start-wait, then reports the latest release, as a
	// line for people.
	var stdout, stderr bytes.Buffer
	code = watchApp(r, &stdout, &stderr).Run(context.Background(), []string{"watch", "--env", "prd", "--poll", "20ms", "--start-wait", "100ms",
		"--config", r.w.cfgPath, "--endpoint-url", srv.URL})
	line := "worker: d-CANARY0001 Succeeded | 1 -> 2 (commit 2222222abcde), 100% on 2 | BeforeAllowTraffic Succeeded, AllowTraffic Succeeded, AfterAllowTraffic Succeeded | alarm OK | elapsed "
	if code != 0 || !strings.HasPrefix(stdout.String(), line) || strings.Count(stdout.String(), "\n") != 1 {
		t.Errorf("exit %d, stdout:\n%s\nwant exit 0 and one line starting %q", code, stdout.String(), line)
	}
}

// TestWatchReadsACloudFormationTarget: BatchGetDeploymentTargets may answer a deployment
// CloudFormation started with a CloudFormationTarget instead of a LambdaTarget (its SDK doc
// comment: "used for all deployments initiated by a CloudFormation stack update"); watch
// reads its lifecycle events, the versions from the AppSpec and the share from LIVE. A
// target of another type is an error that names the type, not an empty release.
func TestWatchReadsACloudFormationTarget(t *testing.T) {
	r := newRelease(t, "d-CFNTARGET1")
	r.cd.Update(r.id, func(d *codedeployfake.Deployment) { d.TargetType = "CloudFormationTarget" })
	wait := r.watch("-o", "json")
	r.step(func(d *codedeployfake.Deployment) {
		d.Status, d.Target = "InProgress", lambdaTarget(r, "InProgress", "Succeeded", "InProgress")
	}, map[string]float64{"2": 0.1}, "1")
	r.step(nil, nil, "2")
	r.step(func(d *codedeployfake.Deployment) {
		d.Status, d.CompleteTime, d.Target = "Succeeded", time.Now(), lambdaTarget(r, "Succeeded", "Succeeded", "Succeeded", "Succeeded")
	}, nil, "")
	out, _, code := wait()
	if code != 0 {
		t.Errorf("exit %d; want 0 for a release that succeeded", code)
	}
	var got []string
	for _, l := range jsonLines(t, out) {
		got = append(got, fmt.Sprintf("%s %s>%s %g%% %s", l.Status, l.From, l.To, l.Share, events(l)))
	}
	want := []string{
		"Created > 0% ",
		"InProgress 1>2 10% BeforeAllowTraffic=Succeeded,AllowTraffic=InProgress,AfterAllowTraffic=Pending",
		"InProgress 1>2 100% BeforeAllowTraffic=Succeeded,AllowTraffic=InProgress,AfterAllowTraffic=Pending",
		"Succeeded 1>2 100% BeforeAllowTraffic=Succeeded,AllowTraffic=Succeeded,AfterAllowTraffic=Succeeded",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("changes:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	r.cd.Update(r.id, func(d *codedeployfake.Deployment) { d.TargetType = "InstanceTarget" })
	var stdout, stderr bytes.Buffer
	code = watchApp(r, &stdout, &stderr).Run(context.Background(), []string{"watch", "--env", "prd", "--poll", "20ms", "--start-wait", "100ms",
		"--config", r.w.cfgPath, "--endpoint-url", srv.URL})
	if code == 0 || !strings.Contains(stderr.String(), `"InstanceTarget"`) {
		t.Errorf("exit %d, stdout %q, stderr %q; want a failure naming the target type InstanceTarget", code, stdout.String(), stderr.String())
	}
}

// TestWatchSaysWhyTheAlarmRolledBack: the rollback alarm fires at 10 %, CodeDeploy stops the
// release and rolls it back; watch says why in words and exits 1.
// TestWatchSaysWhyTheAlarmRolledBack, for an alias of golive's default name and for one of
// another name ("live"): watch reads that alias's weights and its rollback alarm.
func TestWatchSaysWhyTheAlarmRolledBack(t *testing.T) {
	for _, alias := range []string{"LIVE", "live"} {
		t.Run(alias, func(t *testing.T) { testWatchSaysWhyTheAlarmRolledBack(t, alias) })
	}
}

func testWatchSaysWhyTheAlarmRolledBack(t *testing.T, alias string) {
	r := newReleaseOf(t, "d-ALARMED01", alias)
	wait := r.watch()
	r.step(func(d *codedeployfake.Deployment) {
		d.Status, d.Target = "InProgress", lambdaTarget(r, "InProgress", "Succeeded", "InProgress")
		d.Target.TargetVersionWeight = 10
	}, map[string]float64{"2": 0.1}, "1")
	reason := "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (06/12/26 07:01:00)] was greater than or equal to the threshold (1.0)."
	r.setAlarm(cwtypes.StateValueAlarm, reason)
	// Source: CodeDeploy User Guide, "Error codes for AWS CodeDeploy" (ALARM_ACTIVE) and
	// DeploymentInfo.rollbackInfo.
	stopped := "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <" + r.alarm() + ">"
	r.step(nil, nil, "1") // the rollback moves LIVE back
	r.step(func(d *codedeployfake.Deployment) {
		d.Status, d.CompleteTime, d.Target = "Stopped", time.Now(), lambdaTarget(r, "Failed", "Succeeded", "Failed", "Skipped")
		d.ErrorInformation = &codedeployfake.ErrorInformation{Code: "ALARM_ACTIVE", Message: stopped}
		d.RollbackInfo = &codedeployfake.RollbackInfo{RollbackDeploymentID: "d-ROLLBACK1", RollbackMessage: "Automatic rollback triggered by alarm"}
	}, nil, "")
	out, stderr, code := wait()
	if code != 1 || !strings.Contains(stderr, "golive: release failed for worker") {
		t.Errorf("exit %d, stderr %s; want 1 and the failed function named", code, stderr)
	}
	for _, want := range []string{
		"worker: d-ALARMED01 Stopped, rolled back | 1 -> 2 (commit 2222222abcde), 0% on 2 | BeforeAllowTraffic Succeeded, AllowTraffic Failed, AfterAllowTraffic Skipped | alarm ALARM",
		"worker:   alarm " + r.alarm() + " is in ALARM: " + reason,
		"worker:   CodeDeploy ALARM_ACTIVE: " + stopped,
		"worker:   rollback: Automatic rollback triggered by alarm",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
}

// TestHistoryListsReleasesNewestFirst: two releases of the worker, the newest refused by the
// smoke hook, whose verdict line in the hook's log group is the cause history gives.
func TestHistoryListsReleasesNewestFirst(t *testing.T) {
	r := newRelease(t, "d-FIRST0001")
	// The refused release started ten minutes ago: its hook logged after that.
	created := time.Now().UTC().Add(-24*time.Hour - 10*time.Minute).Truncate(time.Second)
	r.cd.Update(r.id, func(d *codedeployfake.Deployment) {
		d.Status, d.CreateTime, d.CompleteTime = "Succeeded", created, created.Add(6*time.Minute)
		d.Target = lambdaTarget(r, "Succeeded", "Succeeded", "Succeeded", "Succeeded")
	})
	r.cd.AddDeployment(codedeployfake.Deployment{
		ID: "d-ZREFUSED01", ApplicationName: r.w.project + "-prd", DeploymentGroupName: r.w.name("worker"), Status: "Failed",
		CreateTime: created.Add(24 * time.Hour), CompleteTime: created.Add(24*time.Hour + 2*time.Minute),
		AppSpec:          fmt.Sprintf(appSpecHooks, r.w.name("worker"), r.w.aliasName(), r.hook),
		Target:           lambdaTarget(r, "Failed", "Failed", "Skipped", "Skipped"),
		ErrorInformation: &codedeployfake.ErrorInformation{Code: "HOOK_EXECUTION_FAILURE", Message: "The deployment failed because one or more of the lifecycle event validations failed."},
	})
	r.hookLog(`{"time":"2026-12-06T10:01:00Z","level":"ERROR","msg":"release refused","phase":"smoke","deployment":"d-ZREFUSED01","status":"Failed","reason":"event orders.json: status 500, want 200"}`)

	out, _, code := r.w.runApp(func(stdout, stderr *bytes.Buffer) runner { return watchApp(r, stdout, stderr) }, "history", "--env", "prd", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	h := jsonOut[struct {
		Functions []struct {
			Function string
			Releases []releaseJSON
		}
	}](t, out)
	rels := h.Functions[0].Releases
	if len(rels) != 2 || rels[0].DeploymentID != "d-ZREFUSED01" || rels[1].DeploymentID != "d-FIRST0001" {
		t.Fatalf("releases = %+v; want d-ZREFUSED01 then d-FIRST0001 (newest first)", rels)
	}
	wantReasons := []string{
		"CodeDeploy HOOK_EXECUTION_FAILURE: The deployment failed because one or more of the lifecycle event validations failed.",
		"smoke hook: release refused: event orders.json: status 500, want 200",
	}
	if strings.Join(rels[0].Reasons, "\n") != strings.Join(wantReasons, "\n") {
		t.Errorf("reasons = %q; want %q", rels[0].Reasons, wantReasons)
	}
	if rels[0].Commit != "2222222abcdef0123456789" || rels[0].From != "1" || rels[0].To != "2" {
		t.Errorf("newest = %+v", rels[0])
	}

	out, _, _ = r.w.runApp(func(stdout, stderr *bytes.Buffer) runner { return watchApp(r, stdout, stderr) }, "history", "--env", "prd", "--limit", "1")
	for _, want := range []string{
		"FUNCTION  DEPLOYMENT    START                 END                   DURATION  STATUS  FROM -> TO  COMMIT        CAUSE",
		"worker    d-ZREFUSED01  " + created.Add(24*time.Hour).Format("2006-01-02 15:04:05Z") + "  " + created.Add(24*time.Hour+2*time.Minute).Format("2006-01-02 15:04:05Z") +
			"  2m0s      Failed  1 -> 2      2222222abcde  CodeDeploy HOOK_EXECUTION_FAILURE: The deployment failed because one or more of the lifecycle event validations failed.; smoke hook: release refused: event orders.json: status 500, want 200",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "d-FIRST0001") {
		t.Errorf("--limit 1 listed the older release:\n%s", out)
	}
	_ = ltypes.RuntimeProvidedal2023
}

// TestWatchExitCodes: usage mistakes exit 2 naming the flag, a release still running when
// --timeout runs out exits 1 naming it, and a function without any release exits 0 saying so.
func TestWatchExitCodes(t *testing.T) {
	r := newRelease(t, "d-RUNNING01")
	r.cd.Update(r.id, func(d *codedeployfake.Deployment) {
		d.Status, d.Target = "InProgress", lambdaTarget(r, "InProgress", "Succeeded", "InProgress")
	})
	tests := []struct {
		name   string
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{"poll of zero", []string{"watch", "--env", "prd", "--poll", "0s"}, 2, "", "--poll 0s: want a positive duration such as 5s or 10m"},
		{"negative timeout", []string{"watch", "--env", "prd", "--timeout", "-1s"}, 2, "", "--timeout -1s: want a positive duration"},
		{"history limit of zero", []string{"history", "--env", "prd", "--limit", "0"}, 2, "", "--limit 0: want 1 or more"},
		{"timeout while running", []string{"watch", "--env", "prd", "--poll", "50ms", "--timeout", "400ms"}, 1,
			"worker: d-RUNNING01 InProgress | 1 -> 2", "golive: watch timed out after 400ms (--timeout); still running: worker (d-RUNNING01, InProgress)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, stderr, code := r.w.runApp(func(stdout, stderr *bytes.Buffer) runner { return watchApp(r, stdout, stderr) }, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.stdout) || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %d, %q and %q", code, out, stderr, tt.code, tt.stdout, tt.stderr)
			}
		})
	}

	// A function whose deployment group has no deployment: after --start-wait, no deployment.
	w := newWorld(t, cfg(`{ "live_version": "1" }`))
	var stdout, stderr bytes.Buffer
	code := watchApp(r, &stdout, &stderr).Run(context.Background(), []string{"watch", "--env", "prd", "--poll", "20ms", "--start-wait", "100ms",
		"--config", w.cfgPath, "--endpoint-url", srv.URL})
	if code != 0 || stdout.String() != "worker: no deployment\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0 and \"worker: no deployment\"", code, stdout.String(), stderr.String())
	}
}

// TestWatchLinksDashboard: watch links the stack's release dashboard, the one its output
// names, as status does: first in the lines for people, in every JSON line; a stack without
// one gets no link, and null in JSON.
func TestWatchLinksDashboard(t *testing.T) {
	// released is a finished release of the worker in a world whose stack names its release
	// dashboard in the output ReleaseDashboard, or has no such output.
	released := func(dashboard bool) *scripted {
		r := newRelease(t, "d-LINKED0001")
		r.cd.Update(r.id, func(d *codedeployfake.Deployment) {
			d.Status, d.CompleteTime, d.Target = "Succeeded", time.Now(), lambdaTarget(r, "Succeeded", "Succeeded", "Succeeded", "Succeeded")
		})
		outputs := map[string]string{"LiveVersionWorker": r.w.name("worker") + ":1"}
		if dashboard {
			outputs["ReleaseDashboard"] = r.w.project + "-prd-releases"
		}
		r.w.deployed(outputs)
		return r
	}
	run := func(r *scripted, args ...string) (string, int) {
		var stdout, stderr bytes.Buffer
		code := watchApp(r, &stdout, &stderr).Run(context.Background(), append([]string{"watch", "--env", "prd", "--poll", "20ms", "--start-wait", "100ms",
			"--config", r.w.cfgPath, "--endpoint-url", srv.URL}, args...))
		t.Logf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout.String(), stderr.String())
		return stdout.String(), code
	}
	line := "worker: d-LINKED0001 Succeeded | 1 -> 2"

	r := released(false)
	out, code := run(r, "-o", "json")
	if lines := jsonLines(t, out); code != 0 || len(lines) != 1 || lines[0].Dashboard != nil || !strings.Contains(out, `"dashboard":null`) {
		t.Errorf("exit %d; want 0 and one line with a null dashboard for a stack without one:\n%s", code, out)
	}
	if out, _ = run(r); strings.Contains(out, "dashboard") || !strings.HasPrefix(out, line) {
		t.Errorf("want the release line alone for a stack without a dashboard:\n%s", out)
	}

	r = released(true)
	name := r.w.project + "-prd-releases"
	url := "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=" + name
	out, code = run(r, "-o", "json")
	if lines := jsonLines(t, out); code != 0 || len(lines) != 1 || lines[0].Dashboard == nil || lines[0].Dashboard.Name != name || lines[0].Dashboard.URL != url {
		t.Errorf("exit %d; want 0 and one line whose dashboard is {%s %s}:\n%s", code, name, url, out)
	}
	out, code = run(r)
	if want := "dashboard: " + url + "\n" + line; code != 0 || !strings.HasPrefix(out, want) {
		t.Errorf("exit %d; want 0 and stdout starting %q:\n%s", code, want, out)
	}
}
