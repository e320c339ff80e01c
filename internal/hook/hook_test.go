package hook_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/hook"
	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/testkit/codedeployfake"
)

const (
	application = "demo-prd"
	group       = "demo-prd-worker"
	function    = "demo-prd-worker"
)

var created = time.Date(2026, 12, 1, 10, 0, 30, 0, time.UTC)

// codeDeploy serves one deployment of spec to group, with one hook execution waiting for
// its report, over CodeDeploy's wire protocol; the hook drives it with the real SDK client.
// The fake never returns the AppSpec from GetDeployment, as CodeDeploy never does.
func codeDeploy(t *testing.T, spec string) (*codedeployfake.Server, hook.Event) {
	t.Helper()
	s := codedeployfake.Start()
	t.Cleanup(s.Close)
	id := s.AddDeployment(codedeployfake.Deployment{
		ApplicationName: application, DeploymentGroupName: group, Creator: "CloudFormation",
		CreateTime: created, AppSpec: spec,
	})
	exec := s.AddHookExecution(id, "BeforeAllowTraffic")
	return s, hook.Event{DeploymentID: id, LifecycleEventHookExecutionID: exec}
}

// statuses are the reports CodeDeploy accepted.
func statuses(s *codedeployfake.Server) []string {
	var out []string
	for _, r := range s.Reports() {
		out = append(out, r.Status)
	}
	return out
}

// fakeLambda is called from the handler's check goroutine, which may outlive Handle
// when the hook runs out of time: its calls are read under its lock.
type fakeLambda struct {
	invoke func(ctx context.Context, in *lambda.InvokeInput) (*lambda.InvokeOutput, error)
	mu     sync.Mutex
	calls  []string
}

func (f *fakeLambda) Invoke(ctx context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	f.mu.Lock()
	f.calls = append(f.calls, aws.ToString(in.FunctionName)+":"+aws.ToString(in.Qualifier)+" "+string(in.Payload))
	f.mu.Unlock()
	return f.invoke(ctx, in)
}

func (f *fakeLambda) invoked() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.calls...)
}

type fakeCloudWatch struct {
	values map[string][]float64
	panic  bool
	in     *cloudwatch.GetMetricDataInput
}

func (f *fakeCloudWatch) GetMetricData(ctx context.Context, in *cloudwatch.GetMetricDataInput, _ ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error) {
	if f.panic {
		panic("boom")
	}
	f.in = in
	out := &cloudwatch.GetMetricDataOutput{}
	for _, q := range in.MetricDataQueries {
		out.MetricDataResults = append(out.MetricDataResults, cwtypes.MetricDataResult{Id: q.Id, Values: f.values[aws.ToString(q.Id)]})
	}
	return out, nil
}

func appSpec(name, version string) string { return appSpecOf(name, "LIVE", version) }

func appSpecOf(name, alias, version string) string {
	return `{"version":0.0,"Resources":[{"workerLive":{"Type":"AWS::Lambda::Function","Properties":{"Name":"` + name +
		`","Alias":"` + alias + `","CurrentVersion":"7","TargetVersion":"` + version + `"}}}],"Hooks":[{"BeforeAllowTraffic":"hook"}]}`
}

func ok(payload string) func(context.Context, *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
	return func(context.Context, *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
		return &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(payload)}, nil
	}
}

func f(x float64) *float64 { return &x }

