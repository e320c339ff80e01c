package cli_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/golive-dev/golive/internal/awsclient"
	"github.com/golive-dev/golive/internal/release"
)

// planConfig has four functions released the same way, a canary of 10 % for 5 minutes
// judged by an alarm and a 3-minute bake that want 10 requests (min_invocations), except
// fresh, which has no bake; ghost pins a version that does not exist.
const planConfig = `{
  "project": "PROJECT",
  "lambda_functions": {
    "quiet": { "entry": "functions/quiet", "deployment": DEPLOYMENT },
    "busy": { "entry": "functions/busy", "deployment": DEPLOYMENT },
    "fresh": { "entry": "functions/fresh", "deployment": { "type": "Canary10Percent5Minutes", "alarms": { "error_rate_percent": 1, "min_invocations": 10 } } },
    "freshbake": { "entry": "functions/freshbake", "deployment": DEPLOYMENT },
    "ghost": { "entry": "functions/ghost", "deployment": DEPLOYMENT }
  },
  "envs": {
    "prd": {
      "account": "123456789012",
      "region": "us-east-1",
      "lambda_functions": {
        "quiet": { "live_version": "2" }, "busy": { "live_version": "2" }, "fresh": { "live_version": "2" },
        "freshbake": { "live_version": "2" }, "ghost": { "live_version": "9" }
      }
    }
  }
}
`

const planDeployment = `{ "type": "Canary10Percent5Minutes", "alarms": { "error_rate_percent": 1, "min_invocations": 10 },
  "smoke": { "events": [{ "ping": true }] }, "bake": { "minutes": 3 } }`

// planWorld deploys version 1 of each function, pins 2, and gives quiet about one request a
// minute and busy about 300, in the hours a release now would run in, a week ago, and in
// the last two hours; fresh and freshbake have no history.
func planWorld(t *testing.T) *world {
	w := newWorld(t, strings.ReplaceAll(planConfig, "DEPLOYMENT", planDeployment))
	outputs := map[string]string{}
	for _, fn := range []string{"quiet", "busy", "fresh", "freshbake", "ghost"} {
		w.releases(fn, 2)
		w.setAlias(fn, "1", nil)
		outputs["LiveVersion"+strings.ToUpper(fn[:1])+fn[1:]] = w.name(fn) + ":1"
	}
	w.deployed(outputs)
	now := time.Now().UTC()
	weekAgo := now.Truncate(time.Hour).Add(-7 * 24 * time.Hour)
	for fn, rate := range map[string]float64{"quiet": 1, "busy": 300} {
		w.putInvocations(fn, weekAgo, weekAgo.Add(3*time.Hour), rate)
		w.putInvocations(fn, now.Add(-2*time.Hour).Truncate(time.Minute), now.Truncate(time.Minute), rate)
	}
	return w
}

