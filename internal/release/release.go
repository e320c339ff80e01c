// Package release is what golive does after `cdk deploy`: publish immutable versions of
// $LATEST, report and verify how config, stack and alias agree, roll LIVE back and prune old
// versions. It talks to AWS only through the small interfaces of api.go, which list just the SDK
// methods it calls with the SDK's own signatures: the SDK clients satisfy them, and so do the
// tests' fakes for what an emulator cannot show (publish guards, a deployment in flight, AWS
// refusing to delete an aliased version).
//
// It never relies on AWS to refuse an unsafe action and never assumes that version numbers only
// grow: emulators (and people) delete aliased versions and reuse numbers.
package release

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/smithy-go"
	"github.com/golive-dev/golive/internal/resourcenames"
	"golang.org/x/sync/errgroup"
)

// AliasOf is the name of fn's alias, the one clients and event sources invoke: config's
// alias, or with --stack the stack's LiveAlias output, else LIVE.
func AliasOf(fn Function) string { return resourcenames.AliasOr(fn.Alias) }

// Latest is Lambda's name for the mutable, unpublished function.
const Latest = resourcenames.Latest

// Env runs release operations against one environment of a config.
type Env struct {
	// Target is what it acts on.
	Target Target

	Lambda  LambdaAPI
	Stacks  StackAPI
	Deploys DeployAPI
	// Templates reads the template a stack deployed, for verify's check of a synthesized
	// one; nil where no template is checked.
	Templates TemplateAPI
	// Metrics reads the alias's request history for plan and verify; nil skips verify's
	// release findings.
	Metrics MetricsAPI
	// TrafficWindow is how far back plan reads that history; 0 means DefaultTrafficWindow.
	TrafficWindow time.Duration
	// Groups and Alarms read, with --stack, how the deployed stack releases each function:
	// its deployment group and configuration, and its rollback alarm's min_invocations
	// (stackrelease.go); nil leaves a stack's canaries unplanned.
	Groups GroupAPI
	Alarms AlarmAPI

	// Workers bounds how many functions are handled at once; 0 means DefaultWorkers.
	Workers int
	// Log receives progress; nil discards it.
	Log *slog.Logger
	// WaitTimeout bounds the wait for $LATEST to finish updating; 0 means 5 minutes.
	WaitTimeout time.Duration
	// WaitMinDelay is the first poll interval of that wait and of ActiveTimeout's; 0 means 1
	// second.
	WaitMinDelay time.Duration
	// ActiveTimeout bounds the wait for a version publish made to become Active (the CLI's
	// --call-timeout); 0 means DefaultActiveTimeout.
	ActiveTimeout time.Duration
	// Region is the region the clients call, named when a function is not found there.
	Region string
	// ProgressEvery is how often a long wait logs that it is still waiting; 0 means 10s.
	ProgressEvery time.Duration
	// AllowRename lets verify pass a function whose config name differs from the name the
	// stack deployed: the deploy then creates a new function without the old one's versions.
	AllowRename bool
}

// DefaultActiveTimeout bounds the wait for a new version to become Active when the caller
// sets none; the CLI passes --call-timeout, whose default it is.
const DefaultActiveTimeout = 90 * time.Second

// DefaultWorkers keeps well under Lambda's control-plane rate limits while publishing dozens of
// functions in a few round trips.
const DefaultWorkers = 8

// Errors callers can test with errors.Is.
var (
	// ErrChanged means $LATEST or the alias changed between golive reading and writing it.
	ErrChanged = errors.New("changed since golive read it")
	// ErrSmoke means the smoke invocation returned a function error.
	ErrSmoke = errors.New("smoke test failed")
	// ErrInFlight means a CodeDeploy deployment is in progress.
	ErrInFlight = errors.New("deployment in flight")
	// ErrStorageFull means the account's Lambda code storage cannot take another version.
	ErrStorageFull = errors.New("code storage full")
	// ErrWrongAccount means the credentials reach another account than the environment's.
	ErrWrongAccount = errors.New("wrong AWS account")
	// ErrGaveUp means a function was left unfinished because a call for another one timed
	// out: an endpoint that does not answer one call rarely answers the next.
	ErrGaveUp = errors.New("not finished: another AWS call timed out")
)

// giveUpOnTimeout returns a context for a per-function loop and a report function: the
// first error that is a call timeout cancels the context for every function not done yet, so
// that a hung endpoint fails the command within about one call timeout, not one per batch of
// functions.
func giveUpOnTimeout(ctx context.Context) (context.Context, func(error), context.CancelFunc) {
	ctx, cancel := context.WithCancelCause(ctx)
	report := func(err error) {
		if err != nil && errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
			cancel(fmt.Errorf("%w (%w)", ErrGaveUp, err))
		}
	}
	return ctx, report, func() { cancel(nil) }
}

func (e *Env) log() *slog.Logger {
	if e.Log == nil {
		return slog.New(slog.DiscardHandler)
	}
	return e.Log
}

func (e *Env) workers() int {
	if e.Workers > 0 {
		return e.Workers
	}
	return DefaultWorkers
}

// errorText is err for a person: an interrupt reads as one, not as "context canceled".
func (e *Env) errorText(ctx context.Context, err error) string {
	if ctx.Err() != nil && errors.Is(err, context.Canceled) {
		if cause := context.Cause(ctx); errors.Is(cause, ErrGaveUp) {
			return cause.Error()
		}
		return "interrupted before it finished"
	}
	return err.Error()
}

// notFound explains a function that does not exist where golive looked.
func (e *Env) notFound(name string, err error) error {
	where := "the region golive called"
	if e.Region != "" {
		where = "region " + e.Region
	}
	if e.Target.StackOnly {
		// No config.json: the stack's output named the function, in the region of the stack.
		return fmt.Errorf("function %s not found in %s (stack %s names it in its outputs; check --region, or whether it was deleted outside the stack): %w",
			name, where, e.Target.Stack, err)
	}
	return fmt.Errorf("function %s not found in %s (envs.%s.region is %s; check --region, or deploy the stack first): %w",
		name, where, e.Target.Name, orNone(e.Target.Region), err)
}

// progress logs msg every ProgressEvery until the returned stop is called, so a long wait
// shows on stderr which function waits for what, and for how long so far.
func (e *Env) progress(msg string, args ...any) (stop func()) {
	every := e.ProgressEvery
	if every <= 0 {
		every = 10 * time.Second
	}
	start := time.Now()
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				e.log().Info(msg, append(args, "waited", time.Since(start).Round(time.Second).String())...)
			}
		}
	}()
	return func() { close(done) }
}

// group runs one goroutine per function, at most Workers at once. Each function's failure
// is recorded in its own result, so the goroutines return nil and Wait only waits.
func (e *Env) group() *errgroup.Group {
	g := &errgroup.Group{}
	g.SetLimit(e.workers())
	return g
}

func hasCode(err error, codes ...string) bool {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return false
	}
	for _, c := range codes {
		if ae.ErrorCode() == c {
			return true
		}
	}
	return false
}

func errorMessage(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorMessage()
	}
	return ""
}
