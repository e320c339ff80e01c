package config

import (
	"slices"
	"strings"

	"github.com/golive-dev/golive/internal/contract"
	"github.com/golive-dev/golive/internal/lambdarules"
)

// envSpec is one env as written.
type envSpec struct {
	name            string
	path            string
	account, region field[string]
	// overrides holds nil for an override that is not an object (already reported).
	overrides map[string]*fnSpec
}

func (p *parser) config(root *value) *Config {
	o, ok := p.object("", root, "an object with project, lambda_functions and envs", topFields)
	if !ok {
		return nil
	}
	if v, at := o.get("$schema"); v != nil && v.kind != kindString {
		p.bad(at, v, "a string: the path or URL of config.schema.json, for editors")
	}
	p.required(o, "project", wantProject)
	project := p.str(o, "project", false, projectRe.MatchString, wantProject)
	shared, names := p.sharedFunctions(o)
	envs, envsOK := p.envs(o, shared, names)

	c := &Config{Project: project.v}
	for _, e := range envs {
		c.Envs = append(c.Envs, p.resolveEnv(project, e, shared, names))
	}
	p.uniqueFunctionNames(c.Envs)
	c.Pipeline = p.pipeline(o, envs, envsOK)
	return c
}

// sharedFunctions decodes the top-level lambda_functions. The map holds nil for a
// function whose settings are broken, so that envs may still name it without noise.
func (p *parser) sharedFunctions(o object) (map[string]*fnSpec, []string) {
	const want = `an object of function keys to settings, with at least one function, such as {"worker": {"entry": "functions/worker"}}`
	if !p.required(o, "lambda_functions", want) {
		return nil, nil
	}
	v, path := o.get("lambda_functions")
	if v.kind != kindObject || len(v.obj) == 0 {
		p.bad(path, v, want)
		return nil, nil
	}
	specs := map[string]*fnSpec{}
	outputs := map[string]string{}
	for _, m := range v.obj {
		at := join(path, m.key)
		specs[m.key] = nil
		if !functionKeyRe.MatchString(m.key) {
			p.add(at, "got %s as a function key; want %s", quote(m.key), wantFunctionKey)
			continue
		}
		key := contract.OutputKey(m.key)
		if other, dup := outputs[key]; dup {
			p.add(at, "got %s, whose stack output %s is also %s's; want function keys that differ in more than punctuation and the case of a word's first letter",
				quote(m.key), key, quote(other))
			continue
		}
		outputs[key] = m.key
		specs[m.key], _ = p.fnSpec(at, m.val, m.key, true)
	}
	names := slices.Sorted(func(yield func(string) bool) {
		for k := range specs {
			if !yield(k) {
				return
			}
		}
	})
	return specs, names
}

func (p *parser) envs(o object, shared map[string]*fnSpec, names []string) ([]*envSpec, bool) {
	const want = `an object of env names to settings, with at least one env, such as {"prd": {"account": "111111111111", "region": "us-east-1"}}`
	if !p.required(o, "envs", want) {
		return nil, false
	}
	v, path := o.get("envs")
	if v.kind != kindObject || len(v.obj) == 0 {
		p.bad(path, v, want)
		return nil, false
	}
	var envs []*envSpec
	for _, m := range v.obj {
		at := join(path, m.key)
		nameOK := envNameRe.MatchString(m.key)
		if !nameOK {
			p.add(at, "got %s as an env name; want %s", quote(m.key), wantEnvName)
		}
		eo, ok := p.object(at, m.val, `an object such as {"account": "111111111111", "region": "us-east-1", "lambda_functions": {...}}`, envFields)
		if !ok {
			continue
		}
		e := &envSpec{name: m.key, path: at, overrides: map[string]*fnSpec{}}
		p.required(eo, "account", wantAccount)
		e.account = p.str(eo, "account", false, accountRe.MatchString, wantAccount)
		p.required(eo, "region", wantRegion)
		e.region = p.str(eo, "region", false, regionRe.MatchString, wantRegion)
		if lv, lpath := eo.get("lambda_functions"); lv != nil {
			if lv.kind != kindObject {
				p.bad(lpath, lv, `an object of function keys to this env's overrides, such as {"worker": {"live_version": "7"}}`)
			} else {
				for _, fm := range lv.obj {
					fat := join(lpath, fm.key)
					if _, known := shared[fm.key]; !known {
						if shared != nil {
							p.add(fat, "got unknown function %s; want one of the functions defined in lambda_functions: %s",
								quote(fm.key), strings.Join(names, ", "))
						}
						continue
					}
					e.overrides[fm.key], _ = p.fnSpec(fat, fm.val, fm.key, false)
				}
			}
		}
		if nameOK {
			envs = append(envs, e)
		}
	}
	return envs, true
}

