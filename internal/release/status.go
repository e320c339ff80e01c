package release

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// StatusReport is the result of status, also written as JSON (docs/commands.md, "JSON output").
type StatusReport struct {
	Env   string `json:"env"`
	Stack string `json:"stack"`
	// StackFound is false before the environment's first deploy.
	StackFound bool `json:"stack_found"`
	// StackStatus is CloudFormation's status of the stack, absent when it does not exist.
	StackStatus string `json:"stack_status,omitempty"`
	// StackNote says what that status means for a release (an update in progress, a failed
	// rollback), absent when nothing.
	StackNote string           `json:"stack_note,omitempty"`
	Functions []FunctionStatus `json:"functions"`

	// Dashboard is the stack's release dashboard, null when the deployed stack has none.
	Dashboard *DashboardLink `json:"dashboard"`

	stack stack
}

// FunctionStatus compares, for one function, the three places a live version is written down.
type FunctionStatus struct {
	Function     string    `json:"function"`
	FunctionName string    `json:"function_name"`
	Config       ConfigPin `json:"config"`
	// StackDeployed is the version the stack last deployed ("7" or "$LATEST"), null when unknown.
	StackDeployed *string `json:"stack_deployed"`
	// StackFunctionName is the function name the stack last deployed, null when unknown.
	StackFunctionName *string `json:"stack_function_name"`
	// AliasName is the name of the function's alias (config's alias, or the stack's).
	AliasName string `json:"alias_name"`
	// Alias is that alias as it is, null when the function or the alias does not exist.
	Alias *AliasState `json:"alias"`
	// Commit is the source commit of the version LIVE points at, from the version's
	// description (golive publish writes it); absent when unknown.
	Commit string `json:"commit,omitempty"`
	// Newest is the highest published version, null when none.
	Newest *string `json:"newest_version"`
	// Deployments are unfinished CodeDeploy deployments of the function.
	Deployments []string `json:"deployments_in_flight"`
	// Drift lists, in words, where config, stack and alias disagree; empty when they agree.
	Drift []string `json:"drift"`
	Error string   `json:"error,omitempty"`

	err      error
	exists   bool
	versions []types.FunctionConfiguration
}

// ConfigPin is what config.json says.
type ConfigPin struct {
	// LiveVersion is the pin, or "$LATEST" when live_version is null.
	LiveVersion string             `json:"live_version"`
	Rollout     string             `json:"rollout"`
	Additional  map[string]float64 `json:"additional_versions"`
	// RolledBack is the version a rollback moved LIVE away from, which publish --pin never
	// pins again; absent when none.
	RolledBack string `json:"rolled_back,omitempty"`
}

// AliasState is the LIVE alias in Lambda.
type AliasState struct {
	Version string             `json:"version"`
	Weights map[string]float64 `json:"weights"`
}

// Status reads config, stack, alias and versions of each function and lists the drift.
func (e *Env) Status(ctx context.Context, fns []Function) (*StatusReport, error) {
	st, err := e.readStack(ctx)
	if err != nil {
		return nil, err
	}
	rep := &StatusReport{Env: e.Target.Name, Stack: e.StackName(), StackFound: st.found, StackStatus: string(st.status),
		StackNote: stackMeaning(e.StackName(), st.status), Functions: make([]FunctionStatus, len(fns)), Dashboard: st.dashboard(), stack: st}
	ctx, timedOut, done := giveUpOnTimeout(ctx)
	defer done()
	group := e.group()
	for i := range fns {
		group.Go(func() error {
			rep.Functions[i] = e.status(ctx, fns[i], st)
			timedOut(rep.Functions[i].err)
			return nil
		})
	}
	_ = group.Wait() // each function's error is in its result
	return rep, nil
}

// FunctionErrors are the failures, one per function that could not be read.
func (r *StatusReport) FunctionErrors() []error {
	var errs []error
	for _, f := range r.Functions {
		if f.err != nil {
			errs = append(errs, f.err)
		}
	}
	return errs
}

