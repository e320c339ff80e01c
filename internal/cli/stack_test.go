package cli_test

import (
	"os"
	"slices"
	"strings"
	"testing"
)

// A stack that uses the construct without golive's config.json: --stack finds its functions
// in the LiveVersion outputs, and status, publish, verify, prune and rollback work on it;
// what needs config.json (--pin) is refused as a usage error.
func TestStackWithoutConfig(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "2" }`))
	w.releases("worker", 3)
	w.setAlias("worker", "2", nil)
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":2", "Other": "not ours"})
	if err := os.Remove(w.cfgPath); err != nil {
		t.Fatal(err)
	}
	stack := w.project + "-prd"

	out, _, code := w.run("status", "--stack", stack, "-o", "json")
	st := jsonOut[statusJSON](t, out)
	if code != 0 || len(st.Functions) != 1 || st.Functions[0].Config.LiveVersion != "2" || st.Functions[0].Alias == nil ||
		st.Functions[0].Alias.Version != "2" || len(st.Functions[0].Drift) != 0 {
		t.Fatalf("status: exit %d, %+v", code, st)
	}
	if _, stderr, code := w.run("verify", "--stack", stack); code != 0 {
		t.Errorf("verify: exit %d, %s", code, stderr)
	}
	w.updateCode("worker")
	out, _, code = w.run("publish", "--stack", stack, "-o", "json")
	if f := jsonOut[publishJSON](t, out).Functions; code != 0 || len(f) != 1 || f[0]["function"] != "Worker" || f[0]["version"] != "4" {
		t.Errorf("publish: exit %d, %v", code, f)
	}
	if _, stderr, code := w.run("publish", "--stack", stack, "--pin"); code != 2 || !strings.Contains(stderr, "--pin writes config.json, and --stack runs without it") {
		t.Errorf("publish --pin --stack: exit %d, %s", code, stderr)
	}
	// 1 is old; 3 and 4 are newer than the deployed 2: release candidates.
	out, _, code = w.run("prune", "--stack", stack, "--keep", "0", "-o", "json")
	if p := jsonOut[pruneJSON](t, out); code != 0 || !slices.Equal(p.Functions[0].Deleted, []string{"1"}) {
		t.Errorf("prune: exit %d, %+v", code, p)
	}
	out, stderr, code := w.run("rollback", "--stack", stack, "--function", "Worker", "--to", "3")
	if code != 0 || w.aliasVersion("worker") != "3" || !strings.Contains(stderr, "set Worker's live version to 3 in your app") {
		t.Errorf("rollback: exit %d, LIVE on %s, stdout %s, stderr %s", code, w.aliasVersion("worker"), out, stderr)
	}
	for _, tt := range []struct {
		args []string
		say  string
	}{
		{[]string{"status", "--stack", stack, "--env", "prd"}, "want one of them"},
		{[]string{"status"}, "want --env E (an environment of config.json) or --stack NAME"},
		{[]string{"status", "--stack", ""}, `--stack "": want a CloudFormation stack name`},
	} {
		if _, stderr, code := w.run(tt.args...); code != 2 || !strings.Contains(stderr, tt.say) {
			t.Errorf("%v: exit %d, %s", tt.args, code, stderr)
		}
	}
	if _, stderr, code := w.run("status", "--stack", "nope-"+stack); code != 1 || !strings.Contains(stderr, "--stack nope-"+stack+": no such stack in region us-east-1") {
		t.Errorf("unknown stack: exit %d, %s", code, stderr)
	}
	if _, stderr, code := w.run("status", "--stack", stack, "--function", "nope"); code != 1 || !strings.Contains(stderr, `unknown function "nope"; want one of: Worker`) {
		t.Errorf("unknown function: exit %d, %s", code, stderr)
	}
}
