package release_test

import (
	"context"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

func TestParseRollbackRecord(t *testing.T) {
	for _, c := range []struct{ description, live, want string }{
		{"golive: rolled back from version 9", "8", "9"},
		{"golive: rolled back from version 9", "7", "9"},
		{"golive: rolled back from version 9", "9", ""},  // released again: spent
		{"golive: rolled back from version 9", "10", ""}, // a newer release landed: spent
		{"golive: rolled back from version 9", "$LATEST", ""},
		{"golive: rolled back from version x", "8", ""},
		{"rolled back from version 9", "8", ""},
		{"", "8", ""},
	} {
		if got := release.ParseRollbackRecord(c.description, c.live); got != c.want {
			t.Errorf("ParseRollbackRecord(%q, %q) = %q, want %q", c.description, c.live, got, c.want)
		}
	}
	if got := release.ParseRollbackRecord(release.RollbackRecord("12"), "11"); got != "12" {
		t.Errorf("round trip: %q", got)
	}
}

// A rollback of a stack without config.json records, on the alias, the version LIVE left;
// read back, it keeps prune from keeping that version as a release candidate once the stack
// records the version rolled back to.
func TestStackRollbackRecord(t *testing.T) {
	ctx := context.Background()
	l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
	f := l.AddFunction("shop-orders")
	for range 4 {
		f.UpdateCode()
		l.Publish("shop-orders")
	}
	f.SetAlias("LIVE", "4", nil)
	s.Set("shop", "LiveVersionOrders", "shop-orders:4")
	open := func() *release.Env {
		env, err := release.StackTarget(ctx, s, "shop", "eu-west-1")
		if err != nil {
			t.Fatal(err)
		}
		e := &release.Env{Target: env, Lambda: l, Stacks: s, Deploys: d}
		if err := e.ReadRollbackRecords(ctx, env.Functions); err != nil {
			t.Fatal(err)
		}
		return e
	}
	e := open()
	plan, err := e.PlanRollback(ctx, e.Target.Functions[0], "")
	if err != nil {
		t.Fatal(err)
	}
	if err := e.Rollback(ctx, plan, release.RollbackOptions{}); err != nil {
		t.Fatal(err)
	}
	if a := f.Aliases["LIVE"]; aws.ToString(a.FunctionVersion) != "3" || aws.ToString(a.Description) != "golive: rolled back from version 4" {
		t.Fatalf("alias on %s, description %q; want 3 and the record", aws.ToString(a.FunctionVersion), aws.ToString(a.Description))
	}
	// The next deploy records 3 in the stack.
	s.Set("shop", "LiveVersionOrders", "shop-orders:3")
	e = open()
	if got := e.Target.Functions[0].RolledBack; got != "4" {
		t.Fatalf("rolled back read from the alias: %q, want 4", got)
	}
	rep, err := e.Prune(ctx, e.Target.Functions, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	if got := rep.Functions[0].Deleted; !slices.Equal(got, []string{"1", "2", "4"}) {
		t.Errorf("prune deleted %v, want 1, 2 and the rolled-back 4", got)
	}

	// A release that moves LIVE past the record spends it.
	f.UpdateCode()
	l.Publish("shop-orders")
	f.SetAlias("LIVE", "5", nil)
	f.Aliases["LIVE"].Description = aws.String(release.RollbackRecord("4"))
	s.Set("shop", "LiveVersionOrders", "shop-orders:5")
	if got := open().Target.Functions[0].RolledBack; got != "" {
		t.Errorf("rolled back after LIVE moved to 5: %q, want none", got)
	}
}