func TestHook(t *testing.T) {
	smoke := &hooksettings.Smoke{Events: []json.RawMessage{json.RawMessage(`{"ping":1}`), json.RawMessage(`"two"`)}, TimeoutS: 5}
	bake := &hooksettings.Bake{Minutes: 3, ErrorRatePercent: f(1), P99DurationMs: f(500), MinInvocations: 10}
	tests := []struct {
		name       string
		phase      string
		target     hooksettings.HookTarget
		appSpec    string
		invoke     func(context.Context, *lambda.InvokeInput) (*lambda.InvokeOutput, error)
		metrics    map[string][]float64
		panicCW    bool
		revType    string        // the member GetApplicationRevision answers in ("": string)
		getErr     bool          // GetDeployment answers AccessDeniedException
		deadline   time.Duration // 0: none
		wantStatus string
		wantReason string
		wantCalls  int
	}{
		{name: "smoke passes", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{"ok":true}`),
			wantStatus: "Succeeded", wantReason: "release passed", wantCalls: 2},
		{name: "smoke expect matches", phase: hooksettings.HookPhaseSmoke,
			target: hooksettings.HookTarget{Smoke: &hooksettings.Smoke{Events: smoke.Events, Expect: json.RawMessage(`{"status":{"code":200}}`)}},
			invoke: ok(`{"status":{"code":200,"msg":"fine"},"x":1}`), wantStatus: "Succeeded", wantReason: "release passed", wantCalls: 2},
		{name: "smoke expect differs", phase: hooksettings.HookPhaseSmoke,
			target: hooksettings.HookTarget{Smoke: &hooksettings.Smoke{Events: smoke.Events, Expect: json.RawMessage(`{"status":{"code":200}}`)}},
			invoke: ok(`{"status":{"code":500}}`), wantStatus: "Failed",
			wantReason: `smoke event 1: demo-prd-worker:8 answered {\"status\":{\"code\":500}}; want a response containing {\"status\":{\"code\":200}}`, wantCalls: 1},
		{name: "function error", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke},
			invoke: func(context.Context, *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
				return &lambda.InvokeOutput{StatusCode: 200, FunctionError: aws.String("Unhandled"), Payload: []byte(`{"errorMessage":"nil map"}`)}, nil
			},
			wantStatus: "Failed", wantReason: `smoke event 1: demo-prd-worker:8 returned a function error (Unhandled): {\"errorMessage\":\"nil map\"}`, wantCalls: 1},
		{name: "invoke error", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke},
			invoke: func(context.Context, *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
				return nil, errors.New("AccessDeniedException")
			},
			wantStatus: "Failed", wantReason: "smoke event 1: invoke demo-prd-worker:8: AccessDeniedException", wantCalls: 1},
		{name: "own deadline", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, deadline: 300 * time.Millisecond,
			invoke: func(ctx context.Context, _ *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
				time.Sleep(5 * time.Second) // a call that ignores its context
				return nil, ctx.Err()
			},
			wantStatus: "Failed", wantReason: "out of time: the hook stops 200ms before its Lambda timeout", wantCalls: 1},
		{name: "smoke timeout_s", phase: hooksettings.HookPhaseSmoke,
			target: hooksettings.HookTarget{Smoke: &hooksettings.Smoke{Events: smoke.Events, TimeoutS: 1}},
			invoke: func(ctx context.Context, _ *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
				<-ctx.Done()
				return nil, ctx.Err()
			},
			wantStatus: "Failed", wantReason: "smoke test took longer than its 1s (timeout_s)", wantCalls: 1},
		{name: "another function in the group", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke},
			appSpec: appSpec("someone-else", "8"), invoke: ok(`{}`),
			wantStatus: "Failed", wantReason: "shifts someone-else:LIVE, but group demo-prd-worker is configured for demo-prd-worker:LIVE"},
		{name: "alias of another name", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke, Alias: "live"},
			appSpec: appSpecOf(function, "live", "8"), invoke: ok(`{}`),
			wantStatus: "Succeeded", wantReason: "release passed", wantCalls: 2},
		{name: "LIVE where the group's alias is live", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke, Alias: "live"},
			invoke:     ok(`{}`),
			wantStatus: "Failed", wantReason: "shifts demo-prd-worker:LIVE, but group demo-prd-worker is configured for demo-prd-worker:live"},
		{name: "live where the group's alias is LIVE", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke},
			appSpec: appSpecOf(function, "live", "8"), invoke: ok(`{}`),
			wantStatus: "Failed", wantReason: "shifts demo-prd-worker:live, but group demo-prd-worker is configured for demo-prd-worker:LIVE"},
		{name: "bake through an alias of another name", phase: hooksettings.HookPhaseBake, target: hooksettings.HookTarget{Bake: bake, Alias: "live"},
			appSpec: appSpecOf(function, "live", "8"), metrics: map[string][]float64{"invocations": {600, 400}, "errors": {5}, "p99": {320}},
			wantStatus: "Succeeded", wantReason: "release passed"},
		{name: "YAML AppSpec", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    "version: 0.0\nResources:\n  - workerLive:\n      Type: AWS::Lambda::Function\n      Properties:\n        Name: \"demo-prd-worker\"\n        Alias: LIVE\n        CurrentVersion: 7\n        TargetVersion: 8\n",
			wantStatus: "Succeeded", wantReason: "release passed", wantCalls: 2},
		{name: "AppSpec unreadable", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, appSpec: "{not an appspec",
			wantStatus: "Failed", wantReason: ": read AppSpec: invalid character"},
		{name: "YAML AppSpec unreadable", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, appSpec: "version: [0.0\n",
			wantStatus: "Failed", wantReason: ": read AppSpec as YAML: yaml: "},
		{name: "deployment unreadable", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, getErr: true,
			wantStatus: "Failed", wantReason: "AccessDeniedException"},
		{name: "content in appSpecContent", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			revType: codedeployfake.RevisionAppSpecContent, wantStatus: "Succeeded", wantReason: "release passed", wantCalls: 2},
		{name: "version as a string", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    strings.Replace(appSpec(function, "8"), `"version":0.0`, `"version":"0.0"`, 1),
			wantStatus: "Succeeded", wantReason: "release passed", wantCalls: 2},
		{name: "version 1.0", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    strings.Replace(appSpec(function, "8"), `"version":0.0`, `"version":"1.0"`, 1),
			wantStatus: "Failed", wantReason: `AppSpec version is \"1.0\"; want \"0.0\"`},
		{name: "Name is the function's ARN", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    appSpec("arn:aws:lambda:us-east-1:123456789012:function:"+function, "8"),
			wantStatus: "Succeeded", wantReason: "release passed", wantCalls: 2},
		{name: "Name is another function's ARN", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    appSpec("arn:aws:lambda:us-east-1:123456789012:function:someone-else", "8"),
			wantStatus: "Failed", wantReason: "shifts someone-else:LIVE, but group demo-prd-worker is configured for demo-prd-worker:LIVE"},
		{name: "Name is a qualified ARN", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    appSpec("arn:aws:lambda:us-east-1:123456789012:function:"+function+":LIVE", "8"),
			wantStatus: "Failed", wantReason: `Resources[0].workerLive.Properties.Name: \"arn:aws:lambda:us-east-1:123456789012:function:demo-prd-worker:LIVE\" is a qualified ARN`},
		{name: "keys as the User Guide's structure writes them", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    `{"version":"0.0","resources":[{"fn":{"type":"AWS::Lambda::Function","properties":{"name":"` + function + `","alias":"LIVE","currentversion":"7","targetversion":"8"}}}]}`,
			wantStatus: "Succeeded", wantReason: "release passed", wantCalls: 2},
		{name: "target is no version", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    appSpec(function, "$LATEST"),
			wantStatus: "Failed", wantReason: `Resources[0].workerLive.Properties.TargetVersion is \"$LATEST\"; want a positive integer`},
		{name: "no CurrentVersion", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    strings.Replace(appSpec(function, "8"), `"CurrentVersion":"7",`, "", 1),
			wantStatus: "Failed", wantReason: "Resources[0].workerLive.Properties has no CurrentVersion"},
		{name: "two functions", phase: hooksettings.HookPhaseSmoke, target: hooksettings.HookTarget{Smoke: smoke}, invoke: ok(`{}`),
			appSpec:    strings.Replace(appSpec(function, "8"), `}}}]`, `}},"other":{"Type":"AWS::Lambda::Function","Properties":{"Name":"x","Alias":"LIVE","CurrentVersion":"1","TargetVersion":"2"}}}]`, 1),
			wantStatus: "Failed", wantReason: "AppSpec has 2 AWS::Lambda::Function resources"},
		{name: "bake passes", phase: hooksettings.HookPhaseBake, target: hooksettings.HookTarget{Bake: bake},
			metrics:    map[string][]float64{"invocations": {600, 400}, "errors": {5}, "p99": {320}},
			wantStatus: "Succeeded", wantReason: "release passed"},
		{name: "bake error rate", phase: hooksettings.HookPhaseBake, target: hooksettings.HookTarget{Bake: bake},
			metrics:    map[string][]float64{"invocations": {100}, "errors": {2}, "p99": {320}},
			wantStatus: "Failed", wantReason: "error rate 2.00% (2 errors of 100 invocations) above 1%"},
		{name: "bake p99", phase: hooksettings.HookPhaseBake, target: hooksettings.HookTarget{Bake: bake},
			metrics:    map[string][]float64{"invocations": {100}, "p99": {750}},
			wantStatus: "Failed", wantReason: "p99 duration 750 ms above 500 ms"},
		{name: "too few requests", phase: hooksettings.HookPhaseBake, target: hooksettings.HookTarget{Bake: bake},
			metrics:    map[string][]float64{"invocations": {9}, "errors": {9}},
			wantStatus: "Failed", wantReason: "too few requests to judge demo-prd-worker:8: 9 invocations from 2026-12-01T10:00:00Z to 2026-12-01T10:03:50Z; want at least 10 (min_invocations)"},
		{name: "no requests", phase: hooksettings.HookPhaseBake, target: hooksettings.HookTarget{Bake: bake},
			wantStatus: "Failed", wantReason: "too few requests to judge demo-prd-worker:8: 0 invocations"},
		{name: "panic in the check", phase: hooksettings.HookPhaseBake, target: hooksettings.HookTarget{Bake: bake}, panicCW: true,
			wantStatus: "Failed", wantReason: "hook failed unexpectedly: boom"},
		{name: "bake phase without bake settings", phase: hooksettings.HookPhaseBake, target: hooksettings.HookTarget{Smoke: smoke},
			wantStatus: "Failed", wantReason: "group demo-prd-worker has no bake configured"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.target.Group, tt.target.Function = group, function
			spec := tt.appSpec
			if spec == "" {
				spec = appSpec(function, "8")
			}
			cd, ev := codeDeploy(t, spec)
			if tt.revType != "" {
				cd.SetRevisionType(application, codedeployfake.Sha256(spec), tt.revType)
			}
			if tt.getErr {
				cd.Fail("GetDeployment", codedeployfake.AccessDenied())
			}
			lm := &fakeLambda{invoke: tt.invoke}
			cw := &fakeCloudWatch{values: tt.metrics, panic: tt.panicCW}
			var logs strings.Builder
			var slept time.Duration
			h := &hook.Handler{
				Phase: tt.phase, Targets: map[string]hooksettings.HookTarget{group: tt.target},
				Lambda: lm, CodeDeploy: cd.Client(), CloudWatch: cw,
				Margin: 200 * time.Millisecond,
				Log:    slog.New(slog.NewTextHandler(&logs, nil)),
				Now:    func() time.Time { return created.Add(3*time.Minute + 20*time.Second) },
				Sleep:  func(_ context.Context, d time.Duration) error { slept += d; return nil },
			}
			ctx := context.Background()
			if tt.deadline > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.deadline)
				defer cancel()
			}
			start := time.Now()
			if err := h.Handle(ctx, ev); err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if tt.deadline > 0 && time.Since(start) > tt.deadline {
				t.Errorf("reported after %s, past the Lambda deadline %s", time.Since(start), tt.deadline)
			}
			if got := statuses(cd); len(got) != 1 || got[0] != tt.wantStatus {
				t.Errorf("reports = %v, want exactly one %s", got, tt.wantStatus)
			}
			if !strings.Contains(logs.String(), tt.wantReason) {
				t.Errorf("log does not say %q:\n%s", tt.wantReason, logs.String())
			}
			calls := lm.invoked()
			if tt.invoke != nil && len(calls) != tt.wantCalls {
				t.Errorf("invoked %d times (%v), want %d", len(calls), calls, tt.wantCalls)
			}
			for _, c := range calls {
				// The version being released, never the alias or $LATEST.
				if !strings.HasPrefix(c, function+":8 ") {
					t.Errorf("invoked %s, want %s:8", c, function)
				}
			}
			if tt.phase == hooksettings.HookPhaseBake && cw.in != nil {
				if slept != 3*time.Minute {
					t.Errorf("baked %s, want 3m", slept)
				}
				q := cw.in.MetricDataQueries[0].MetricStat
				dims := map[string]string{}
				for _, d := range q.Metric.Dimensions {
					dims[aws.ToString(d.Name)] = aws.ToString(d.Value)
				}
				alias := tt.target.Alias
				if alias == "" {
					alias = "LIVE"
				}
				if dims["ExecutedVersion"] != "8" || dims["Resource"] != function+":"+alias {
					t.Errorf("metrics scoped to %v, want the new version 8 through %s", dims, alias)
				}
				if got := cw.in.StartTime.Format(time.RFC3339); got != "2026-12-01T10:00:00Z" {
					t.Errorf("window starts %s, want the deployment's start minute", got)
				}
				if aws.ToInt32(q.Period) != 240 {
					t.Errorf("period %d s, want one period over the 4-minute window", aws.ToInt32(q.Period))
				}
			}
		})
	}
}

