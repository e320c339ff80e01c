// Package fakeaws is an in-memory Lambda, CloudFormation and CodeDeploy for unit tests. Unlike
// moto it behaves like AWS where golive's safety depends on it: PublishVersion checks its
// CodeSha256 and RevisionId guards and returns the existing version when $LATEST was not
// updated, UpdateAlias checks RevisionId, DeleteFunction refuses a version an alias routes to,
// CodeDeploy deployments stay in flight until stopped, and GetAccountSettings reports code
// storage. Its answers carry ARNs in DefaultAccount, or in the Account a test sets.
//
// Each operation answers as its row of docs/aws-behaviour.md says AWS answers, and this
// package's tests check that it does; where the row's source is silent (whether a deleted
// version number is handed out again), the fake picks one answer and golive relies on
// neither.
package fakeaws

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/golive-dev/golive/internal/resourcenames"
)

// DefaultAccount is the account of the fakes' ARNs unless a test sets another (moto's too).
const DefaultAccount = "123456789012"

// arn names a resource of the fakes: arn:aws:SERVICE:us-east-1:ACCOUNT:RESOURCE.
func arn(service, account, resource string) *string {
	if account == "" {
		account = DefaultAccount
	}
	return aws.String("arn:aws:" + service + ":us-east-1:" + account + ":" + resource)
}

// Lambda is a fake Lambda control plane.
type Lambda struct {
	// Account is the account the functions live in; "" means DefaultAccount.
	Account string

	mu        sync.Mutex
	functions map[string]*Function
	calls     map[string]int
	clock     time.Time

	// BeforePublish runs inside PublishVersion before the guards are checked, with the fake
	// locked: use it to change $LATEST "meanwhile" through Function methods.
	BeforePublish func(f *Function)
	// Delay is added to every call, outside the lock, to observe concurrency.
	Delay time.Duration
	// NoAccountSettings makes GetAccountSettings fail as it does in moto.
	NoAccountSettings bool
	// StorageLimit is the account's code storage limit (default 75 GiB).
	StorageLimit int64

	inflight, maxInflight int
}

// Function is one fake function; its fields may be set up directly before a test runs.
type Function struct {
	Name   string
	Latest types.FunctionConfiguration
	// Published are the published versions, oldest first.
	Published []types.FunctionConfiguration
	Aliases   map[string]*types.AliasConfiguration
	// Statuses are LastUpdateStatus values returned by the next GetFunctionConfiguration
	// calls, one each, before $LATEST reads as settled (Successful).
	Statuses []types.LastUpdateStatus
	// FunctionError, when set, is what invoking $LATEST returns as its function error.
	FunctionError string
	// Conflict, when set, makes PublishVersion fail with ResourceConflictException.
	Conflict bool
	// Provisioned maps a qualifier (an alias or version) to its requested provisioned
	// concurrency; a qualifier without an entry has none configured.
	Provisioned map[string]int32
	// Refuse lists versions DeleteFunction refuses as if an alias routed to them, although no
	// listed alias does (an alias moved there after golive read the aliases).
	Refuse map[string]bool
	// PendingReads, when set, makes the next version PublishVersion creates Pending, as a
	// SnapStart version is while Lambda takes its snapshot: PublishVersion and that many
	// GetFunctionConfiguration reads of the version answer Pending, the next ones PendingEnd
	// (Active when empty; Failed with PendingReason).
	PendingReads  int
	PendingEnd    types.State
	PendingReason string

	// pending counts the Pending reads left of each version that is still Pending.
	pending map[string]int
	updated bool // $LATEST changed since the last publish
	next    int  // the next version number; not reused (undocumented on AWS: ledger row L3)
	rev     int
	codeRev int
	size    int64
}

// NewLambda returns an empty fake.
func NewLambda() *Lambda {
	return &Lambda{functions: map[string]*Function{}, calls: map[string]int{}, clock: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)}
}

// AddFunction creates a function whose $LATEST has never been published.
func (l *Lambda) AddFunction(name string) *Function {
	l.mu.Lock()
	defer l.mu.Unlock()
	f := &Function{Name: name, Aliases: map[string]*types.AliasConfiguration{}, next: 1, updated: true, size: 1000}
	f.Latest = types.FunctionConfiguration{
		FunctionName:     aws.String(name),
		Version:          aws.String(resourcenames.Latest),
		State:            types.StateActive,
		LastUpdateStatus: types.LastUpdateStatusSuccessful,
	}
	f.UpdateCode()
	l.functions[name] = f
	return f
}