func (p *parser) resolveEnv(project field[string], e *envSpec, shared map[string]*fnSpec, names []string) Env {
	env := Env{Name: e.name, Account: e.account.v, Region: e.region.v}
	for _, name := range names {
		s := shared[name]
		o, overridden := e.overrides[name]
		if s == nil || overridden && o == nil {
			continue
		}
		env.Functions = append(env.Functions, p.resolve(project, e, name, merge(s, o)))
	}
	return env
}

// origin says where a merged value was written when that is not where the error points.
func origin(written, here string) string {
	if written == "" || written == here {
		return ""
	}
	return " (from " + written + ")"
}

// resolve applies defaults to one merged function and checks the rules that span
// fields, reporting at the env's path: that is where an override would fix it.
func (p *parser) resolve(project field[string], e *envSpec, name string, s *fnSpec) Function {
	at := join(join(e.path, "lambda_functions"), name)
	sub := func(keys ...string) string {
		path := at
		for _, k := range keys {
			path = join(path, k)
		}
		return path
	}
	fn := Function{
		Name:         name,
		Architecture: s.architecture.or(DefaultArchitecture),
		MemoryMB:     int(s.memoryMB.or(DefaultMemoryMB)),
		TimeoutS:     int(s.timeoutS.or(DefaultTimeoutS)),
		Description:  s.description.or(""),
	}

	switch {
	case s.entry.st == invalid || s.image.st == invalid:
	case s.entry.st == set && s.image.st == set:
		p.add(at, "got both entry%s and image%s; want exactly one: set the other to null in this env to switch",
			origin(s.entry.path, sub("entry")), origin(s.image.path, sub("image")))
	case s.entry.st == set:
		fn.Entry = s.entry.v
	case s.image.st == set:
		fn.Image = p.resolveImage(s.image.v, sub("image"))
	default:
		p.add(at, "missing entry and image; want exactly one: entry (%s) or image (a container image by digest)", wantEntry)
	}

	switch s.functionName.st {
	case set:
		fn.FunctionName = s.functionName.v
	case invalid:
	default:
		if project.st == set {
			def := project.v + "-" + e.name + "-" + name
			if len(def) > 64 {
				p.add(sub("function_name"), "missing, and the default name %s is %d characters; want function_name set to %s, since Lambda allows 64",
					quote(def), len(def), wantFunctionName)
			}
			fn.FunctionName = def
		}
	}

	if s.environment.st == set {
		for k, v := range s.environment.v {
			if v.st != set {
				continue
			}
			if fn.Environment == nil {
				fn.Environment = map[string]string{}
			}
			fn.Environment[k] = v.v
		}
		if size := lambdarules.EnvironmentBytes(fn.Environment); size > lambdarules.MaxEnvironmentBytes {
			p.add(sub("environment"), "got %d bytes of names and values; want %s", size, lambdarules.EnvironmentSize.Allowed)
		}
	}

	live := s.liveVersion
	pinKnown, pinned := live.st != invalid, live.st == set
	if pinned {
		fn.LiveVersion = live.v
	}

	dep, ds, known := resolveDeployment(s.deployment)
	fn.Deployment = dep
	typeKnown := known && ds.typ.st != invalid
	typePath := sub("deployment", "type")
	typeDesc := quote(dep.Type) + " (the default)"
	if ds.typ.st == set {
		typeDesc = ds.typ.raw.String() + origin(ds.typ.path, typePath)
	}
	none := typeKnown && dep.Type == DeploymentNone
	nAlarms := dep.Alarms.count()
	alarmsKnown := known && ds.alarms.st != invalid
	if ds.alarms.st == set {
		a := ds.alarms.v
		alarmsKnown = alarmsKnown && a.errorRate.st != invalid && a.minInvocations.st != invalid && a.relative.st != invalid &&
			a.p99.st != invalid && a.extra.st != invalid
	}

	if none {
		for _, h := range []struct {
			key string
			f   field[string]
		}{{"pre_traffic_hook", ds.pre}, {"post_traffic_hook", ds.post}} {
			if h.f.st == set {
				here := sub("deployment", h.key)
				p.add(here, "got %s%s; want no traffic hook while deployment.type is %s: hooks only run in CodeDeploy deployments",
					h.f.raw, origin(h.f.path, here), typeDesc)
			}
		}
	}
	if none {
		for _, h := range []struct {
			key string
			st  state
			raw *value
			at  string
		}{{"smoke", ds.smoke.st, ds.smoke.raw, ds.smoke.path}, {"bake", ds.bake.st, ds.bake.raw, ds.bake.path}} {
			if h.st == set {
				here := sub("deployment", h.key)
				p.add(here, "got %s%s; want no %s while deployment.type is %s: the shipped hooks only run in CodeDeploy deployments",
					h.raw, origin(h.at, here), h.key, typeDesc)
			}
		}
	}
	for _, c := range []struct {
		ours, theirs string
		oursF        field[*smokeSpec]
		bakeF        field[*bakeSpec]
		hook         field[string]
	}{{ours: "smoke", theirs: "pre_traffic_hook", oursF: ds.smoke, hook: ds.pre}, {ours: "bake", theirs: "post_traffic_hook", bakeF: ds.bake, hook: ds.post}} {
		st := c.oursF.st
		if c.ours == "bake" {
			st = c.bakeF.st
		}
		if st == set && c.hook.st == set {
			here := sub("deployment", c.theirs)
			p.add(here, "got %s%s together with deployment.%s; want one of the two: a deployment runs one %s hook",
				c.hook.raw, origin(c.hook.path, here), c.ours, strings.TrimSuffix(c.theirs, "_hook"))
		}
	}
	if ds.alarms.st == set && alarmsKnown {
		if r := ds.alarms.v.relative; r.st == set && r.v && dep.Alarms.ErrorRatePercent == nil {
			here := sub("deployment", "alarms", "error_rate_relative")
			p.add(here, "got true%s without error_rate_percent; want error_rate_percent set, the margin by which the new version's error rate may exceed the old one's",
				origin(r.path, here))
		}
	}
	if sm := ds.smoke; sm.st == set && sm.v.events.st == absent {
		// Checked after merging: an env may override the shared smoke's other fields.
		p.missing(sub("deployment", "smoke", "events"), wantSmokeEvents)
	}
	if b := ds.bake; b.st == set && alarmsKnown && dep.Alarms.ErrorRatePercent == nil && dep.Alarms.P99DurationMs == nil {
		here := sub("deployment", "bake")
		p.add(here, "got %s%s without a threshold; want deployment.alarms.error_rate_percent or p99_duration_ms set: the bake judges the new version against them",
			b.raw, origin(b.path, here))
	}
	for _, h := range []struct {
		key string
		f   field[string]
	}{{"pre_traffic_hook", ds.pre}, {"post_traffic_hook", ds.post}} {
		// Only where the hook runs: a shared ARN may name each env's own function.
		if h.f.st != set || !strings.HasPrefix(h.f.v, "arn:") || !pinned || !typeKnown || none {
			continue
		}
		// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME; CodeDeploy invokes a hook by name,
		// in the deployment's own account and region.
		parts := strings.Split(h.f.v, ":")
		if e.account.st == set && e.region.st == set && (parts[3] != e.region.v || parts[4] != e.account.v) {
			here := sub("deployment", h.key)
			p.add(here, "got %s%s; want a function in this env's account %s and region %s: CodeDeploy invokes a hook by name, in the deployment's account and region",
				h.f.raw, origin(h.f.path, here), e.account.v, e.region.v)
		}
	}
	if alarmsKnown && nAlarms > lambdarules.MaxAlarms {
		p.add(sub("deployment", "alarms"), "got %d alarms (the rollback alarm its thresholds make, and extra); want %s",
			nAlarms, lambdarules.Alarms.Allowed)
	}
	if ds.alarms.st == set && ds.alarms.v.p99.st == set && s.timeoutS.st != invalid {
		p99 := ds.alarms.v.p99
		if limit := float64(fn.TimeoutS) * 1000; p99.v > limit {
			here := sub("deployment", "alarms", "p99_duration_ms")
			p.add(here, "got %s%s; want at most %g, timeout_s (%d) in milliseconds: a p99 above the timeout can never be reached",
				p99.raw, origin(p99.path, here), limit, fn.TimeoutS)
		}
	}
	if ar := ds.autoRollback; ar.st == set && ar.v.onAlarm.st == set && ar.v.onAlarm.v &&
		alarmsKnown && nAlarms == 0 && pinned && typeKnown && !none {
		here := sub("deployment", "auto_rollback", "on_alarm")
		p.add(here, "got true%s; want false or no on_alarm: deployment.alarms defines no alarm, and rolling back on alarm needs one",
			origin(ar.v.onAlarm.path, here))
	}

	if ro := s.rollout; ro.st != invalid && pinKnown {
		here := sub("rollout")
		switch {
		case !pinned:
			if ro.st == set {
				p.add(here, "got %s; want no rollout while live_version is null: rollout only applies to a pinned live_version", ro.raw)
			}
		case ro.st == set:
			fn.Rollout = Rollout(ro.v)
			if fn.Rollout == RolloutCanary && none {
				p.add(here, "got %s; want \"direct\" or no rollout: deployment.type is %s, so no CodeDeploy canary moves the alias",
					ro.raw, typeDesc)
			}
		case none:
			fn.Rollout = RolloutDirect
		default:
			fn.Rollout = RolloutCanary
		}
	}

	if av := s.additional; av.st == set && av.v != nil && pinKnown {
		here := sub("additional_versions")
		if !pinned {
			p.add(here, "got %s; want {} or no additional_versions while live_version is null: a weighted split needs a pinned live_version", av.raw)
		} else {
			if av.v.Version == fn.LiveVersion {
				p.add(join(here, av.v.Version), "got version %s, the live_version itself; want another published version, or {} for no split",
					quote(av.v.Version))
			}
			if typeKnown && !none {
				p.add(here, "got %s while deployment.type is %s; want deployment.type set to \"None\" for this function in this env: an alias left split makes CodeDeploy deployments fail",
					av.raw, typeDesc)
			}
			w := *av.v
			fn.Additional = &w
		}
	}

	if rb := s.rolledBack; rb.st == set && pinKnown {
		here := sub("rolled_back")
		switch {
		case !pinned:
			p.add(here, "got %s; want no rolled_back while live_version is null: it records the version golive rollback moved a pinned LIVE away from", rb.raw)
		case rb.v == fn.LiveVersion:
			p.add(here, "got %s, the live_version itself; want the version rollback moved LIVE away from, or no rolled_back", rb.raw)
		default:
			fn.RolledBack = rb.v
		}
	}

	if pc := s.provisioned; pc.st == set {
		here := sub("provisioned_concurrency")
		switch {
		case pinned && pc.v > 0 && s.additional.st == set && s.additional.v != nil:
			p.add(here, "got %s%s with additional_versions %s; want 0 or no provisioned_concurrency while the alias is split: Lambda does not manage provisioned concurrency on an alias that routes to two versions",
				pc.raw, origin(pc.path, here), s.additional.raw)
			fn.ProvisionedConcurrency = int(pc.v)
		case pinKnown && !pinned && pc.v > 0:
			p.add(here, "got %s%s; want 0 or no provisioned_concurrency while live_version is null: provisioned concurrency needs a published version, so a pinned live_version",
				pc.raw, origin(pc.path, here))
		case pinned:
			fn.ProvisionedConcurrency = int(pc.v)
		}
	}

	if pinned && fn.Image != nil && fn.Image.Tag != "" {
		tag := s.image.v.tag
		here := sub("image", "tag")
		p.add(here, "got %s%s; want a digest (%s) where live_version is pinned: pin images by digest, since a tag can move to an image nobody tested",
			tag.raw, origin(tag.path, here), wantDigest)
	}
	return fn
}

