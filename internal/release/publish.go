package release

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/pinfile"
)

// PublishOptions tune Publish.
type PublishOptions struct {
	// Description is given to new versions.
	Description string
	// Smoke, when not nil, is invoked on $LATEST before publishing; a function error refuses.
	Smoke []byte
	// Pin computes the config pins of new versions (PublishReport.Pins).
	Pin bool
	// WritePins, when set, writes those pins (to config.json, or a pins file); the report
	// then says which it holds (ConfigUpdated, Pinned, NotPinned) and PinError why not.
	WritePins func(ctx context.Context, pins ...pinfile.Pin) error
	// Rerun, when set, is the command that redoes functions: the report's Rerun when the
	// run did not finish.
	Rerun func(functions []string) string
}

// Publish statuses.
const (
	StatusNew       = "new"
	StatusUnchanged = "unchanged"
	StatusFailed    = "failed"
)

// PublishReport is the result of publish, also written as JSON (docs/commands.md, "JSON output").
type PublishReport struct {
	Env       string          `json:"env"`
	Functions []PublishResult `json:"functions"`
	// Description is the one given to new versions (the source commit, see the CLI's
	// publish); absent when none.
	Description string `json:"description,omitempty"`
	// ConfigUpdated says config.json (or the pins file) holds the pins.
	ConfigUpdated bool `json:"config_updated"`
	// NotPinned lists, under --pin, the versions that exist but are not in config.json
	// after this run (a failure, an interrupt, a config changed meanwhile).
	NotPinned []Unpinned `json:"not_pinned,omitempty"`
	// Rerun is the command that finishes the job (pins NotPinned, retries the failures)
	// when the run did not finish.
	Rerun string `json:"rerun,omitempty"`
	// PinError is why PublishOptions.WritePins did not write the pins.
	PinError error `json:"-"`
}

// PublishResult is one function's outcome.
type PublishResult struct {
	Function     string `json:"function"`
	FunctionName string `json:"function_name"`
	// Status is "new", "unchanged" (Lambda returned the existing version: $LATEST was not
	// updated since it was published) or "failed".
	Status string `json:"status"`
	// Version is the version of $LATEST that exists now, even when a later step failed;
	// absent when none is known.
	Version string `json:"version,omitempty"`
	// Previous is the newest version before this publish, "" when there was none.
	Previous   string `json:"previous_version,omitempty"`
	CodeSha256 string `json:"code_sha256,omitempty"`
	// Smoke is "passed" when the smoke invocation ran and succeeded.
	Smoke string `json:"smoke,omitempty"`
	// Pin is the config change for the version under --pin: a new version, or an unchanged
	// one newer than the pin (an earlier run published it but did not pin it).
	Pin *PinResult `json:"pin,omitempty"`
	// Pinned is set by the CLI once config.json holds Pin.
	Pinned bool   `json:"pinned,omitempty"`
	Error  string `json:"error,omitempty"`
	// Err is the failure behind Error, for errors.Is (ErrChanged, ErrSmoke, ErrStorageFull).
	Err error `json:"-"`

	pin *pinfile.Pin
	// due is set when --pin should pin Version: it is newer than the pin and is not the
	// version a rollback moved LIVE away from.
	due bool
}

// PinResult describes the config edit publish --pin makes for a function.
type PinResult struct {
	LiveVersion string `json:"live_version"`
	// Rollout is "direct" when the next deploy must move LIVE without CodeDeploy, else "" (the
	// function's configured rollout, canary by default).
	Rollout string `json:"rollout,omitempty"`
	Reason  string `json:"reason"`
}

// Unpinned is a version publish made (or found) that --pin should have pinned but did not.
type Unpinned struct {
	Function string `json:"function"`
	Version  string `json:"version"`
}

// Pins returns the config edits of the functions whose pin was planned (Pin option).
func (r *PublishReport) Pins() []pinfile.Pin {
	var pins []pinfile.Pin
	for _, f := range r.Functions {
		if f.pin != nil {
			pins = append(pins, *f.pin)
		}
	}
	return pins
}

// MarkPinned records that config.json now holds every planned pin.
func (r *PublishReport) MarkPinned() {
	for i := range r.Functions {
		r.Functions[i].Pinned = r.Functions[i].pin != nil
	}
	r.ConfigUpdated = len(r.Pins()) > 0
}

