// Package release is what golive does after `cdk deploy`: publish immutable versions of
// $LATEST, report and verify how config, stack and alias agree, roll LIVE back and prune old
// versions. It talks to AWS only through the small interfaces below, which list just the SDK
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
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"
	"golang.org/x/sync/errgroup"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/contract"
)

// Alias is the alias clients and event sources invoke.
const Alias = contract.Alias

// Latest is Lambda's name for the mutable, unpublished function.
const Latest = contract.Latest

// LambdaAPI lists the Lambda calls golive makes; *lambda.Client implements it.
type LambdaAPI interface {
	GetFunctionConfiguration(ctx context.Context, params *lambda.GetFunctionConfigurationInput, optFns ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
	ListVersionsByFunction(ctx context.Context, params *lambda.ListVersionsByFunctionInput, optFns ...func(*lambda.Options)) (*lambda.ListVersionsByFunctionOutput, error)
	Invoke(ctx context.Context, params *lambda.InvokeInput, optFns ...func(*lambda.Options)) (*lambda.InvokeOutput, error)
	PublishVersion(ctx context.Context, params *lambda.PublishVersionInput, optFns ...func(*lambda.Options)) (*lambda.PublishVersionOutput, error)
	GetAlias(ctx context.Context, params *lambda.GetAliasInput, optFns ...func(*lambda.Options)) (*lambda.GetAliasOutput, error)
	ListAliases(ctx context.Context, params *lambda.ListAliasesInput, optFns ...func(*lambda.Options)) (*lambda.ListAliasesOutput, error)
	UpdateAlias(ctx context.Context, params *lambda.UpdateAliasInput, optFns ...func(*lambda.Options)) (*lambda.UpdateAliasOutput, error)
	GetProvisionedConcurrencyConfig(ctx context.Context, params *lambda.GetProvisionedConcurrencyConfigInput, optFns ...func(*lambda.Options)) (*lambda.GetProvisionedConcurrencyConfigOutput, error)
	DeleteFunction(ctx context.Context, params *lambda.DeleteFunctionInput, optFns ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error)
	GetAccountSettings(ctx context.Context, params *lambda.GetAccountSettingsInput, optFns ...func(*lambda.Options)) (*lambda.GetAccountSettingsOutput, error)
}

// StackAPI reads the version each function's stack last deployed, the stack's status and its
// resources; *cloudformation.Client implements it.
type StackAPI interface {
	DescribeStacks(ctx context.Context, params *cloudformation.DescribeStacksInput, optFns ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error)
	ListStackResources(ctx context.Context, params *cloudformation.ListStackResourcesInput, optFns ...func(*cloudformation.Options)) (*cloudformation.ListStackResourcesOutput, error)
}

// DeployAPI finds, reads and stops CodeDeploy deployments; *codedeploy.Client implements it.
type DeployAPI interface {
	ListDeployments(ctx context.Context, params *codedeploy.ListDeploymentsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentsOutput, error)
	GetDeployment(ctx context.Context, params *codedeploy.GetDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error)
	StopDeployment(ctx context.Context, params *codedeploy.StopDeploymentInput, optFns ...func(*codedeploy.Options)) (*codedeploy.StopDeploymentOutput, error)
}

// Env runs release operations against one environment of a config.
type Env struct {
	Config *config.Config
	Env    *config.Env

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
	// Stack and Application, when set, name the stack and its CodeDeploy application instead
	// of the config's {project}-{env} (a stack without golive's config.json, see StackEnv).
	Stack, Application string
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
	if e.Stack != "" {
		// No config.json: the stack's output named the function, in the region of the stack.
		return fmt.Errorf("function %s not found in %s (stack %s names it in its outputs; check --region, or whether it was deleted outside the stack): %w",
			name, where, e.Stack, err)
	}
	return fmt.Errorf("function %s not found in %s (envs.%s.region is %s; check --region, or deploy the stack first): %w",
		name, where, e.Env.Name, orNone(e.Env.Region), err)
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

// StackName is the environment's CloudFormation stack.
func (e *Env) StackName() string {
	if e.Stack != "" {
		return e.Stack
	}
	return e.Config.StackName(e.Env.Name)
}

func (e *Env) application() string {
	if e.Stack != "" {
		return e.Application
	}
	return e.Config.CodeDeployApplication(e.Env.Name)
}

// group runs one goroutine per function, at most Workers at once. Each function's failure
// is recorded in its own result, so the goroutines return nil and Wait only waits.
func (e *Env) group() *errgroup.Group {
	g := &errgroup.Group{}
	g.SetLimit(e.workers())
	return g
}

// stack is what the environment's stack last deployed, and what CloudFormation is doing
// with it now.
type stack struct {
	found   bool
	outputs map[string]string
	status  cftypes.StackStatus
}

// deployed returns the version the stack last deployed for fn ("7" or "$LATEST"), or "" when
// unknown (no stack yet, or a stack from before the function existed).
func (s stack) deployed(fn config.Function) string {
	_, version := splitOutput(s.outputs[fn.OutputKey()])
	return version
}

// deployedAs returns the function name the stack last deployed for fn, or "" when unknown.
func (s stack) deployedAs(fn config.Function) string {
	name, _ := splitOutput(s.outputs[fn.OutputKey()])
	return name
}

// splitOutput reads a LiveVersion output: "NAME:VERSION" (a qualified function name, as the
// service stacks write it), or a bare "VERSION".
func splitOutput(v string) (name, version string) {
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		return v[:i], v[i+1:]
	}
	return "", v
}

func (e *Env) readStack(ctx context.Context) (stack, error) {
	out, err := e.Stacks.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(e.StackName())})
	if err != nil {
		if stackMissing(err) {
			return stack{}, nil
		}
		return stack{}, fmt.Errorf("read stack %s: %w", e.StackName(), err)
	}
	s := stack{outputs: map[string]string{}}
	for _, st := range out.Stacks {
		if err := e.checkAccount(aws.ToString(st.StackId)); err != nil {
			return stack{}, err
		}
		s.found, s.status = true, st.StackStatus
		for _, o := range st.Outputs {
			s.outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
		}
	}
	return s, nil
}

