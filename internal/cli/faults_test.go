package cli_test

import (
	"context"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golive-dev/golive/internal/cli"
	"github.com/golive-dev/golive/internal/testkit/faults"
)

// The fault tests drive golive through internal/testkit/faults in front of moto_server, as a
// pipeline meets AWS on a bad day: throttles, 5xx, connections dropped before or after moto
// acted, delays, hangs and interrupts. Each asserts the state left in moto and config.json.

// proxy starts a fault proxy in front of moto for the test.
func proxy(t *testing.T, rules ...faults.Rule) *faults.Proxy {
	t.Helper()
	p, err := faults.Start(srv.URL, 1, rules...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close() })
	return p
}

// via runs golive against endpoint instead of moto itself.
func (w *world) via(ctx context.Context, endpoint string, args ...string) (stdout, stderr string, code int) {
	var out, errb strings.Builder
	args = append(args, "--config", w.cfgPath, "--endpoint-url", endpoint)
	code = testApp(&out, &errb).Run(ctx, args)
	w.t.Logf("golive %s -> %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errb.String())
	return out.String(), errb.String(), code
}

// fleet is a config of n functions f00..f(n-1), each with the prd settings given.
func fleet(n int, prd string) string {
	var shared, env []string
	for i := range n {
		shared = append(shared, fmt.Sprintf(`"f%02d": { "entry": "functions/f%02d" }`, i, i))
		env = append(env, fmt.Sprintf(`"f%02d": %s`, i, prd))
	}
	return `{
  "project": "PROJECT",
  "lambda_functions": {
    ` + strings.Join(shared, ",\n    ") + `
  },
  "envs": {
    "prd": {
      "account": "123456789012",
      "region": "us-east-1",
      "lambda_functions": {
        ` + strings.Join(env, ",\n        ") + `
      }
    }
  }
}
`
}

// released sets up n functions on version 1 (pinned, LIVE and stack agreeing) with new code in
// $LATEST, ready for publish --pin to release version 2.
func released(t *testing.T, n int) *world {
	w := newWorld(t, fleet(n, `{ "live_version": "1" }`))
	outputs := map[string]string{}
	for i := range n {
		fn := fmt.Sprintf("f%02d", i)
		w.releases(fn, 1)
		w.setAlias(fn, "1", nil)
		w.updateCode(fn)
		outputs[fmt.Sprintf("LiveVersionF%02d", i)] = w.name(fn) + ":1"
	}
	w.deployed(outputs)
	return w
}

// After a run that faults failed, rerunning the command it prints finishes the job: every
// function ends pinned to the one version its $LATEST was published as, nothing published
// twice.
func TestConvergesAfterFaults(t *testing.T) {
	w := released(t, 4)
	p := proxy(t,
		// f00: PublishVersion reaches moto, every answer is lost; golive finds the version.
		faults.Rule{Op: "PublishVersion", Function: w.name("f00"), Kind: faults.DropAfter, Rate: 1},
		// f01: published, then GetAlias (for the pin's rollout) fails for good.
		faults.Rule{Op: "GetAlias", Function: w.name("f01"), Kind: faults.ServerError, Rate: 1},
		// f02: nothing reaches moto.
		faults.Rule{Op: "GetFunctionConfiguration", Function: w.name("f02"), Kind: faults.DropBefore, Rate: 1},
		// Everyone: weather the retries survive.
		faults.Rule{Kind: faults.Throttle, Rate: 0.3},
		faults.Rule{Kind: faults.ServerError, Rate: 0.1},
		faults.Rule{Kind: faults.DropBefore, Rate: 0.05},
	)
	out, stderr, code := w.via(t.Context(), p.URL, "publish", "--env", "prd", "--pin", "-o", "json")
	rep := jsonOut[publishJSON](t, out)
	if code != 1 || !rep.Updated {
		t.Fatalf("first run: exit %d, config_updated %v; want 1 and the others' pins written", code, rep.Updated)
	}
	byName := map[string]map[string]any{}
	for _, f := range rep.Functions {
		byName[f["function"].(string)] = f
	}
	if f := byName["f00"]; f["status"] != "new" || f["version"] != "2" || f["pinned"] != true {
		t.Errorf("f00 (answer lost) = %v; want new version 2, pinned", f)
	}
	if f := byName["f01"]; f["status"] != "failed" || f["version"] != "2" {
		t.Errorf("f01 (failed after its publish) = %v; want failed, version 2 reported", f)
	}
	if f := byName["f02"]; f["status"] != "failed" || f["version"] != nil {
		t.Errorf("f02 (failed before) = %v; want failed without version", f)
	}
	if !slices.ContainsFunc(rep.NotPinned, func(u struct {
		Function string `json:"function"`
		Version  string `json:"version"`
	}) bool {
		return u.Function == "f01" && u.Version == "2"
	}) || !strings.Contains(stderr, "golive: published but not pinned: f01 2") {
		t.Errorf("not_pinned %v, stderr %s; want f01 2", rep.NotPinned, stderr)
	}
	want := "golive publish --env prd --function f01,f02 --pin --config " + w.cfgPath + " --endpoint-url " + p.URL
	if rep.Rerun != want {
		t.Fatalf("rerun %q; want %q", rep.Rerun, want)
	}

	// The rerun, through the same weather without the permanent faults.
	p.SetRules(faults.Rule{Kind: faults.Throttle, Rate: 0.3}, faults.Rule{Kind: faults.ServerError, Rate: 0.1})
	args := strings.Fields(rep.Rerun)[1:]
	args = args[:len(args)-4] // --config and --endpoint-url come back from via
	if _, _, code := w.via(t.Context(), p.URL, args...); code != 0 {
		t.Fatalf("rerun: exit %d", code)
	}
	cfg := w.readConfig()
	for i := range 4 {
		fn := fmt.Sprintf("f%02d", i)
		if vs := w.versions(fn); !slices.Equal(vs, []string{"1", "2"}) {
			t.Errorf("%s: versions %v in moto; want [1 2], nothing published twice", fn, vs)
		}
		if !strings.Contains(cfg, fmt.Sprintf(`"%s": { "live_version": "2" }`, fn)) {
			t.Errorf("%s not pinned to 2:\n%s", fn, cfg)
		}
	}
	if p.Faulted("PublishVersion") == 0 {
		t.Error("no PublishVersion faulted: the faults did not happen")
	}
}

// Two runs at once on one config.json, each pinning its own function, both between reading
// the config and writing it: they serialize on the lock and both pins land. An edit of a
// function's entry while a run pins it is not overwritten: that run writes nothing, says so
// and how to finish, and its rerun pins without publishing again.
func TestConcurrentPins(t *testing.T) {
	w := released(t, 3)
	p := proxy(t, faults.Rule{Op: "PublishVersion", Kind: faults.Delay, Rate: 1, Delay: 300 * time.Millisecond})
	var wg sync.WaitGroup
	codes := make([]int, 2)
	for i := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, _, codes[i] = w.via(t.Context(), p.URL, "publish", "--env", "prd", "--pin", "--function", fmt.Sprintf("f%02d", i))
		}()
	}
	wg.Wait()
	if !slices.Equal(codes, []int{0, 0}) {
		t.Errorf("exit codes %v; want both runs to pin", codes)
	}
	for i := range 2 {
		if fn := fmt.Sprintf("f%02d", i); !strings.Contains(w.readConfig(), fmt.Sprintf(`"%s": { "live_version": "2" }`, fn)) {
			t.Errorf("%s not pinned:\n%s", fn, w.readConfig())
		}
	}

	// Someone sets f02's rollout while its publish is under way.
	go func() {
		for p.Faulted("PublishVersion") < 3 {
			time.Sleep(5 * time.Millisecond)
		}
		w.writeConfig(strings.Replace(w.readConfig(), `"f02": { "live_version": "1" }`, `"f02": { "live_version": "1", "rollout": "canary" }`, 1))
	}()
	out, stderr, code := w.via(t.Context(), p.URL, "publish", "--env", "prd", "--pin", "--function", "f02", "-o", "json")
	if code != 1 || !strings.Contains(stderr, "envs.prd.lambda_functions.f02: changed since golive read it") ||
		!strings.Contains(stderr, "published but not pinned: f02 2") {
		t.Errorf("run against an edit: exit %d, stderr %s", code, stderr)
	}
	if !strings.Contains(w.readConfig(), `"f02": { "live_version": "1", "rollout": "canary" }`) {
		t.Errorf("the edit was overwritten:\n%s", w.readConfig())
	}
	rerun := jsonOut[publishJSON](t, out).Rerun
	args := strings.Fields(rerun)[1:]
	if _, _, code := w.via(t.Context(), p.URL, args[:len(args)-4]...); code != 0 {
		t.Fatalf("rerun %q: exit %d", rerun, code)
	}
	if !strings.Contains(w.readConfig(), `"f02": { "live_version": "2", "rollout": "canary" }`) {
		t.Errorf("f02 not pinned by the rerun:\n%s", w.readConfig())
	}
	for i := range 3 {
		if fn := fmt.Sprintf("f%02d", i); !slices.Equal(w.versions(fn), []string{"1", "2"}) {
			t.Errorf("%s: versions %v; want [1 2]", fn, w.versions(fn))
		}
	}
}

