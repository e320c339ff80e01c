package release_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/release"
)

func TestVerify(t *testing.T) {
	const name = "p-prd-worker"
	tests := []struct {
		name   string
		config string
		setup  func(f *fixture)
		// want: one substring per problem, in order; none means OK
		want []string
	}{
		{
			name:   "consistent pinned function",
			config: `"worker": {"live_version": "2"}`,
			setup: func(f *fixture) {
				f.published(name, 2).SetAlias("LIVE", "2", nil)
				f.deployed(f.fn(t, "worker"), "2")
			},
		},
		{
			name:   "release pending: config ahead of the stack is fine",
			config: `"worker": {"live_version": "3"}`,
			setup: func(f *fixture) {
				f.published(name, 3).SetAlias("LIVE", "2", nil)
				f.deployed(f.fn(t, "worker"), "2")
			},
		},
		{
			name:   "canary that also changes provisioned concurrency",
			config: `"worker": {"live_version": "3", "provisioned_concurrency": 5}`,
			setup: func(f *fixture) {
				lf := f.published(name, 3)
				lf.SetAlias("LIVE", "2", nil)
				lf.Provisioned = map[string]int32{"LIVE": 2}
				f.deployed(f.fn(t, "worker"), "2")
			},
			want: []string{"the canary from 2 to 3 also changes the provisioned concurrency of alias LIVE from 2 to 5: " +
				"Lambda cannot reallocate it while CodeDeploy splits the alias's traffic; change provisioned_concurrency in a deploy of its own"},
		},
		{
			name:   "canary adding provisioned concurrency where none is configured",
			config: `"worker": {"live_version": "3", "provisioned_concurrency": 5}`,
			setup: func(f *fixture) {
				f.published(name, 3).SetAlias("LIVE", "2", nil)
				f.deployed(f.fn(t, "worker"), "2")
			},
			want: []string{"changes the provisioned concurrency of alias LIVE from 0 to 5"},
		},
		{
			name:   "canary keeping provisioned concurrency",
			config: `"worker": {"live_version": "3", "provisioned_concurrency": 2}`,
			setup: func(f *fixture) {
				lf := f.published(name, 3)
				lf.SetAlias("LIVE", "2", nil)
				lf.Provisioned = map[string]int32{"LIVE": 2}
				f.deployed(f.fn(t, "worker"), "2")
			},
		},
		{
			name:   "provisioned concurrency changed in a deploy of its own",
			config: `"worker": {"live_version": "2", "provisioned_concurrency": 5}`,
			setup: func(f *fixture) {
				lf := f.published(name, 2)
				lf.SetAlias("LIVE", "2", nil)
				lf.Provisioned = map[string]int32{"LIVE": 2}
				f.deployed(f.fn(t, "worker"), "2")
			},
		},
		{
			name:   "direct rollout may change it with the version",
			config: `"worker": {"live_version": "3", "rollout": "direct", "provisioned_concurrency": 5}`,
			setup: func(f *fixture) {
				lf := f.published(name, 3)
				lf.SetAlias("LIVE", "2", nil)
				f.deployed(f.fn(t, "worker"), "2")
			},
		},
		{
			name:   "new function not created yet, following $LATEST",
			config: `"worker": {"live_version": null}`,
			setup:  func(f *fixture) {},
		},
		{
			name:   "pinned version does not exist",
			config: `"worker": {"live_version": "9"}`,
			setup: func(f *fixture) {
				f.published(name, 2).SetAlias("LIVE", "2", nil)
				f.deployed(f.fn(t, "worker"), "2")
			},
			want: []string{"live_version 9 is not a published version of p-prd-worker (the newest is 2)"},
		},
		{
			name:   "weighted version does not exist",
			config: `"worker": {"live_version": "2", "additional_versions": {"7": 0.1}, "deployment": {"type": "None"}}`,
			setup: func(f *fixture) {
				f.published(name, 2).SetAlias("LIVE", "2", map[string]float64{"7": 0.1})
				f.deployed(f.fn(t, "worker"), "2")
			},
			want: []string{"additional_versions 7 is not a published version"},
		},
		{
			name:   "pinned but the function does not exist",
			config: `"worker": {"live_version": "1"}`,
			setup:  func(f *fixture) {},
			want:   []string{"live_version 1 is pinned but function p-prd-worker does not exist"},
		},
		{
			name:   "alias moved outside the stack",
			config: `"worker": {"live_version": "3"}`,
			setup: func(f *fixture) {
				f.published(name, 3).SetAlias("LIVE", "1", nil)
				f.deployed(f.fn(t, "worker"), "2")
			},
			want: []string{"alias LIVE is on 1 but the stack last deployed 2"},
		},
		{
			name:   "alias moved outside the stack is fine with a direct rollout",
			config: `"worker": {"live_version": "1", "rollout": "direct"}`,
			setup: func(f *fixture) {
				f.published(name, 3).SetAlias("LIVE", "1", nil)
				f.deployed(f.fn(t, "worker"), "2")
			},
		},
		{
			name:   "canary from $LATEST",
			config: `"worker": {"live_version": "1"}`,
			setup: func(f *fixture) {
				f.published(name, 1).SetAlias("LIVE", "$LATEST", nil)
				f.deployed(f.fn(t, "worker"), "$LATEST")
			},
			want: []string{"canary from $LATEST to 1"},
		},
		{
			name:   "first pin with a direct rollout",
			config: `"worker": {"live_version": "1", "rollout": "direct"}`,
			setup: func(f *fixture) {
				f.published(name, 1).SetAlias("LIVE", "$LATEST", nil)
				f.deployed(f.fn(t, "worker"), "$LATEST")
			},
		},
		{
			name:   "split left on a CodeDeploy alias",
			config: `"worker": {"live_version": "2"}`,
			setup: func(f *fixture) {
				f.published(name, 2).SetAlias("LIVE", "2", map[string]float64{"1": 0.5})
				f.deployed(f.fn(t, "worker"), "2")
			},
			want: []string{"alias LIVE still splits traffic 1=50%"},
		},
		{
			name:   "deployment in flight",
			config: `"worker": {"live_version": "2"}`,
			setup: func(f *fixture) {
				f.published(name, 2).SetAlias("LIVE", "1", map[string]float64{"2": 0.1})
				f.deployed(f.fn(t, "worker"), "1")
				f.deploys.Start("p-prd", name, "d-123")
			},
			want: []string{"CodeDeploy deployment d-123 is still in flight"},
		},
		{
			name:   "several problems, one line each",
			config: `"worker": {"live_version": "9"}`,
			setup: func(f *fixture) {
				f.published(name, 3).SetAlias("LIVE", "1", map[string]float64{"3": 0.5})
				f.deployed(f.fn(t, "worker"), "2")
			},
			want: []string{"live_version 9 is not", "alias LIVE is on 1 but the stack last deployed 2", "still splits traffic 3=50%"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.config, "worker")
			tt.setup(f)
			rep, err := f.env.Verify(context.Background(), f.env.Target.Functions)
			if err != nil {
				t.Fatal(err)
			}
			if rep.OK != (len(tt.want) == 0) {
				t.Errorf("OK = %v; problems %+v", rep.OK, rep.Problems)
			}
			if len(rep.Problems) != len(tt.want) {
				t.Fatalf("problems = %+v; want %d: %q", rep.Problems, len(tt.want), tt.want)
			}
			for i, w := range tt.want {
				if p := rep.Problems[i]; p.Function != "worker" || !strings.Contains(p.Message, w) {
					t.Errorf("problem %d = %+v; want it to contain %q", i, p, w)
				}
			}
		})
	}
}

