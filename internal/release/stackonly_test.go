package release_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

// A stack of the construct without config.json: its functions come from the LiveVersion
// outputs, its CodeDeploy application from its resources, so a deployment in flight still
// stops prune.
func TestStackTarget(t *testing.T) {
	l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
	s.Set("shop", "LiveVersionOrderApi", "shop-orders:3")
	s.Set("shop", "LiveVersionCron", "shop-cron:$LATEST")
	s.Set("shop", "LiveVersionBroken", "no-colon")
	s.Set("shop", "BucketName", "shop-bucket")
	s.Resources = map[string][]cftypes.StackResourceSummary{"shop": {
		{ResourceType: aws.String("AWS::Lambda::Function"), PhysicalResourceId: aws.String("shop-orders")},
		{ResourceType: aws.String("AWS::CodeDeploy::Application"), PhysicalResourceId: aws.String("shop-App-1A2B")},
	}}
	env, err := release.StackTarget(context.Background(), s, "shop", "eu-west-1")
	app := env.Application
	if err != nil {
		t.Fatal(err)
	}
	if app != "shop-App-1A2B" || len(env.Functions) != 2 {
		t.Fatalf("application %q, functions %+v", app, env.Functions)
	}
	cron, orders := env.Functions[0], env.Functions[1]
	if cron.Name != "Cron" || cron.FunctionName != "shop-cron" || cron.Pinned() ||
		orders.Name != "OrderApi" || orders.FunctionName != "shop-orders" || orders.LiveVersion != "3" || !orders.UsesCodeDeploy() {
		t.Errorf("functions %+v", env.Functions)
	}
	for _, fn := range []string{"shop-orders", "shop-cron"} {
		l.AddFunction(fn)
		l.Publish(fn)
	}
	d.Start("shop-App-1A2B", "shop-orders", "d-1")
	e := &release.Env{Target: env, Lambda: l, Stacks: s, Deploys: d}
	if _, err := e.Prune(context.Background(), env.Functions, 0, false); !errors.Is(err, release.ErrInFlight) {
		t.Errorf("prune with a deployment in flight: %v; want ErrInFlight", err)
	}

	// A function the stack names but Lambda does not know: the message speaks of the stack,
	// not of a config.json that is not there.
	s.Set("gone", "LiveVersionOld", "gone-old:1")
	genv, err := release.StackTarget(context.Background(), s, "gone", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	g := &release.Env{Target: genv, Lambda: l, Stacks: s, Deploys: d, Region: "eu-west-1"}
	rep, err := g.Publish(context.Background(), genv.Functions, release.PublishOptions{})
	if want := "function gone-old not found in region eu-west-1 (stack gone names it in its outputs; check --region"; err != nil ||
		!strings.Contains(rep.Functions[0].Error, want) || strings.Contains(rep.Functions[0].Error, "envs.") {
		t.Errorf("publish of a function that is gone: %v, %q; want %q", err, rep.Functions[0].Error, want)
	}

	if _, err := release.StackTarget(context.Background(), s, "nope", "eu-west-1"); err == nil ||
		!strings.Contains(err.Error(), "--stack nope: no such stack in region eu-west-1; want the name of a deployed stack") {
		t.Errorf("a missing stack: %v", err)
	}
	s.Set("bare", "BucketName", "b")
	if _, err := release.StackTarget(context.Background(), s, "bare", "eu-west-1"); err == nil || !strings.Contains(err.Error(), "does it use the versionedfunction construct?") {
		t.Errorf("a stack without the construct: %v", err)
	}
}

// A stack of 30 functions has about 150 resources, and CloudFormation pages them:
// DescribeStackResources returns only the first 100 (its SDK doc comment), so the CodeDeploy
// application past them went unseen, and golive saw no deployment in flight. Every page of
// ListStackResources is read.
func TestStackTargetReadsEveryPage(t *testing.T) {
	s := fakeaws.NewStacks()
	s.Set("big", "LiveVersionWorker", "big-worker:3")
	var res []cftypes.StackResourceSummary
	for i := range 150 {
		res = append(res, cftypes.StackResourceSummary{ResourceType: aws.String("AWS::Lambda::Function"), PhysicalResourceId: aws.String(fmt.Sprintf("big-fn-%d", i))})
	}
	res[120] = cftypes.StackResourceSummary{ResourceType: aws.String("AWS::CodeDeploy::Application"), PhysicalResourceId: aws.String("big-App-9Z")}
	s.Resources = map[string][]cftypes.StackResourceSummary{"big": res}

	env, err := release.StackTarget(context.Background(), s, "big", "us-east-1")
	app := env.Application
	if err != nil {
		t.Fatal(err)
	}
	if app != "big-App-9Z" || len(env.Functions) != 1 || !env.Functions[0].UsesCodeDeploy() {
		t.Errorf("application %q, functions %+v; want big-App-9Z from the second page", app, env.Functions)
	}
	if n := s.Calls("ListStackResources"); n != 2 {
		t.Errorf("ListStackResources called %d times; want 2 pages", n)
	}
}

// A deployment group adopted under a name other than its function's (Props.Adopt) is recorded
// in the stack's DeploymentGroup<Key> output: golive --stack looks the function's deployments up
// there, so prune and rollback see the one in flight and a function without the output keeps
// the group of its own name.
func TestStackTargetAdoptedGroup(t *testing.T) {
	l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
	s.Set("orders", "LiveVersionWorker", "orders-prd-worker:3")
	s.Set("orders", "DeploymentGroupWorker", "orders-DeploymentGroup6D277AF0-1QX2")
	s.Set("orders", "LiveVersionCron", "orders-prd-cron:4")
	s.Resources = map[string][]cftypes.StackResourceSummary{"orders": {
		{ResourceType: aws.String("AWS::CodeDeploy::Application"), PhysicalResourceId: aws.String("orders-App-1A2B")},
	}}
	env, err := release.StackTarget(context.Background(), s, "orders", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	cron, worker := env.Functions[0], env.Functions[1]
	if worker.GroupName() != "orders-DeploymentGroup6D277AF0-1QX2" || cron.GroupName() != "orders-prd-cron" {
		t.Fatalf("groups %q, %q; want the recorded one and the function's name", worker.GroupName(), cron.GroupName())
	}
	for _, fn := range []string{"orders-prd-worker", "orders-prd-cron"} {
		l.AddFunction(fn)
		l.Publish(fn)
	}
	d.Start("orders-App-1A2B", "orders-DeploymentGroup6D277AF0-1QX2", "d-1")
	e := &release.Env{Target: env, Lambda: l, Stacks: s, Deploys: d}
	if _, err := e.Prune(context.Background(), env.Functions, 0, false); !errors.Is(err, release.ErrInFlight) {
		t.Errorf("prune with a deployment in flight in the adopted group: %v; want ErrInFlight", err)
	}
	// The deployment is the stack update's: rollback stops it, and CloudFormation rolls back.
	s.SetStatus("orders", cftypes.StackStatusUpdateInProgress)
	p, err := e.PlanRollback(context.Background(), worker, "")
	if err != nil {
		t.Fatal(err)
	}
	if p.Mode != release.ModeStopDeployment || len(p.Deployments) != 1 || p.Deployments[0] != "d-1" {
		t.Errorf("rollback plan %+v; want the deployment d-1 of the adopted group stopped", p)
	}
}
