package release_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
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
			if err := f.env.Rollback(context.Background(), plan, release.RollbackOptions{}); err != nil {
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
// TestRollbackWritesItsPin: release records the rollback's pin itself, through the writer
// the CLI gives, once the alias has moved, with a context an interrupt cannot cancel, and its
// plan says whether the pin was recorded; a rollback that moved nothing writes nothing.
func TestRollbackWritesItsPin(t *testing.T) {
	const name = "p-prd-worker"
	type call struct {
		pin      pinfile.Pin
		canceled bool
	}
	tests := []struct {
		name      string
		moved     bool // the alias moves; else someone moved it meanwhile, and the guard refuses
		writeErr  error
		wantWrite bool
	}{
		{"written", true, nil, true},
		{"write fails", true, errors.New("config.json changed since it was read"), true},
		{"nothing moved", false, nil, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
			fn := f.published(name, 3)
			fn.SetAlias("LIVE", "3", nil)
			plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
			if err != nil {
				t.Fatal(err)
			}
			if !tt.moved {
				fn.SetAlias("LIVE", "1", nil)
			}
			var calls []call
			ctx, cancel := context.WithCancel(context.Background())
			write := func(ctx context.Context, pin pinfile.Pin) error {
				calls = append(calls, call{pin, ctx.Err() != nil})
				return tt.writeErr
			}
			// An interrupt right after the alias moved: the pin is still written.
			f.env.Lambda = cancelAfterUpdate{f.lambda, cancel}
			err = f.env.Rollback(ctx, plan, release.RollbackOptions{WritePin: write})
			switch {
			case tt.moved && err != nil:
				t.Fatalf("Rollback: %v", err)
			case !tt.moved && err == nil:
				t.Fatal("Rollback of an alias moved meanwhile: nil; want ErrChanged")
			}
			if !tt.wantWrite {
				if len(calls) != 0 || plan.ConfigUpdated {
					t.Errorf("wrote %v, ConfigUpdated %v; want nothing written", calls, plan.ConfigUpdated)
				}
				return
			}
			if len(calls) != 1 || calls[0].pin != plan.Pin || calls[0].canceled {
				t.Fatalf("writes %+v; want the plan's pin %+v once, with a live context", calls, plan.Pin)
			}
			if plan.ConfigUpdated != (tt.writeErr == nil) || !errors.Is(plan.PinError, tt.writeErr) {
				t.Errorf("ConfigUpdated %v, PinError %v; want %v, %v", plan.ConfigUpdated, plan.PinError, tt.writeErr == nil, tt.writeErr)
			}
		})
	}
}

// cancelAfterUpdate cancels the command's context once UpdateAlias answered, as an interrupt
// arriving then would.
type cancelAfterUpdate struct {
	release.LambdaAPI
	cancel func()
}

