package release_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/release"
)

// Credentials for another account than the environment's make every operation fail before it
// changes anything, naming both accounts: golive checks the ARNs of what it reads, not only
// whether AWS finds the names.
func TestOtherAccountIsRefused(t *testing.T) {
	const (
		name  = "p-prd-worker"
		other = "999999999999"
		says  = "is in account 999999999999, but envs.prd.account is 123456789012"
	)
	setup := func(t *testing.T) *fixture {
		f := newFixture(t, `"worker": {"live_version": "2"}`, "worker")
		fn := f.published(name, 3)
		fn.SetAlias("LIVE", "2", nil)
		fn.UpdateCode()
		f.deployed(f.fn(t, "worker"), "2")
		f.lambda.Account, f.stacks.Account = other, other
		return f
	}
	ctx := context.Background()
	wantRefusal := func(t *testing.T, err error) {
		t.Helper()
		if !errors.Is(err, release.ErrWrongAccount) || !strings.Contains(err.Error(), says) {
			t.Fatalf("error = %v; want %v saying %q", err, release.ErrWrongAccount, says)
		}
	}

	t.Run("publish", func(t *testing.T) {
		f := setup(t)
		rep, err := f.env.Publish(ctx, f.env.Target.Functions, release.PublishOptions{})
		if err != nil {
			t.Fatal(err)
		}
		r := rep.Functions[0]
		wantRefusal(t, r.Err)
		if r.Status != release.StatusFailed || f.lambda.Calls("PublishVersion") != 0 {
			t.Errorf("status %s after %d PublishVersion calls; want failed before any", r.Status, f.lambda.Calls("PublishVersion"))
		}
	})
	t.Run("publish --pin reads the stack first", func(t *testing.T) {
		f := setup(t)
		_, err := f.env.Publish(ctx, f.env.Target.Functions, release.PublishOptions{Pin: true})
		wantRefusal(t, err)
		if f.lambda.Calls("PublishVersion") != 0 {
			t.Error("published despite the refusal")
		}
	})
	t.Run("rollback", func(t *testing.T) {
		f := setup(t)
		_, err := f.env.PlanRollback(ctx, f.fn(t, "worker"), "1")
		wantRefusal(t, err)
		if f.lambda.Calls("UpdateAlias") != 0 {
			t.Error("alias moved despite the refusal")
		}
	})
	t.Run("rollback during a deployment", func(t *testing.T) {
		f := setup(t)
		f.deploys.Start("p-prd", name, "d-ABC")
		_, err := f.env.PlanRollback(ctx, f.fn(t, "worker"), "")
		wantRefusal(t, err)
		if len(f.deploys.Stopped) != 0 {
			t.Error("deployment stopped despite the refusal")
		}
	})
	t.Run("prune", func(t *testing.T) {
		f := setup(t)
		f.stacks.Account = "" // a stack of the same name in the right account: the functions still tell
		_, err := f.env.Prune(ctx, f.env.Target.Functions, 0, false)
		wantRefusal(t, err)
		if f.lambda.Calls("DeleteFunction") != 0 {
			t.Error("versions deleted despite the refusal")
		}
	})
	t.Run("verify", func(t *testing.T) {
		f := setup(t)
		f.stacks.Account = ""
		rep, err := f.env.Verify(ctx, f.env.Target.Functions)
		if err != nil {
			t.Fatal(err)
		}
		if rep.OK || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Message, says) {
			t.Errorf("verify = %+v; want one problem saying %q", rep, says)
		}
	})
	t.Run("the right account passes", func(t *testing.T) {
		f := setup(t)
		f.lambda.Account, f.stacks.Account = "123456789012", ""
		rep, err := f.env.Verify(ctx, f.env.Target.Functions)
		if err != nil || !rep.OK {
			t.Errorf("verify = %+v, %v; want OK", rep, err)
		}
	})
}
