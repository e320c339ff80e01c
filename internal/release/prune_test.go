package release_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

// kept flattens a report's kept versions to "N: reason, reason".
func kept(f release.PruneFunction) map[string]string {
	m := map[string]string{}
	for _, k := range f.Kept {
		m[k.Version] = strings.Join(k.Reasons, ", ")
	}
	return m
}

func TestPruneKeepsEveryReference(t *testing.T) {
	const name = "p-prd-worker"
	// prd weights 4 (no CodeDeploy), the stack last deployed 5, LIVE is on 6 and another
	// alias routes to 2; the newest 2 are 9 and 10, and 8 to 10 are release candidates
	// (newer than 7, the newest referenced).
	f := newFixture(t, `"worker": {"live_version": "6", "additional_versions": {"4": 0.1}, "deployment": {"type": "None"}}`, "worker")
	fn := f.published(name, 10)
	fn.SetAlias("LIVE", "6", map[string]float64{"7": 0.05})
	fn.SetAlias("BETA", "2", nil)
	f.deployed(f.fn(t, "worker"), "5")

	rep, err := f.env.Prune(context.Background(), f.env.Target.Functions, 2, false)
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Functions[0]
	if want := []string{"1", "3"}; !slices.Equal(p.Deleted, want) {
		t.Errorf("deleted %v; want %v", p.Deleted, want)
	}
	wantKept := map[string]string{
		"2":  "alias BETA",
		"4":  "config prd additional_versions",
		"5":  "stack p-prd deployed",
		"6":  "alias LIVE, config prd live_version",
		"7":  "alias LIVE weight",
		"8":  "release candidate: newer than 7, the newest referenced",
		"9":  "release candidate: newer than 7, the newest referenced, newest 2",
		"10": "release candidate: newer than 7, the newest referenced, newest 2",
	}
	if got := kept(p); !mapsEqual(got, wantKept) {
		t.Errorf("kept %v; want %v", got, wantKept)
	}
	if got := fn.Versions(); !slices.Equal(got, []string{"2", "4", "5", "6", "7", "8", "9", "10"}) {
		t.Errorf("versions left %v", got)
	}
	if p.FreedBytes == 0 || rep.Storage.FreedBytes != p.FreedBytes {
		t.Errorf("freed %d, storage %+v", p.FreedBytes, rep.Storage)
	}
	if rep.Storage.UsedBytes == nil || *rep.Storage.LimitBytes != 75<<30 {
		t.Errorf("storage %+v; want usage and the 75 GiB limit", rep.Storage)
	}
}