func TestStatusDrift(t *testing.T) {
	const name = "p-prd-worker"
	f := newFixture(t, `"worker": {"live_version": "3"}`, "worker")
	f.published(name, 3).SetAlias("LIVE", "1", nil)
	f.deployed(f.fn(t, "worker"), "2")

	rep, err := f.env.Status(context.Background(), f.env.Target.Functions)
	if err != nil {
		t.Fatal(err)
	}
	if !rep.StackFound || rep.Stack != "p-prd" {
		t.Errorf("stack %q found=%v", rep.Stack, rep.StackFound)
	}
	s := rep.Functions[0]
	if s.Config.LiveVersion != "3" || *s.StackDeployed != "2" || s.Alias.Version != "1" || *s.Newest != "3" {
		t.Errorf("config %s, stack %s, alias %s, newest %s; want 3, 2, 1, 3", s.Config.LiveVersion, *s.StackDeployed, s.Alias.Version, *s.Newest)
	}
	want := []string{
		"alias LIVE is on 1 but the stack last deployed 2 (moved outside CloudFormation)",
		"config pins 3 but the stack last deployed 2 (not deployed yet)",
	}
	if !slices.Equal(s.Drift, want) {
		t.Errorf("drift = %q; want %q", s.Drift, want)
	}
}