func TestHookReportsSetupErrors(t *testing.T) {
	cd, ev := codeDeploy(t, appSpec(function, "8"))
	h := &hook.Handler{Phase: hooksettings.HookPhaseSmoke, CodeDeploy: cd.Client(), SetupErr: errors.New("GOLIVE_HOOK_X: bad JSON"),
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
	if err := h.Handle(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	if got := statuses(cd); len(got) != 1 || got[0] != "Failed" {
		t.Errorf("reports = %v, want one Failed", got)
	}
}

// A shift of long custom intervals starts its window weeks back, where CloudWatch only
// answers periods of 5 minutes (past 15 days) or an hour (past 63).
func TestBakeWindowFollowsCloudWatchRetention(t *testing.T) {
	for _, tt := range []struct {
		age       time.Duration
		wantStart string
		wantStep  int32
	}{
		{3*time.Minute + 20*time.Second, "2026-12-01T10:00:00Z", 60},
		{20*24*time.Hour + 3*time.Minute, "2026-12-01T10:00:00Z", 300},
		{70*24*time.Hour + 3*time.Minute, "2026-12-01T10:00:00Z", 3600},
	} {
		t.Run(tt.age.String(), func(t *testing.T) {
			cd, ev := codeDeploy(t, appSpec(function, "8"))
			cw := &fakeCloudWatch{values: map[string][]float64{"invocations": {100}}}
			h := &hook.Handler{
				Phase:      hooksettings.HookPhaseBake,
				Targets:    map[string]hooksettings.HookTarget{group: {Group: group, Function: function, Bake: &hooksettings.Bake{Minutes: 3, ErrorRatePercent: f(1), MinInvocations: 10}}},
				CodeDeploy: cd.Client(), CloudWatch: cw, Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Now:   func() time.Time { return created.Add(tt.age) },
				Sleep: func(context.Context, time.Duration) error { return nil },
			}
			if err := h.Handle(context.Background(), ev); err != nil {
				t.Fatal(err)
			}
			if cw.in == nil {
				t.Fatal("no GetMetricData call")
			}
			period := aws.ToInt32(cw.in.MetricDataQueries[0].MetricStat.Period)
			start := *cw.in.StartTime
			if period%tt.wantStep != 0 || start.Unix()%int64(tt.wantStep) != 0 || start.Format(time.RFC3339) != tt.wantStart {
				t.Errorf("window from %s, period %d s; want from %s, a multiple of %d s", start.Format(time.RFC3339), period, tt.wantStart, tt.wantStep)
			}
			if end := start.Add(time.Duration(period) * time.Second); end.Before(created.Add(tt.age)) {
				t.Errorf("window ends %s, before the judgement at %s", end, created.Add(tt.age))
			}
		})
	}
}

// A report CodeDeploy refuses because the event already has a verdict ends the run: an
// error would make Lambda retry the whole check. Any other failed report is an error, so
// that Lambda's retry reports again.
func TestHookReportErrors(t *testing.T) {
	for _, tt := range []struct {
		name        string
		before      func(cd *codedeployfake.Server, ev hook.Event)
		wantErr     string
		wantReports []string
	}{
		{"verdict already stands", func(cd *codedeployfake.Server, ev hook.Event) {
			// An earlier attempt's report landed.
			if _, err := cd.Client().PutLifecycleEventHookExecutionStatus(context.Background(), &codedeploy.PutLifecycleEventHookExecutionStatusInput{
				DeploymentId: aws.String(ev.DeploymentID), LifecycleEventHookExecutionId: aws.String(ev.LifecycleEventHookExecutionID), Status: cdtypes.LifecycleEventStatusFailed,
			}); err != nil {
				t.Fatal(err)
			}
		}, "", []string{"Failed"}},
		{"report refused", func(cd *codedeployfake.Server, _ hook.Event) {
			cd.Fail("PutLifecycleEventHookExecutionStatus", codedeployfake.AccessDenied())
		}, "hook: report Failed: operation error CodeDeploy: PutLifecycleEventHookExecutionStatus", nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cd, ev := codeDeploy(t, appSpec(function, "8"))
			tt.before(cd, ev)
			h := &hook.Handler{Phase: hooksettings.HookPhaseSmoke, CodeDeploy: cd.Client(), SetupErr: errors.New("broken"),
				Log: slog.New(slog.NewTextHandler(io.Discard, nil))}
			err := h.Handle(context.Background(), ev)
			if (err == nil) != (tt.wantErr == "") || err != nil && !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("Handle: %v, want error %q", err, tt.wantErr)
			}
			if got := statuses(cd); !slices.Equal(got, tt.wantReports) {
				t.Errorf("reports = %v, want %v", got, tt.wantReports)
			}
			if n := cd.CallsTo("PutLifecycleEventHookExecutionStatus"); n != 1+len(tt.wantReports) {
				t.Errorf("%d reports sent, want the hook's one attempt", n-len(tt.wantReports))
			}
		})
	}
}

