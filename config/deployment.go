package config

import (
	"strings"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/lambdarules"
)

// deploymentFacts are what the function's other checks need of its resolved deployment.
type deploymentFacts struct {
	ds deploySpec
	// typeKnown is false when the deployment or its type was broken (already reported).
	typeKnown bool
	// none is deployment.type "None": no CodeDeploy.
	none bool
	// typeDesc names the type as written, and where, for messages.
	typeDesc string
	// alarmsKnown is false when the alarms were broken (already reported).
	alarmsKnown bool
	nAlarms     int
}

// deployment applies the deployment's defaults and checks the rules across its fields.
func (r *fnResolution) deployment() {
	dep, ds, known := resolveDeployment(r.s.deployment)
	r.fn.Deployment = dep
	d := deploymentFacts{ds: ds, typeKnown: known && ds.typ.st != invalid, nAlarms: dep.Alarms.count(),
		typeDesc: quote(dep.Type) + " (the default)"}
	if ds.typ.st == set {
		d.typeDesc = ds.typ.raw.String() + origin(ds.typ.path, r.sub("deployment", "type"))
	}
	d.none = d.typeKnown && dep.Type == DeploymentNone
	d.alarmsKnown = known && ds.alarms.st != invalid
	if ds.alarms.st == set {
		a := ds.alarms.v
		d.alarmsKnown = d.alarmsKnown && a.errorRate.st != invalid && a.minInvocations.st != invalid && a.relative.st != invalid &&
			a.p99.st != invalid && a.extra.st != invalid
	}
	r.dep = d
	r.hooksNeedCodeDeploy()
	r.oneHookPerPhase()
	r.smokeEvents()
	r.hookRegion()
	r.alarms()
	r.onAlarm()
}

// hooksNeedCodeDeploy: traffic hooks, smoke and bake only run in a CodeDeploy deployment.
func (r *fnResolution) hooksNeedCodeDeploy() {
	if !r.dep.none {
		return
	}
	ds := r.dep.ds
	for _, h := range []struct {
		key string
		f   field[string]
	}{{"pre_traffic_hook", ds.pre}, {"post_traffic_hook", ds.post}} {
		if h.f.st == set {
			here := r.sub("deployment", h.key)
			r.p.add(here, "got %s%s; want no traffic hook while deployment.type is %s: hooks only run in CodeDeploy deployments",
				h.f.raw, origin(h.f.path, here), r.dep.typeDesc)
		}
	}
	for _, h := range []struct {
		key string
		st  state
		raw *value
		at  string
	}{{"smoke", ds.smoke.st, ds.smoke.raw, ds.smoke.path}, {"bake", ds.bake.st, ds.bake.raw, ds.bake.path}} {
		if h.st == set {
			here := r.sub("deployment", h.key)
			r.p.add(here, "got %s%s; want no %s while deployment.type is %s: the shipped hooks only run in CodeDeploy deployments",
				h.raw, origin(h.at, here), h.key, r.dep.typeDesc)
		}
	}
}

// oneHookPerPhase: a deployment runs one pre-traffic and one post-traffic hook, so smoke
// and bake (the shipped hooks) exclude a hook of one's own in their phase.
func (r *fnResolution) oneHookPerPhase() {
	ds := r.dep.ds
	for _, c := range []struct {
		ours, theirs string
		st           state
		hook         field[string]
	}{{"smoke", "pre_traffic_hook", ds.smoke.st, ds.pre}, {"bake", "post_traffic_hook", ds.bake.st, ds.post}} {
		if c.st == set && c.hook.st == set {
			here := r.sub("deployment", c.theirs)
			r.p.add(here, "got %s%s together with deployment.%s; want one of the two: a deployment runs one %s hook",
				c.hook.raw, origin(c.hook.path, here), c.ours, strings.TrimSuffix(c.theirs, "_hook"))
		}
	}
}

// smokeEvents is checked after merging: an env may override the shared smoke's other fields.
// So is smoke.ignore: the shared smoke may compare and an env list what to ignore.
func (r *fnResolution) smokeEvents() {
	if sm := r.dep.ds.smoke; sm.st == set && sm.v.events.st == absent {
		r.p.missing(r.sub("deployment", "smoke", "events"), wantSmokeEvents)
	}
	if sm := r.dep.ds.smoke; sm.st == set && sm.v.ignore.st == set && len(sm.v.ignore.v) > 0 && !sm.v.compare.or(false) {
		here := r.sub("deployment", "smoke", "ignore")
		r.p.add(here, "got %s%s without compare: true; want \"compare\": true, or no ignore: ignore lists where the current and the new version's responses may differ",
			sm.v.ignore.raw, origin(sm.v.ignore.path, here))
	}
}

