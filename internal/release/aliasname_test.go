package release_test

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

// TestAliasNameFromConfig: a function whose config names its alias "live" is read, judged,
// published and rolled back on live; a LIVE alias beside it (left from before an adoption,
// say) is neither read nor moved, and every message names live.
func TestAliasNameFromConfig(t *testing.T) {
	const name = "p-prd-worker"
	ctx := context.Background()
	f := newFixture(t, `"worker": {"alias": "live", "live_version": "3"}`, "worker")
	fn := f.published(name, 4)
	fn.SetAlias("live", "3", nil)
	fn.SetAlias("LIVE", "1", nil)
	f.deployed(f.fn(t, "worker"), "2")

	// THEN status reads live and names it where it drifted
	st, err := f.env.Status(ctx, f.env.Target.Functions)
	if err != nil {
		t.Fatal(err)
	}
	s := st.Functions[0]
	if s.AliasName != "live" || s.Alias == nil || s.Alias.Version != "3" {
		t.Fatalf("status: alias %q on %+v; want live on 3", s.AliasName, s.Alias)
	}
	if d := strings.Join(s.Drift, "; "); !strings.Contains(d, "alias live is on 3 but the stack last deployed 2") {
		t.Errorf("drift %q; want it to name alias live", d)
	}

	// THEN publish judges the first pin by live's version
	f.deployed(f.fn(t, "worker"), "3")
	fn.UpdateCode()
	rep, err := f.env.Publish(ctx, f.env.Target.Functions, release.PublishOptions{Pin: true})
	if err != nil {
		t.Fatal(err)
	}
	if r := rep.Functions[0]; r.Version != "5" || r.Pin == nil || !strings.Contains(r.Pin.Reason, "the next deploy shifts live from 3 to 5") {
		t.Errorf("publish: %+v; want version 5, shifting live from 3", r)
	}

	// THEN rollback moves live, and LIVE stays where it was
	plan, err := f.env.PlanRollback(ctx, f.fn(t, "worker"), "")
	if err != nil {
		t.Fatal(err)
	}
	if plan.Alias != "live" || plan.From != "3" || plan.To != "2" {
		t.Fatalf("plan %+v; want live from 3 to 2", plan)
	}
	if err := f.env.Rollback(ctx, plan, release.RollbackOptions{}); err != nil {
		t.Fatal(err)
	}
	if got := aws.ToString(fn.Aliases["live"].FunctionVersion); got != "2" {
		t.Errorf("live on %s; want 2", got)
	}
	if got := aws.ToString(fn.Aliases["LIVE"].FunctionVersion); got != "1" {
		t.Errorf("LIVE moved to %s; want it left on 1", got)
	}
	if len(fn.Aliases) != 2 {
		t.Errorf("aliases %v; want live and LIVE only", fn.Aliases)
	}
}

// TestStackTargetAliasName: with --stack, a function's alias is the one its LiveAlias output
// names, LIVE without one; an output that is no alias name is refused, naming it.
func TestStackTargetAliasName(t *testing.T) {
	s := fakeaws.NewStacks()
	s.Set("shop", "LiveVersionOrderApi", "shop-orders:3")
	s.Set("shop", "LiveAliasOrderApi", "live")
	s.Set("shop", "LiveVersionCron", "shop-cron:$LATEST")
	s.Resources = map[string][]cftypes.StackResourceSummary{"shop": {}}
	env, err := release.StackTarget(context.Background(), s, "shop", "eu-west-1")
	if err != nil {
		t.Fatal(err)
	}
	cron, orders := env.Functions[0], env.Functions[1]
	if orders.Alias != "live" || cron.Alias != "LIVE" {
		t.Errorf("aliases: OrderApi %q, Cron %q; want live and LIVE", orders.Alias, cron.Alias)
	}

	s.Set("bad", "LiveVersionOrderApi", "shop-orders:3")
	s.Set("bad", "LiveAliasOrderApi", "7")
	s.Resources["bad"] = nil
	if _, err := release.StackTarget(context.Background(), s, "bad", "eu-west-1"); err == nil ||
		!strings.Contains(err.Error(), `stack bad: output LiveAliasOrderApi is "7"; want an alias name of 1 to 128`) {
		t.Errorf("an output that is no alias name: %v", err)
	}
}
