package cli_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/pins"
)

// Without config.json, rollback records on the alias (its description) the version it moved
// LIVE away from; moto stores alias descriptions, so the record is read back by the next
// command: prune does not keep the rolled-back version as a release candidate.
func TestStackRollbackRecordOnMoto(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "3" }`))
	w.releases("worker", 3)
	w.setAlias("worker", "3", nil)
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":3"})
	if err := os.Remove(w.cfgPath); err != nil {
		t.Fatal(err)
	}
	stack := w.project + "-prd"
	if _, _, code := w.run("rollback", "--stack", stack, "--function", "Worker"); code != 0 || w.aliasVersion("worker") != "2" {
		t.Fatalf("rollback: exit %d, LIVE on %s", code, w.aliasVersion("worker"))
	}
	a, err := w.lambda.GetAlias(context.Background(), &lambda.GetAliasInput{FunctionName: aws.String(w.name("worker")), Name: aws.String("LIVE")})
	if err != nil || aws.ToString(a.Description) != "golive: rolled back from version 3" {
		t.Fatalf("alias description %q, %v; want the rollback record", aws.ToString(a.Description), err)
	}
	out, _, code := w.run("status", "--stack", stack, "-o", "json")
	if st := jsonOut[statusJSON](t, out); code != 0 || st.Functions[0].Config.RolledBack != "3" {
		t.Errorf("status: exit %d, %+v; want rolled_back 3", code, st.Functions[0].Config)
	}
	// The stack still records 3 until the next deploy; once that deploy records 2, version 3
	// is newer than everything referenced, and only the record says it is no candidate.
	if _, err := w.cfn.DeleteStack(context.Background(), &cloudformation.DeleteStackInput{StackName: aws.String(stack)}); err != nil {
		t.Fatal(err)
	}
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":2"})
	out, _, code = w.run("prune", "--stack", stack, "--keep", "0", "-o", "json")
	if p := jsonOut[pruneJSON](t, out); code != 0 || !slices.Equal(p.Functions[0].Deleted, []string{"1", "3"}) {
		t.Errorf("prune: exit %d, %+v; want 1 and the rolled-back 3 deleted", code, p)
	}
}

// With --stack, a pins file takes config.json's place: publish --pin writes the new version
// into it under the stack's name and the construct id, rollback writes the version it
// returned to with a direct rollout and rolled_back, and prune keeps what it pins.
func TestStackPinsFileOnMoto(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "2" }`))
	w.releases("worker", 2)
	w.setAlias("worker", "2", nil)
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":2"})
	if err := os.Remove(w.cfgPath); err != nil {
		t.Fatal(err)
	}
	stack := w.project + "-prd"
	pinsPath := filepath.Join(t.TempDir(), "pins.json")
	before := "{\n  \"" + stack + "\": {\n    \"Worker\": { \"live_version\": \"2\" }\n  }\n}\n"
	if err := os.WriteFile(pinsPath, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	read := func() string {
		b, err := os.ReadFile(pinsPath)
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if _, stderr, code := w.run("publish", "--stack", stack, "--pin"); code != 2 || !strings.Contains(stderr, "add --pins FILE") {
		t.Errorf("publish --pin --stack without --pins: exit %d, %s", code, stderr)
	}
	if _, stderr, code := w.run("publish", "--env", "prd", "--pins", pinsPath); code != 2 || !strings.Contains(stderr, "want --stack NAME too") {
		t.Errorf("--pins with --env: exit %d, %s", code, stderr)
	}

	w.updateCode("worker")
	if _, _, code := w.run("publish", "--stack", stack, "--pins", pinsPath, "--pin"); code != 0 {
		t.Fatalf("publish --pin: exit %d", code)
	}
	if got, want := read(), strings.Replace(before, `"2"`, `"3"`, 1); got != want {
		t.Fatalf("pins after publish --pin:\n%s\nwant\n%s", got, want)
	}
	// LIVE serves 3 (the deploy of the pin), then goes back.
	w.setAlias("worker", "3", nil)
	if _, _, code := w.run("rollback", "--stack", stack, "--pins", pinsPath, "--function", "Worker"); code != 0 || w.aliasVersion("worker") != "2" {
		t.Fatalf("rollback: exit %d, LIVE on %s", code, w.aliasVersion("worker"))
	}
	f, err := pins.Load(pinsPath)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := f.Pin(stack, "Worker"); p != (pins.Pin{LiveVersion: "2", Rollout: "direct", RolledBack: "3"}) {
		t.Errorf("pins after rollback: %+v\n%s", p, read())
	}
	// publish --pin never re-pins the version rolled back from.
	if _, _, code := w.run("publish", "--stack", stack, "--pins", pinsPath, "--pin"); code != 0 {
		t.Errorf("publish --pin after the rollback: exit %d", code)
	}
	if p, _ := mustLoad(t, pinsPath).Pin(stack, "Worker"); p.LiveVersion != "2" {
		t.Errorf("publish --pin re-pinned %s", p.LiveVersion)
	}
}

func mustLoad(t *testing.T, path string) *pins.File {
	t.Helper()
	f, err := pins.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}