func (c cancelAfterUpdate) UpdateAlias(ctx context.Context, in *lambda.UpdateAliasInput, opts ...func(*lambda.Options)) (*lambda.UpdateAliasOutput, error) {
	defer c.cancel()
	return c.LambdaAPI.UpdateAlias(ctx, in, opts...)
}

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
	err = f.env.Rollback(context.Background(), plan, release.RollbackOptions{})
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
		f.stacks.SetStatus("p-prd", cftypes.StackStatusUpdateInProgress)
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
		if err := f.env.Rollback(context.Background(), plan, release.RollbackOptions{}); err != nil {
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
		if err := f.env.Rollback(context.Background(), plan, release.RollbackOptions{}); err != nil {
			t.Fatalf("rollback with its answer lost: %v; want done", err)
		}
		// A deployment nobody stopped that completed meanwhile is still an error.
		f = setup(t)
		plan, err = f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
		if err != nil {
			t.Fatal(err)
		}
		f.deploys.InFlight["p-prd/"+name] = nil
		if err := f.env.Rollback(context.Background(), plan, release.RollbackOptions{}); err == nil || !strings.Contains(err.Error(), "stop deployment d-ABC") {
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
	if err := f.env.Rollback(context.Background(), plan, release.RollbackOptions{}); err != nil {
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
	if err := f.env.Rollback(context.Background(), plan, release.RollbackOptions{}); !errors.Is(err, release.ErrChanged) {
		t.Errorf("rollback after someone moved LIVE: %v; want ErrChanged", err)
	}
	if v := f.lambda.Function(name).Aliases["LIVE"].FunctionVersion; aws.ToString(v) != "3" {
		t.Errorf("LIVE on %s; want 3, left as someone put it", aws.ToString(v))
	}
}

// CodeDeploy rolls back with a deployment of its own (creator codeDeployRollback, or
// CloudFormationRollback when CloudFormation rolls the update back). Stopping it could leave
// traffic on the bad version: rollback reads every deployment in flight and never stops one
// of those, nor moves the alias under it.
func TestRollbackNeverStopsARollback(t *testing.T) {
	const name = "p-prd-worker"
	setup := func(t *testing.T) *fixture {
		f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
		f.published(name, 3).SetAlias("LIVE", "2", map[string]float64{"3": 0.1})
		f.deployed(f.fn(t, "worker"), "2")
		f.stacks.SetStatus("p-prd", cftypes.StackStatusUpdateInProgress)
		return f
	}
	for _, creator := range []cdtypes.DeploymentCreator{cdtypes.DeploymentCreatorCodeDeployRollback, cdtypes.DeploymentCreatorCloudFormationRollback} {
		t.Run(string(creator), func(t *testing.T) {
			f := setup(t)
			f.deploys.StartBy("p-prd", name, "d-RB", creator, "d-ABC")
			_, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
			want := "CodeDeploy is already rolling p-prd-worker back: deployment d-RB (created by " + string(creator) + ", rolling back d-ABC)"
			if !errors.Is(err, release.ErrInFlight) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "golive never stops a rollback deployment") {
				t.Fatalf("error = %v; want ErrInFlight saying %q", err, want)
			}
			if len(f.deploys.Stopped) != 0 || f.lambda.Calls("UpdateAlias") != 0 {
				t.Errorf("stopped %v, UpdateAlias %d times; want nothing touched", f.deploys.Stopped, f.lambda.Calls("UpdateAlias"))
			}
		})
	}

	// The second run of rollback finds the rollback deployment the first one's stop started.
	t.Run("rerun after a stop", func(t *testing.T) {
		f := setup(t)
		f.deploys.Start("p-prd", name, "d-ABC")
		plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
		if err != nil {
			t.Fatal(err)
		}
		if err := f.env.Rollback(context.Background(), plan, release.RollbackOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err = f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
		if !errors.Is(err, release.ErrInFlight) || !strings.Contains(err.Error(), "deployment d-ABC-rollback (created by codeDeployRollback, rolling back d-ABC)") {
			t.Fatalf("rerun: %v; want the rollback deployment left alone", err)
		}
		if _, stopped := f.deploys.Stopped["d-ABC-rollback"]; stopped || f.lambda.Calls("UpdateAlias") != 0 {
			t.Errorf("stopped %v; the rollback deployment must run on", f.deploys.Stopped)
		}
	})

	// Beside a rollback, the deployment that is not one is the one stopped.
	t.Run("only the deployment that is not a rollback", func(t *testing.T) {
		f := setup(t)
		f.deploys.StartBy("p-prd", name, "d-OLD-rollback", cdtypes.DeploymentCreatorCodeDeployRollback, "d-OLD")
		f.deploys.Start("p-prd", name, "d-NEW")
		plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
		if err != nil {
			t.Fatal(err)
		}
		if plan.Mode != release.ModeStopDeployment || len(plan.Deployments) != 1 || plan.Deployments[0] != "d-NEW" {
			t.Fatalf("plan = %+v; want d-NEW stopped only", plan)
		}
	})
}

// Stopping a deployment fails the stack update, which CloudFormation rolls back as a whole:
// rollback stops one only while the stack is UPDATE_IN_PROGRESS, moves LIVE itself only when
// nothing is in progress, and says what UPDATE_ROLLBACK_FAILED means.
func TestRollbackStackStatus(t *testing.T) {
	const name = "p-prd-worker"
	tests := []struct {
		name     string
		status   cftypes.StackStatus
		inFlight bool
		errHas   string // "" when the plan is made
		warning  string
	}{
		{name: "stop during an update", status: cftypes.StackStatusUpdateInProgress, inFlight: true},
		{name: "a deployment of no stack update", status: cftypes.StackStatusUpdateComplete, inFlight: true,
			errHas: "CodeDeploy deployment d-ABC of p-prd-worker is in flight, but stack p-prd is UPDATE_COMPLETE, not UPDATE_IN_PROGRESS: it is not the stack update's deployment"},
		{name: "CloudFormation already rolls back", status: cftypes.StackStatusUpdateRollbackInProgress, inFlight: true,
			errHas: "stack p-prd is UPDATE_ROLLBACK_IN_PROGRESS: CloudFormation is rolling back a failed update"},
		{name: "no deployment but an update in progress", status: cftypes.StackStatusUpdateInProgress,
			errHas: "stack p-prd is UPDATE_IN_PROGRESS: CloudFormation is deploying it"},
		{name: "alias move while the cleanup runs", status: cftypes.StackStatusUpdateCompleteCleanupInProgress,
			errHas: "stack p-prd is UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: CloudFormation is changing it"},
		{name: "alias move after a failed rollback", status: cftypes.StackStatusUpdateRollbackFailed,
			warning: "stack p-prd is UPDATE_ROLLBACK_FAILED: CloudFormation could not roll back a failed update"},
		{name: "alias move on a settled stack", status: cftypes.StackStatusUpdateRollbackComplete},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
			f.published(name, 3).SetAlias("LIVE", "3", nil)
			f.deployed(f.fn(t, "worker"), "2")
			f.stacks.SetStatus("p-prd", tt.status)
			f.deploys.InFlight["p-prd/"+name] = nil
			if tt.inFlight {
				f.lambda.Function(name).SetAlias("LIVE", "2", map[string]float64{"3": 0.1})
				f.deploys.Start("p-prd", name, "d-ABC")
			}
			plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
			if tt.errHas != "" {
				if err == nil || !strings.Contains(err.Error(), tt.errHas) {
					t.Fatalf("error = %v; want %q", err, tt.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			wantMode := release.ModeAlias
			if tt.inFlight {
				wantMode = release.ModeStopDeployment
			}
			if plan.Mode != wantMode || plan.To != "2" || !strings.Contains(plan.Warning, tt.warning) || (tt.warning == "") != (plan.Warning == "") {
				t.Errorf("plan = %+v; want %s to 2, warning %q", plan, wantMode, tt.warning)
			}
		})
	}
}

// CloudFormation rolls the whole stack update back: the plan names the other functions whose
// LIVE that update moves, by a deployment in flight or by a pin the stack has not recorded.
func TestRollbackNamesSiblings(t *testing.T) {
	f := newFixture(t, `"worker": {"live_version": "3"}, "api": {"live_version": "5"}, "cron": {"live_version": "8"}, "quiet": {"live_version": "2"}`,
		"worker", "api", "cron", "quiet")
	for fn, at := range map[string]string{"worker": "2", "api": "4", "cron": "7", "quiet": "2"} {
		f.published("p-prd-"+fn, 8).SetAlias("LIVE", at, nil)
		f.deployed(f.fn(t, fn), at)
		f.deploys.InFlight["p-prd/p-prd-"+fn] = nil
	}
	f.stacks.SetStatus("p-prd", cftypes.StackStatusUpdateInProgress)
	f.deploys.Start("p-prd", "p-prd-worker", "d-W")
	f.deploys.Start("p-prd", "p-prd-api", "d-A")

	plan, err := f.env.PlanRollback(context.Background(), f.fn(t, "worker"), "")
	if err != nil {
		t.Fatal(err)
	}
	want := []release.Sibling{
		{Function: "api", FunctionName: "p-prd-api", Reason: "CodeDeploy deployment d-A in flight"},
		{Function: "cron", FunctionName: "p-prd-cron", Reason: "this update moves LIVE from 7 to 8"},
	}
	if len(plan.RolledBackWith) != len(want) {
		t.Fatalf("rolled back with %+v; want %+v", plan.RolledBackWith, want)
	}
	for i := range want {
		if plan.RolledBackWith[i] != want[i] {
			t.Errorf("rolled back with %+v; want %+v", plan.RolledBackWith, want)
		}
	}
}