func (p *parser) resolveImage(s *imageSpec, here string) *Image {
	img := &Image{}
	switch s.repository.st {
	case set:
		img.Repository = s.repository.v
	case invalid:
	default:
		p.missing(join(here, "repository"), wantRepository)
	}
	d, t := s.digest, s.tag
	switch {
	case d.st == invalid || t.st == invalid:
	case d.st == set && t.st == set:
		p.add(here, "got both digest%s and tag%s; want exactly one: set the other to null in this env",
			origin(d.path, join(here, "digest")), origin(t.path, join(here, "tag")))
	case d.st == set:
		img.Digest = d.v
	case t.st == set:
		img.Tag = t.v
	default:
		p.add(here, "missing digest and tag; want exactly one: digest (%s) or, where live_version is null, tag", wantDigest)
	}
	return img
}

// resolveDeployment applies the defaults. known is false when the deployment object
// itself was broken, so that checks built on it stay quiet.
func resolveDeployment(f field[*deploySpec]) (Deployment, deploySpec, bool) {
	var ds deploySpec
	if f.st == set {
		ds = *f.v
	}
	d := Deployment{Type: DefaultDeploymentType}
	if ds.typ.st == set {
		d.Type, d.Custom = ds.typ.v.name, ds.typ.v.custom
	}
	if ds.alarms.st == set {
		a := ds.alarms.v
		d.Alarms.ErrorRatePercent = ptr(a.errorRate)
		d.Alarms.P99DurationMs = ptr(a.p99)
		d.Alarms.ErrorRateRelative = a.relative.or(false)
		d.Alarms.MinInvocations = int(a.minInvocations.or(contract.DefaultMinInvocations))
		if a.extra.st == set && len(a.extra.v) > 0 {
			d.Alarms.Extra = a.extra.v
		}
	}
	if d.Alarms.MinInvocations == 0 && (ds.alarms.st != set || ds.alarms.v.minInvocations.st != set) {
		d.Alarms.MinInvocations = contract.DefaultMinInvocations
	}
	if ds.smoke.st == set && ds.smoke.v.events.st == set {
		sm := ds.smoke.v
		d.Smoke = &Smoke{Events: sm.events.v, TimeoutS: int(sm.timeoutS.or(contract.DefaultSmokeTimeoutS))}
		if sm.expect.st == set {
			d.Smoke.Expect = sm.expect.v
		}
	}
	if ds.bake.st == set && ds.bake.v.minutes.st == set {
		d.Bake = &Bake{Minutes: int(ds.bake.v.minutes.v)}
	}
	d.PreTrafficHook = ds.pre.or("")
	d.PostTrafficHook = ds.post.or("")
	var ar autoRollbackSpec
	if ds.autoRollback.st == set {
		ar = *ds.autoRollback.v
	}
	d.AutoRollback = AutoRollback{
		OnFailure: ar.onFailure.or(true),
		OnStop:    ar.onStop.or(true),
		OnAlarm:   ar.onAlarm.or(true) && d.Alarms.count() > 0,
	}
	return d, ds, f.st != invalid
}