// hookRegion: CodeDeploy invokes a hook by name, in the deployment's own account and region,
// so a hook's ARN must name this env's. Only where the hook runs: a shared ARN may name each
// env's own function.
func (r *fnResolution) hookRegion() {
	if !r.pinned || !r.dep.typeKnown || r.dep.none || r.e.account.st != set || r.e.region.st != set {
		return
	}
	for _, h := range []struct {
		key string
		f   field[string]
	}{{"pre_traffic_hook", r.dep.ds.pre}, {"post_traffic_hook", r.dep.ds.post}} {
		if h.f.st != set || !strings.HasPrefix(h.f.v, "arn:") {
			continue
		}
		// arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME
		parts := strings.Split(h.f.v, ":")
		if parts[3] != r.e.region.v || parts[4] != r.e.account.v {
			here := r.sub("deployment", h.key)
			r.p.add(here, "got %s%s; want a function in this env's account %s and region %s: CodeDeploy invokes a hook by name, in the deployment's account and region",
				h.f.raw, origin(h.f.path, here), r.e.account.v, r.e.region.v)
		}
	}
}

// alarms checks the thresholds against each other, the bake and the function's timeout, and
// their number against CodeDeploy's limit.
func (r *fnResolution) alarms() {
	ds, dep := r.dep.ds, r.fn.Deployment
	if ds.alarms.st == set && r.dep.alarmsKnown {
		if rel := ds.alarms.v.relative; rel.st == set && rel.v && dep.Alarms.ErrorRatePercent == nil {
			here := r.sub("deployment", "alarms", "error_rate_relative")
			r.p.add(here, "got true%s without error_rate_percent; want error_rate_percent set, the margin by which the new version's error rate may exceed the old one's",
				origin(rel.path, here))
		}
	}
	if b := ds.bake; b.st == set && r.dep.alarmsKnown && dep.Alarms.ErrorRatePercent == nil && dep.Alarms.P99DurationMs == nil {
		here := r.sub("deployment", "bake")
		r.p.add(here, "got %s%s without a threshold; want deployment.alarms.error_rate_percent or p99_duration_ms set: the bake judges the new version against them",
			b.raw, origin(b.path, here))
	}
	if r.dep.alarmsKnown && r.dep.nAlarms > lambdarules.MaxAlarms {
		r.p.add(r.sub("deployment", "alarms"), "got %d alarms (the rollback alarm its thresholds make, and extra); want %s",
			r.dep.nAlarms, lambdarules.Alarms.Allowed)
	}
	if ds.alarms.st == set && ds.alarms.v.p99.st == set && r.s.timeoutS.st != invalid {
		p99 := ds.alarms.v.p99
		if limit := float64(r.fn.TimeoutS) * 1000; p99.v > limit {
			here := r.sub("deployment", "alarms", "p99_duration_ms")
			r.p.add(here, "got %s%s; want at most %g, timeout_s (%d) in milliseconds: a p99 above the timeout can never be reached",
				p99.raw, origin(p99.path, here), limit, r.fn.TimeoutS)
		}
	}
}

// onAlarm: rolling back on alarm needs an alarm, where CodeDeploy moves the alias.
func (r *fnResolution) onAlarm() {
	ar := r.dep.ds.autoRollback
	if ar.st == set && ar.v.onAlarm.st == set && ar.v.onAlarm.v &&
		r.dep.alarmsKnown && r.dep.nAlarms == 0 && r.pinned && r.dep.typeKnown && !r.dep.none {
		here := r.sub("deployment", "auto_rollback", "on_alarm")
		r.p.add(here, "got true%s; want false or no on_alarm: deployment.alarms defines no alarm, and rolling back on alarm needs one",
			origin(ar.v.onAlarm.path, here))
	}
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
		d.Alarms.MinInvocations = int(a.minInvocations.or(hooksettings.DefaultMinInvocations))
		if a.extra.st == set && len(a.extra.v) > 0 {
			d.Alarms.Extra = a.extra.v
		}
	}
	if d.Alarms.MinInvocations == 0 && (ds.alarms.st != set || ds.alarms.v.minInvocations.st != set) {
		d.Alarms.MinInvocations = hooksettings.DefaultMinInvocations
	}
	if ds.smoke.st == set && ds.smoke.v.events.st == set {
		sm := ds.smoke.v
		d.Smoke = &Smoke{Events: sm.events.v, TimeoutS: int(sm.timeoutS.or(hooksettings.DefaultSmokeTimeoutS))}
		if sm.expect.st == set {
			d.Smoke.Expect = sm.expect.v
		}
		d.Smoke.Compare = sm.compare.or(false)
		if sm.ignore.st == set && len(sm.ignore.v) > 0 {
			d.Smoke.Ignore = sm.ignore.v
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

// count is the alarms the deployment group watches: the thresholds make one rollback
// alarm together, and each extra alarm is one more.
func (a Alarms) count() int {
	n := len(a.Extra)
	if a.ErrorRatePercent != nil || a.P99DurationMs != nil {
		n++
	}
	return n
}