// 30% of all calls throttled over 60 functions: every function is published and pinned, exit 0.
func TestThrottleStorm(t *testing.T) {
	const n = 60
	w := newWorld(t, fleet(n, `{ "live_version": null }`))
	for i := range n {
		w.createFunction(fmt.Sprintf("f%02d", i))
	}
	p := proxy(t, faults.Rule{Kind: faults.Throttle, Rate: 0.3})
	start := time.Now()
	out, _, code := w.via(t.Context(), p.URL, "publish", "--env", "prd", "--pin", "--concurrency", "16", "-o", "json")
	rep := jsonOut[publishJSON](t, out)
	if code != 0 || !rep.Updated {
		t.Fatalf("exit %d, config_updated %v; want every function published and pinned", code, rep.Updated)
	}
	for _, f := range rep.Functions {
		if f["status"] != "new" || f["version"] != "1" || f["pinned"] != true {
			t.Errorf("%v; want new version 1, pinned", f)
		}
	}
	if p.Faulted("PublishVersion") == 0 || p.Faulted("GetFunctionConfiguration") == 0 {
		t.Error("no call was throttled: the storm did not happen")
	}
	if strings.Count(w.readConfig(), `"live_version": "1", "rollout": "direct"`) != n {
		t.Errorf("config.json:\n%s", w.readConfig())
	}
	t.Logf("%d functions through %d throttled PublishVersion calls in %s", n, p.Faulted("PublishVersion"), time.Since(start).Round(time.Millisecond))
}