// Unpinned lists the versions --pin should pin that config.json does not hold (call it after
// MarkPinned, or without it when nothing was written).
func (r *PublishReport) Unpinned() []Unpinned {
	var u []Unpinned
	for _, f := range r.Functions {
		if f.due && !f.Pinned && f.Version != "" {
			u = append(u, Unpinned{Function: f.Function, Version: f.Version})
		}
	}
	return u
}

// FunctionErrors are the failures, one per failed function.
func (r *PublishReport) FunctionErrors() []error {
	var errs []error
	for _, f := range r.Functions {
		if f.Status == StatusFailed {
			errs = append(errs, f.Err)
		}
	}
	return errs
}

// Publish publishes $LATEST of each function as an immutable version, in parallel. A failure
// of one function does not stop the others; see PublishReport.Failed.
func (e *Env) Publish(ctx context.Context, fns []Function, o PublishOptions) (*PublishReport, error) {
	var st stack
	if o.Pin {
		var err error
		if st, err = e.readStack(ctx); err != nil {
			return nil, err
		}
		// The pin's rollout is decided from the stack's outputs, which an update in progress
		// is about to change, and a stack whose rollback failed takes no deploy of the pin.
		if why := st.refusal(e.StackName()); why != "" {
			return nil, fmt.Errorf("--pin: %s; nothing published", why)
		}
	}
	rep := &PublishReport{Env: e.Target.Name, Description: o.Description, Functions: make([]PublishResult, len(fns))}
	parent := ctx
	ctx, timedOut, done := giveUpOnTimeout(ctx)
	defer done()
	group := e.group()
	for i := range fns {
		group.Go(func() error {
			r := &rep.Functions[i]
			*r = PublishResult{Function: fns[i].Name, FunctionName: fns[i].FunctionName}
			if err := e.publish(ctx, fns[i], o, st, r); err != nil {
				timedOut(err)
				// The version stays reported: it exists, and the rerun pins it.
				r.Status, r.Err = StatusFailed, err
				r.Error = e.errorText(ctx, err)
				r.Pin, r.pin = nil, nil
				e.log().Error("publish failed", "function", fns[i].Name, "version", r.Version, "error", r.Error)
			}
			return nil
		})
	}
	_ = group.Wait() // each function's error is in its result
	if pins := rep.Pins(); o.WritePins != nil && len(pins) > 0 {
		if rep.PinError = o.WritePins(parent, pins...); rep.PinError == nil {
			rep.MarkPinned()
		}
	}
	if o.Pin {
		rep.NotPinned = rep.Unpinned()
	}
	var redo []string
	for _, f := range rep.Functions {
		if f.Status == StatusFailed || (o.Pin && f.Pin != nil && !f.Pinned) {
			redo = append(redo, f.Function)
		}
	}
	if len(redo) > 0 && o.Rerun != nil {
		rep.Rerun = o.Rerun(redo)
	}
	return rep, nil
}

