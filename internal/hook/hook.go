// Package hook is the logic of the CodeDeploy traffic hook that ships with golive: a
// pre-traffic smoke test that invokes the version being released with configured events,
// and a post-traffic bake that waits, then judges the new version's own metrics over the
// whole deployment. Both always report Succeeded or Failed to CodeDeploy, exactly once and
// before the hook's own Lambda timeout: a hook that never reports leaves the deployment
// waiting for an hour before CodeDeploy fails it.
//
// It talks to AWS through three narrow interfaces holding the SDK's exact signatures;
// cmd/golive-hook wires the real clients, and the tests drive the real CodeDeploy client
// against internal/testkit/codedeployfake. One file per job: the handler (hook.go), what
// is released and its AppSpec (appspec.go), the smoke test (smoke.go), the bake (bake.go).
package hook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// Lambda is the call the smoke test makes.
type Lambda interface {
	Invoke(ctx context.Context, params *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
}

// CodeDeploy are the calls every run makes: read the deployment and its AppSpec, report
// the verdict.
type CodeDeploy interface {
	GetApplicationRevision(ctx context.Context, params *codedeploy.GetApplicationRevisionInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetApplicationRevisionOutput, error)
	GetDeployment(ctx context.Context, params *codedeploy.GetDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error)
	PutLifecycleEventHookExecutionStatus(ctx context.Context, params *codedeploy.PutLifecycleEventHookExecutionStatusInput, optFns ...func(*codedeploy.Options)) (*codedeploy.PutLifecycleEventHookExecutionStatusOutput, error)
}

// CloudWatch is the call the bake makes; it is also cloudwatch.GetMetricDataAPIClient,
// so the SDK's paginator reads every page.
type CloudWatch interface {
	GetMetricData(ctx context.Context, params *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// Event is what CodeDeploy sends a Lambda traffic hook.
type Event struct {
	DeploymentID                  string `json:"DeploymentId"`
	LifecycleEventHookExecutionID string `json:"LifecycleEventHookExecutionId"`
}

// DefaultMargin is how long before the Lambda deadline a run gives up and reports
// Failed, leaving time for the report itself.
const DefaultMargin = 15 * time.Second

// Handler judges one lifecycle event per call.
type Handler struct {
	// Phase is hooksettings.HookPhaseSmoke or hooksettings.HookPhaseBake.
	Phase string
	// Targets by deployment group name.
	Targets    map[string]hooksettings.HookTarget
	Lambda     Lambda
	CodeDeploy CodeDeploy
	CloudWatch CloudWatch
	// SetupErr, when set, fails every run with it (a broken environment still reports,
	// so CodeDeploy does not wait an hour).
	SetupErr error
	// Margin before the context's deadline. Default: DefaultMargin.
	Margin time.Duration
	// Log receives one line per run saying why. Default: slog.Default().
	Log *slog.Logger
	// Now and Sleep are the clock. Default: the real one.
	Now   func() time.Time
	Sleep func(ctx context.Context, d time.Duration) error
}

// Handle runs the check and reports its verdict. It returns an error only when the report
// itself failed: CodeDeploy invokes hooks asynchronously, so Lambda retries a failed
// invocation, which then gets another chance to report; a reported verdict is final.
func (h *Handler) Handle(ctx context.Context, ev Event) error {
	log := h.Log
	if log == nil {
		log = slog.Default()
	}
	log = log.With("phase", h.Phase, "deployment", ev.DeploymentID)
	if ev.DeploymentID == "" || ev.LifecycleEventHookExecutionID == "" {
		// Nothing to report to: not a CodeDeploy hook event.
		log.Error("not a CodeDeploy lifecycle hook event: want DeploymentId and LifecycleEventHookExecutionId")
		return errors.New("hook: event has no DeploymentId or LifecycleEventHookExecutionId")
	}

	verdict := h.run(ctx, ev, log)
	status := cdtypes.LifecycleEventStatusSucceeded
	if verdict != nil {
		status = cdtypes.LifecycleEventStatusFailed
		log.Error("release refused", "status", string(status), "reason", verdict.Error())
	} else {
		log.Info("release passed", "status", string(status))
	}

	// The run's own context may be spent (its deadline is why it failed): report on a
	// context that keeps the values but not the cancellation, bounded by the margin.
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.margin())
	defer cancel()
	_, err := h.CodeDeploy.PutLifecycleEventHookExecutionStatus(rctx, &codedeploy.PutLifecycleEventHookExecutionStatusInput{
		DeploymentId:                  aws.String(ev.DeploymentID),
		LifecycleEventHookExecutionId: aws.String(ev.LifecycleEventHookExecutionID),
		Status:                        status,
	})
	var done *cdtypes.LifecycleEventAlreadyCompletedException
	if errors.As(err, &done) {
		// A verdict already stands (an earlier attempt's report landed, or CodeDeploy timed
		// the event out): returning an error would only make Lambda retry the whole check,
		// a bake's wait included, to be refused again.
		log.Warn("CodeDeploy already has a verdict for this lifecycle event", "status", string(status), "error", err)
		return nil
	}
	if err != nil {
		log.Error("could not report the verdict to CodeDeploy", "status", string(status), "error", err)
		return fmt.Errorf("hook: report %s: %w", status, err)
	}
	return nil
}

func (h *Handler) margin() time.Duration {
	if h.Margin > 0 {
		return h.Margin
	}
	return DefaultMargin
}

// run judges in a goroutine so that the verdict is reached by the deadline even when a
// call ignores its context, and a panic anywhere in the check becomes a Failed verdict.
func (h *Handler) run(ctx context.Context, ev Event, log *slog.Logger) error {
	if h.SetupErr != nil {
		return fmt.Errorf("hook misconfigured: %w", h.SetupErr)
	}
	var cancel context.CancelFunc
	if d, ok := ctx.Deadline(); ok {
		ctx, cancel = context.WithDeadline(ctx, d.Add(-h.margin()))
	} else {
		ctx, cancel = context.WithCancel(ctx)
	}
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("hook failed unexpectedly: %v", r)
			}
		}()
		done <- h.check(ctx, ev, log)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return fmt.Errorf("out of time: the hook stops %s before its Lambda timeout to report: %w", h.margin(), context.Cause(ctx))
	}
}

