package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// createAliasNamed creates fn's alias name on version, as an adopted stack left it.
func (w *world) createAliasNamed(fn, name, version string) {
	w.t.Helper()
	_, err := w.lambda.CreateAlias(context.Background(), &lambda.CreateAliasInput{
		FunctionName: aws.String(w.name(fn)), Name: aws.String(name), FunctionVersion: aws.String(version),
	})
	if err != nil {
		w.t.Fatalf("create alias %s: %v", name, err)
	}
}

// aliases are fn's aliases in moto, name to version.
func (w *world) aliases(fn string) map[string]string {
	w.t.Helper()
	out, err := w.lambda.ListAliases(context.Background(), &lambda.ListAliasesInput{FunctionName: aws.String(w.name(fn))})
	if err != nil {
		w.t.Fatal(err)
	}
	got := map[string]string{}
	for _, a := range out.Aliases {
		got[aws.ToString(a.Name)] = aws.ToString(a.FunctionVersion)
	}
	return got
}

type aliasStatusJSON struct {
	Functions []struct {
		AliasName string `json:"alias_name"`
		Alias     *struct {
			Version string `json:"version"`
		} `json:"alias"`
		Drift []string `json:"drift"`
	} `json:"functions"`
}

// TestAliasNameOnMoto: a function adopted with its callers' alias "live" (config.json's
// alias) is read, published, rolled back and pruned on live; no command creates or moves a
// LIVE alias, and every message names live.
func TestAliasNameOnMoto(t *testing.T) {
	w := newWorld(t, cfg(`{ "alias": "live", "live_version": "3" }`))
	w.releases("worker", 3)
	w.createAliasNamed("worker", "live", "3")
	w.deployed(map[string]string{"LiveVersionWorker": "3"})

	out, _, code := w.run("status", "--env", "prd", "-o", "json")
	st := jsonOut[aliasStatusJSON](t, out)
	if f := st.Functions[0]; code != 0 || f.AliasName != "live" || f.Alias == nil || f.Alias.Version != "3" || len(f.Drift) != 0 {
		t.Fatalf("status: exit %d, %+v; want live on 3 without drift", code, st.Functions)
	}
	if out, _, _ := w.run("status", "--env", "prd"); !strings.Contains(out, "3 (live)") {
		t.Errorf("status table does not name live:\n%s", out)
	}

	w.updateCode("worker")
	out, _, code = w.run("publish", "--env", "prd", "--pin", "-o", "json")
	if code != 0 || !strings.Contains(out, "the next deploy shifts live from 3 to 4") {
		t.Errorf("publish --pin: exit %d\n%s", code, out)
	}
	if got := w.readConfig(); !strings.Contains(got, `{ "alias": "live", "live_version": "4" }`) {
		t.Errorf("config.json after publish --pin:\n%s", got)
	}

	out, _, code = w.run("rollback", "--env", "prd", "--function", "worker")
	if code != 0 || !strings.Contains(out, "worker: live moved from 3 to 2") {
		t.Errorf("rollback: exit %d\n%s", code, out)
	}

	out, _, code = w.run("prune", "--env", "prd", "--keep", "0", "-o", "json")
	p := jsonOut[pruneJSON](t, out)
	if code != 0 || !slices.Equal(p.Functions[0].Deleted, []string{"1"}) {
		t.Errorf("prune: exit %d, %+v; want only 1 deleted", code, p)
	}
	kept := map[string]string{}
	for _, k := range p.Functions[0].Kept {
		kept[k.Version] = strings.Join(k.Reasons, ", ")
	}
	if !strings.Contains(kept["2"], "alias live") {
		t.Errorf("prune kept %v; want 2 kept as alias live's", kept)
	}

	if got := w.aliases("worker"); len(got) != 1 || got["live"] != "2" {
		t.Errorf("aliases in moto %v; want live on 2 alone, no LIVE", got)
	}
}

// TestAliasNameStackOnMoto: with --stack and no config.json, the alias is the one the stack's
// LiveAlias output names: status, publish --pin (with a pins file), rollback (which records on
// live's description) and prune act on live and never create LIVE.
func TestAliasNameStackOnMoto(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "2" }`))
	w.releases("worker", 2)
	w.createAliasNamed("worker", "live", "2")
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":2", "LiveAliasWorker": "live"})
	if err := os.Remove(w.cfgPath); err != nil {
		t.Fatal(err)
	}
	stack := w.project + "-prd"
	pinsPath := filepath.Join(t.TempDir(), "pins.json")
	if err := os.WriteFile(pinsPath, []byte(`{"`+stack+`": {"Worker": {"live_version": "2"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}

	out, _, code := w.run("status", "--stack", stack, "-o", "json")
	st := jsonOut[aliasStatusJSON](t, out)
	if f := st.Functions[0]; code != 0 || f.AliasName != "live" || f.Alias == nil || f.Alias.Version != "2" {
		t.Fatalf("status: exit %d, %+v; want live on 2", code, st.Functions)
	}

	w.updateCode("worker")
	out, _, code = w.run("publish", "--stack", stack, "--pins", pinsPath, "--pin", "-o", "json")
	if code != 0 || !strings.Contains(out, "the next deploy shifts live from 2 to 3") {
		t.Errorf("publish --pin: exit %d\n%s", code, out)
	}

	out, _, code = w.run("rollback", "--stack", stack, "--pins", pinsPath, "--function", "Worker", "--to", "1")
	if code != 0 || !strings.Contains(out, "Worker: live moved from 2 to 1") {
		t.Errorf("rollback: exit %d\n%s", code, out)
	}
	a, err := w.lambda.GetAlias(context.Background(), &lambda.GetAliasInput{FunctionName: aws.String(w.name("worker")), Name: aws.String("live")})
	if err != nil || aws.ToString(a.FunctionVersion) != "1" || aws.ToString(a.Description) != "golive: rolled back from version 2" {
		t.Errorf("live after rollback: %v on %s, description %q; want 1 with the rollback record", err, aws.ToString(a.FunctionVersion), aws.ToString(a.Description))
	}

	out, _, code = w.run("prune", "--stack", stack, "--pins", pinsPath, "--keep", "0", "-o", "json")
	p := jsonOut[pruneJSON](t, out)
	kept := map[string]string{}
	for _, k := range p.Functions[0].Kept {
		kept[k.Version] = strings.Join(k.Reasons, ", ")
	}
	if code != 0 || !strings.Contains(kept["1"], "alias live") {
		t.Errorf("prune: exit %d, kept %v; want 1 kept as alias live's", code, kept)
	}

	if got := w.aliases("worker"); len(got) != 1 || got["live"] != "1" {
		t.Errorf("aliases in moto %v; want live on 1 alone, no LIVE", got)
	}
}