// publish makes three calls when nothing waits: GetFunctionConfiguration, ListVersionsByFunction
// (one page up to 50 versions) and PublishVersion; plus Invoke with a smoke payload and GetAlias
// for a new version under --pin.
func (e *Env) publish(ctx context.Context, fn Function, o PublishOptions, st stack, r *PublishResult) error {
	log := e.log().With("function", fn.Name)
	latest, err := e.readLatest(ctx, fn.FunctionName)
	if err != nil {
		return err
	}
	r.CodeSha256 = aws.ToString(latest.CodeSha256)

	prior, err := e.listVersions(ctx, fn.FunctionName)
	if err != nil {
		return err
	}
	r.Previous = newest(prior)

	if o.Smoke != nil {
		if err := e.smoke(ctx, fn.FunctionName, o.Smoke); err != nil {
			return err
		}
		r.Smoke = "passed"
		log.Info("smoke test passed")
	}

	in := &lambda.PublishVersionInput{
		FunctionName: aws.String(fn.FunctionName),
		// Both guards: publish exactly the $LATEST that was read (and smoke-tested), or nothing.
		CodeSha256: latest.CodeSha256,
		RevisionId: latest.RevisionId,
	}
	if o.Description != "" {
		in.Description = aws.String(o.Description)
	}
	out, err := e.Lambda.PublishVersion(ctx, in)
	if err != nil {
		perr := e.publishError(fn.FunctionName, latest, err)
		if errors.Is(perr, ErrChanged) || errors.Is(perr, ErrStorageFull) {
			return perr
		}
		// The request may have reached Lambda and its answer been lost (a dropped connection,
		// a timeout, an interrupt): look for the version it would have made before saying
		// that nothing was published.
		v, ok := e.findPublished(ctx, fn.FunctionName, latest, prior)
		if !ok {
			return perr
		}
		log.Warn("PublishVersion failed but the version exists: its answer was lost", "version", aws.ToString(v.Version), "error", err)
		out = &lambda.PublishVersionOutput{Version: v.Version, LastModified: v.LastModified, RevisionId: v.RevisionId, State: v.State}
	}
	r.Version = aws.ToString(out.Version)
	r.Status = StatusNew
	// Lambda returns the newest existing version when $LATEST was not updated since. The same
	// number is not enough (moto hands a number out again after a delete): a version is the same
	// one when its modification time or its RevisionId (moto sends none) matches too.
	for _, v := range prior {
		if aws.ToString(v.Version) != r.Version {
			continue
		}
		sameTime := aws.ToString(v.LastModified) == aws.ToString(out.LastModified)
		sameRev := aws.ToString(v.RevisionId) != "" && aws.ToString(v.RevisionId) == aws.ToString(out.RevisionId)
		if sameTime || sameRev {
			r.Status = StatusUnchanged
		}
	}
	if out.State == types.StatePending {
		// Reported and pinned only once it can be invoked: a deploy would otherwise point the
		// alias, and CodeDeploy's shift, at a version that cannot serve yet.
		if err := e.waitActive(ctx, fn.FunctionName, r.Version); err != nil {
			return err
		}
	}
	log.Info("published", "version", r.Version, "status", r.Status, "previous", r.Previous)

	if !o.Pin {
		return nil
	}
	switch {
	case r.Version == fn.LiveVersion:
		return nil // already pinned
	case r.Version == fn.RolledBack:
		log.Warn("not pinned: golive rollback moved the alias away from this version (rolled_back in config); deploy a fix, or set live_version by hand",
			"version", r.Version, "live_version", orLatest(fn.LiveVersion))
		return nil
	case r.Status == StatusUnchanged && !newerThanPin(r.Version, fn.LiveVersion):
		log.Info("not pinned: not newer than the pin", "version", r.Version, "live_version", orLatest(fn.LiveVersion))
		return nil
	}
	// A new version, or one an earlier run published from this same $LATEST and did not pin.
	r.due = true
	return e.planPin(ctx, fn, st, r)
}

// newerThanPin reports whether version v is newer than the pin ("" is $LATEST: any version
// is a pin to make).
func newerThanPin(v, pin string) bool {
	if pin == "" {
		return true
	}
	a, _ := versionNumber(v)
	b, _ := versionNumber(pin)
	return a > b
}

// findPublished looks, after a PublishVersion whose answer was lost, for a version of latest's
// code that was not there before. It uses its own short deadline: the run may be over (an
// interrupt), but what exists must still be reported.
func (e *Env) findPublished(ctx context.Context, name string, latest *lambda.GetFunctionConfigurationOutput, prior []types.FunctionConfiguration) (types.FunctionConfiguration, bool) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	vs, err := e.listVersions(ctx, name)
	if err != nil {
		e.log().Warn("cannot tell whether the lost publish made a version", "function_name", name, "error", err)
		return types.FunctionConfiguration{}, false
	}
	known := map[string]string{}
	for _, v := range prior {
		known[aws.ToString(v.Version)] = aws.ToString(v.LastModified)
	}
	for i := len(vs) - 1; i >= 0; i-- {
		v := vs[i]
		if lm, ok := known[aws.ToString(v.Version)]; ok && lm == aws.ToString(v.LastModified) {
			continue
		}
		if aws.ToString(v.CodeSha256) == aws.ToString(latest.CodeSha256) {
			return v, true
		}
	}
	return types.FunctionConfiguration{}, false
}

