package release_test

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/golive-dev/golive/internal/testkit/syncbuf"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/pinfile"
	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

func TestPublish(t *testing.T) {
	const name = "p-prd-worker"
	tests := []struct {
		name  string
		setup func(f *fixture)
		smoke []byte
		// want
		status, version, previous, errHas string
		errIs                             error
		calls                             int
		versions                          int // published versions afterwards
	}{
		{
			name:   "first publish",
			setup:  func(f *fixture) { f.lambda.AddFunction(name) },
			status: release.StatusNew, version: "1", previous: "", calls: 3, versions: 1,
		},
		{
			name:   "new code publishes the next version",
			setup:  func(f *fixture) { f.published(name, 2).UpdateCode() },
			status: release.StatusNew, version: "3", previous: "2", calls: 3, versions: 3,
		},
		{
			// Lambda publishes anew whenever $LATEST was updated, even with identical bytes.
			name:   "configuration change alone publishes too",
			setup:  func(f *fixture) { f.published(name, 1).UpdateConfig() },
			status: release.StatusNew, version: "2", previous: "1", calls: 3, versions: 2,
		},
		{
			name:   "no update since the last publish returns it unchanged",
			setup:  func(f *fixture) { f.published(name, 2) },
			status: release.StatusUnchanged, version: "2", previous: "2", calls: 3, versions: 2,
		},
		{
			name: "waits until $LATEST finished updating",
			setup: func(f *fixture) {
				fn := f.published(name, 1)
				fn.UpdateCode()
				fn.Statuses = []types.LastUpdateStatus{types.LastUpdateStatusInProgress, types.LastUpdateStatusInProgress}
			},
			status: release.StatusNew, version: "2", previous: "1", calls: 5, versions: 2,
		},
		{
			name: "a failed update is not published",
			setup: func(f *fixture) {
				fn := f.published(name, 1)
				fn.UpdateCode()
				fn.Latest.LastUpdateStatus = types.LastUpdateStatusFailed
				fn.Latest.LastUpdateStatusReason = strPtr("image pull failed")
			},
			status: release.StatusFailed, errHas: "image pull failed", calls: 1, versions: 1,
		},
		{
			name: "RevisionId guard: $LATEST reconfigured after it was read",
			setup: func(f *fixture) {
				f.published(name, 1).UpdateCode()
				f.lambda.BeforePublish = func(fn *fakeaws.Function) { fn.UpdateConfig() }
			},
			status: release.StatusFailed, previous: "1", errIs: release.ErrChanged, errHas: "is no longer revision rev-p-prd-worker-2", calls: 3, versions: 1,
		},
		{
			name: "CodeSha256 guard: new code after it was read",
			setup: func(f *fixture) {
				f.published(name, 1).UpdateCode()
				f.lambda.BeforePublish = func(fn *fakeaws.Function) { fn.UpdateCode() }
			},
			status: release.StatusFailed, previous: "1", errIs: release.ErrChanged, errHas: "code of $LATEST of p-prd-worker is no longer sha-p-prd-worker-2", calls: 3, versions: 1,
		},
		{
			name: "an update in progress at publish time",
			setup: func(f *fixture) {
				fn := f.published(name, 1)
				fn.UpdateCode()
				fn.Conflict = true
			},
			status: release.StatusFailed, previous: "1", errIs: release.ErrChanged, errHas: "being updated right now", calls: 3, versions: 1,
		},
		{
			name:   "smoke test passes",
			setup:  func(f *fixture) { f.published(name, 1).UpdateCode() },
			smoke:  []byte(`{"ping": true}`),
			status: release.StatusNew, version: "2", previous: "1", calls: 4, versions: 2,
		},
		{
			name: "smoke test failure refuses to publish",
			setup: func(f *fixture) {
				fn := f.published(name, 1)
				fn.UpdateCode()
				fn.FunctionError = "boom"
			},
			smoke:  []byte(`{"ping": true}`),
			status: release.StatusFailed, previous: "1", errIs: release.ErrSmoke, errHas: `returned a function error (Unhandled), not publishing: {"errorMessage":"boom"`, calls: 3, versions: 1,
		},
		{
			name:   "missing function",
			setup:  func(f *fixture) {},
			status: release.StatusFailed, errHas: "Function not found: p-prd-worker", calls: 1,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, "", "worker")
			tt.setup(f)
			rep, err := f.env.Publish(context.Background(), []release.Function{f.fn(t, "worker")}, release.PublishOptions{Smoke: tt.smoke})
			if err != nil {
				t.Fatal(err)
			}
			r := rep.Functions[0]
			if r.Status != tt.status || r.Version != tt.version || r.Previous != tt.previous {
				t.Errorf("status, version, previous = %q, %q, %q; want %q, %q, %q (error %q)",
					r.Status, r.Version, r.Previous, tt.status, tt.version, tt.previous, r.Error)
			}
			if !strings.Contains(r.Error, tt.errHas) || (tt.errHas == "") != (r.Error == "") {
				t.Errorf("error = %q; want it to contain %q", r.Error, tt.errHas)
			}
			if tt.errIs != nil && !errors.Is(r.Err, tt.errIs) {
				t.Errorf("error %v is not %v", r.Err, tt.errIs)
			}
			if got := f.lambda.TotalCalls(); got != tt.calls {
				t.Errorf("Lambda calls = %d; want %d", got, tt.calls)
			}
			if (len(rep.FunctionErrors()) > 0) != (tt.status == release.StatusFailed) {
				t.Errorf("FunctionErrors() = %v", rep.FunctionErrors())
			}
			if fn := f.lambda.Function(name); fn != nil && len(fn.Versions()) != tt.versions {
				t.Errorf("versions afterwards = %v; want %d", fn.Versions(), tt.versions)
			}
			if tt.smoke == nil && f.lambda.Calls("Invoke") != 0 {
				t.Error("invoked without --smoke")
			}
		})
	}
}