// stackMissing tells DescribeStacks' answer for a stack that does not exist, a ValidationError
// ("Stack with id NAME does not exist") rather than an error code of its own.
func stackMissing(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist")
}

// inFlightStatuses are the CodeDeploy statuses of a deployment that has not finished.
var inFlightStatuses = []cdtypes.DeploymentStatus{
	cdtypes.DeploymentStatusCreated, cdtypes.DeploymentStatusQueued, cdtypes.DeploymentStatusInProgress,
	cdtypes.DeploymentStatusBaking, cdtypes.DeploymentStatusReady,
}

// inFlight returns the ids of unfinished deployments of fn's deployment group, which is named
// after the physical function in the application named after the stack.
func (e *Env) inFlight(ctx context.Context, fn config.Function) ([]string, error) {
	var ids []string
	if e.application() == "" {
		return nil, nil // a stack without CodeDeploy
	}
	in := &codedeploy.ListDeploymentsInput{
		ApplicationName:     aws.String(e.application()),
		DeploymentGroupName: aws.String(fn.FunctionName),
		IncludeOnlyStatuses: inFlightStatuses,
	}
	pages := codedeploy.NewListDeploymentsPaginator(e.Deploys, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			if hasCode(err, "ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException") {
				return nil, nil
			}
			return nil, fmt.Errorf("list deployments of %s: %w", fn.FunctionName, err)
		}
		ids = append(ids, out.Deployments...)
	}
	return ids, nil
}

// listVersions returns fn's published versions (not $LATEST) ordered by number. Numbers may
// repeat: moto reuses them after a delete.
func (e *Env) listVersions(ctx context.Context, name string) ([]types.FunctionConfiguration, error) {
	var vs []types.FunctionConfiguration
	in := &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(name), MaxItems: aws.Int32(50)}
	pages := lambda.NewListVersionsByFunctionPaginator(e.Lambda, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", name, err)
		}
		for _, v := range out.Versions {
			if err := e.checkAccount(aws.ToString(v.FunctionArn)); err != nil {
				return nil, err
			}
			if _, ok := versionNumber(aws.ToString(v.Version)); ok {
				vs = append(vs, v)
			}
		}
	}
	sort.SliceStable(vs, func(i, j int) bool {
		a, _ := versionNumber(aws.ToString(vs[i].Version))
		b, _ := versionNumber(aws.ToString(vs[j].Version))
		return a < b
	})
	return vs, nil
}

// newest returns the highest version number, or "" when there is none.
func newest(vs []types.FunctionConfiguration) string {
	if len(vs) == 0 {
		return ""
	}
	return aws.ToString(vs[len(vs)-1].Version)
}

func hasVersion(vs []types.FunctionConfiguration, v string) bool {
	for _, x := range vs {
		if aws.ToString(x.Version) == v {
			return true
		}
	}
	return false
}

// alias is the LIVE alias as it is.
type alias struct {
	Version    string
	Weights    map[string]float64
	RevisionID string
}

// getAlias returns LIVE, or nil when fn has no such alias (or does not exist).
func (e *Env) getAlias(ctx context.Context, name string) (*alias, error) {
	out, err := e.Lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(name), Name: aws.String(Alias)})
	if err != nil {
		if hasCode(err, "ResourceNotFoundException") {
			return nil, nil
		}
		return nil, fmt.Errorf("read alias %s of %s: %w", Alias, name, err)
	}
	if err := e.checkAccount(aws.ToString(out.AliasArn)); err != nil {
		return nil, err
	}
	a := &alias{Version: aws.ToString(out.FunctionVersion), RevisionID: aws.ToString(out.RevisionId)}
	if out.RoutingConfig != nil && len(out.RoutingConfig.AdditionalVersionWeights) > 0 {
		a.Weights = out.RoutingConfig.AdditionalVersionWeights
	}
	return a, nil
}

// versionNumber parses a published version number; $LATEST and aliases are not numbers.
func versionNumber(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0
}

// orLatest shows a config pin the way Lambda and the stack output name it.
func orLatest(v string) string {
	if v == "" {
		return Latest
	}
	return v
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

// weightsString renders {"6": 0.1} as "6=10%".
func weightsString(w map[string]float64) string {
	if len(w) == 0 {
		return "none"
	}
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%s%%", k, strconv.FormatFloat(w[k]*100, 'f', -1, 64))
	}
	return strings.Join(parts, ",")
}

// configWeights is fn's additional_versions as an alias routing map.
func configWeights(fn config.Function) map[string]float64 {
	if fn.Additional == nil {
		return nil
	}
	return map[string]float64{fn.Additional.Version: fn.Additional.Weight}
}

func sameWeights(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}

// The SDK clients implement the interfaces; the build breaks if a signature drifts.
var (
	_ LambdaAPI = (*lambda.Client)(nil)
	_ StackAPI  = (*cloudformation.Client)(nil)
	_ DeployAPI = (*codedeploy.Client)(nil)
)