func (e *Env) status(ctx context.Context, fn Function, st stack) FunctionStatus {
	s := FunctionStatus{
		Function:     fn.Name,
		FunctionName: fn.FunctionName,
		AliasName:    AliasOf(fn),
		Config: ConfigPin{
			LiveVersion: orLatest(fn.LiveVersion),
			Rollout:     string(fn.Rollout),
			Additional:  configWeights(fn),
			RolledBack:  fn.RolledBack,
		},
		Deployments: []string{},
		Drift:       []string{},
	}
	if s.Config.Additional == nil {
		s.Config.Additional = map[string]float64{}
	}
	if d := st.deployed(fn); d != "" {
		s.StackDeployed = &d
	}
	if n := st.deployedAs(fn); n != "" {
		s.StackFunctionName = &n
		if n != fn.FunctionName {
			s.Drift = append(s.Drift, fmt.Sprintf("config names the function %s but the stack last deployed it as %s", fn.FunctionName, n))
		}
	}
	vs, err := e.listVersions(ctx, fn.FunctionName)
	switch {
	case err == nil:
		s.exists, s.versions = true, vs
		if n := newest(vs); n != "" {
			s.Newest = &n
		}
	case isNotFound(err):
		where := ""
		if e.Region != "" {
			where = " in " + e.Region
		}
		s.Drift = append(s.Drift, fmt.Sprintf("function %s does not exist%s", fn.FunctionName, where))
		return s
	default:
		s.err, s.Error = err, e.errorText(ctx, err)
		return s
	}
	a, err := e.getAlias(ctx, fn.FunctionName, s.AliasName)
	if err != nil {
		s.err, s.Error = err, e.errorText(ctx, err)
		return s
	}
	if a != nil {
		s.Alias = &AliasState{Version: a.Version, Weights: a.Weights}
		if s.Alias.Weights == nil {
			s.Alias.Weights = map[string]float64{}
		}
		s.Commit = commitOf(vs, a.Version)
	}
	if s.Deployments, err = e.inFlight(ctx, fn); err != nil {
		s.err, s.Error = err, e.errorText(ctx, err)
		return s
	}
	if s.Deployments == nil {
		s.Deployments = []string{}
	}
	s.Drift = append(s.Drift, drift(fn, s, st.found)...)
	return s
}

// drift compares config, stack and alias in the user's words.
func drift(fn Function, s FunctionStatus, stackFound bool) []string {
	var d []string
	pin := orLatest(fn.LiveVersion)
	switch {
	case s.Alias == nil:
		d = append(d, fmt.Sprintf("no %s alias", AliasOf(fn)))
	case s.StackDeployed != nil && s.Alias.Version != *s.StackDeployed:
		d = append(d, fmt.Sprintf("alias %s is on %s but the stack last deployed %s (moved outside CloudFormation)",
			AliasOf(fn), s.Alias.Version, *s.StackDeployed))
	}
	switch {
	case !stackFound:
		d = append(d, "the stack does not exist: not deployed yet")
	case s.StackDeployed == nil:
		d = append(d, fmt.Sprintf("the stack has no output %s: not deployed yet", fn.OutputKey()))
	case pin != *s.StackDeployed:
		d = append(d, fmt.Sprintf("config pins %s but the stack last deployed %s (not deployed yet)", pin, *s.StackDeployed))
	}
	if s.Alias != nil && len(s.Deployments) == 0 && !sameWeights(s.Alias.Weights, configWeights(fn)) {
		d = append(d, fmt.Sprintf("alias %s splits traffic %s but config has %s",
			AliasOf(fn), weightsString(s.Alias.Weights), weightsString(configWeights(fn))))
	}
	if len(s.Deployments) > 0 {
		d = append(d, fmt.Sprintf("CodeDeploy deployment %s in flight", strings.Join(s.Deployments, ", ")))
	}
	return d
}

// VerifyReport is the result of verify, also written as JSON (docs/commands.md, "JSON output").
type VerifyReport struct {
	Env string `json:"env"`
	OK  bool   `json:"ok"`
	// Problems has one entry per problem; empty when the deploy may go ahead.
	Problems []Problem `json:"problems"`
}