// putInvocations writes rate requests for each minute of [from, to) as Lambda reports an
// alias's requests: AWS/Lambda Invocations with dimensions FunctionName and Resource
// NAME:LIVE, at past timestamps (PutMetricData takes them up to two weeks back).
func (w *world) putInvocations(fn string, from, to time.Time, rate float64) {
	w.t.Helper()
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"))
	if err != nil {
		w.t.Fatal(err)
	}
	cw := cloudwatch.NewFromConfig(cfg, awsclient.QueryProtocol, func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	dims := []cwtypes.Dimension{
		{Name: aws.String("FunctionName"), Value: aws.String(w.name(fn))},
		{Name: aws.String("Resource"), Value: aws.String(w.name(fn) + ":LIVE")},
	}
	var data []cwtypes.MetricDatum
	flush := func() {
		if len(data) == 0 {
			return
		}
		if _, err := cw.PutMetricData(ctx, &cloudwatch.PutMetricDataInput{Namespace: aws.String("AWS/Lambda"), MetricData: data}); err != nil {
			w.t.Fatalf("put metric data: %v", err)
		}
		data = nil
	}
	for t := from; t.Before(to); t = t.Add(time.Minute) {
		data = append(data, cwtypes.MetricDatum{
			MetricName: aws.String("Invocations"), Dimensions: dims, Timestamp: aws.Time(t),
			Value: aws.Float64(rate), Unit: cwtypes.StandardUnitCount,
		})
		if len(data) == 500 {
			flush()
		}
	}
	flush()
}

func TestPlan(t *testing.T) {
	w := planWorld(t)
	run := w.run

	t.Run("one request a minute: neither the alarm nor the bake can judge", func(t *testing.T) {
		out, stderr, code := run("plan", "--env", "prd", "--function", "quiet")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, want := range []string{
			fmt.Sprintf("prd/quiet (%s): release 1 to 2 through CodeDeployDefault.LambdaCanary10Percent5Minutes", w.name("quiet")),
			"smoke  0%       +0m    1m       -",
			"shift  10%      +1m    5m       0.50 / 0.50 (0.10 / 0.10 a minute)",
			"worst case 10m; the traffic shift 5m of 48h ok; the smoke test 1m of 15m ok; the bake 4m of 15m ok; the deployment at worst 10m of 50h ok;",
			"problem: the alarm cannot fire during step 1 (10% for 5 min): the new version can expect 0.1 requests a minute (median of this hour of the week; 0.1 at p10), fewer than min_invocations 10",
			"problem: the bake will refuse the release: it counts the new version's requests from the deployment's start to the end of the 3-minute bake, and can expect 3.5",
			`a bake of 10 minutes would ("bake": {"minutes": 10}); or min_invocations 3 fits`,
			"LIVE's requests a minute over the last 24 h, by quarter hour:",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
		if !strings.Contains(stderr, "plan found 2 problem(s) in prd") {
			t.Errorf("stderr %q", stderr)
		}
	})

	t.Run("300 requests a minute: both can judge", func(t *testing.T) {
		out, _, code := run("plan", "--env", "prd", "--function", "busy", "--output", "json")
		if code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
		rep := jsonOut[release.PlanReport](t, out)
		if !rep.OK || len(rep.Functions) != 1 || rep.TrafficWindowHours != 168 {
			t.Fatalf("report %+v", rep)
		}
		f := rep.Functions[0]
		if f.Release != "canary" || f.From != "1" || f.To != "2" || f.Plan == nil || f.History == nil || !f.History.Found {
			t.Fatalf("function %+v", f)
		}
		var kinds []string
		for _, ph := range f.Plan.Timeline {
			kinds = append(kinds, fmt.Sprintf("%s %v%% %vm", ph.Kind, ph.Percent, ph.Minutes))
		}
		if got, want := strings.Join(kinds, ", "), "smoke 0% 1m, shift 10% 5m, shift 100% 0m, bake 100% 4m"; got != want {
			t.Errorf("timeline %s, want %s", got, want)
		}
		canary := f.Plan.Timeline[len(f.Plan.Timeline)-3]
		if canary.Expected == nil || canary.Expected.Median != 150 || canary.Expected.PerMinute.Median != 30 {
			t.Errorf("canary step expects %+v, want 150 (30 a minute)", canary.Expected)
		}
		if w := f.Plan.BakeWindow; w == nil || w.Median != 1050 {
			t.Errorf("bake window %+v, want 150 + 3 × 300", w)
		}
		if len(f.Plan.Problems) != 0 {
			t.Errorf("problems %q", f.Plan.Problems)
		}
		if n := len(f.History.LastDay); n != 96 || f.History.LastDay[n-2] != 300 {
			t.Errorf("last day %v: want 96 quarter hours, the recent ones at 300 a minute", f.History.LastDay)
		}
	})

	t.Run("no history and no bake: said plainly, not an error", func(t *testing.T) {
		out, _, code := run("plan", "--env", "prd", "--function", "fresh")
		if code != 0 {
			t.Errorf("exit %d, want 0", code)
		}
		if !strings.Contains(out, "no traffic history: LIVE had no requests in the last 7 days") {
			t.Errorf("stdout:\n%s", out)
		}
	})

	t.Run("no history and a bake: the bake will refuse", func(t *testing.T) {
		out, _, code := run("plan", "--env", "prd", "--function", "freshbake")
		if code != 1 || !strings.Contains(out, "problem: no traffic history, so the bake will refuse the release: it wants at least 10 requests") {
			t.Errorf("exit %d, stdout:\n%s", code, out)
		}
	})

	t.Run("a chart on request", func(t *testing.T) {
		out, _, _ := run("plan", "--env", "prd", "--function", "busy", "--chart", "always")
		if !strings.Contains(out, "┤") || !strings.Contains(out, "LIVE's requests a minute, ") || !strings.Contains(out, "300") {
			t.Errorf("no chart:\n%s", out)
		}
	})

	t.Run("a longer window reads two weeks", func(t *testing.T) {
		out, _, _ := run("plan", "--env", "prd", "--function", "busy", "--traffic-window", "14d", "--output", "json")
		if rep := jsonOut[release.PlanReport](t, out); rep.TrafficWindowHours != 336 || !rep.OK {
			t.Errorf("report %+v", rep)
		}
	})

	t.Run("verify lists the same findings with every other", func(t *testing.T) {
		out, stderr, code := run("verify", "--env", "prd")
		if code != 1 {
			t.Errorf("exit %d, want 1", code)
		}
		for _, want := range []string{
			fmt.Sprintf("prd/ghost: live_version 9 is not a published version of %s", w.name("ghost")),
			"prd/quiet: release 1 to 2: the alarm cannot fire during step 1 (10% for 5 min): the new version can expect 0.1 requests a minute",
			"prd/quiet: release 1 to 2: the bake will refuse the release: it counts the new version's requests from the deployment's start to the end of the 3-minute bake, and can expect 3.5",
			"or min_invocations 3 fits",
			"prd/freshbake: release 1 to 2: no traffic history, so the bake will refuse the release",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("stdout lacks %q:\n%s", want, out)
			}
		}
		if strings.Contains(out, "prd/busy") || strings.Contains(out, "prd/fresh:") {
			t.Errorf("a function that can be judged is listed:\n%s", out)
		}
		if !strings.Contains(stderr, "verify found 5 problem(s) in prd") {
			t.Errorf("stderr %q", stderr)
		}
		if _, _, code := run("verify", "--env", "prd", "--function", "busy", "--function", "fresh"); code != 0 {
			t.Errorf("verify of busy and fresh: exit %d, want 0", code)
		}
	})
}

func TestPlanUsage(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--traffic-window", "20d"}, "--traffic-window 20d: want 1d to 15d"},
		{[]string{"--traffic-window", "2h"}, "--traffic-window 2h0m0s: want 1d to 15d"},
		{[]string{"--traffic-window", "a week"}, `invalid argument "a week" for "--traffic-window" flag: want whole days such as 7d, or a duration such as 36h`},
		{[]string{"--chart", "sometimes"}, `--chart "sometimes": want auto, always or never`},
	}
	for _, tt := range tests {
		var out, errb strings.Builder
		code := runCLI(append([]string{"plan", "--env", "prd"}, tt.args...), &out, &errb)
		if code != 2 || !strings.Contains(errb.String(), tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errb.String(), tt.want)
		}
	}
}

// TestPlanStack: without config.json, plan reads the stack's functions and their history;
// a stack without CodeDeploy moves LIVE directly, so there is no canary to judge.
func TestPlanStack(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "2" }`))
	w.releases("worker", 2)
	w.setAlias("worker", "2", nil)
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":2"})
	now := time.Now().UTC().Truncate(time.Minute)
	w.putInvocations("worker", now.Add(-30*time.Minute), now, 12)

	out, _, code := w.run("plan", "--stack", w.project+"-prd", "--output", "json")
	rep := jsonOut[release.PlanReport](t, out)
	if code != 0 || len(rep.Functions) != 1 {
		t.Fatalf("exit %d, %+v", code, rep)
	}
	f := rep.Functions[0]
	if f.Function != "Worker" || f.Release != "none" || f.Why != "LIVE stays on 2 (the stack's own pin; give the next pins with --pins to plan their release)" || f.Plan != nil || f.History == nil || !f.History.Found {
		t.Errorf("function %+v", f)
	}
	if last := f.History.LastDay[len(f.History.LastDay)-1]; last != 12 {
		t.Errorf("last day %v: want the last quarter hour at 12 a minute", f.History.LastDay)
	}
}