// planPin decides the rollout that goes with a new pin. CodeDeploy builds its AppSpec from the
// version CloudFormation last recorded: it cannot shift from $LATEST (the AppSpec takes only
// positive integers), and it fails with "alias version does not match the current version in
// AppSpec" when the alias was moved outside the stack (aws/serverless-application-model#291).
// In both cases the next deploy must move the alias directly; otherwise a "direct" left over
// from a first pin or a rollback is cleared so the release goes through the canary.
func (e *Env) planPin(ctx context.Context, fn Function, st stack, r *PublishResult) error {
	alias := AliasOf(fn)
	a, err := e.getAlias(ctx, fn.FunctionName, alias)
	if err != nil {
		return err
	}
	deployed := st.deployed(fn)
	pin := &pinfile.Pin{Env: e.Target.Name, Function: fn.Name, Version: r.Version, Rollout: pinfile.RolloutDirect}
	res := &PinResult{LiveVersion: r.Version, Rollout: string(RolloutDirect)}
	switch {
	case a == nil:
		res.Reason = "first pin: no " + alias + " alias yet"
	case a.Version == Latest:
		res.Reason = "first pin: " + alias + " is on $LATEST, which CodeDeploy cannot shift from"
	case deployed == "":
		res.Reason = "the stack's deployed version is unknown"
	case a.Version != deployed:
		res.Reason = fmt.Sprintf("%s is on %s but the stack last deployed %s (moved outside CloudFormation)", alias, a.Version, deployed)
	default:
		pin.Rollout, res.Rollout = pinfile.RolloutDefault, ""
		res.Reason = fmt.Sprintf("the next deploy shifts %s from %s to %s", alias, a.Version, r.Version)
		if fn.Deployment != nil {
			res.Reason += " through CodeDeploy"
		}
	}
	r.Pin, r.pin = res, pin
	return nil
}

// waitActive waits until version of name is Active. A version is Pending after PublishVersion
// while Lambda prepares it, for instance while it takes a SnapStart snapshot, and can be
// invoked only once Active ("Activating and managing Lambda SnapStart", "Lambda SnapStart and
// function states", Lambda Developer Guide). The SDK's PublishedVersionActive waiter polls
// GetFunctionConfiguration of the version: Pending retries, Active succeeds, Failed fails. The
// wait is bounded by ActiveTimeout (--call-timeout).
func (e *Env) waitActive(ctx context.Context, name, version string) error {
	timeout := e.ActiveTimeout
	if timeout <= 0 {
		timeout = DefaultActiveTimeout
	}
	minDelay := e.WaitMinDelay
	if minDelay == 0 {
		minDelay = time.Second
	}
	e.log().Info("waiting for the new version to become active", "function_name", name, "version", version)
	stop := e.progress("still waiting for the new version to become active", "function_name", name, "version", version)
	defer stop()
	in := &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name), Qualifier: aws.String(version)}
	w := lambda.NewPublishedVersionActiveWaiter(e.Lambda, func(o *lambda.PublishedVersionActiveWaiterOptions) {
		o.MinDelay, o.MaxDelay = minDelay, 5*minDelay
	})
	err := w.Wait(ctx, in, timeout)
	if err == nil {
		return nil
	}
	// The waiter hands back no output on failure: read the state once more, with a short
	// deadline of its own, to say which it is (still Pending, or Failed and why).
	state := ""
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if c, gerr := e.Lambda.GetFunctionConfiguration(rctx, in); gerr == nil {
		state = " (" + string(c.State)
		if r := aws.ToString(c.StateReason); r != "" {
			state += ": " + r
		}
		state += ")"
	}
	return fmt.Errorf("version %s of %s was published but is not active%s; not reported or pinned until it is: rerun publish once it is (the rerun finds it): %w",
		version, name, state, err)
}