func TestPublishPin(t *testing.T) {
	const name = "p-prd-worker"
	tests := []struct {
		name      string
		config    string // prd's worker settings
		setup     func(f *fixture, fn release.Function)
		wantPin   *pinfile.Pin
		reasonHas string
	}{
		{
			name:      "first pin without an alias",
			config:    `"worker": {"live_version": null}`,
			setup:     func(f *fixture, _ release.Function) { f.published(name, 1).UpdateCode() },
			wantPin:   &pinfile.Pin{Env: "prd", Function: "worker", Version: "2", Rollout: pinfile.RolloutDirect},
			reasonHas: "no LIVE alias yet",
		},
		{
			name:   "first pin from $LATEST",
			config: `"worker": {"live_version": null}`,
			setup: func(f *fixture, fn release.Function) {
				lf := f.published(name, 1)
				lf.UpdateCode()
				lf.SetAlias("LIVE", "$LATEST", nil)
				f.deployed(fn, "$LATEST")
			},
			wantPin:   &pinfile.Pin{Env: "prd", Function: "worker", Version: "2", Rollout: pinfile.RolloutDirect},
			reasonHas: "first pin: LIVE is on $LATEST",
		},
		{
			name:   "alias where the stack put it: canary, leftover direct cleared",
			config: `"worker": {"live_version": "1", "rollout": "direct"}`,
			setup: func(f *fixture, fn release.Function) {
				lf := f.published(name, 1)
				lf.UpdateCode()
				lf.SetAlias("LIVE", "1", nil)
				f.deployed(fn, "1")
			},
			wantPin:   &pinfile.Pin{Env: "prd", Function: "worker", Version: "2", Rollout: pinfile.RolloutDefault},
			reasonHas: "shifts LIVE from 1 to 2 through CodeDeploy",
		},
		{
			name:   "alias moved outside the stack (a rollback not yet deployed) keeps direct",
			config: `"worker": {"live_version": "1", "rollout": "direct"}`,
			setup: func(f *fixture, fn release.Function) {
				lf := f.published(name, 2)
				lf.UpdateCode()
				lf.SetAlias("LIVE", "1", nil)
				f.deployed(fn, "2")
			},
			wantPin:   &pinfile.Pin{Env: "prd", Function: "worker", Version: "3", Rollout: pinfile.RolloutDirect},
			reasonHas: "LIVE is on 1 but the stack last deployed 2",
		},
		{
			// An earlier run published 2 and failed (or was interrupted) before pinning it.
			name:   "unchanged version newer than the pin is pinned: the rerun converges",
			config: `"worker": {"live_version": "1"}`,
			setup: func(f *fixture, fn release.Function) {
				f.published(name, 2).SetAlias("LIVE", "1", nil)
				f.deployed(fn, "1")
			},
			wantPin:   &pinfile.Pin{Env: "prd", Function: "worker", Version: "2", Rollout: pinfile.RolloutDefault},
			reasonHas: "shifts LIVE from 1 to 2",
		},
		{
			name:   "the version rollback moved LIVE away from is never pinned again",
			config: `"worker": {"live_version": "1", "rollout": "direct", "rolled_back": "2"}`,
			setup: func(f *fixture, fn release.Function) {
				f.published(name, 2).SetAlias("LIVE", "1", nil)
				f.deployed(fn, "2")
			},
		},
		{
			name:   "a new version after a rollback is pinned, clearing rolled_back",
			config: `"worker": {"live_version": "1", "rollout": "direct", "rolled_back": "2"}`,
			setup: func(f *fixture, fn release.Function) {
				lf := f.published(name, 2)
				lf.UpdateCode()
				lf.SetAlias("LIVE", "1", nil)
				f.deployed(fn, "1")
			},
			wantPin:   &pinfile.Pin{Env: "prd", Function: "worker", Version: "3", Rollout: pinfile.RolloutDefault},
			reasonHas: "shifts LIVE from 1 to 3",
		},
		{
			name:   "the pinned version unchanged: nothing to pin",
			config: `"worker": {"live_version": "2"}`,
			setup: func(f *fixture, fn release.Function) {
				f.published(name, 2).SetAlias("LIVE", "2", nil)
				f.deployed(fn, "2")
			},
		},
		{
			name:   "an unchanged version older than the pin is not pinned",
			config: `"worker": {"live_version": "3"}`,
			setup: func(f *fixture, fn release.Function) {
				f.published(name, 2).SetAlias("LIVE", "2", nil)
				f.deployed(fn, "2")
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.config, "worker")
			fn := f.fn(t, "worker")
			tt.setup(f, fn)
			rep, err := f.env.Publish(context.Background(), []release.Function{fn}, release.PublishOptions{Pin: true})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.FunctionErrors()) > 0 {
				t.Fatal(rep.Functions[0].Error)
			}
			pins := rep.Pins()
			if tt.wantPin == nil {
				if len(pins) != 0 || rep.Functions[0].Pin != nil {
					t.Fatalf("pins = %+v; want none", pins)
				}
				return
			}
			if len(pins) != 1 || pins[0] != *tt.wantPin {
				t.Fatalf("pins = %+v; want %+v", pins, *tt.wantPin)
			}
			if r := rep.Functions[0].Pin; r == nil || !strings.Contains(r.Reason, tt.reasonHas) {
				t.Errorf("pin = %+v; want reason containing %q", r, tt.reasonHas)
			}
		})
	}
}