// Problem is one reason not to deploy.
type Problem struct {
	// Function is "" for a problem of the whole stack.
	Function string `json:"function"`
	Message  string `json:"problem"`
}

// Verify is the pre-deploy gate: it lists every reason the next deploy of the environment
// would fail or do something else than config.json says.
func (e *Env) Verify(ctx context.Context, fns []Function) (*VerifyReport, error) {
	st, err := e.Status(ctx, fns)
	if err != nil {
		return nil, err
	}
	rep := &VerifyReport{Env: e.Target.Name, Problems: []Problem{}}
	if why := st.stack.refusal(e.StackName()); why != "" {
		// A stack-wide problem: the deploy would fail (CloudFormation takes no update while
		// one is in progress or its rollback failed) or act on outputs about to change.
		rep.Problems = append(rep.Problems, Problem{Message: why})
	}
	for i, s := range st.Functions {
		for _, p := range problems(fns[i], s, e.AllowRename) {
			rep.Problems = append(rep.Problems, Problem{Function: s.Function, Message: p})
		}
	}
	extra := make([]string, len(fns))
	ctx, timedOut, done := giveUpOnTimeout(ctx)
	defer done()
	group := e.group()
	for i := range fns {
		group.Go(func() error {
			p, err := e.provisionedProblem(ctx, fns[i], st.Functions[i])
			timedOut(err)
			if err != nil {
				p = e.errorText(ctx, err)
			}
			extra[i] = p
			return nil
		})
	}
	_ = group.Wait() // each function's error is in its result
	for i, p := range extra {
		if p != "" {
			rep.Problems = append(rep.Problems, Problem{Function: fns[i].Name, Message: p})
		}
	}
	rep.Problems = append(rep.Problems, e.releaseProblems(ctx, fns, st)...)
	rep.OK = len(rep.Problems) == 0
	return rep, nil
}

func problems(fn Function, s FunctionStatus, allowRename bool) []string {
	if s.Error != "" {
		return []string{s.Error}
	}
	var p []string
	if s.StackFunctionName != nil && *s.StackFunctionName != fn.FunctionName && !allowRename {
		// A new name replaces the function: the new one starts without versions, and the old
		// one, kept by its removal policy, leaves the stack with every version it published.
		p = append(p, fmt.Sprintf("config names the function %s but the stack deployed it as %s: the next deploy creates %s "+
			"without %s's versions and leaves %s (kept, with its versions) outside the stack; "+
			"if that is intended, rerun with --allow-rename", fn.FunctionName, *s.StackFunctionName, fn.FunctionName,
			*s.StackFunctionName, *s.StackFunctionName))
	}
	if !s.exists {
		if fn.Pinned() {
			p = append(p, fmt.Sprintf("live_version %s is pinned but function %s does not exist: a new function starts with live_version null",
				fn.LiveVersion, fn.FunctionName))
		}
		return p
	}
	newestWords := "there is no published version"
	if s.Newest != nil {
		newestWords = "the newest is " + *s.Newest
	}
	if fn.Pinned() && !hasVersion(s.versions, fn.LiveVersion) {
		p = append(p, fmt.Sprintf("live_version %s is not a published version of %s (%s)", fn.LiveVersion, fn.FunctionName, newestWords))
	}
	if fn.Additional != nil && !hasVersion(s.versions, fn.Additional.Version) {
		p = append(p, fmt.Sprintf("additional_versions %s is not a published version of %s (%s)", fn.Additional.Version, fn.FunctionName, newestWords))
	}
	if len(s.Deployments) > 0 {
		p = append(p, fmt.Sprintf("CodeDeploy deployment %s is still in flight: wait for it, or golive rollback", strings.Join(s.Deployments, ", ")))
		return p
	}
	direct := fn.Rollout == RolloutDirect
	canary := fn.UsesCodeDeploy() && !direct
	deployed := ""
	if s.StackDeployed != nil {
		deployed = *s.StackDeployed
	}
	moves := deployed != "" && deployed != orLatest(fn.LiveVersion)
	if canary && moves && (deployed == Latest || (s.Alias != nil && s.Alias.Version == Latest)) {
		p = append(p, fmt.Sprintf(`canary from $LATEST to %s: CodeDeploy shifts only between published versions; set "rollout": "direct" for the first pin (golive publish --pin does)`,
			fn.LiveVersion))
	}
	if s.Alias != nil && deployed != "" && s.Alias.Version != deployed && !direct {
		p = append(p, fmt.Sprintf(`alias %s is on %s but the stack last deployed %s: the next deploy would fail ("alias version does not match the current version in AppSpec"); set live_version %s with "rollout": "direct" (golive rollback does), or move the alias back`,
			AliasOf(fn), s.Alias.Version, deployed, s.Alias.Version))
	}
	if s.Alias != nil && canary && len(s.Alias.Weights) > 0 {
		p = append(p, fmt.Sprintf(`alias %s still splits traffic %s: CodeDeploy fails on a split alias; clear it (golive rollback) or set "rollout": "direct"`,
			AliasOf(fn), weightsString(s.Alias.Weights)))
	}
	p = append(p, routingProblems(fn, s, canary, moves, deployed)...)
	return p
}

