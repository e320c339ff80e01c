package release_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/pinfile"
	"github.com/golive-dev/golive/internal/release"
)

func TestRollbackAfterDeployment(t *testing.T) {
	const name = "p-prd-worker"
	tests := []struct {
		name   string
		config string
		setup  func(f *fixture)
		to     string
		want   string // version LIVE ends on
		errHas string
	}{
		{
			name:   "previous version by default",
			config: `"worker": {"live_version": "3"}`,
			setup:  func(f *fixture) { f.published(name, 3).SetAlias("LIVE", "3", nil) },
			want:   "2",
		},
		{
			name:   "previous is the highest lower number, gaps allowed",
			config: `"worker": {"live_version": "5"}`,
			setup: func(f *fixture) {
				fn := f.published(name, 5)
				fn.SetAlias("LIVE", "5", nil)
				mustDelete(t, f, "4")
			},
			want: "3",
		},
		{
			name:   "given version, weighted split cleared",
			config: `"worker": {"live_version": "3", "additional_versions": {"2": 0.2}, "deployment": {"type": "None"}}`,
			setup:  func(f *fixture) { f.published(name, 3).SetAlias("LIVE", "3", map[string]float64{"2": 0.2}) },
			to:     "1",
			want:   "1",
		},
		{
			name:   "unknown version",
			config: `"worker": {"live_version": "3"}`,
			setup:  func(f *fixture) { f.published(name, 3).SetAlias("LIVE", "3", nil) },
			to:     "8",
			errHas: "version 8 of p-prd-worker does not exist (newest is 3)",
		},
		{
			name:   "nothing below version 1",
			config: `"worker": {"live_version": "1"}`,
			setup:  func(f *fixture) { f.published(name, 1).SetAlias("LIVE", "1", nil) },
			errHas: "no published version of p-prd-worker below 1",
		},
		{
			name:   "alias on $LATEST needs --to",
			config: `"worker": {"live_version": null}`,
			setup:  func(f *fixture) { f.published(name, 2).SetAlias("LIVE", "$LATEST", nil) },
			errHas: "follows $LATEST, which has no previous version: give --to N",
		},
		{
			name:   "no alias",
			config: `"worker": {"live_version": null}`,
			setup:  func(f *fixture) { f.published(name, 2) },
			errHas: "has no LIVE alias",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.config, "worker")
			tt.setup(f)
			plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), tt.to)
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("error = %v; want %q", err, tt.errHas)
				}
				if f.lambda.Calls("UpdateAlias") != 0 {
					t.Error("alias updated despite the error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			// rolled_back records the version LIVE left, so publish --pin never re-pins it.
			wantPin := pinfile.Pin{Env: "prd", Function: "worker", Version: tt.want, Rollout: pinfile.RolloutDirect, ClearAdditional: true,
				RolledBack: plan.From}
			if plan.Mode != release.ModeAlias || plan.To != tt.want || plan.Pin != wantPin || plan.From == "" {
				t.Fatalf("plan = %+v; want alias mode to %s with pin %+v", plan, tt.want, wantPin)
			}
			if err := f.env.Rollback(context.Background(), plan); err != nil {
				t.Fatal(err)
			}
			a := f.lambda.Function(name).Aliases["LIVE"]
			if got := aws.ToString(a.FunctionVersion); got != tt.want {
				t.Errorf("LIVE on %s; want %s", got, tt.want)
			}
			if a.RoutingConfig != nil && len(a.RoutingConfig.AdditionalVersionWeights) > 0 {
				t.Errorf("split left: %v", a.RoutingConfig.AdditionalVersionWeights)
			}
		})
	}
}

// Someone moves the alias between golive reading and updating it: the RevisionId guard
// refuses, and the alias stays where that person put it.
func TestRollbackAliasGuard(t *testing.T) {
	const name = "p-prd-worker"
	f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
	fn := f.published(name, 3)
	fn.SetAlias("LIVE", "3", nil)
	plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
	if err != nil {
		t.Fatal(err)
	}
	fn.SetAlias("LIVE", "1", nil) // meanwhile
	err = f.env.Rollback(context.Background(), plan)
	if !errors.Is(err, release.ErrChanged) || !strings.Contains(err.Error(), "nothing changed, rerun rollback") {
		t.Fatalf("error = %v; want ErrChanged", err)
	}
	if got := aws.ToString(fn.Aliases["LIVE"].FunctionVersion); got != "1" {
		t.Errorf("LIVE on %s; want 1", got)
	}
}

