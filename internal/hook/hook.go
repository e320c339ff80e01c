// Package hook is the logic of the CodeDeploy traffic hook that ships with golive: a
// pre-traffic smoke test that invokes the version being released with configured events,
// and a post-traffic bake that waits, then judges the new version's own metrics over the
// whole deployment. Both always report Succeeded or Failed to CodeDeploy, exactly once and
// before the hook's own Lambda timeout: a hook that never reports leaves the deployment
// waiting for an hour before CodeDeploy fails it.
//
// It talks to AWS through three narrow interfaces holding the SDK's exact signatures, so
// tests drive it over fakes; cmd/golive-hook wires the real clients.
package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/contract"
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
	// Phase is contract.HookPhaseSmoke or contract.HookPhaseBake.
	Phase string
	// Targets by deployment group name.
	Targets    map[string]contract.HookTarget
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

// release is what CodeDeploy says is being released.
type release struct {
	application, group               string
	function, alias, current, target string
	created                          time.Time
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
	if rel.function != t.Function || rel.alias != contract.Alias {
		return fmt.Errorf("deployment %s shifts %s:%s, but group %s is configured for %s:%s", ev.DeploymentID, rel.function, rel.alias, rel.group, t.Function, contract.Alias)
	}
	log.Info("judging", "function", rel.function, "version", rel.target, "current", rel.current, "group", rel.group)
	switch h.Phase {
	case contract.HookPhaseSmoke:
		if t.Smoke == nil {
			return fmt.Errorf("group %s has no smoke test configured", rel.group)
		}
		return h.smoke(ctx, rel, *t.Smoke)
	case contract.HookPhaseBake:
		if t.Bake == nil {
			return fmt.Errorf("group %s has no bake configured", rel.group)
		}
		return h.bake(ctx, rel, *t.Bake)
	}
	return fmt.Errorf("unknown hook phase %q; want %q or %q", h.Phase, contract.HookPhaseSmoke, contract.HookPhaseBake)
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

// release reads the deployment, then its AppSpec. GetDeployment never carries the AppSpec:
// "The content property of the appSpecContent object in the returned revision is always
// null. Use GetApplicationRevision and the sha256 property of the returned appSpecContent
// object to get the content of the deployment's AppSpec file." (the SDK's doc comment of
// codedeploy.Client.GetDeployment). So the revision GetDeployment names goes back, as is,
// to GetApplicationRevision with the deployment's application.
func (h *Handler) release(ctx context.Context, id string) (release, error) {
	out, err := h.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
	if err != nil {
		return release{}, fmt.Errorf("read deployment %s: %w", id, err)
	}
	info := out.DeploymentInfo
	if info == nil || aws.ToString(info.ApplicationName) == "" || info.Revision == nil {
		return release{}, fmt.Errorf("deployment %s names no application or revision; want a Lambda deployment started by CloudFormation", id)
	}
	app := aws.ToString(info.ApplicationName)
	rev, err := h.CodeDeploy.GetApplicationRevision(ctx, &codedeploy.GetApplicationRevisionInput{ApplicationName: info.ApplicationName, Revision: info.Revision})
	if err != nil {
		return release{}, fmt.Errorf("read the AppSpec of deployment %s from application %s: %w", id, app, err)
	}
	content, ok := appSpecContent(rev.Revision)
	if !ok {
		return release{}, fmt.Errorf("the revision of deployment %s in application %s carries no AppSpec (neither revision.string.content nor revision.appSpecContent.content); want a Lambda deployment started by CloudFormation", id, app)
	}
	spec, err := parseAppSpec(content)
	if err != nil {
		return release{}, fmt.Errorf("deployment %s: %w", id, err)
	}
	rel := release{application: app, group: aws.ToString(info.DeploymentGroupName),
		function: spec.Function, alias: spec.Alias, current: spec.CurrentVersion, target: spec.TargetVersion}
	if info.CreateTime != nil {
		rel.created = *info.CreateTime
	}
	return rel, nil
}

// appSpecContent is the AppSpec GetApplicationRevision returned: revision.string.content,
// where CodeDeploy serves a Lambda deployment's inline AppSpec (a hook in production reads
// it there: seek-oss/aws-codedeploy-hooks, packages/infra/src/handlers/process/lambda/
// lambda.ts), else revision.appSpecContent.content, the member the SDK names as String's
// successor ("RawString and String revision type are deprecated, use AppSpecContent type
// instead", types.RevisionLocation); the API Reference's response syntax has both.
func appSpecContent(r *cdtypes.RevisionLocation) (string, bool) {
	if r == nil {
		return "", false
	}
	//lint:ignore SA1019 CodeDeploy serves a CloudFormation deployment's AppSpec there (see above)
	if r.String_ != nil && aws.ToString(r.String_.Content) != "" {
		//lint:ignore SA1019 as above
		return *r.String_.Content, true
	}
	if r.AppSpecContent != nil && aws.ToString(r.AppSpecContent.Content) != "" {
		return *r.AppSpecContent.Content, true
	}
	return "", false
}

// smoke invokes the target version itself (Qualifier), never the alias, which still
// serves the old version, and never $LATEST.
func (h *Handler) smoke(ctx context.Context, rel release, s contract.Smoke) error {
	if len(s.Events) == 0 {
		return errors.New("smoke test has no events")
	}
	timeout := time.Duration(s.TimeoutS) * time.Second
	if timeout <= 0 {
		timeout = contract.DefaultSmokeTimeoutS * time.Second
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("smoke test took longer than its %s (timeout_s)", timeout))
	defer cancel()
	for i, ev := range s.Events {
		out, err := h.Lambda.Invoke(ctx, &lambda.InvokeInput{
			FunctionName: aws.String(rel.function),
			Qualifier:    aws.String(rel.target),
			Payload:      ev,
		})
		if cause := context.Cause(ctx); cause != nil && err != nil {
			err = fmt.Errorf("%w (%w)", cause, err)
		}
		if err != nil {
			return fmt.Errorf("smoke event %d: invoke %s:%s: %w", i+1, rel.function, rel.target, err)
		}
		if out.FunctionError != nil {
			return fmt.Errorf("smoke event %d: %s:%s returned a function error (%s): %s", i+1, rel.function, rel.target, *out.FunctionError, excerpt(out.Payload))
		}
		if len(s.Expect) > 0 {
			var got, want any
			if err := json.Unmarshal(out.Payload, &got); err != nil {
				return fmt.Errorf("smoke event %d: %s:%s answered %s, not JSON; want a response containing %s", i+1, rel.function, rel.target, excerpt(out.Payload), s.Expect)
			}
			if err := json.Unmarshal(s.Expect, &want); err != nil {
				return fmt.Errorf("smoke expect: %w", err)
			}
			if !contains(got, want) {
				return fmt.Errorf("smoke event %d: %s:%s answered %s; want a response containing %s", i+1, rel.function, rel.target, excerpt(out.Payload), s.Expect)
			}
		}
	}
	return nil
}

// contains reports whether got holds want: every key of an object, recursively; any
// other value equal (JSON numbers compare as float64).
func contains(got, want any) bool {
	wm, ok := want.(map[string]any)
	if !ok {
		b1, _ := json.Marshal(got)
		b2, _ := json.Marshal(want)
		return bytes.Equal(b1, b2)
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return false
	}
	for k, wv := range wm {
		gv, ok := gm[k]
		if !ok || !contains(gv, wv) {
			return false
		}
	}
	return true
}

func excerpt(b []byte) string {
	const max = 512
	if len(b) > max {
		return string(b[:max]) + "…"
	}
	return string(b)
}

// bake waits, then judges the new version's own metrics (ExecutedVersion) from the
// deployment's start to now: CodeDeploy stops watching alarms once traffic is shifted,
// and Lambda's metrics reach CloudWatch minutes late, so the end of a canary and all of
// an AllAtOnce deployment are only judged here.
func (h *Handler) bake(ctx context.Context, rel release, b contract.Bake) error {
	if err := h.sleep(ctx, time.Duration(b.Minutes)*time.Minute); err != nil {
		return fmt.Errorf("bake interrupted after less than %d minutes: %w", b.Minutes, context.Cause(ctx))
	}
	end := h.now()
	start := rel.created
	if start.IsZero() || !start.Before(end) {
		start = end.Add(-time.Duration(b.Minutes) * time.Minute)
	}
	// One period spanning the window: sums over it are the window's, and its p99 is the
	// p99 of every request, not the worst minute's. CloudWatch keeps minute data for 15
	// days, 5-minute data for 63, and returns nothing for a period that does not match
	// the start's age (CloudWatch API Reference, MetricStat: Period): a custom shift
	// of long intervals can start that far back.
	step := time.Minute
	switch age := end.Sub(start); {
	case age > 63*24*time.Hour:
		step = time.Hour
	case age > 15*24*time.Hour:
		step = 5 * time.Minute
	}
	start = start.Truncate(step)
	period := int32(math.Ceil(float64(end.Sub(start))/float64(step))) * int32(step/time.Second)
	dims := []cwtypes.Dimension{
		{Name: aws.String("FunctionName"), Value: aws.String(rel.function)},
		{Name: aws.String("Resource"), Value: aws.String(rel.function + ":" + contract.Alias)},
		{Name: aws.String("ExecutedVersion"), Value: aws.String(rel.target)},
	}
	query := func(id, metric, stat string) cwtypes.MetricDataQuery {
		return cwtypes.MetricDataQuery{Id: aws.String(id), MetricStat: &cwtypes.MetricStat{
			Metric: &cwtypes.Metric{Namespace: aws.String("AWS/Lambda"), MetricName: aws.String(metric), Dimensions: dims},
			Period: aws.Int32(period), Stat: aws.String(stat),
		}}
	}
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(start), EndTime: aws.Time(start.Add(time.Duration(period) * time.Second)),
		MetricDataQueries: []cwtypes.MetricDataQuery{query("invocations", "Invocations", "Sum"), query("errors", "Errors", "Sum")},
	}
	if b.P99DurationMs != nil {
		in.MetricDataQueries = append(in.MetricDataQueries, query("p99", "Duration", "p99"))
	}
	sum, worst := map[string]float64{}, map[string]float64{}
	for p := cloudwatch.NewGetMetricDataPaginator(h.CloudWatch, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return fmt.Errorf("read metrics of %s:%s: %w", rel.function, rel.target, err)
		}
		for _, r := range page.MetricDataResults {
			id := aws.ToString(r.Id)
			for _, v := range r.Values {
				sum[id] += v
				worst[id] = max(worst[id], v)
			}
		}
	}
	window := fmt.Sprintf("from %s to %s", start.UTC().Format(time.RFC3339), end.UTC().Format(time.RFC3339))
	inv := sum["invocations"]
	if inv < float64(b.MinInvocations) || inv == 0 {
		return fmt.Errorf("too few requests to judge %s:%s: %g invocations %s; want at least %d (min_invocations): an unused version has not been proven",
			rel.function, rel.target, inv, window, max(b.MinInvocations, 1))
	}
	var problems []string
	if t := b.ErrorRatePercent; t != nil {
		if rate := 100 * sum["errors"] / inv; rate > *t {
			problems = append(problems, fmt.Sprintf("error rate %.2f%% (%g errors of %g invocations) above %g%%", rate, sum["errors"], inv, *t))
		}
	}
	if t := b.P99DurationMs; t != nil && worst["p99"] > *t {
		problems = append(problems, fmt.Sprintf("p99 duration %.0f ms above %g ms", worst["p99"], *t))
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s:%s %s: %s", rel.function, rel.target, window, strings.Join(problems, "; "))
	}
	return nil
}
