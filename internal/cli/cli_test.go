package cli_test

import (
	"context"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

type publishJSON struct {
	Env       string           `json:"env"`
	Functions []map[string]any `json:"functions"`
	Updated   bool             `json:"config_updated"`
	NotPinned []struct {
		Function string `json:"function"`
		Version  string `json:"version"`
	} `json:"not_pinned"`
	Rerun string `json:"rerun"`
}

func TestPublishNewThenUnchanged(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "1" }`))
	w.releases("worker", 1)
	w.setAlias("worker", "1", nil)
	w.deployed(map[string]string{"LiveVersionWorker": "1"})
	w.updateCode("worker")

	out, _, code := w.run("publish", "--env", "prd", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	got := jsonOut[publishJSON](t, out)
	f := got.Functions[0]
	if f["status"] != "new" || f["version"] != "2" || f["previous_version"] != "1" || f["function_name"] != w.name("worker") {
		t.Errorf("first publish = %v; want new version 2 after 1", f)
	}
	// The documented JSON shape (docs/commands.md, "JSON output").
	if keys := slices.Sorted(maps.Keys(f)); !slices.Equal(keys, []string{"code_sha256", "function", "function_name", "previous_version", "status", "version"}) {
		t.Errorf("keys = %v", keys)
	}

	// Nothing changed since: Lambda hands back version 2.
	out, _, code = w.run("publish", "--env", "prd", "--output", "json")
	if f := jsonOut[publishJSON](t, out).Functions[0]; code != 0 || f["status"] != "unchanged" || f["version"] != "2" {
		t.Errorf("second publish: exit %d, %v; want unchanged version 2", code, f)
	}
	if vs := w.versions("worker"); !slices.Equal(vs, []string{"1", "2"}) {
		t.Errorf("versions in moto = %v; want [1 2]", vs)
	}

	// The table for people.
	out, _, _ = w.run("publish", "--env", "prd")
	if !strings.Contains(out, "worker    2        unchanged  2") {
		t.Errorf("table:\n%s", out)
	}
}

func TestPublishSmoke(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": null }`))
	w.createFunction("worker")
	dir := t.TempDir()

	notJSON := dir + "/not.json"
	writeFile(t, notJSON, `{"smoke": tru`)
	if _, stderr, code := w.run("publish", "--env", "prd", "--smoke", notJSON); code != 1 ||
		!strings.Contains(stderr, "--smoke "+notJSON+": not JSON; want a file holding one JSON value") || len(w.versions("worker")) != 0 {
		t.Errorf("a smoke file that is not JSON: exit %d, %s, versions %v; want refused, nothing published", code, stderr, w.versions("worker"))
	}

	ok := dir + "/ok.json"
	writeFile(t, ok, `{"smoke": true}`)
	out, _, code := w.run("publish", "--env", "prd", "--smoke", ok, "-o", "json")
	if f := jsonOut[publishJSON](t, out).Functions[0]; code != 0 || f["smoke"] != "passed" || f["status"] != "new" {
		t.Fatalf("exit %d, %v; want smoke passed and a new version", code, f)
	}

	// moto's Docker-free Lambda echoes the payload back and reports a function error when the
	// response exceeds Lambda's 6 MB limit: a real FunctionError without running code.
	w.updateCode("worker")
	bad := dir + "/bad.json"
	writeFile(t, bad, `{"pad": "`+strings.Repeat("x", 6_000_100)+`"}`)
	out, stderr, code := w.run("publish", "--env", "prd", "--smoke", bad, "-o", "json")
	f := jsonOut[publishJSON](t, out).Functions[0]
	if code != 1 || f["status"] != "failed" || !strings.Contains(f["error"].(string), "smoke test failed") ||
		!strings.Contains(f["error"].(string), "function error (Unhandled), not publishing") {
		t.Errorf("exit %d, %v; want a refused publish", code, f)
	}
	if !strings.Contains(stderr, "publish failed for 1 of 1 functions") {
		t.Errorf("stderr = %s", stderr)
	}
	if vs := w.versions("worker"); !slices.Equal(vs, []string{"1"}) {
		t.Errorf("versions = %v; want only 1: the failing code must not be published", vs)
	}
}