// A hung endpoint fails the command within the call timeout, naming the call.
func TestHungCallTimesOut(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": null }`))
	p := proxy(t, faults.Rule{Kind: faults.Hang, Rate: 1})
	start := time.Now()
	_, stderr, code := w.via(t.Context(), p.URL, "status", "--env", "prd", "--call-timeout", "500ms")
	if code != 1 || !strings.Contains(stderr, "CloudFormation DescribeStacks did not answer within 500ms (--call-timeout)") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Errorf("took %s; want about the call timeout", d)
	}
	// Thirty functions one at a time against the hung endpoint: the first timeout gives up on
	// the rest, instead of a call timeout per function.
	w = newWorld(t, fleet(30, `{ "live_version": null }`))
	start = time.Now()
	out, stderr, code := w.via(t.Context(), p.URL, "publish", "--env", "prd", "--concurrency", "1", "--call-timeout", "300ms", "-o", "json")
	rep := jsonOut[publishJSON](t, out)
	if code != 1 || len(rep.Functions) != 30 || !strings.Contains(stderr, "publish failed for 30 of 30 functions") ||
		!strings.Contains(rep.Functions[29]["error"].(string), "not finished: another AWS call timed out (read $LATEST of "+w.name("f00")) {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Errorf("took %s; want about one call timeout, not one per function", d)
	}
	// The command that finishes the job keeps this run's bounds.
	if !strings.Contains(rep.Rerun, "--call-timeout 300ms --concurrency 1") {
		t.Errorf("rerun %q; want --call-timeout 300ms --concurrency 1 kept", rep.Rerun)
	}
	if cli.DefaultCallTimeout > 2*time.Minute {
		t.Errorf("default call timeout %s; a hung call must fail within 2 minutes", cli.DefaultCallTimeout)
	}
}

