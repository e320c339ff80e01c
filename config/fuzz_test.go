package config_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"regexp"
	"slices"
	"testing"

	"github.com/golive-dev/golive/config"
)

// FuzzParse checks that Parse never panics, that every failure is a *SyntaxError or
// Errors, and that whatever it accepts holds the invariants the stacks and the CLI rely
// on, and is accepted by the schema too (Go's rules are the stricter ones).
func FuzzParse(f *testing.F) {
	for _, r := range rules {
		f.Add([]byte(r.json))
	}
	for _, v := range valid {
		f.Add([]byte(v.json))
	}
	sch := compileSchema(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := config.Parse(data)
		if err != nil {
			var se *config.SyntaxError
			var errs config.Errors
			switch {
			case c != nil:
				t.Fatalf("Parse() = %+v, %v; want nil Config with an error", c, err)
			case errors.As(err, &se):
				if se.Line < 1 || se.Column < 1 || se.Offset < 0 || se.Offset > int64(len(data)) {
					t.Fatalf("bad position in %v (offset %d of %d)", se, se.Offset, len(data))
				}
			case errors.As(err, &errs):
				if len(errs) == 0 {
					t.Fatal("empty Errors")
				}
				for _, e := range errs {
					if e.Message == "" {
						t.Fatalf("error without message at %q", e.Path)
					}
				}
			default:
				t.Fatalf("Parse() error %T %v; want *SyntaxError or Errors", err, err)
			}
			return
		}
		checkInvariants(t, c)
		again, err := config.Parse(data)
		if err != nil || !reflect.DeepEqual(c, again) {
			t.Fatalf("Parse() is not deterministic: %v", err)
		}
		if err := validate(t, sch, string(data)); err != nil {
			t.Fatalf("Parse() accepts a config the schema refuses:\n%v", err)
		}
	})
}

var (
	versionRe  = regexp.MustCompile(`^[1-9][0-9]*$`)
	lambdaName = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	hookName   = regexp.MustCompile(`^([a-zA-Z0-9_-]{1,64}|arn:aws[a-z-]*:lambda:[a-z0-9-]+:[0-9]{12}:function:[a-zA-Z0-9_-]{1,64})$`)
)

// checkInvariants restates the rules as properties of a parsed Config.
func checkInvariants(t *testing.T, c *config.Config) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf(format, args...)
	}
	if len(c.Envs) == 0 || c.Project == "" {
		fail("no envs or no project: %+v", c)
	}
	var names []string
	for _, e := range c.Envs {
		if slices.Contains(names, e.Name) {
			fail("env %s twice", e.Name)
		}
		names = append(names, e.Name)
		if len(e.Account) != 12 || e.Region == "" || len(e.Functions) == 0 {
			fail("env %+v", e)
		}
		if len(e.Functions) != len(c.Envs[0].Functions) {
			fail("env %s has %d functions, %s has %d", e.Name, len(e.Functions), c.Envs[0].Name, len(c.Envs[0].Functions))
		}
		keys := map[string]bool{}
		for i, fn := range e.Functions {
			checkFunction(t, e.Name, fn)
			if i > 0 && e.Functions[i-1].Name >= fn.Name {
				fail("%s functions not sorted: %s before %s", e.Name, e.Functions[i-1].Name, fn.Name)
			}
			if fn.Name != c.Envs[0].Functions[i].Name {
				fail("%s has function %s where %s has %s", e.Name, fn.Name, c.Envs[0].Name, c.Envs[0].Functions[i].Name)
			}
			if keys[fn.OutputKey()] {
				fail("output key %s twice", fn.OutputKey())
			}
			keys[fn.OutputKey()] = true
		}
	}
	if p := c.Pipeline; p != nil {
		if len(p.Stages) == 0 || p.Branch == "" || p.ConnectionArn == "" || p.Repository == "" {
			fail("pipeline %+v", p)
		}
		for i, s := range p.Stages {
			if !slices.Contains(names, s) || slices.Contains(p.Stages[:i], s) {
				fail("stage %s unknown or repeated", s)
			}
		}
		for _, s := range p.ApprovalBefore {
			if !slices.Contains(p.Stages, s) {
				fail("approval before %s, not a stage", s)
			}
		}
	}
}