// provisionedProblem refuses a canary that also changes LIVE's provisioned concurrency. The
// deploy would ask Lambda to reallocate the alias's provisioned concurrency while CodeDeploy
// shifts its weights, and Lambda does not manage provisioned concurrency on an alias that
// routes to two versions ("Configuring provisioned concurrency for a function", Lambda
// Developer Guide): change it in a deploy of its own, before or after the release. Only a
// canary that moves LIVE is checked, so this costs a call only then.
func (e *Env) provisionedProblem(ctx context.Context, fn Function, s FunctionStatus) (string, error) {
	if s.Error != "" || !s.exists || s.Alias == nil || s.StackDeployed == nil || len(s.Deployments) > 0 {
		return "", nil
	}
	canary := fn.UsesCodeDeploy() && fn.Rollout != RolloutDirect
	if !canary || *s.StackDeployed == orLatest(fn.LiveVersion) {
		return "", nil
	}
	current, err := e.provisioned(ctx, fn.FunctionName, AliasOf(fn))
	if err != nil {
		return "", err
	}
	if current == fn.ProvisionedConcurrency {
		return "", nil
	}
	return fmt.Sprintf("the canary from %s to %s also changes the provisioned concurrency of alias %s from %d to %d: "+
		"Lambda cannot reallocate it while CodeDeploy splits the alias's traffic; change provisioned_concurrency in a deploy of its own "+
		"(keep it at %d for this release, or release first)", *s.StackDeployed, fn.LiveVersion, AliasOf(fn), current, fn.ProvisionedConcurrency, current), nil
}

// provisioned is the provisioned concurrency requested on the alias; none configured reads 0.
func (e *Env) provisioned(ctx context.Context, name, aliasName string) (int, error) {
	out, err := e.Lambda.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{
		FunctionName: aws.String(name), Qualifier: aws.String(aliasName),
	})
	if err != nil {
		// ProvisionedConcurrencyConfigNotFoundException (no config on the alias) and
		// ResourceNotFoundException both answer 404 (Lambda API reference,
		// GetProvisionedConcurrencyConfig, Errors); an emulator without the API does too.
		var nf *types.ProvisionedConcurrencyConfigNotFoundException
		var re *awshttp.ResponseError
		if errors.As(err, &nf) || isNotFound(err) || (errors.As(err, &re) && re.HTTPStatusCode() == http.StatusNotFound) {
			return 0, nil
		}
		return 0, fmt.Errorf("read the provisioned concurrency of %s:%s: %w", name, aliasName, err)
	}
	return int(aws.ToInt32(out.RequestedProvisionedConcurrentExecutions)), nil
}

func isNotFound(err error) bool {
	return err != nil && (hasCode(err, "ResourceNotFoundException"))
}