func TestHookSettingsRoundTrip(t *testing.T) {
	smoke := &hooksettings.Smoke{Events: []json.RawMessage{json.RawMessage(`{}`)}, TimeoutS: 30}
	var h hooksettings.HookSettings
	for _, tt := range []hooksettings.HookTarget{
		{Group: "demo-prd-a-b", Smoke: smoke},
		{Group: "demo-prd-a", Smoke: smoke},
		{Group: "demo-prd-d", Smoke: &hooksettings.Smoke{Events: smoke.Events, TimeoutS: 5}},
		{Group: "demo-prd-e", Smoke: smoke, Alias: "live"},
	} {
		if err := h.Add(tt); err != nil {
			t.Fatal(err)
		}
	}
	// Equal settings are stored once; another alias is another setting.
	if len(h.Settings) != 3 {
		t.Errorf("%d settings stored, want 3: %+v", len(h.Settings), h)
	}
	k, v := h.Env()
	// The default alias is not written: the settings of a stack that keeps LIVE are as they were.
	if strings.Count(v, `"alias"`) != 1 || !strings.Contains(v, `"alias":"live"`) {
		t.Errorf("%s = %s, want one alias, live", k, v)
	}
	// The groups' common prefix is written once (Lambda allows 4 KB of environment).
	if strings.Count(v, "demo-prd-") != 1 {
		t.Errorf("%s = %s, want the common prefix demo-prd- once", k, v)
	}
	got, err := hooksettings.ParseHookTargets([]string{"PATH=/bin", k + "=" + v})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 4 {
		t.Errorf("%d groups after the round trip, want 4: %v", len(got), got)
	}
	for g, timeout := range map[string]int{"demo-prd-a-b": 30, "demo-prd-a": 30, "demo-prd-d": 5, "demo-prd-e": 30} {
		if x := got[g]; x.Group != g || x.Function != g || x.Smoke == nil || x.Smoke.TimeoutS != timeout {
			t.Errorf("%s after the round trip = %+v, want its smoke with timeout %d", g, x, timeout)
		}
	}
	for g, alias := range map[string]string{"demo-prd-a": "LIVE", "demo-prd-e": "live"} {
		if x := got[g]; x.Alias != alias {
			t.Errorf("%s after the round trip has alias %q, want %q", g, x.Alias, alias)
		}
	}
	// A name CloudFormation resolves (a CDK token) is written whole.
	tokens := hooksettings.HookSettings{}
	for _, g := range []string{"${Token[TOKEN.12]}", "${Token[TOKEN.13]}"} {
		if err := tokens.Add(hooksettings.HookTarget{Group: g, Smoke: smoke}); err != nil {
			t.Fatal(err)
		}
	}
	if _, v := tokens.Env(); !strings.Contains(v, `"${Token[TOKEN.12]}"`) || !strings.Contains(v, `"${Token[TOKEN.13]}"`) {
		t.Errorf("settings of token names = %s, want each token whole", v)
	}
	for _, bad := range []string{k + "={", k + `={"settings":[],"groups":{"x":0}}`} {
		if _, err := hooksettings.ParseHookTargets([]string{bad}); err == nil {
			t.Errorf("ParseHookTargets accepts %s", bad)
		}
	}
}