func TestPublishPinMinimalDiff(t *testing.T) {
	tests := []struct {
		name   string
		worker string // prd worker settings before
		setup  func(w *world)
		// after is the worker settings expected afterwards: nothing else in the file changes.
		after string
	}{
		{
			name:   "first pin from $LATEST sets a direct rollout",
			worker: `{ "live_version": null }`,
			setup: func(w *world) {
				w.createFunction("worker")
				w.setAlias("worker", "$LATEST", nil)
				w.deployed(map[string]string{"LiveVersionWorker": "$LATEST"})
			},
			after: `{ "live_version": "1", "rollout": "direct" }`,
		},
		{
			name:   "next release clears the direct left by the first pin",
			worker: `{ "live_version": "1", "rollout": "direct" }`,
			setup: func(w *world) {
				w.releases("worker", 1)
				w.setAlias("worker", "1", nil)
				w.deployed(map[string]string{"LiveVersionWorker": "1"})
				w.updateCode("worker")
			},
			after: `{ "live_version": "2" }`,
		},
		{
			name:   "a number stays a number",
			worker: `{ "live_version": 1 }`,
			setup: func(w *world) {
				w.releases("worker", 1)
				w.setAlias("worker", "1", nil)
				w.deployed(map[string]string{"LiveVersionWorker": "1"})
				w.updateCode("worker")
			},
			after: `{ "live_version": 2 }`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, cfg(tt.worker))
			before := w.readConfig()
			tt.setup(w)
			out, _, code := w.run("publish", "--env", "prd", "--pin", "-o", "json")
			if code != 0 || !jsonOut[publishJSON](t, out).Updated {
				t.Fatalf("exit %d, config_updated false", code)
			}
			want := strings.Replace(before, tt.worker, tt.after, 1)
			if got := w.readConfig(); got != want {
				t.Errorf("config.json:\n%s\nwant:\n%s", got, want)
			}
			// And the pipeline's gate agrees with the new pin.
			if _, _, code := w.run("verify", "--env", "prd"); code != 0 {
				t.Errorf("verify after publish --pin: exit %d", code)
			}
		})
	}
}

const twoFunctions = `{
  "project": "PROJECT",
  "lambda_functions": {
    "worker": { "entry": "functions/worker" },
    "api": { "entry": "functions/api" }
  },
  "envs": {
    "prd": {
      "account": "123456789012",
      "region": "us-east-1",
      "lambda_functions": {
        "worker": { "live_version": "1" },
        "api": { "live_version": "1" }
      }
    }
  }
}
`

// A failing function does not cost the others their pin: worker's is written, api's failure
// is reported with the command that finishes the job; an interrupted run writes nothing.
func TestPublishPinPartialFailure(t *testing.T) {
	w := newWorld(t, twoFunctions)
	w.releases("worker", 1)
	w.setAlias("worker", "1", nil)
	w.deployed(map[string]string{"LiveVersionWorker": "1", "LiveVersionApi": "1"})
	w.updateCode("worker") // api does not exist in moto: its publish fails
	before := w.readConfig()

	out, stderr, code := w.run("publish", "--env", "prd", "--pin", "-o", "json")
	got := jsonOut[publishJSON](t, out)
	if code != 1 || !got.Updated || !strings.Contains(stderr, "publish failed for 1 of 2 functions") {
		t.Errorf("exit %d, config_updated %v, stderr %s", code, got.Updated, stderr)
	}
	rerun := "golive publish --env prd --function api --pin --config " + w.cfgPath + " --endpoint-url " + srv.URL
	if !strings.Contains(stderr, "golive: to finish, run: "+rerun) || got.Rerun != rerun {
		t.Errorf("rerun %q, stderr %s; want %q", got.Rerun, stderr, rerun)
	}
	if !strings.Contains(stderr, "function "+w.name("api")+" not found in region us-east-1") {
		t.Errorf("stderr does not name the region: %s", stderr)
	}
	want := strings.Replace(before, `"worker": { "live_version": "1" }`, `"worker": { "live_version": "2" }`, 1)
	if after := w.readConfig(); after != want {
		t.Errorf("config.json:\n%s\nwant:\n%s", after, want)
	}

	w.writeConfig(before)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, code := w.runCtx(ctx, "publish", "--env", "prd", "--function", "worker", "--pin"); code != 1 {
		t.Errorf("interrupted run: exit %d; want 1", code)
	}
	if w.readConfig() != before {
		t.Error("config.json changed after an interrupted publish")
	}
}

type statusJSON struct {
	Functions []struct {
		Config struct {
			LiveVersion string `json:"live_version"`
			RolledBack  string `json:"rolled_back"`
		} `json:"config"`
		StackDeployed *string `json:"stack_deployed"`
		Alias         *struct {
			Version string             `json:"version"`
			Weights map[string]float64 `json:"weights"`
		} `json:"alias"`
		Newest *string  `json:"newest_version"`
		Drift  []string `json:"drift"`
	} `json:"functions"`
}