func TestRollbackDeploymentInFlight(t *testing.T) {
	const name = "p-prd-worker"
	setup := func(t *testing.T) *fixture {
		f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
		f.published(name, 3).SetAlias("LIVE", "2", map[string]float64{"3": 0.1})
		f.deployed(f.fn(t, "worker"), "2") // outputs change only when the stack update completes
		f.deploys.Start("p-prd", name, "d-ABC")
		return f
	}

	t.Run("stops with auto-rollback and restores the old pin", func(t *testing.T) {
		f := setup(t)
		plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
		if err != nil {
			t.Fatal(err)
		}
		wantPin := pinfile.Pin{Env: "prd", Function: "worker", Version: "2", Rollout: pinfile.RolloutKeep, RolledBack: "3"}
		if plan.Mode != release.ModeStopDeployment || plan.From != "3" || plan.To != "2" || plan.Pin != wantPin {
			t.Fatalf("plan = %+v", plan)
		}
		if err := f.env.Rollback(context.Background(), plan); err != nil {
			t.Fatal(err)
		}
		if auto, ok := f.deploys.Stopped["d-ABC"]; !ok || !auto {
			t.Errorf("stopped = %v; want d-ABC stopped with auto-rollback", f.deploys.Stopped)
		}
		if f.lambda.Calls("UpdateAlias") != 0 {
			t.Error("golive moved the alias itself; CodeDeploy must restore it")
		}
	})

	// The stop's answer was lost and the SDK's retry found the deployment complete: the
	// rollback is done (config.json gets the old pin back), not failed.
	t.Run("stop whose answer was lost", func(t *testing.T) {
		f := setup(t)
		plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
		if err != nil {
			t.Fatal(err)
		}
		f.env.Deploys = lostStop{f.deploys}
		if err := f.env.Rollback(context.Background(), plan); err != nil {
			t.Fatalf("rollback with its answer lost: %v; want done", err)
		}
		// A deployment nobody stopped that completed meanwhile is still an error.
		f = setup(t)
		plan, err = f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
		if err != nil {
			t.Fatal(err)
		}
		f.deploys.InFlight["p-prd/"+name] = nil
		if err := f.env.Rollback(context.Background(), plan); err == nil || !strings.Contains(err.Error(), "stop deployment d-ABC") {
			t.Errorf("rollback of a deployment that completed: %v; want the stop's error", err)
		}
	})

	t.Run("--to another version is refused", func(t *testing.T) {
		f := setup(t)
		_, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "1")
		if err == nil || !strings.Contains(err.Error(), "stopping it returns LIVE to 2, not 1") {
			t.Fatalf("error = %v", err)
		}
		if len(f.deploys.Stopped) != 0 {
			t.Error("deployment stopped despite the refusal")
		}
	})
}

func mustDelete(t *testing.T, f *fixture, version string) {
	t.Helper()
	fn := f.lambda.Function("p-prd-worker")
	for i, v := range fn.Published {
		if aws.ToString(v.Version) == version {
			fn.Published = append(fn.Published[:i], fn.Published[i+1:]...)
			return
		}
	}
	t.Fatalf("no version %s", version)
}

// lostStop is CodeDeploy behind a connection that drops StopDeployment's answer: the
// deployment stops, and the SDK's retry finds it complete.
type lostStop struct{ release.DeployAPI }

func (d lostStop) StopDeployment(ctx context.Context, in *codedeploy.StopDeploymentInput, opts ...func(*codedeploy.Options)) (*codedeploy.StopDeploymentOutput, error) {
	if _, err := d.DeployAPI.StopDeployment(ctx, in, opts...); err != nil {
		return nil, err
	}
	return d.DeployAPI.StopDeployment(ctx, in, opts...)
}

// lostAnswer is Lambda behind a connection that drops UpdateAlias's answer: the update
// happens, and the SDK's retry of it meets the RevisionId the update moved on.
type lostAnswer struct{ release.LambdaAPI }

func (l lostAnswer) UpdateAlias(ctx context.Context, in *lambda.UpdateAliasInput, opts ...func(*lambda.Options)) (*lambda.UpdateAliasOutput, error) {
	if _, err := l.LambdaAPI.UpdateAlias(ctx, in, opts...); err != nil {
		return nil, err
	}
	return l.LambdaAPI.UpdateAlias(ctx, in, opts...)
}

// A rollback whose UpdateAlias answer was lost is reported done, not "someone moved it;
// nothing changed", so that config.json follows the alias and a rerun does not roll back one
// version further. A real concurrent move is still refused.
func TestRollbackLostAnswer(t *testing.T) {
	const name = "p-prd-worker"
	f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
	f.published(name, 3).SetAlias("LIVE", "3", nil)
	plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
	if err != nil {
		t.Fatal(err)
	}
	f.env.Lambda = lostAnswer{f.lambda}
	if err := f.env.Rollback(context.Background(), plan); err != nil {
		t.Fatalf("rollback with its answer lost: %v; want done", err)
	}
	if v := f.lambda.Function(name).Aliases["LIVE"].FunctionVersion; aws.ToString(v) != "2" {
		t.Errorf("LIVE on %s; want 2", aws.ToString(v))
	}

	// Someone else moved LIVE between the plan and the rollback: refused, nothing changed.
	plan, err = f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "1")
	if err != nil {
		t.Fatal(err)
	}
	f.lambda.Function(name).SetAlias("LIVE", "3", nil)
	if err := f.env.Rollback(context.Background(), plan); !errors.Is(err, release.ErrChanged) {
		t.Errorf("rollback after someone moved LIVE: %v; want ErrChanged", err)
	}
	if v := f.lambda.Function(name).Aliases["LIVE"].FunctionVersion; aws.ToString(v) != "3" {
		t.Errorf("LIVE on %s; want 3, left as someone put it", aws.ToString(v))
	}
}