func (h *Handler) now() time.Time {
	if h.Now != nil {
		return h.Now()
	}
	return time.Now()
}

func (h *Handler) sleep(ctx context.Context, d time.Duration) error {
	if h.Sleep != nil {
		return h.Sleep(ctx, d)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (h *Handler) check(ctx context.Context, ev Event, log *slog.Logger) error {
	rel, err := h.release(ctx, ev.DeploymentID)
	if err != nil {
		return err
	}
	t, ok := h.Targets[rel.group]
	if !ok {
		return fmt.Errorf("deployment group %q is not one this hook checks (it checks: %s)", rel.group, strings.Join(slices.Sorted(keys(h.Targets)), ", "))
	}
	// The hook may only invoke the functions it was configured for; a deployment of
	// another function through a known group is refused rather than trusted.
	alias := resourcenames.AliasOr(t.Alias)
	if rel.function != t.Function || rel.alias != alias {
		return fmt.Errorf("deployment %s shifts %s:%s, but group %s is configured for %s:%s", ev.DeploymentID, rel.function, rel.alias, rel.group, t.Function, alias)
	}
	log.Info("judging", "function", rel.function, "version", rel.target, "current", rel.current, "group", rel.group)
	switch h.Phase {
	case hooksettings.HookPhaseSmoke:
		if t.Smoke == nil {
			return fmt.Errorf("group %s has no smoke test configured", rel.group)
		}
		return h.smoke(ctx, rel, *t.Smoke, log)
	case hooksettings.HookPhaseBake:
		if t.Bake == nil {
			return fmt.Errorf("group %s has no bake configured", rel.group)
		}
		return h.bake(ctx, rel, *t.Bake)
	}
	return fmt.Errorf("unknown hook phase %q; want %q or %q", h.Phase, hooksettings.HookPhaseSmoke, hooksettings.HookPhaseBake)
}

func keys[M ~map[string]V, V any](m M) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

// excerpt bounds what a verdict quotes of a payload or an AppSpec value.
func excerpt(b []byte) string {
	const max = 512
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}