func TestStatusShowsDrift(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "3" }`))
	w.releases("worker", 4)
	w.setAlias("worker", "2", nil) // moved outside the stack
	w.deployed(map[string]string{"LiveVersionWorker": "3"})

	out, _, code := w.run("status", "--env", "prd", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	s := jsonOut[statusJSON](t, out).Functions[0]
	if s.Config.LiveVersion != "3" || *s.StackDeployed != "3" || s.Alias.Version != "2" || *s.Newest != "4" {
		t.Errorf("status = %+v", s)
	}
	if len(s.Drift) != 1 || s.Drift[0] != "alias LIVE is on 2 but the stack last deployed 3 (moved outside CloudFormation)" {
		t.Errorf("drift = %q", s.Drift)
	}

	out, _, _ = w.run("status", "--env", "prd")
	for _, want := range []string{"FUNCTION  CONFIG  STACK  ALIAS  COMMIT  NEWEST  DRIFT", "worker    3       3      2      -       4       alias LIVE is on 2"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

func TestVerify(t *testing.T) {
	tests := []struct {
		name     string
		worker   string
		alias    string
		deployed string // PROJECT stands for the test's project name
		args     []string
		code     int
		stdout   string
	}{
		{name: "ready", worker: `{ "live_version": "3" }`, alias: "2", deployed: "2", code: 0, stdout: "ok: prd is ready to deploy"},
		{name: "missing pinned version", worker: `{ "live_version": "9" }`, alias: "2", deployed: "2", code: 1,
			stdout: "prd/worker: live_version 9 is not a published version of PROJECT-prd-worker (the newest is 3)\n"},
		{name: "drift", worker: `{ "live_version": "3" }`, alias: "1", deployed: "2", code: 1,
			stdout: "prd/worker: alias LIVE is on 1 but the stack last deployed 2: the next deploy would fail"},
		{name: "drift re-recorded by a direct rollout", worker: `{ "live_version": "1", "rollout": "direct" }`, alias: "1", deployed: "2", code: 0},
		{name: "stack output names the function", worker: `{ "live_version": "3" }`, alias: "2", deployed: "PROJECT-prd-worker:2", code: 0},
		{name: "renamed function", worker: `{ "live_version": "3" }`, alias: "2", deployed: "PROJECT-prd-old:2", code: 1,
			stdout: "prd/worker: config names the function PROJECT-prd-worker but the stack deployed it as PROJECT-prd-old"},
		{name: "renamed on purpose", worker: `{ "live_version": "3" }`, alias: "2", deployed: "PROJECT-prd-old:2",
			args: []string{"--allow-rename"}, code: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, cfg(tt.worker))
			w.releases("worker", 3)
			w.setAlias("worker", tt.alias, nil)
			w.deployed(map[string]string{"LiveVersionWorker": strings.ReplaceAll(tt.deployed, "PROJECT", w.project)})
			out, stderr, code := w.run(append([]string{"verify", "--env", "prd"}, tt.args...)...)
			if code != tt.code {
				t.Errorf("exit %d; want %d", code, tt.code)
			}
			if want := strings.ReplaceAll(tt.stdout, "PROJECT", w.project); !strings.Contains(out, want) {
				t.Errorf("stdout = %q; want %q", out, want)
			}
			if tt.code == 1 && (strings.Count(out, "\n") != 1 || !strings.Contains(stderr, "verify found 1 problem(s) in prd")) {
				t.Errorf("want one line per problem; stdout %q, stderr %q", out, stderr)
			}
		})
	}
}

func TestRollback(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "3" }`))
	w.releases("worker", 3)
	w.setAlias("worker", "3", map[string]float64{"2": 0.1})
	w.deployed(map[string]string{"LiveVersionWorker": "3"})
	before := w.readConfig()

	out, _, code := w.run("rollback", "--env", "prd", "--function", "worker")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out, "worker: LIVE moved from 3 to 2") || !strings.Contains(out, `config updated: "live_version": "2", "rollout": "direct", "rolled_back": "3"`) {
		t.Errorf("stdout = %s", out)
	}
	if v := w.aliasVersion("worker"); v != "2" {
		t.Errorf("LIVE on %s in moto; want 2", v)
	}
	want := strings.Replace(before, `{ "live_version": "3" }`, `{ "live_version": "2", "rollout": "direct", "rolled_back": "3" }`, 1)
	if got := w.readConfig(); got != want {
		t.Errorf("config.json:\n%s\nwant:\n%s", got, want)
	}
	if out, _, _ := w.run("status", "--env", "prd"); !strings.Contains(out, "2 (direct) (rolled back from 3)") {
		t.Errorf("status does not show the rollback:\n%s", out)
	}
	// Consistent for the next pipeline run: the direct rollout re-records 2 in the stack.
	if _, _, code := w.run("verify", "--env", "prd"); code != 0 {
		t.Errorf("verify after rollback: exit %d", code)
	}

	// --to a version that does not exist changes nothing.
	after := w.readConfig()
	_, stderr, code := w.run("rollback", "--env", "prd", "--function", "worker", "--to", "9")
	if code != 1 || !strings.Contains(stderr, "version 9 of "+w.name("worker")+" does not exist (newest is 3)") || w.readConfig() != after || w.aliasVersion("worker") != "2" {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
}