// Fifty functions publish in parallel, never more than the worker bound at once.
func TestPublishManyFunctionsBounded(t *testing.T) {
	var names, fns []string
	for i := range 50 {
		n := fmt.Sprintf("fn%02d", i)
		names = append(names, n)
		fns = append(fns, fmt.Sprintf(`%q: {"live_version": null}`, n))
	}
	f := newFixture(t, strings.Join(fns, ", "), names...)
	for _, fn := range f.env.Target.Functions {
		f.lambda.AddFunction(fn.FunctionName)
	}
	f.lambda.Delay = 2 * time.Millisecond
	f.env.Workers = 8
	rep, err := f.env.Publish(context.Background(), f.env.Target.Functions, release.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Functions {
		if r.Status != release.StatusNew {
			t.Errorf("%s: status %s, error %q", r.Function, r.Status, r.Error)
		}
	}
	if got := f.lambda.TotalCalls(); got != 150 {
		t.Errorf("Lambda calls = %d; want 3 per function", got)
	}
	if m := f.lambda.MaxConcurrent(); m > 8 || m < 2 {
		t.Errorf("max concurrent calls = %d; want 2..8", m)
	}
	if got := f.lambda.Calls("PublishVersion"); got != 50 {
		t.Errorf("PublishVersion calls = %d; want 50", got)
	}
}

func strPtr(s string) *string { return &s }

// A long wait for $LATEST says on stderr, while it lasts, which function waits for what and
// for how long so far.
func TestPublishWaitShowsProgress(t *testing.T) {
	f := newFixture(t, `"worker": {"live_version": null}`, "worker")
	fn := f.lambda.AddFunction("p-prd-worker")
	for range 40 {
		fn.Statuses = append(fn.Statuses, types.LastUpdateStatusInProgress)
	}
	f.lambda.Delay = 3 * time.Millisecond
	var logs syncbuf.Buffer
	f.env.Log = slog.New(slog.NewTextHandler(&logs, nil))
	f.env.ProgressEvery = 20 * time.Millisecond
	rep, err := f.env.Publish(context.Background(), []release.Function{f.fn(t, "worker")}, release.PublishOptions{})
	if err != nil || len(rep.FunctionErrors()) > 0 {
		t.Fatalf("%v %+v", err, rep)
	}
	if got := logs.String(); !strings.Contains(got, `msg="still waiting for $LATEST to finish updating" function_name=p-prd-worker waited=`) {
		t.Errorf("logs:\n%s", got)
	}
}

// A full account's code storage refuses PublishVersion with CodeStorageExceededException; the
// way out is deleting old versions, which the error names.
func TestPublishStorageFull(t *testing.T) {
	f := newFixture(t, `"worker": {"live_version": "1"}`, "worker")
	f.published("p-prd-worker", 1).UpdateCode()
	f.lambda.StorageLimit = 1500
	rep, err := f.env.Publish(context.Background(), []release.Function{f.fn(t, "worker")}, release.PublishOptions{})
	if err != nil {
		t.Fatal(err)
	}
	r := rep.Functions[0]
	want := "the account's Lambda code storage is full, nothing published of p-prd-worker; delete old versions with golive prune --env prd --keep N (try --dry-run first), then rerun publish"
	if r.Status != release.StatusFailed || !errors.Is(r.Err, release.ErrStorageFull) || !strings.Contains(r.Error, want) {
		t.Errorf("publish into a full account: %+v; want failed with %q", r, want)
	}
	if vs := f.lambda.Function("p-prd-worker").Versions(); len(vs) != 1 {
		t.Errorf("versions %v; want none new", vs)
	}
}

// A version is Pending after PublishVersion while Lambda prepares it (a SnapStart snapshot) and
// can be invoked only once Active: publish waits for it with the SDK's PublishedVersionActive
// waiter before reporting or pinning it, gives up after ActiveTimeout, and fails the function
// whose version ends Failed.
func TestPublishWaitsUntilActive(t *testing.T) {
	tests := []struct {
		name     string
		reads    int // Pending reads before the version settles
		end      types.State
		timeout  time.Duration
		errHas   string // "" when the version is reported and pinned
		minReads int    // GetFunctionConfiguration reads of the new version
	}{
		{name: "Pending, then Active", reads: 2, minReads: 3},
		{name: "already Active", reads: 0, minReads: 0},
		{name: "Pending, then Failed", reads: 1, end: types.StateFailed,
			errHas: "version 2 of p-prd-worker was published but is not active (Failed: snapshot failed); not reported or pinned until it is", minReads: 2},
		{name: "Pending past the timeout", reads: 1 << 30, timeout: 50 * time.Millisecond,
			errHas: "version 2 of p-prd-worker was published but is not active (Pending)", minReads: 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, `"worker": {"live_version": "1"}`, "worker")
			fn := f.published("p-prd-worker", 1)
			fn.SetAlias("LIVE", "1", nil)
			f.deployed(f.fn(t, "worker"), "1")
			fn.UpdateCode()
			fn.PendingReads, fn.PendingEnd, fn.PendingReason = tt.reads, tt.end, "snapshot failed"
			f.env.ActiveTimeout, f.env.WaitMinDelay = tt.timeout, time.Millisecond
			reads := 0
			f.env.Lambda = countReads{f.env.Lambda, "2", &reads}

			rep, err := f.env.Publish(context.Background(), []release.Function{f.fn(t, "worker")}, release.PublishOptions{Pin: true})
			if err != nil {
				t.Fatal(err)
			}
			r := rep.Functions[0]
			if reads < tt.minReads {
				t.Errorf("%d reads of version 2; want at least %d", reads, tt.minReads)
			}
			if tt.errHas == "" {
				if r.Status != release.StatusNew || r.Version != "2" || r.Pin == nil || len(rep.Pins()) != 1 {
					t.Errorf("result %+v; want version 2 reported and pinned", r)
				}
				return
			}
			if r.Status != release.StatusFailed || !strings.Contains(r.Error, tt.errHas) || r.Pin != nil || len(rep.Pins()) != 0 {
				t.Errorf("result %+v; want failed, not pinned, with %q", r, tt.errHas)
			}
			if r.Version != "2" {
				t.Errorf("version %q; the version exists and stays reported for the rerun", r.Version)
			}
		})
	}
}

// countReads counts GetFunctionConfiguration reads of one version.
type countReads struct {
	release.LambdaAPI
	version string
	n       *int
}

func (c countReads) GetFunctionConfiguration(ctx context.Context, in *lambda.GetFunctionConfigurationInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error) {
	if aws.ToString(in.Qualifier) == c.version {
		*c.n++
	}
	return c.LambdaAPI.GetFunctionConfiguration(ctx, in, opts...)
}