// Function returns the named function, or nil.
func (l *Lambda) Function(name string) *Function {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.functions[name]
}

// UpdateCode changes $LATEST's code, as `cdk deploy` does: new CodeSha256, new RevisionId.
func (f *Function) UpdateCode() {
	f.codeRev++
	f.Latest.CodeSha256 = aws.String(fmt.Sprintf("sha-%s-%d", f.Name, f.codeRev))
	f.touch()
}

// UpdateConfig changes $LATEST's configuration only: new RevisionId, same CodeSha256.
func (f *Function) UpdateConfig() { f.touch() }

func (f *Function) touch() {
	f.rev++
	f.Latest.RevisionId = aws.String(fmt.Sprintf("rev-%s-%d", f.Name, f.rev))
	f.Latest.CodeSize = f.size + int64(f.codeRev)
	f.updated = true
}

// Publish publishes $LATEST as the next version, for test setup.
func (l *Lambda) Publish(name string) string {
	out, err := l.PublishVersion(context.Background(), &lambda.PublishVersionInput{FunctionName: aws.String(name)})
	if err != nil {
		panic(err)
	}
	l.mu.Lock()
	l.calls["PublishVersion"]--
	l.mu.Unlock()
	return aws.ToString(out.Version)
}

// SetAlias creates or moves an alias, for test setup.
func (f *Function) SetAlias(name, version string, weights map[string]float64) {
	a := &types.AliasConfiguration{Name: aws.String(name), FunctionVersion: aws.String(version), RevisionId: aws.String("alias-rev-0")}
	if old, ok := f.Aliases[name]; ok {
		a.RevisionId = aws.String(aws.ToString(old.RevisionId) + "+")
	}
	if len(weights) > 0 {
		a.RoutingConfig = &types.AliasRoutingConfiguration{AdditionalVersionWeights: weights}
	}
	f.Aliases[name] = a
}

// Versions lists the published version numbers.
func (f *Function) Versions() []string {
	var vs []string
	for _, v := range f.Published {
		vs = append(vs, aws.ToString(v.Version))
	}
	return vs
}

// Calls returns how many times op was called.
func (l *Lambda) Calls(op string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.calls[op]
}

// TotalCalls returns how many calls were made, of every operation (setup helpers excluded).
func (l *Lambda) TotalCalls() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := 0
	for _, c := range l.calls {
		n += c
	}
	return n
}

// MaxConcurrent is the highest number of calls that were in progress at once.
func (l *Lambda) MaxConcurrent() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.maxInflight
}

func (l *Lambda) enter(op string) func() {
	l.mu.Lock()
	l.calls[op]++
	l.inflight++
	l.maxInflight = max(l.maxInflight, l.inflight)
	l.mu.Unlock()
	if l.Delay > 0 {
		time.Sleep(l.Delay)
	}
	l.mu.Lock()
	return func() { l.inflight--; l.mu.Unlock() }
}

func apiError(code, format string, args ...any) error {
	return &smithy.GenericAPIError{Code: code, Message: fmt.Sprintf(format, args...)}
}

func (l *Lambda) fn(name *string) (*Function, error) {
	f, ok := l.functions[aws.ToString(name)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Function not found: " + aws.ToString(name))}
	}
	return f, nil
}

// fnAt is the function and the configuration its qualifier names. Like AWS, a version or
// alias that does not exist is not found: golive reads a deleted version's 404 as proof
// that its delete happened.
func (l *Lambda) fnAt(name, qualifier *string) (*Function, types.FunctionConfiguration, error) {
	f, err := l.fn(name)
	if err != nil {
		return nil, types.FunctionConfiguration{}, err
	}
	c, ok := f.qualified(aws.ToString(qualifier))
	if !ok {
		return nil, types.FunctionConfiguration{}, &types.ResourceNotFoundException{Message: aws.String("Function not found: " + f.Name + ":" + aws.ToString(qualifier))}
	}
	return f, c, nil
}