func checkFunction(t *testing.T, env string, fn config.Function) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s %s: "+format, append([]any{env, fn.Name}, args...)...)
	}
	d := fn.Deployment
	if !lambdaName.MatchString(fn.FunctionName) {
		fail("function name %q", fn.FunctionName)
	}
	if (fn.Entry == "") == (fn.Image == nil) {
		fail("entry %q and image %+v", fn.Entry, fn.Image)
	}
	if img := fn.Image; img != nil && (img.Repository == "" || (img.Digest == "") == (img.Tag == "") || fn.Pinned() && img.Digest == "") {
		fail("image %+v", *img)
	}
	if fn.Architecture != "arm64" && fn.Architecture != "x86_64" || fn.MemoryMB < 128 || fn.MemoryMB > 10240 || fn.TimeoutS < 1 || fn.TimeoutS > 900 {
		fail("settings %+v", fn)
	}
	if fn.Pinned() {
		if !versionRe.MatchString(fn.LiveVersion) || fn.Rollout != config.RolloutCanary && fn.Rollout != config.RolloutDirect {
			fail("pinned to %q with rollout %q", fn.LiveVersion, fn.Rollout)
		}
		if fn.Rollout == config.RolloutCanary && d.Type == config.DeploymentNone {
			fail("canary with deployment type None")
		}
	} else if fn.Rollout != config.RolloutNone || fn.Additional != nil || fn.ProvisionedConcurrency != 0 || fn.UsesCodeDeploy() {
		fail("unpinned with rollout %q, split %+v, provisioned %d", fn.Rollout, fn.Additional, fn.ProvisionedConcurrency)
	}
	if a := fn.Additional; a != nil {
		if !versionRe.MatchString(a.Version) || a.Version == fn.LiveVersion || a.Weight <= 0 || a.Weight >= 1 || d.Type != config.DeploymentNone {
			fail("split %+v with live %s and type %s", *a, fn.LiveVersion, d.Type)
		}
	}
	switch {
	case d.Type == config.DeploymentCustom:
		c := d.Custom
		if c == nil || c.Percent < 1 || c.Percent > 99 || c.Linear && c.Percent > 50 || c.IntervalMinutes < 1 || c.IntervalMinutes > 2880 ||
			c.Linear && ((100+c.Percent-1)/c.Percent-1)*c.IntervalMinutes > 48*60 {
			fail("custom shift %+v", c)
		}
	case d.Custom != nil:
		fail("custom shift with type %s", d.Type)
	case d.Type != config.DeploymentNone && config.CodeDeployConfigName(d.Type) == "":
		fail("deployment type %q", d.Type)
	}
	// The thresholds make one rollback alarm together; each extra alarm is one more.
	n := len(d.Alarms.Extra)
	if d.Alarms.ErrorRatePercent != nil || d.Alarms.P99DurationMs != nil {
		n++
	}
	if n > 10 || d.AutoRollback.OnAlarm && n == 0 {
		fail("%d alarms, on_alarm %v", n, d.AutoRollback.OnAlarm)
	}
	if p := d.Alarms.P99DurationMs; p != nil && (*p <= 0 || *p > float64(fn.TimeoutS)*1000) {
		fail("p99 %v with timeout %d", *p, fn.TimeoutS)
	}
	for _, h := range []string{d.PreTrafficHook, d.PostTrafficHook} {
		if h != "" && (!hookName.MatchString(h) || d.Type == config.DeploymentNone) {
			fail("hook %q with type %s", h, d.Type)
		}
	}
	if d.Alarms.ErrorRateRelative && d.Alarms.ErrorRatePercent == nil {
		fail("error_rate_relative without error_rate_percent")
	}
	if d.Alarms.MinInvocations < 0 || d.Alarms.MinInvocations > 1000000 {
		fail("min_invocations %d", d.Alarms.MinInvocations)
	}
	if sm := d.Smoke; sm != nil {
		if len(sm.Events) == 0 || sm.TimeoutS < 1 || sm.TimeoutS > 840 || d.PreTrafficHook != "" || d.Type == config.DeploymentNone {
			fail("smoke %+v with pre hook %q and type %s", *sm, d.PreTrafficHook, d.Type)
		}
		for _, ev := range append(slices.Clone(sm.Events), sm.Expect) {
			if ev != nil && !json.Valid(ev) {
				fail("smoke JSON %q", ev)
			}
		}
	}
	if b := d.Bake; b != nil && (b.Minutes < 1 || b.Minutes > 14 || d.PostTrafficHook != "" || d.Type == config.DeploymentNone ||
		d.Alarms.ErrorRatePercent == nil && d.Alarms.P99DurationMs == nil) {
		fail("bake %+v with post hook %q, type %s, alarms %+v", *b, d.PostTrafficHook, d.Type, d.Alarms)
	}
	if fn.Additional != nil && fn.ProvisionedConcurrency > 0 {
		fail("split with provisioned concurrency %d", fn.ProvisionedConcurrency)
	}
	size := 0
	for k, v := range fn.Environment {
		size += len(k) + len(v)
	}
	if size > 4096 {
		fail("environment of %d bytes", size)
	}
}