type pruneJSON struct {
	Functions []struct {
		Deleted []string `json:"deleted"`
		Kept    []struct {
			Version string   `json:"version"`
			Reasons []string `json:"reasons"`
		} `json:"kept"`
	} `json:"functions"`
	Storage struct {
		Used  *int64 `json:"account_used_bytes"`
		Freed int64  `json:"freed_bytes"`
	} `json:"storage"`
}

func TestPrune(t *testing.T) {
	// Config pins 4; LIVE is on 4 with 10% on 5 (moto would happily delete both); the stack
	// last deployed 3; the newest is 6.
	w := newWorld(t, cfg(`{ "live_version": "4" }`))
	w.releases("worker", 6)
	w.setAlias("worker", "4", map[string]float64{"5": 0.1})
	w.deployed(map[string]string{"LiveVersionWorker": "3"})

	out, _, code := w.run("prune", "--env", "prd", "--keep", "1", "--dry-run", "-o", "json")
	if p := jsonOut[pruneJSON](t, out); code != 0 || !slices.Equal(p.Functions[0].Deleted, []string{"1", "2"}) {
		t.Fatalf("dry run: exit %d, %+v", code, p)
	}
	if vs := w.versions("worker"); len(vs) != 6 {
		t.Fatalf("dry run deleted: %v", vs)
	}

	out, _, code = w.run("prune", "--env", "prd", "--keep", "1", "-o", "json")
	p := jsonOut[pruneJSON](t, out)
	if code != 0 || !slices.Equal(p.Functions[0].Deleted, []string{"1", "2"}) {
		t.Fatalf("exit %d, %+v", code, p)
	}
	reasons := map[string]string{}
	for _, k := range p.Functions[0].Kept {
		reasons[k.Version] = strings.Join(k.Reasons, ", ")
	}
	want := map[string]string{
		"3": "stack " + w.project + "-prd deployed",
		"4": "alias LIVE, config prd live_version",
		"5": "alias LIVE weight",
		"6": "release candidate: newer than 5, the newest referenced, newest 1",
	}
	if fmt.Sprint(reasons) != fmt.Sprint(want) {
		t.Errorf("kept %v; want %v", reasons, want)
	}
	if p.Storage.Used != nil || p.Storage.Freed == 0 {
		t.Errorf("storage %+v; moto has no GetAccountSettings, freed bytes are known", p.Storage)
	}
	if vs := w.versions("worker"); !slices.Equal(vs, []string{"3", "4", "5", "6"}) {
		t.Errorf("versions in moto = %v", vs)
	}

	// moto numbers the next version len(versions)+1 = 5 again: a second "5", the newest code.
	w.updateCode("worker")
	out, _, code = w.run("publish", "--env", "prd", "-o", "json")
	if f := jsonOut[publishJSON](t, out).Functions[0]; code != 0 || f["status"] != "new" || f["version"] != "5" {
		t.Fatalf("publish after prune: exit %d, %v (moto's number reuse changed?)", code, f)
	}
	out, stderr, code := w.run("prune", "--env", "prd", "--keep", "1")
	if code != 0 || strings.Contains(stderr, "ERROR") {
		t.Fatalf("prune after reuse: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(out, "code storage: account usage unknown") {
		t.Errorf("table = %s", out)
	}
	if vs := w.versions("worker"); !slices.Contains(vs, "5") || !slices.Contains(vs, "6") || !slices.Contains(vs, "4") {
		t.Errorf("versions in moto = %v; the newest and referenced ones must stay", vs)
	}
}

func TestPruneRefusesWhileDeploymentInFlight(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "3" }`))
	w.releases("worker", 3)
	w.setAlias("worker", "2", map[string]float64{"3": 0.1})
	w.deployed(map[string]string{"LiveVersionWorker": "2"})
	id := w.deploymentInFlight("worker")

	_, stderr, code := w.run("prune", "--env", "prd", "--keep", "0")
	if code != 1 || !strings.Contains(stderr, "deployment in flight: CodeDeploy deployment "+id+" (worker)") {
		t.Errorf("exit %d, stderr %s", code, stderr)
	}
	if vs := w.versions("worker"); len(vs) != 3 {
		t.Errorf("versions = %v; nothing may be deleted", vs)
	}
	// status and verify see it too.
	out, _, code := w.run("verify", "--env", "prd")
	if code != 1 || !strings.Contains(out, id+" is still in flight") {
		t.Errorf("verify: exit %d, %s", code, out)
	}
}

func TestErrors(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"unknown env", []string{"status", "--env", "qa"}, 1, `unknown env "qa"; want one of: prd`},
		{"unknown function", []string{"publish", "--env", "prd", "--function", "nope"}, 1, `env prd: unknown function "nope"; want one of: worker`},
		{"missing --env", []string{"verify"}, 2, "want --env E (an environment of config.json) or --stack NAME"},
		{"unknown flag", []string{"publish", "--env", "prd", "--bogus"}, 2, "unknown flag: --bogus"},
		{"bad --output", []string{"status", "--env", "prd", "--output", "yaml"}, 2, `--output "yaml": want table or json`},
		{"negative --keep", []string{"prune", "--env", "prd", "--keep", "-1"}, 2, "--keep -1: want 0 or more"},
		{"no command", []string{}, 2, "missing command"},
		{"empty --function", []string{"publish", "--env", "prd", "--function", ""}, 2, `--function "": want a function key of the config`},
		{"empty name in --function", []string{"status", "--env", "prd", "--function", "worker,"}, 2, `--function "worker,": an empty name in the list`},
		{"empty --env", []string{"status", "--env", ""}, 2, `--env "": want an environment`},
		{"rollback of two", []string{"rollback", "--env", "prd", "--function", "worker,api"}, 2, `--function "worker,api": want exactly one function`},
		{"bad --call-timeout", []string{"status", "--env", "prd", "--call-timeout", "0s"}, 2, "--call-timeout 0s: want a positive duration"},
		{"unknown command", []string{"deploy"}, 2, `unknown command "deploy"`},
		{"bad --to", []string{"rollback", "--env", "prd", "--function", "worker", "--to", "v7"}, 2, `--to "v7": want a published version number, like 7`},
		{"bad --region", []string{"status", "--env", "prd", "--region", "us-east-1x"}, 2, `--region: got "us-east-1x"; want an AWS region such as "us-east-1"`},
		{"--role-arn not an ARN", []string{"status", "--env", "prd", "--role-arn", "golive"}, 2, `--role-arn "golive": want an IAM role ARN, such as arn:aws:iam::123456789012:role/NAME`},
		{"--role-arn of a user", []string{"status", "--env", "prd", "--role-arn", "arn:aws:iam::123456789012:user/me"}, 2, `--role-arn "arn:aws:iam::123456789012:user/me": want an IAM role ARN`},
	}
	w := newWorld(t, cfg(`{ "live_version": null }`))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := w.run(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.stderr) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, stderr, tt.code, tt.stderr)
			}
		})
	}
}

// Credentials that reach another account than config.json names for the env (moto's are in
// 123456789012) change nothing there: publish, rollback and prune fail with exit 1 naming
// both accounts, verify and status report it, and moto holds what it held.
func TestOtherAccountIsRefused(t *testing.T) {
	w := newWorld(t, strings.Replace(cfg(`{ "live_version": "1" }`), "123456789012", "210987654321", 1))
	w.releases("worker", 2)
	w.setAlias("worker", "2", nil)
	w.updateCode("worker")
	const says = "is in account 123456789012, but envs.prd.account is 210987654321; run golive with credentials for 210987654321"
	for _, args := range [][]string{
		{"publish", "--env", "prd"},
		{"rollback", "--env", "prd", "--function", "worker"},
		{"prune", "--env", "prd", "--keep", "0"},
		{"verify", "--env", "prd"},
		{"status", "--env", "prd"},
	} {
		t.Run(args[0], func(t *testing.T) {
			out, stderr, code := w.run(args...)
			if code != 1 || !strings.Contains(out+stderr, says) {
				t.Errorf("exit %d, stdout %q, stderr %q; want 1 and %q", code, out, stderr, says)
			}
		})
	}
	if vs, alias := w.versions("worker"), w.aliasVersion("worker"); !slices.Equal(vs, []string{"1", "2"}) || alias != "2" {
		t.Errorf("moto holds versions %v, LIVE on %s; want [1 2] and 2, untouched", vs, alias)
	}
	if got := w.readConfig(); !strings.Contains(got, `"live_version": "1"`) {
		t.Errorf("config.json changed:\n%s", got)
	}
}

func TestMissingConfig(t *testing.T) {
	var out, errb strings.Builder
	code := runCLI([]string{"status", "--env", "prd", "--config", "/nonexistent/config.json"}, &out, &errb)
	if code != 1 || !strings.Contains(errb.String(), "read config: open /nonexistent/config.json: no such file or directory") {
		t.Errorf("exit %d, stderr %s", code, errb.String())
	}
}

func TestUnreachableEndpoint(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": null }`))
	for _, args := range [][]string{
		{"status", "--env", "prd"},
		{"publish", "--env", "prd"},
	} {
		var out, errb strings.Builder
		code := runCLI(append(args, "--config", w.cfgPath, "--endpoint-url", "http://127.0.0.1:1"), &out, &errb)
		if code != 1 || !strings.Contains(errb.String(), "cannot reach http://127.0.0.1:1") {
			t.Errorf("%v: exit %d, stderr %s", args, code, errb.String())
		}
	}
}