// GetFunctionConfiguration implements the SDK method.
func (l *Lambda) GetFunctionConfiguration(_ context.Context, in *lambda.GetFunctionConfigurationInput, _ ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error) {
	defer l.enter("GetFunctionConfiguration")()
	f, c, err := l.fnAt(in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	if n, ok := f.pending[aws.ToString(c.Version)]; ok {
		c = f.settle(c, n)
	}
	if len(f.Statuses) > 0 {
		c.LastUpdateStatus = f.Statuses[0]
		f.Statuses = f.Statuses[1:]
	}
	return &lambda.GetFunctionConfigurationOutput{
		FunctionName: c.FunctionName, FunctionArn: l.functionArn(f.Name, c.Version), Version: c.Version, CodeSha256: c.CodeSha256, RevisionId: c.RevisionId,
		State: c.State, StateReason: c.StateReason, LastUpdateStatus: c.LastUpdateStatus, LastUpdateStatusReason: c.LastUpdateStatusReason,
		CodeSize: c.CodeSize, LastModified: c.LastModified,
	}, nil
}

// settle is a read of version c, Pending for n more reads: Pending while n > 0, then the state
// it ends in ("Lambda SnapStart and function states", Lambda Developer Guide: a published
// version is Pending until its snapshot is ready, then Active, or Failed).
func (f *Function) settle(c types.FunctionConfiguration, n int) types.FunctionConfiguration {
	v := aws.ToString(c.Version)
	if n > 0 {
		f.pending[v] = n - 1
		return c
	}
	delete(f.pending, v)
	c.State = f.PendingEnd
	if c.State == "" {
		c.State = types.StateActive
	}
	if c.State == types.StateFailed {
		c.StateReason = aws.String(f.PendingReason)
	}
	for i := range f.Published {
		if aws.ToString(f.Published[i].Version) == v {
			f.Published[i] = c
		}
	}
	return c
}

// qualified is the configuration a qualifier names: "" or $LATEST, a published version, or
// an alias's version.
func (f *Function) qualified(q string) (types.FunctionConfiguration, bool) {
	if a, ok := f.Aliases[q]; ok {
		q = aws.ToString(a.FunctionVersion)
	}
	if q == "" || q == resourcenames.Latest {
		return f.Latest, true
	}
	for _, v := range f.Published {
		if aws.ToString(v.Version) == q {
			return v, true
		}
	}
	return types.FunctionConfiguration{}, false
}

// ListVersionsByFunction implements the SDK method, 50 per page like AWS, $LATEST first.
func (l *Lambda) ListVersionsByFunction(_ context.Context, in *lambda.ListVersionsByFunctionInput, _ ...func(*lambda.Options)) (*lambda.ListVersionsByFunctionOutput, error) {
	defer l.enter("ListVersionsByFunction")()
	f, err := l.fn(in.FunctionName)
	if err != nil {
		return nil, err
	}
	all := append([]types.FunctionConfiguration{f.Latest}, f.Published...)
	start := 0
	if m := aws.ToString(in.Marker); m != "" {
		start, _ = strconv.Atoi(m)
	}
	end := min(start+50, len(all))
	out := &lambda.ListVersionsByFunctionOutput{}
	for _, v := range all[start:end] {
		v.FunctionArn = l.functionArn(f.Name, v.Version)
		out.Versions = append(out.Versions, v)
	}
	if end < len(all) {
		out.NextMarker = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// Invoke implements the SDK method: it echoes the payload, and $LATEST returns
// FunctionError when set. ExecutedVersion is the version that ran, the one an alias
// resolved to (InvokeOutput's doc comment); a qualifier that names nothing is not found.
func (l *Lambda) Invoke(_ context.Context, in *lambda.InvokeInput, _ ...func(*lambda.Options)) (*lambda.InvokeOutput, error) {
	defer l.enter("Invoke")()
	f, c, err := l.fnAt(in.FunctionName, in.Qualifier)
	if err != nil {
		return nil, err
	}
	out := &lambda.InvokeOutput{StatusCode: 200, Payload: in.Payload, ExecutedVersion: c.Version}
	if f.FunctionError != "" && aws.ToString(c.Version) == resourcenames.Latest {
		out.FunctionError = aws.String("Unhandled")
		out.Payload = []byte(fmt.Sprintf(`{"errorMessage":%q,"errorType":"Error"}`, f.FunctionError))
	}
	return out, nil
}

// PublishVersion implements the SDK method with AWS's guards and its "nothing changed, here is
// the existing version" answer.
func (l *Lambda) PublishVersion(_ context.Context, in *lambda.PublishVersionInput, _ ...func(*lambda.Options)) (*lambda.PublishVersionOutput, error) {
	defer l.enter("PublishVersion")()
	f, err := l.fn(in.FunctionName)
	if err != nil {
		return nil, err
	}
	if l.BeforePublish != nil {
		l.BeforePublish(f)
	}
	if f.Conflict {
		return nil, &types.ResourceConflictException{Message: aws.String("The operation cannot be performed at this time. An update is in progress for resource: " + f.Name)}
	}
	if in.CodeSha256 != nil && aws.ToString(in.CodeSha256) != aws.ToString(f.Latest.CodeSha256) {
		return nil, &types.InvalidParameterValueException{Message: aws.String(fmt.Sprintf(
			"CodeSHA256 (%s) is different from current CodeSHA256 in $LATEST (%s). Please try again with the CodeSHA256 in $LATEST.",
			aws.ToString(in.CodeSha256), aws.ToString(f.Latest.CodeSha256)))}
	}
	if in.RevisionId != nil && aws.ToString(in.RevisionId) != aws.ToString(f.Latest.RevisionId) {
		return nil, &types.PreconditionFailedException{Message: aws.String("The Revision Id provided does not match the latest Revision Id. Call the GetFunction/GetAlias API to retrieve the latest Revision Id")}
	}
	if !f.updated && len(f.Published) > 0 {
		return publishOutput(f.Published[len(f.Published)-1]), nil
	}
	// A new version counts toward the account's code storage; past the limit PublishVersion
	// is CodeStorageExceededException ("Your Amazon Web Services account has exceeded its
	// maximum total code size", its SDK doc comment; Lambda API Reference, PublishVersion,
	// Errors).
	if used, limit := l.storage(); used+f.Latest.CodeSize > limit {
		return nil, &types.CodeStorageExceededException{Message: aws.String(fmt.Sprintf("Code storage limit exceeded: %d of %d bytes used", used, limit))}
	}
	l.clock = l.clock.Add(time.Minute)
	v := f.Latest
	v.Version = aws.String(strconv.Itoa(f.next))
	v.LastModified = aws.String(l.clock.Format("2006-01-02T15:04:05.000+0000"))
	v.RevisionId = aws.String(fmt.Sprintf("vrev-%s-%d", f.Name, f.next))
	if in.Description != nil {
		v.Description = in.Description
	}
	if f.PendingReads > 0 {
		v.State = types.StatePending
		if f.pending == nil {
			f.pending = map[string]int{}
		}
		f.pending[aws.ToString(v.Version)] = f.PendingReads
		f.PendingReads = 0
	}
	f.next++
	f.updated = false
	f.Published = append(f.Published, v)
	return publishOutput(v), nil
}

func publishOutput(v types.FunctionConfiguration) *lambda.PublishVersionOutput {
	return &lambda.PublishVersionOutput{
		FunctionName: v.FunctionName, Version: v.Version, CodeSha256: v.CodeSha256, RevisionId: v.RevisionId,
		LastModified: v.LastModified, Description: v.Description, CodeSize: v.CodeSize, State: v.State, StateReason: v.StateReason,
	}
}

// GetAlias implements the SDK method.
func (l *Lambda) GetAlias(_ context.Context, in *lambda.GetAliasInput, _ ...func(*lambda.Options)) (*lambda.GetAliasOutput, error) {
	defer l.enter("GetAlias")()
	f, err := l.fn(in.FunctionName)
	if err != nil {
		return nil, err
	}
	a, ok := f.Aliases[aws.ToString(in.Name)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Cannot find alias arn: " + aws.ToString(in.Name))}
	}
	return &lambda.GetAliasOutput{Name: a.Name, AliasArn: l.functionArn(f.Name, a.Name), FunctionVersion: a.FunctionVersion,
		RevisionId: a.RevisionId, RoutingConfig: a.RoutingConfig, Description: a.Description}, nil
}

// ListAliases implements the SDK method.
func (l *Lambda) ListAliases(_ context.Context, in *lambda.ListAliasesInput, _ ...func(*lambda.Options)) (*lambda.ListAliasesOutput, error) {
	defer l.enter("ListAliases")()
	f, err := l.fn(in.FunctionName)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(f.Aliases))
	for n := range f.Aliases {
		names = append(names, n)
	}
	sort.Strings(names)
	out := &lambda.ListAliasesOutput{}
	for _, n := range names {
		a := *f.Aliases[n]
		a.AliasArn = l.functionArn(f.Name, a.Name)
		out.Aliases = append(out.Aliases, a)
	}
	return out, nil
}

// functionArn is the ARN of function name, qualified unless qualifier is nil.
func (l *Lambda) functionArn(name string, qualifier *string) *string {
	resource := "function:" + name
	if q := aws.ToString(qualifier); q != "" {
		resource += ":" + q
	}
	return arn("lambda", l.Account, resource)
}

// UpdateAlias implements the SDK method with the RevisionId guard.
func (l *Lambda) UpdateAlias(_ context.Context, in *lambda.UpdateAliasInput, _ ...func(*lambda.Options)) (*lambda.UpdateAliasOutput, error) {
	defer l.enter("UpdateAlias")()
	f, err := l.fn(in.FunctionName)
	if err != nil {
		return nil, err
	}
	a, ok := f.Aliases[aws.ToString(in.Name)]
	if !ok {
		return nil, &types.ResourceNotFoundException{Message: aws.String("Cannot find alias " + aws.ToString(in.Name))}
	}
	if in.RevisionId != nil && aws.ToString(in.RevisionId) != aws.ToString(a.RevisionId) {
		return nil, &types.PreconditionFailedException{Message: aws.String("The Revision Id provided does not match the latest Revision Id.")}
	}
	var weights map[string]float64
	if in.RoutingConfig != nil {
		weights = in.RoutingConfig.AdditionalVersionWeights
	} else if a.RoutingConfig != nil {
		weights = a.RoutingConfig.AdditionalVersionWeights
	}
	v := aws.ToString(a.FunctionVersion)
	if in.FunctionVersion != nil {
		v = aws.ToString(in.FunctionVersion)
	}
	desc := a.Description
	if in.Description != nil {
		// UpdateAliasInput.Description, "A description of the alias" (0 to 256 characters,
		// Lambda API reference, UpdateAlias); left out, the alias keeps its own.
		desc = in.Description
	}
	f.SetAlias(aws.ToString(in.Name), v, weights)
	b := f.Aliases[aws.ToString(in.Name)]
	b.Description = desc
	return &lambda.UpdateAliasOutput{Name: b.Name, FunctionVersion: b.FunctionVersion, RevisionId: b.RevisionId, RoutingConfig: b.RoutingConfig,
		Description: b.Description}, nil
}

// GetProvisionedConcurrencyConfig implements the SDK method: like AWS, a qualifier without
// provisioned concurrency is ProvisionedConcurrencyConfigNotFoundException.
func (l *Lambda) GetProvisionedConcurrencyConfig(_ context.Context, in *lambda.GetProvisionedConcurrencyConfigInput, _ ...func(*lambda.Options)) (*lambda.GetProvisionedConcurrencyConfigOutput, error) {
	defer l.enter("GetProvisionedConcurrencyConfig")()
	f, err := l.fn(in.FunctionName)
	if err != nil {
		return nil, err
	}
	n, ok := f.Provisioned[aws.ToString(in.Qualifier)]
	if !ok {
		return nil, &types.ProvisionedConcurrencyConfigNotFoundException{Message: aws.String("No Provisioned Concurrency Config found for this function")}
	}
	return &lambda.GetProvisionedConcurrencyConfigOutput{RequestedProvisionedConcurrentExecutions: aws.Int32(n),
		AllocatedProvisionedConcurrentExecutions: aws.Int32(n), Status: types.ProvisionedConcurrencyStatusEnumReady}, nil
}

// DeleteFunction implements the SDK method as its doc comment says: with a version
// qualifier it deletes that version and refuses one an alias references; without one it
// deletes the function with all its versions and aliases.
func (l *Lambda) DeleteFunction(_ context.Context, in *lambda.DeleteFunctionInput, _ ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error) {
	defer l.enter("DeleteFunction")()
	f, err := l.fn(in.FunctionName)
	if err != nil {
		return nil, err
	}
	q := aws.ToString(in.Qualifier)
	if q == "" {
		delete(l.functions, f.Name)
		return &lambda.DeleteFunctionOutput{}, nil
	}
	if q == resourcenames.Latest {
		// The API reference does not say what deleting $LATEST by qualifier does; golive
		// never asks, so the fake refuses rather than invent an answer.
		return nil, &types.InvalidParameterValueException{Message: aws.String("the fake does not delete $LATEST by qualifier: its answer is undocumented")}
	}
	refused := f.Refuse[q]
	var by []string
	for n, a := range f.Aliases {
		weighted := false
		if a.RoutingConfig != nil {
			_, weighted = a.RoutingConfig.AdditionalVersionWeights[q]
		}
		if aws.ToString(a.FunctionVersion) == q || weighted {
			by = append(by, n)
		}
	}
	if refused || len(by) > 0 {
		sort.Strings(by)
		return nil, &types.ResourceConflictException{Message: aws.String("Unable to delete version because the following aliases reference it: [" + strings.Join(by, ", ") + "]")}
	}
	for i, v := range f.Published {
		if aws.ToString(v.Version) == q {
			f.Published = append(f.Published[:i], f.Published[i+1:]...)
			return &lambda.DeleteFunctionOutput{}, nil
		}
	}
	return nil, &types.ResourceNotFoundException{Message: aws.String("Function not found: " + f.Name + ":" + q)}
}

// GetAccountSettings implements the SDK method: the code size of every version and $LATEST.
func (l *Lambda) GetAccountSettings(_ context.Context, _ *lambda.GetAccountSettingsInput, _ ...func(*lambda.Options)) (*lambda.GetAccountSettingsOutput, error) {
	defer l.enter("GetAccountSettings")()
	if l.NoAccountSettings {
		return nil, apiError("404", "not implemented")
	}
	used, limit := l.storage()
	return &lambda.GetAccountSettingsOutput{
		AccountLimit: &types.AccountLimit{TotalCodeSize: limit},
		AccountUsage: &types.AccountUsage{TotalCodeSize: used, FunctionCount: int64(len(l.functions))},
	}, nil
}

// storage is the code size of every version and $LATEST, and the account's limit.
func (l *Lambda) storage() (used, limit int64) {
	for _, f := range l.functions {
		used += f.Latest.CodeSize
		for _, v := range f.Published {
			used += v.CodeSize
		}
	}
	limit = l.StorageLimit
	if limit == 0 {
		limit = 75 << 30
	}
	return used, limit
}

// Stacks is a fake CloudFormation holding stacks' outputs, status and resources.
type Stacks struct {
	// Account is the account the stacks live in; "" means DefaultAccount.
	Account string

	mu sync.Mutex
	// Outputs maps stack name to output key to value.
	Outputs map[string]map[string]string
	// Status maps stack name to its status; a stack without one is UPDATE_COMPLETE.
	Status map[string]cftypes.StackStatus
	// Resources maps stack name to its resources' types and physical ids.
	Resources map[string][]cftypes.StackResourceSummary
	// PageSize is how many resources ListStackResources returns per page; 0 means 100.
	PageSize int

	calls map[string]int
}

// NewStacks returns a fake without stacks.
func NewStacks() *Stacks {
	return &Stacks{Outputs: map[string]map[string]string{}, Status: map[string]cftypes.StackStatus{}, calls: map[string]int{}}
}

// Set records a stack output.
func (s *Stacks) Set(stack, key, value string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Outputs[stack] == nil {
		s.Outputs[stack] = map[string]string{}
	}
	s.Outputs[stack][key] = value
}

// SetStatus sets a stack's status, e.g. UPDATE_IN_PROGRESS while CodeDeploy shifts traffic.
func (s *Stacks) SetStatus(stack string, status cftypes.StackStatus) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Status[stack] = status
}

// Calls returns how many times op was called.
func (s *Stacks) Calls(op string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls[op]
}

// DescribeStacks implements the SDK method: "If the stack doesn't exist, a ValidationError
// is returned" (its SDK doc comment); the message is the one AWS sends.
func (s *Stacks) DescribeStacks(_ context.Context, in *cloudformation.DescribeStacksInput, _ ...func(*cloudformation.Options)) (*cloudformation.DescribeStacksOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["DescribeStacks"]++
	name := aws.ToString(in.StackName)
	outs, ok := s.Outputs[name]
	if !ok {
		return nil, apiError("ValidationError", "Stack with id %s does not exist", name)
	}
	status := s.Status[name]
	if status == "" {
		status = cftypes.StackStatusUpdateComplete
	}
	st := cftypes.Stack{StackName: aws.String(name), StackId: arn("cloudformation", s.Account, "stack/"+name+"/0123abcd"),
		StackStatus: status}
	for k, v := range outs {
		st.Outputs = append(st.Outputs, cftypes.Output{OutputKey: aws.String(k), OutputValue: aws.String(v)})
	}
	return &cloudformation.DescribeStacksOutput{Stacks: []cftypes.Stack{st}}, nil
}

// ListStackResources implements the SDK method, which "Returns descriptions of all resources
// of the specified stack" a page at a time: its doc comment promises only a NextToken "If
// the output exceeds 1 MB", so a caller must follow NextToken whatever the page size. The
// fake pages every PageSize resources, so a caller that reads one page misses the rest.
// DescribeStackResources, whose doc comment says "Only the first 100 resources will be
// returned", is not faked: golive must not call it.
func (s *Stacks) ListStackResources(_ context.Context, in *cloudformation.ListStackResourcesInput, _ ...func(*cloudformation.Options)) (*cloudformation.ListStackResourcesOutput, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.calls["ListStackResources"]++
	name := aws.ToString(in.StackName)
	if _, ok := s.Outputs[name]; !ok {
		return nil, apiError("ValidationError", "Stack with id %s does not exist", name)
	}
	all := s.Resources[name]
	size := s.PageSize
	if size <= 0 {
		size = 100
	}
	start := 0
	if t := aws.ToString(in.NextToken); t != "" {
		n, err := strconv.Atoi(t)
		if err != nil || n < 0 || n > len(all) {
			return nil, apiError("ValidationError", "Invalid NextToken")
		}
		start = n
	}
	end := min(start+size, len(all))
	out := &cloudformation.ListStackResourcesOutput{StackResourceSummaries: slices.Clone(all[start:end])}
	if end < len(all) {
		out.NextToken = aws.String(strconv.Itoa(end))
	}
	return out, nil
}

// Deploys is a fake CodeDeploy: deployments stay in flight until stopped, and a stop with
// auto-rollback starts a rollback deployment, as CodeDeploy does.
type Deploys struct {
	mu sync.Mutex
	// InFlight maps application/group to the ids of unfinished deployments.
	InFlight map[string][]string
	// Stopped records StopDeployment calls: id and whether auto-rollback was asked.
	Stopped map[string]bool
	// Finished are deployments that completed (succeeded or failed) before the test ran:
	// StopDeployment answers them DeploymentAlreadyCompletedException, an unknown id
	// DeploymentDoesNotExistException.
	Finished map[string]bool
	// stoppedIn is the application/group of each stopped deployment, which ListDeployments
	// lists under the status Stopped.
	stoppedIn map[string]string
	// info is what GetDeployment answers for each deployment.
	info map[string]cdtypes.DeploymentInfo
}

// NewDeploys returns a fake without deployments.
func NewDeploys() *Deploys {
	return &Deploys{InFlight: map[string][]string{}, Stopped: map[string]bool{}, Finished: map[string]bool{}, stoppedIn: map[string]string{},
		info: map[string]cdtypes.DeploymentInfo{}}
}

// Start adds an unfinished deployment, created by CloudFormation as the alias's
// CodeDeployLambdaAliasUpdate policy does.
func (d *Deploys) Start(app, group, id string) {
	d.StartBy(app, group, id, cdtypes.DeploymentCreatorCloudFormation, "")
}

// StartBy adds an unfinished deployment made by creator; a rollback (creator
// codeDeployRollback or CloudFormationRollback) names the deployment that triggered it.
func (d *Deploys) StartBy(app, group, id string, creator cdtypes.DeploymentCreator, triggeredBy string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.start(app+"/"+group, id, creator, triggeredBy)
}

func (d *Deploys) start(key, id string, creator cdtypes.DeploymentCreator, triggeredBy string) {
	app, group, _ := strings.Cut(key, "/")
	d.InFlight[key] = append(d.InFlight[key], id)
	info := cdtypes.DeploymentInfo{
		ApplicationName: aws.String(app), DeploymentGroupName: aws.String(group), DeploymentId: aws.String(id),
		ComputePlatform: cdtypes.ComputePlatformLambda, Creator: creator, Status: cdtypes.DeploymentStatusInProgress,
	}
	if triggeredBy != "" {
		info.RollbackInfo = &cdtypes.RollbackInfo{RollbackTriggeringDeploymentId: aws.String(triggeredBy)}
	}
	d.info[id] = info
}

// ListDeployments implements the SDK method for one application and group.
func (d *Deploys) ListDeployments(_ context.Context, in *codedeploy.ListDeploymentsInput, _ ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentsOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	key := aws.ToString(in.ApplicationName) + "/" + aws.ToString(in.DeploymentGroupName)
	inFlight, ok := d.InFlight[key]
	if !ok {
		return nil, &cdtypes.DeploymentGroupDoesNotExistException{Message: aws.String("Deployment group does not exist: " + key)}
	}
	// Like CodeDeploy, IncludeOnlyStatuses selects; no statuses lists every deployment.
	var ids []string
	if len(in.IncludeOnlyStatuses) == 0 || slices.ContainsFunc(in.IncludeOnlyStatuses, func(s cdtypes.DeploymentStatus) bool { return s != cdtypes.DeploymentStatusStopped }) {
		ids = append(ids, inFlight...)
	}
	if len(in.IncludeOnlyStatuses) == 0 || slices.Contains(in.IncludeOnlyStatuses, cdtypes.DeploymentStatusStopped) {
		for id, k := range d.stoppedIn {
			if k == key {
				ids = append(ids, id)
			}
		}
	}
	return &codedeploy.ListDeploymentsOutput{Deployments: ids}, nil
}

// GetDeployment implements the SDK method: the deployment's application, group, status,
// creator and rollback information. Its doc comment says "The content property of the
// appSpecContent object in the returned revision is always null": the fake returns no
// revision at all, so nothing can read an AppSpec from it. An unknown id is
// DeploymentDoesNotExistException.
func (d *Deploys) GetDeployment(_ context.Context, in *codedeploy.GetDeploymentInput, _ ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	info, ok := d.info[aws.ToString(in.DeploymentId)]
	if !ok && d.Finished[aws.ToString(in.DeploymentId)] {
		info, ok = cdtypes.DeploymentInfo{DeploymentId: in.DeploymentId, ComputePlatform: cdtypes.ComputePlatformLambda, Status: cdtypes.DeploymentStatusSucceeded}, true
	}
	if !ok {
		return nil, &cdtypes.DeploymentDoesNotExistException{Message: aws.String("The deployment " + aws.ToString(in.DeploymentId) + " could not be found.")}
	}
	return &codedeploy.GetDeploymentOutput{DeploymentInfo: &info}, nil
}

// StopDeployment implements the SDK method. With AutoRollbackEnabled, CodeDeploy rolls back
// by redeploying the last good revision "as a new deployment" with a new deployment id
// (CodeDeploy User Guide, "Redeploy and roll back a deployment with CodeDeploy"): the fake
// starts one, id "<id>-rollback", created by codeDeployRollback and in flight until stopped.
func (d *Deploys) StopDeployment(_ context.Context, in *codedeploy.StopDeploymentInput, _ ...func(*codedeploy.Options)) (*codedeploy.StopDeploymentOutput, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	id := aws.ToString(in.DeploymentId)
	for k, ids := range d.InFlight {
		for i, x := range ids {
			if x == id {
				d.InFlight[k] = append(ids[:i:i], ids[i+1:]...)
				d.Stopped[id] = aws.ToBool(in.AutoRollbackEnabled)
				d.stoppedIn[id] = k
				if info, ok := d.info[id]; ok {
					info.Status = cdtypes.DeploymentStatusStopped
					d.info[id] = info
				}
				if aws.ToBool(in.AutoRollbackEnabled) {
					d.start(k, id+"-rollback", cdtypes.DeploymentCreatorCodeDeployRollback, id)
				}
				return &codedeploy.StopDeploymentOutput{Status: cdtypes.StopStatusPending}, nil
			}
		}
	}
	if _, ok := d.stoppedIn[id]; ok || d.Finished[id] {
		return nil, &cdtypes.DeploymentAlreadyCompletedException{Message: aws.String("Deployment " + id + " is already completed")}
	}
	return nil, &cdtypes.DeploymentDoesNotExistException{Message: aws.String("Deployment " + id + " does not exist")}
}