func TestStatusBeforeFirstDeploy(t *testing.T) {
	f := newFixture(t, `"worker": {"live_version": null}`, "worker")
	rep, err := f.env.Status(context.Background(), f.env.Target.Functions)
	if err != nil {
		t.Fatal(err)
	}
	s := rep.Functions[0]
	if rep.StackFound || s.StackDeployed != nil || s.Alias != nil || s.Newest != nil || len(rep.FunctionErrors()) > 0 {
		t.Errorf("status = %+v", rep)
	}
	if len(s.Drift) != 1 || !strings.Contains(s.Drift[0], "does not exist") {
		t.Errorf("drift = %q", s.Drift)
	}
}

func TestVerifyRename(t *testing.T) {
	const name = "p-prd-worker"
	tests := []struct {
		name        string
		output      string // the stack's LiveVersionWorker output
		allowRename bool
		want        string // "" means OK
	}{
		{name: "same name", output: name + ":2"},
		{name: "output without a name (older stacks)", output: "2"},
		{
			name:   "renamed in config",
			output: "p-prd-old-worker:2",
			want: "config names the function p-prd-worker but the stack deployed it as p-prd-old-worker: the next deploy creates " +
				"p-prd-worker without p-prd-old-worker's versions",
		},
		{name: "renamed on purpose", output: "p-prd-old-worker:2", allowRename: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, `"worker": {"live_version": "2"}`, "worker")
			f.published(name, 2).SetAlias("LIVE", "2", nil)
			f.stacks.Set("p-prd", f.fn(t, "worker").OutputKey(), tt.output)
			f.env.AllowRename = tt.allowRename

			rep, err := f.env.Verify(context.Background(), f.env.Target.Functions)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range rep.Problems {
				got = append(got, p.Message)
			}
			switch {
			case tt.want == "" && len(got) > 0:
				t.Errorf("problems = %q, want none", got)
			case tt.want != "" && (len(got) != 1 || !strings.Contains(got[0], tt.want)):
				t.Errorf("problems = %q, want one containing %q", got, tt.want)
			}
			if rep.OK != (tt.want == "") {
				t.Errorf("OK = %v, want %v", rep.OK, tt.want == "")
			}
		})
	}
}

// verify's provisioned-concurrency check stops at the first timed-out call, like status, so
// that a hung endpoint fails verify within about one call timeout, not one per function.
func TestVerifyGivesUpOnTimeout(t *testing.T) {
	f, live := hungFleet(t, "GetProvisionedConcurrencyConfig", `{"live_version": "3", "provisioned_concurrency": 5}`, "2")
	rep, err := f.env.Verify(context.Background(), f.env.Target.Functions)
	if err != nil {
		t.Fatal(err)
	}
	if live.Load() != 1 || len(rep.Problems) != 4 || !strings.Contains(rep.Problems[3].Message, "not finished: another AWS call timed out") {
		t.Errorf("%d calls before giving up, problems %+v; want 1, and the others not finished", live.Load(), rep.Problems)
	}
}

