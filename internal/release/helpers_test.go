package release_test

import (
	"context"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

// fixture is one environment ("prd" of project "p") over fakes.
type fixture struct {
	env     *release.Env
	lambda  *fakeaws.Lambda
	stacks  *fakeaws.Stacks
	deploys *fakeaws.Deploys
}

// newFixture parses a config whose prd env has the given function settings, e.g.
// `"worker": {"live_version": "3"}`. Every function is defined at top level with a canary.
func newFixture(t *testing.T, prdFunctions string, names ...string) *fixture {
	t.Helper()
	var shared []string
	for _, n := range names {
		shared = append(shared, fmt.Sprintf(`%q: {"entry": "functions/%s", "deployment": {"type": "Canary10Percent5Minutes"}}`, n, n))
	}
	src := fmt.Sprintf(`{
  "project": "p",
  "lambda_functions": {%s},
  "envs": {
    "prd": {"account": "123456789012", "region": "us-east-1", "lambda_functions": {%s}}
  }
}`, strings.Join(shared, ", "), prdFunctions)
	cfg, err := config.Parse([]byte(src))
	if err != nil {
		t.Fatalf("config: %v\n%s", err, src)
	}
	env, err := cfg.Env("prd")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{lambda: fakeaws.NewLambda(), stacks: fakeaws.NewStacks(), deploys: fakeaws.NewDeploys()}
	f.env = &release.Env{
		Target: release.ConfigTarget(cfg, env),
		Lambda: f.lambda, Stacks: f.stacks, Deploys: f.deploys,
		WaitMinDelay: 1, // nanosecond: the fake settles at once
	}
	return f
}

func (f *fixture) fn(t *testing.T, name string) release.Function {
	t.Helper()
	for _, fn := range f.env.Target.Functions {
		if fn.Name == name {
			return fn
		}
	}
	t.Fatalf("no function %s", name)
	return release.Function{}
}

// deployed records the version the stack last deployed for fn, as the service stacks
// write it: NAME:VERSION.
func (f *fixture) deployed(fn release.Function, version string) {
	f.deployedAs(fn, fn.FunctionName, version)
}

// deployedAs records that the stack last deployed fn under name.
func (f *fixture) deployedAs(fn release.Function, name, version string) {
	f.stacks.Set("p-prd", fn.OutputKey(), name+":"+version)
}

// published makes a function with n published versions, each with new code, and $LATEST
// equal to the last one.
func (f *fixture) published(name string, n int) *fakeaws.Function {
	fn := f.lambda.AddFunction(name)
	for i := range n {
		if i > 0 {
			fn.UpdateCode()
		}
		f.lambda.Publish(name)
	}
	return fn
}

// hung is a Lambda on which op never answers: each call of it ends as the call timeout ends
// it, and live counts the calls made before golive gave up.
type hung struct {
	release.LambdaAPI
	op   string
	live *atomic.Int32
}

func (h hung) timeOut(ctx context.Context) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	h.live.Add(1)
	return fmt.Errorf("%s did not answer within 1s (--call-timeout): %w", h.op, context.DeadlineExceeded)
}

func (h hung) DeleteFunction(ctx context.Context, in *lambda.DeleteFunctionInput, opts ...func(*lambda.Options)) (*lambda.DeleteFunctionOutput, error) {
	if h.op != "DeleteFunction" {
		return h.LambdaAPI.DeleteFunction(ctx, in, opts...)
	}
	return nil, h.timeOut(ctx)
}

func (h hung) GetProvisionedConcurrencyConfig(ctx context.Context, in *lambda.GetProvisionedConcurrencyConfigInput, opts ...func(*lambda.Options)) (*lambda.GetProvisionedConcurrencyConfigOutput, error) {
	if h.op != "GetProvisionedConcurrencyConfig" {
		return h.LambdaAPI.GetProvisionedConcurrencyConfig(ctx, in, opts...)
	}
	return nil, h.timeOut(ctx)
}

// hungFleet is four functions a..d with the given prd settings, each with 3 published
// versions, LIVE and the stack on version at, one worker, and op hung.
func hungFleet(t *testing.T, op, settings, at string) (*fixture, *atomic.Int32) {
	names := []string{"a", "b", "c", "d"}
	var cfg []string
	for _, n := range names {
		cfg = append(cfg, fmt.Sprintf("%q: %s", n, settings))
	}
	f := newFixture(t, strings.Join(cfg, ", "), names...)
	for _, n := range names {
		f.published("p-prd-"+n, 3).SetAlias("LIVE", at, nil)
		f.deployed(f.fn(t, n), at)
	}
	live := &atomic.Int32{}
	f.env.Lambda, f.env.Workers = hung{f.lambda, op, live}, 1
	return f, live
}