// readLatest reads $LATEST once it is settled: a function that is still being created or
// updated is waited for (the SDK waiters poll LastUpdateStatus and State).
func (e *Env) readLatest(ctx context.Context, name string) (*lambda.GetFunctionConfigurationOutput, error) {
	in := &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name)}
	out, err := e.Lambda.GetFunctionConfiguration(ctx, in)
	if err != nil {
		if isNotFound(err) {
			return nil, e.notFound(name, err)
		}
		return nil, fmt.Errorf("read $LATEST of %s: %w", name, err)
	}
	if err := e.checkAccount(aws.ToString(out.FunctionArn)); err != nil {
		return nil, err
	}
	timeout := e.WaitTimeout
	if timeout == 0 {
		timeout = 5 * time.Minute
	}
	minDelay := e.WaitMinDelay
	if minDelay == 0 {
		minDelay = time.Second
	}
	if out.State == types.StatePending {
		e.log().Info("waiting for the function to become active", "function_name", name)
		stop := e.progress("still waiting for the function to become active", "function_name", name)
		defer stop()
		w := lambda.NewFunctionActiveWaiter(e.Lambda, func(o *lambda.FunctionActiveWaiterOptions) {
			o.MinDelay, o.MaxDelay = minDelay, 5*minDelay
		})
		if out, err = w.WaitForOutput(ctx, in, timeout); err != nil {
			return nil, fmt.Errorf("wait for %s to become active: %w", name, err)
		}
	}
	if out.LastUpdateStatus == types.LastUpdateStatusInProgress {
		e.log().Info("waiting for $LATEST to finish updating", "function_name", name)
		stop := e.progress("still waiting for $LATEST to finish updating", "function_name", name)
		defer stop()
		w := lambda.NewFunctionUpdatedWaiter(e.Lambda, func(o *lambda.FunctionUpdatedWaiterOptions) {
			o.MinDelay, o.MaxDelay = minDelay, 5*minDelay
		})
		if out, err = w.WaitForOutput(ctx, in, timeout); err != nil {
			return nil, fmt.Errorf("wait for $LATEST of %s to finish updating: %w", name, err)
		}
	}
	if out.State == types.StateFailed {
		return nil, fmt.Errorf("function %s is in state Failed: %s", name, aws.ToString(out.StateReason))
	}
	if out.LastUpdateStatus == types.LastUpdateStatusFailed {
		return nil, fmt.Errorf("the last update of $LATEST of %s failed, nothing to publish: %s %s", name, out.LastUpdateStatusReasonCode, aws.ToString(out.LastUpdateStatusReason))
	}
	return out, nil
}

func (e *Env) smoke(ctx context.Context, name string, payload []byte) error {
	out, err := e.Lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(name),
		Qualifier:    aws.String(Latest),
		Payload:      payload,
	})
	if err != nil {
		return fmt.Errorf("smoke-invoke $LATEST of %s: %w", name, err)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("%w: $LATEST of %s returned a function error (%s), not publishing: %s",
			ErrSmoke, name, aws.ToString(out.FunctionError), excerpt(out.Payload, 300))
	}
	return nil
}

// publishError explains a full code storage, or a failed guard: someone updated $LATEST after golive read it, so what
// would be published is not what was read (nor what was smoke-tested).
func (e *Env) publishError(name string, read *lambda.GetFunctionConfigurationOutput, err error) error {
	var pre *types.PreconditionFailedException
	var conflict *types.ResourceConflictException
	var inval *types.InvalidParameterValueException
	var full *types.CodeStorageExceededException
	switch {
	case errors.As(err, &full):
		// The account's code storage (75 GB by default, "Lambda quotas") is full: a new version
		// needs old ones deleted first.
		target := "--env " + e.Target.Name
		if e.Target.StackOnly {
			target = "--stack " + e.Target.Stack
		}
		return fmt.Errorf("%w: the account's Lambda code storage is full, nothing published of %s; delete old versions with golive prune %s --keep N (try --dry-run first), then rerun publish: %w",
			ErrStorageFull, name, target, err)
	case errors.As(err, &pre):
		return fmt.Errorf("%w: $LATEST of %s is no longer revision %s (someone updated it); nothing published, rerun publish: %w",
			ErrChanged, name, aws.ToString(read.RevisionId), err)
	case errors.As(err, &inval) && strings.Contains(strings.ToLower(inval.ErrorMessage()), "sha256"):
		return fmt.Errorf("%w: the code of $LATEST of %s is no longer %s (someone updated it); nothing published, rerun publish: %w",
			ErrChanged, name, aws.ToString(read.CodeSha256), err)
	case errors.As(err, &conflict):
		return fmt.Errorf("%w: $LATEST of %s is being updated right now; nothing published, rerun publish: %w", ErrChanged, name, err)
	}
	return fmt.Errorf("publish %s: %w", name, err)
}

func excerpt(b []byte, n int) string {
	s := strings.TrimSpace(string(b))
	if len(s) > n {
		s = s[:n] + "…"
	}
	if s == "" {
		return "(empty response)"
	}
	return s
}