// An alias routes to two versions only when both have the same execution role and the same
// dead-letter config (Lambda Developer Guide, "Alias routing configuration"): verify refuses a
// canary or a weighted split between versions that differ, naming both values.
func TestVerifyRoutingNeedsSameRoleAndDeadLetter(t *testing.T) {
	const name = "p-prd-worker"
	role := func(r string) string { return "arn:aws:iam::123456789012:role/" + r }
	dlq := "arn:aws:sqs:us-east-1:123456789012:dlq"
	tests := []struct {
		name   string
		config string
		// setup sets version 2's and 3's role and dead-letter target ("" for none).
		role2, role3, dlq2, dlq3 string
		want                     []string
	}{
		{name: "canary between the same settings", config: `"worker": {"live_version": "3"}`,
			role2: role("a"), role3: role("a"), dlq2: dlq, dlq3: dlq},
		{name: "canary to another role", config: `"worker": {"live_version": "3"}`,
			role2: role("a"), role3: role("b"),
			want: []string{"live_version 3 of p-prd-worker has execution role " + role("b") + " but the version the stack recorded (LIVE's) 2 has " + role("a") +
				`: Lambda routes an alias to two versions only with the same execution role; the canary would fail: release it with "rollout": "direct"`}},
		{name: "canary to a version with a dead-letter queue", config: `"worker": {"live_version": "3"}`,
			role2: role("a"), role3: role("a"), dlq3: dlq,
			want: []string{"live_version 3 of p-prd-worker has dead-letter config " + dlq + " but the version the stack recorded (LIVE's) 2 has none"}},
		{name: "direct rollout splits nothing", config: `"worker": {"live_version": "3", "rollout": "direct"}`,
			role2: role("a"), role3: role("b")},
		{name: "weighted split to another role", config: `"worker": {"live_version": "3", "additional_versions": {"2": 0.1}, "deployment": {"type": "None"}}`,
			role2: role("a"), role3: role("b"),
			want: []string{"additional_versions 2 of p-prd-worker has execution role " + role("a") + " but live_version 3 has " + role("b") +
				": Lambda routes an alias to two versions only with the same execution role; the split would be refused"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.config, "worker")
			fn := f.published(name, 3)
			fn.SetAlias("LIVE", "2", nil)
			f.deployed(f.fn(t, "worker"), "2")
			for i, v := range []struct{ role, dlq string }{{role("a"), ""}, {tt.role2, tt.dlq2}, {tt.role3, tt.dlq3}} {
				fn.Published[i].Role = aws.String(v.role)
				if v.dlq != "" {
					fn.Published[i].DeadLetterConfig = &types.DeadLetterConfig{TargetArn: aws.String(v.dlq)}
				}
			}
			rep, err := f.env.Verify(context.Background(), []release.Function{f.fn(t, "worker")})
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Problems) != len(tt.want) {
				t.Fatalf("problems %+v; want %d", rep.Problems, len(tt.want))
			}
			for i, w := range tt.want {
				if !strings.Contains(rep.Problems[i].Message, w) {
					t.Errorf("problem %q; want %q", rep.Problems[i].Message, w)
				}
			}
		})
	}
}

// Lambda returns at most 50 versions a call (ListVersionsByFunction's doc comment): golive
// reads every page, through the SDK's paginator, to find the newest and the pinned version.
func TestStatusReadsEveryPageOfVersions(t *testing.T) {
	f := newFixture(t, `"worker": {"live_version": "7"}`, "worker")
	f.published("p-prd-worker", 120).SetAlias("LIVE", "7", nil)
	f.deployed(f.fn(t, "worker"), "7")
	st, err := f.env.Status(context.Background(), []release.Function{f.fn(t, "worker")})
	if err != nil {
		t.Fatal(err)
	}
	if s := st.Functions[0]; s.Newest == nil || *s.Newest != "120" || len(s.Drift) != 0 {
		t.Errorf("status %+v; want newest 120 and no drift", s)
	}
	if n := f.lambda.Calls("ListVersionsByFunction"); n != 3 {
		t.Errorf("ListVersionsByFunction called %d times; want 3 pages (121 with $LATEST, 50 a page)", n)
	}
}