// Another environment pinning the same physical function protects its version too.
func TestPruneKeepsOtherEnvPins(t *testing.T) {
	src := `{
  "project": "p",
  "lambda_functions": {"worker": {"entry": "functions/worker", "function_name": "shared-worker"}},
  "envs": {
    "tst": {"account": "111111111111", "region": "us-east-1", "lambda_functions": {"worker": {"live_version": "2"}}},
    "prd": {"account": "222222222222", "region": "us-east-1", "lambda_functions": {"worker": {"live_version": "4"}}}
  }
}`
	cfg, err := config.Parse([]byte(src))
	if err != nil {
		t.Fatal(err)
	}
	env, _ := cfg.Env("prd")
	lf := fakeaws.NewLambda()
	lf.Account = env.Account // tst's copy of the function lives in 111111111111
	fn := lf.AddFunction("shared-worker")
	for i := range 5 {
		if i > 0 {
			fn.UpdateCode()
		}
		lf.Publish("shared-worker")
	}
	e := &release.Env{Target: release.ConfigTarget(cfg, env), Lambda: lf, Stacks: fakeaws.NewStacks(), Deploys: fakeaws.NewDeploys()}
	rep, err := e.Prune(context.Background(), release.FunctionsOf(env.Functions), 1, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Functions[0].Deleted; !slices.Equal(got, []string{"1", "3"}) {
		t.Errorf("deleted %v; want [1 3]", got)
	}
	if got := kept(rep.Functions[0])["2"]; got != "config tst live_version" {
		t.Errorf("2 kept for %q", got)
	}
}

func TestPruneRefusesWhileDeploymentInFlight(t *testing.T) {
	const name = "p-prd-worker"
	f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
	f.published(name, 5).SetAlias("LIVE", "2", map[string]float64{"3": 0.1})
	f.deploys.Start("p-prd", name, "d-XYZ")
	_, err := f.env.Prune(context.Background(), f.env.Target.Functions, 1, false)
	if !errors.Is(err, release.ErrInFlight) || !strings.Contains(err.Error(), "d-XYZ (worker)") {
		t.Fatalf("error = %v; want ErrInFlight naming d-XYZ", err)
	}
	if n := f.lambda.Calls("DeleteFunction"); n != 0 {
		t.Errorf("%d deletes while a deployment was in flight", n)
	}
}

// AWS refuses to delete a version an alias routes to (here one moved after golive listed the
// aliases): prune keeps it, says why, and carries on.
func TestPruneWhenAWSRefuses(t *testing.T) {
	const name = "p-prd-worker"
	f := newFixture(t, `"worker": {"live_version": "4"}`, "worker")
	fn := f.published(name, 4)
	fn.SetAlias("LIVE", "4", nil)
	fn.Refuse = map[string]bool{"2": true}
	rep, err := f.env.Prune(context.Background(), f.env.Target.Functions, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Functions[0]
	if p.Error != "" || len(rep.FunctionErrors()) > 0 {
		t.Fatalf("error %q", p.Error)
	}
	if !slices.Equal(p.Deleted, []string{"1", "3"}) {
		t.Errorf("deleted %v; want [1 3]", p.Deleted)
	}
	if got := kept(p)["2"]; !strings.Contains(got, "AWS refused: Unable to delete version because the following aliases reference it") {
		t.Errorf("2 kept for %q", got)
	}
}

func TestPruneDryRun(t *testing.T) {
	const name = "p-prd-worker"
	f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
	fn := f.published(name, 3)
	fn.SetAlias("LIVE", "3", nil)
	f.lambda.NoAccountSettings = true // as in moto
	rep, err := f.env.Prune(context.Background(), f.env.Target.Functions, 0, true)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rep.Functions[0].Deleted, []string{"1", "2"}) || !rep.DryRun {
		t.Errorf("would delete %v", rep.Functions[0].Deleted)
	}
	if f.lambda.Calls("DeleteFunction") != 0 || len(fn.Versions()) != 3 {
		t.Error("dry run deleted something")
	}
	if rep.Storage.UsedBytes != nil || rep.Storage.FreedBytes == 0 {
		t.Errorf("storage %+v; want unknown usage and the bytes it would free", rep.Storage)
	}
}

// Numbers are not always in publish order (moto hands out len+1 after a delete): the newest K
// by publish time are kept as well as the K highest numbers, and a number listed twice is
// handled once. A version published after the newest referenced one is a release candidate,
// whatever its number.
func TestPruneReusedNumbers(t *testing.T) {
	const name = "p-prd-worker"
	f := newFixture(t, `"worker": {"live_version": "5"}`, "worker")
	fn := f.published(name, 5)
	// Make the list look like moto's after deleting 1..3 and publishing twice: 4, 5, 3, 3.
	fn.Published = fn.Published[3:]
	for _, ts := range []string{"2030-01-01T00:00:00.000+0000", "2030-01-02T00:00:00.000+0000"} {
		v := fn.Published[0]
		v.Version, v.LastModified = aws.String("3"), aws.String(ts)
		fn.Published = append(fn.Published, v)
	}
	rep, err := f.env.Prune(context.Background(), f.env.Target.Functions, 1, false)
	if err != nil {
		t.Fatal(err)
	}
	p := rep.Functions[0]
	if !slices.Equal(p.Deleted, []string{"4"}) {
		t.Errorf("deleted %v; want [4]", p.Deleted)
	}
	want := map[string]string{"3": "release candidate: newer than 5, the newest referenced, newest 1 by publish time", "5": "config prd live_version, newest 1"}
	if got := kept(p); !mapsEqual(got, want) {
		t.Errorf("kept %v; want %v", got, want)
	}
}

func TestPruneNegativeKeep(t *testing.T) {
	f := newFixture(t, "", "worker")
	if _, err := f.env.Prune(context.Background(), f.env.Target.Functions, -1, true); err == nil {
		t.Fatal("want an error for --keep -1")
	}
}

func mapsEqual(a, b map[string]string) bool {
	return fmt.Sprint(a) == fmt.Sprint(b)
}

// Nothing references a version yet (LIVE follows $LATEST): every version may be the next
// release's, so prune keeps them all.
func TestPruneKeepsCandidatesWithoutReference(t *testing.T) {
	f := newFixture(t, `"worker": {"live_version": null}`, "worker")
	f.published("p-prd-worker", 3).SetAlias("LIVE", "$LATEST", nil)
	rep, err := f.env.Prune(context.Background(), f.env.Target.Functions, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if p := rep.Functions[0]; len(p.Deleted) != 0 || len(p.Kept) != 3 || p.Kept[0].Reasons[0] != "release candidate: nothing references a version yet" {
		t.Errorf("deleted %v, kept %+v; want all 3 kept as release candidates", p.Deleted, p.Kept)
	}
}

// The deletes stop at the first timed-out call, like the reads before them, so that a hung
// endpoint fails prune within about one call timeout, not one per function.
func TestPruneGivesUpOnTimeout(t *testing.T) {
	f, live := hungFleet(t, "DeleteFunction", `{"live_version": "3"}`, "3")
	rep, err := f.env.Prune(context.Background(), f.env.Target.Functions, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if live.Load() != 1 || len(rep.FunctionErrors()) != 4 || !strings.Contains(rep.Functions[3].Error, "not finished: another AWS call timed out") {
		t.Errorf("%d deletes before giving up, functions %+v; want 1, and the others not finished", live.Load(), rep.Functions)
	}
}