func runCLI(args []string, stdout, stderr io.Writer) int {
	return testApp(stdout, stderr).Run(context.Background(), args)
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// --role-arn assumes the role through STS (moto's, which accepts any role) before calling
// the services.
func TestRoleARN(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": null }`))
	w.createFunction("worker")
	out, _, code := w.run("status", "--env", "prd", "--role-arn", roleARN, "-o", "json")
	if code != 0 || !strings.Contains(out, `"function_name": "`+w.name("worker")+`"`) {
		t.Errorf("exit %d, %s", code, out)
	}
}

// A config saved by a Windows editor gets a message that says what to do, not the JSON
// parser's "invalid character 'ï'".
func TestConfigEncoding(t *testing.T) {
	utf16 := []byte{0xFF, 0xFE}
	for _, r := range `{"project": "x"}` {
		utf16 = append(utf16, byte(r), 0)
	}
	tests := []struct {
		name    string
		content []byte
		want    string
	}{
		{"UTF-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, `{"project": "x"}`...), "starts with a UTF-8 byte order mark (EF BB BF), which JSON does not allow; save it as UTF-8 without BOM"},
		{"UTF-16 LE", utf16, "is UTF-16 (byte order mark FF FE); save it as UTF-8"},
		{"UTF-16 without BOM", utf16[2:], "holds NUL bytes, as UTF-16 or UTF-32 text does; save it as UTF-8"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, tt.content, 0o644); err != nil {
				t.Fatal(err)
			}
			var out, errb strings.Builder
			code := runCLI([]string{"status", "--env", "prd", "--config", path}, &out, &errb)
			if code != 1 || !strings.Contains(errb.String(), "config "+path+": line 1, column 1: the file "+tt.want) {
				t.Errorf("exit %d, stderr %q; want 1 and %q", code, errb.String(), tt.want)
			}
		})
	}
}

// publish --pin and rollback refuse a read-only config before they touch AWS: a version
// nobody can pin is a release half done.
func TestReadOnlyConfigRefusedFirst(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "1" }`))
	w.releases("worker", 2)
	w.setAlias("worker", "2", nil)
	w.deployed(map[string]string{"LiveVersionWorker": "2"})
	w.updateCode("worker")
	if err := os.Chmod(w.cfgPath, 0o444); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"publish", "--env", "prd", "--pin"},
		{"rollback", "--env", "prd", "--function", "worker"},
	} {
		_, stderr, code := w.run(args...)
		if code != 1 || !strings.Contains(stderr, w.cfgPath+" is read-only (mode 0444)") {
			t.Errorf("%s: exit %d, stderr %s", args[0], code, stderr)
		}
	}
	if vs, alias := w.versions("worker"), w.aliasVersion("worker"); len(vs) != 2 || alias != "2" {
		t.Errorf("versions %v, LIVE on %s; want nothing published or moved", vs, alias)
	}
}