func ptr(f field[float64]) *float64 {
	if f.st != set {
		return nil
	}
	x := f.v
	return &x
}

// uniqueFunctionNames refuses two functions sharing a physical name in one account and
// region: the second stack would fail, or worse, take over the first one's function.
func (p *parser) uniqueFunctionNames(envs []Env) {
	seen := map[string]string{}
	for _, e := range envs {
		if e.Account == "" || e.Region == "" {
			continue
		}
		for _, fn := range e.Functions {
			if fn.FunctionName == "" {
				continue
			}
			at := join(join(join(join("envs", e.Name), "lambda_functions"), fn.Name), "function_name")
			key := e.Account + "/" + e.Region + "/" + fn.FunctionName
			if first, dup := seen[key]; dup {
				p.add(at, "got %s, also the name at %s; want function names unique in account %s, region %s",
					quote(fn.FunctionName), strings.TrimSuffix(first, ".function_name"), e.Account, e.Region)
				continue
			}
			seen[key] = at
		}
	}
}

func (p *parser) pipeline(o object, envs []*envSpec, envsOK bool) *Pipeline {
	v, at := o.get("pipeline")
	if v == nil {
		return nil
	}
	po, ok := p.object(at, v, `an object such as {"account": "111111111111", "region": "us-east-1", "connection_arn": "arn:aws:codeconnections:...", "repository": "owner/repo"}`, pipelineFields)
	if !ok {
		return nil
	}
	for key, want := range map[string]string{"account": wantAccount, "region": wantRegion, "connection_arn": wantConnection, "repository": wantGitHubRepo} {
		p.required(po, key, want)
	}
	pl := &Pipeline{
		Account:       p.str(po, "account", false, accountRe.MatchString, wantAccount).v,
		Region:        p.str(po, "region", false, regionRe.MatchString, wantRegion).v,
		ConnectionArn: p.str(po, "connection_arn", false, connectionRe.MatchString, wantConnection).v,
		Repository:    p.str(po, "repository", false, githubRepoRe.MatchString, wantGitHubRepo).v,
		Branch:        p.str(po, "branch", false, branchRe.MatchString, wantBranch).or(DefaultBranch),
	}
	var names []string
	for _, e := range envs {
		names = append(names, e.name)
	}
	known := strings.Join(names, ", ")

	stages := p.stringList(po, "stages", false, "an array of env names in deployment order, such as [\"sbx\", \"tst\", \"prd\"]", wantEnvName, 0, envNameRe.MatchString)
	switch {
	case stages.st == set && len(stages.v) == 0:
		p.add(stages.path, "got []; want at least one env, or no stages for every env in file order (%s)", known)
	case stages.st == set:
		for i, s := range stages.v {
			if envsOK && !slices.Contains(names, s) {
				p.add(index(stages.path, i), "got %s; want an env defined in envs: %s", quote(s), known)
			}
		}
		pl.Stages = stages.v
	case stages.st == absent:
		pl.Stages = names
	}

	approval := p.stringList(po, "approval_before", false, "an array of env names whose stage waits for a manual approval, such as [\"prd\"]", wantEnvName, 0, envNameRe.MatchString)
	if approval.st == set {
		for i, s := range approval.v {
			if stages.st != invalid && envsOK && !slices.Contains(pl.Stages, s) {
				p.add(index(approval.path, i), "got %s; want one of the pipeline's stages: %s", quote(s), strings.Join(pl.Stages, ", "))
			}
		}
		if len(approval.v) > 0 {
			pl.ApprovalBefore = approval.v
		}
	}
	return pl
}

// count is the alarms the deployment group watches: the thresholds make one rollback
// alarm together, and each extra alarm is one more.
func (a Alarms) count() int {
	n := len(a.Extra)
	if a.ErrorRatePercent != nil || a.P99DurationMs != nil {
		n++
	}
	return n
}