// prune keeps a release candidate (published, not yet pinned) and counts a version whose
// delete answer was lost, though the SDK's retry of it got 404.
func TestPruneCandidateAndLostDelete(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "2" }`))
	w.releases("worker", 3)
	w.setAlias("worker", "2", nil)
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":2"})
	w.updateCode("worker")
	if _, _, code := w.run("publish", "--env", "prd"); code != 0 { // 4: a candidate, like 3
		t.Fatal(code)
	}
	p := proxy(t, faults.Rule{Op: "DeleteFunction", Kind: faults.DropAfter, Rate: 1, Attempts: 1})
	out, _, code := w.via(t.Context(), p.URL, "prune", "--env", "prd", "--keep", "0", "-o", "json")
	rep := jsonOut[pruneJSON](t, out)
	if code != 0 || !slices.Equal(rep.Functions[0].Deleted, []string{"1"}) {
		t.Fatalf("exit %d, deleted %v; want [1], its lost answer counted", code, rep.Functions[0].Deleted)
	}
	if vs := w.versions("worker"); !slices.Equal(vs, []string{"2", "3", "4"}) {
		t.Errorf("versions in moto %v; want [2 3 4]: 3 and 4 are release candidates", vs)
	}
	if p.Faulted("DeleteFunction") != 1 || p.Forwarded("DeleteFunction") != 2 {
		t.Errorf("DeleteFunction faulted %d, forwarded %d; want the first answer lost and one retry", p.Faulted("DeleteFunction"), p.Forwarded("DeleteFunction"))
	}
}

// An interrupt in the middle of publish --pin writes nothing, says what was published and
// not pinned and how to finish, and exits 130; the rerun pins everything, publishing nothing
// twice.
func TestInterruptedPublish(t *testing.T) {
	w := released(t, 2)
	p := proxy(t, faults.Rule{Op: "PublishVersion", Function: w.name("f01"), Kind: faults.Hang, Rate: 1})
	before := w.readConfig()
	ctx, cancel := context.WithCancelCause(t.Context())
	go func() {
		for p.Faulted("PublishVersion") == 0 || p.Forwarded("PublishVersion") == 0 {
			time.Sleep(10 * time.Millisecond)
		}
		cancel(cli.Interrupt{Signal: 2})
	}()
	out, stderr, code := w.via(ctx, p.URL, "publish", "--env", "prd", "--pin", "-o", "json")
	rep := jsonOut[publishJSON](t, out)
	said := regexp.MustCompile(`(?m)^golive: .*$`).FindAllString(stderr, -1)
	if code != 130 || !strings.HasSuffix(stderr, "golive: interrupted by SIGINT\n") || strings.Contains(strings.Join(said, "\n"), "context canceled") {
		t.Errorf("exit %d, stderr %s; want 130 and the interrupt named", code, stderr)
	}
	if w.readConfig() != before {
		t.Error("config.json written after the interrupt")
	}
	if len(rep.NotPinned) != 1 || rep.NotPinned[0].Function != "f00" || !strings.Contains(rep.Rerun, "--pin") {
		t.Errorf("not_pinned %v, rerun %q; want f00 and the rerun", rep.NotPinned, rep.Rerun)
	}
	if f := rep.Functions[1]; f["status"] != "failed" || f["error"] != "interrupted before it finished" {
		t.Errorf("f01 = %v; want failed, interrupted", f)
	}
	p.SetRules()
	args := strings.Fields(rep.Rerun)[1:]
	if _, _, code := w.via(t.Context(), p.URL, args[:len(args)-4]...); code != 0 {
		t.Fatalf("rerun: exit %d", code)
	}
	for i := range 2 {
		fn := fmt.Sprintf("f%02d", i)
		if vs := w.versions(fn); !slices.Equal(vs, []string{"1", "2"}) {
			t.Errorf("%s: versions %v; want [1 2]", fn, vs)
		}
		if !strings.Contains(w.readConfig(), fmt.Sprintf(`"%s": { "live_version": "2" }`, fn)) {
			t.Errorf("%s not pinned", fn)
		}
	}
}

// An interrupted prune reports the deletions it made, the one whose answer it was still
// waiting for included, and exits 143 on SIGTERM.
func TestInterruptedPrune(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "4" }`))
	w.releases("worker", 4)
	w.setAlias("worker", "4", nil)
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":4"})
	// The first delete reaches moto; its answer never comes back before the interrupt.
	p := proxy(t, faults.Rule{Op: "DeleteFunction", Kind: faults.HangAfter, Rate: 1})
	ctx, cancel := context.WithCancelCause(t.Context())
	go func() {
		for p.Forwarded("DeleteFunction") == 0 {
			time.Sleep(5 * time.Millisecond)
		}
		cancel(cli.Interrupt{Signal: 15})
	}()
	out, stderr, code := w.via(ctx, p.URL, "prune", "--env", "prd", "--keep", "0", "-o", "json")
	rep := jsonOut[pruneJSON](t, out)
	if code != 143 || !strings.HasSuffix(stderr, "golive: interrupted by SIGTERM\n") {
		t.Errorf("exit %d, stderr %s; want 143", code, stderr)
	}
	if got := rep.Functions[0].Deleted; !slices.Equal(got, []string{"1"}) {
		t.Errorf("reported deleted %v; want [1], deleted before the interrupt", got)
	}
	if vs := w.versions("worker"); !slices.Equal(vs, []string{"2", "3", "4"}) {
		t.Errorf("versions in moto %v; want [2 3 4]", vs)
	}
}
