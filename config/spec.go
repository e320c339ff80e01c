package config

import (
	"encoding/json"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// Field names, in the order error messages list them.
var (
	topFields          = []string{"$schema", "project", "lambda_functions", "envs", "pipeline"}
	sharedFields       = []string{"entry", "image", "function_name", "alias", "architecture", "memory_mb", "timeout_s", "description", "environment", "provisioned_concurrency", "deployment"}
	perEnvFields       = []string{"live_version", "rollout", "additional_versions", "rolled_back"}
	functionFields     = slices.Concat(sharedFields, perEnvFields)
	imageFields        = []string{"repository", "digest", "tag"}
	deploymentFields   = []string{"type", "alarms", "smoke", "bake", "pre_traffic_hook", "post_traffic_hook", "auto_rollback", "rollback_type"}
	alarmFields        = []string{"error_rate_percent", "error_rate_relative", "throttles", "p99_duration_ms", "min_invocations", "extra"}
	smokeFields        = []string{"events", "expect", "timeout_s", "compare", "ignore"}
	bakeFields         = []string{"minutes"}
	autoRollbackFields = []string{"on_failure", "on_stop", "on_alarm"}
	envFields          = []string{"account", "region", "lambda_functions", "notifications", "dashboard"}
	pipelineFields     = []string{"account", "region", "connection_arn", "repository", "branch", "stages", "approval_before"}
)

// fnSpec is one function's settings as written, either the shared defaults or one env's
// overrides, before merging.
type fnSpec struct {
	entry, functionName, alias, architecture, description field[string]
	image                                                 field[*imageSpec]
	memoryMB, timeoutS, provisioned                       field[int64]
	environment                                           field[envVars]
	deployment                                            field[*deploySpec]

	liveVersion field[string]
	rollout     field[string]
	// additional is set with a nil value for {}.
	additional field[*WeightedVersion]
	rolledBack field[string]
}

type imageSpec struct {
	repository, digest, tag field[string]
}

type envVars map[string]field[string]

type deploySpec struct {
	typ          field[deployType]
	alarms       field[*alarmsSpec]
	smoke        field[*smokeSpec]
	bake         field[*bakeSpec]
	pre, post    field[string]
	autoRollback field[*autoRollbackSpec]
}

type deployType struct {
	name   string
	custom *CustomShift
}

type alarmsSpec struct {
	errorRate, p99 field[float64]
	relative       field[bool]
	minInvocations field[int64]
	extra          field[[]string]
}

type smokeSpec struct {
	events   field[[]json.RawMessage]
	expect   field[json.RawMessage]
	timeoutS field[int64]
	compare  field[bool]
	ignore   field[[]string]
}

type bakeSpec struct {
	minutes field[int64]
}

type autoRollbackSpec struct {
	onFailure, onStop, onAlarm field[bool]
}

// fnSpec decodes the settings of function name at path. Every field may be null, which
// in an env override removes the shared value.
func (p *parser) fnSpec(path string, v *value, name string, shared bool) (*fnSpec, bool) {
	want := "an object of function settings"
	if !shared {
		want = "an object of this env's overrides for the function, such as {\"live_version\": null}"
	}
	o, ok := p.object(path, v, want, functionFields)
	if !ok {
		return nil, false
	}
	s := &fnSpec{
		entry:        p.str(o, "entry", true, validEntry, wantEntry),
		image:        p.image(o),
		functionName: p.str(o, "function_name", true, lambdaNameRe.MatchString, wantFunctionName),
		alias:        p.str(o, "alias", true, lambdarules.ValidAliasName, wantAlias),
		architecture: p.str(o, "architecture", true, oneOf("arm64", "x86_64"), wantArchitecture),
		memoryMB:     p.integer(o, "memory_mb", true, lambdarules.MinMemoryMB, lambdarules.MaxMemoryMB, wantMemory),
		timeoutS:     p.integer(o, "timeout_s", true, 1, lambdarules.MaxTimeoutS, wantTimeout),
		description:  p.str(o, "description", true, maxLen(lambdarules.MaxDescription), wantDescription),
		environment:  p.environment(o),
		provisioned:  p.integer(o, "provisioned_concurrency", true, 0, math.MaxInt64, wantProvisioned),
		deployment:   p.deployment(o),
	}
	if shared {
		for _, k := range perEnvFields {
			if v, at := o.get(k); v != nil {
				p.add(at, "got %s; want no %s in the shared defaults: it is set per environment, in envs.<env>.%s.%s",
					v, k, join("lambda_functions", name), k)
			}
		}
		return s, true
	}
	s.liveVersion = p.liveVersion(o)
	s.rollout = p.str(o, "rollout", true, oneOf(string(RolloutCanary), string(RolloutDirect)), wantRollout)
	s.additional = p.additional(o)
	s.rolledBack = p.version(o, "rolled_back")
	return s, true
}

func (p *parser) image(o object) field[*imageSpec] {
	v, f := lookup[*imageSpec](o, "image", true)
	if f.st != set {
		return f
	}
	io, ok := p.object(f.path, v, `an object such as {"repository": "golive/worker", "digest": "sha256:..."}`, imageFields)
	if !ok {
		f.st = invalid
		return f
	}
	f.v = &imageSpec{
		repository: p.str(io, "repository", true, validRepository, wantRepository),
		digest:     p.str(io, "digest", true, digestRe.MatchString, wantDigest),
		tag:        p.str(io, "tag", true, tagRe.MatchString, wantTag),
	}
	return f
}

func (p *parser) environment(o object) field[envVars] {
	v, f := lookup[envVars](o, "environment", true)
	if f.st != set {
		return f
	}
	if v.kind != kindObject {
		p.bad(f.path, v, `an object of variable names to string values, such as {"LOG_LEVEL": "info"}`)
		f.st = invalid
		return f
	}
	vars := envVars{}
	for _, m := range v.obj {
		at := join(f.path, m.key)
		switch {
		case !lambdarules.ValidEnvVarName(m.key):
			p.add(at, "got %s as a variable name; want %s", quote(m.key), wantEnvVar)
		case m.val.kind == kindString:
			vars[m.key] = field[string]{st: set, v: m.val.s, path: at, raw: m.val}
		case m.val.kind == kindNull:
			vars[m.key] = field[string]{st: null, path: at, raw: m.val}
		default:
			p.bad(at, m.val, wantEnvValue)
		}
	}
	f.v = vars
	return f
}

func (p *parser) liveVersion(o object) field[string] { return p.version(o, "live_version") }

func (p *parser) version(o object, key string) field[string] {
	v, f := lookup[string](o, key, true)
	if f.st != set {
		return f
	}
	switch v.kind {
	case kindString:
		if versionRe.MatchString(v.s) {
			f.v = v.s
			return f
		}
		if v.s == resourcenames.Latest {
			p.add(f.path, "got %s; want %s: null is how LIVE follows $LATEST", v, wantLiveVersion)
			f.st = invalid
			return f
		}
	case kindNumber:
		if n, ok := intValue(v); ok && n >= 1 {
			f.v = strconv.FormatInt(n, 10)
			return f
		}
	}
	p.bad(f.path, v, wantLiveVersion)
	f.st = invalid
	return f
}

func (p *parser) additional(o object) field[*WeightedVersion] {
	v, f := lookup[*WeightedVersion](o, "additional_versions", true)
	if f.st != set {
		return f
	}
	if v.kind != kindObject {
		p.bad(f.path, v, wantAdditional)
		f.st = invalid
		return f
	}
	ok := true
	if len(v.obj) > 1 {
		p.add(f.path, "got %s; want at most one entry: an alias routes to at most two versions, the live_version and one more", v)
		ok = false
	}
	var wv *WeightedVersion
	for _, m := range v.obj {
		at := join(f.path, m.key)
		if !versionRe.MatchString(m.key) {
			why := ""
			if m.key == resourcenames.Latest {
				why = ": an alias splits traffic between published versions, never $LATEST"
			}
			p.add(at, "got %s as a version; want %s%s", quote(m.key), wantVersionKey, why)
			ok = false
		}
		w, isNum := floatValue(m.val)
		if !isNum || w <= 0 || w >= 1 {
			p.bad(at, m.val, wantWeight+", the share of traffic for version "+quote(m.key))
			ok = false
		}
		wv = &WeightedVersion{Version: m.key, Weight: w}
	}
	if !ok {
		f.st = invalid
		return f
	}
	f.v = wv
	return f
}

func (p *parser) deployment(o object) field[*deploySpec] {
	v, f := lookup[*deploySpec](o, "deployment", true)
	if f.st != set {
		return f
	}
	do, ok := p.object(f.path, v, `an object such as {"type": "Canary10Percent5Minutes", "alarms": {...}}`, deploymentFields)
	if !ok {
		f.st = invalid
		return f
	}
	f.v = &deploySpec{
		typ:          p.deployType(do),
		alarms:       p.alarms(do),
		smoke:        p.smoke(do),
		bake:         p.bake(do),
		pre:          p.str(do, "pre_traffic_hook", true, hookRe.MatchString, wantHook),
		post:         p.str(do, "post_traffic_hook", true, hookRe.MatchString, wantHook),
		autoRollback: p.autoRollback(do),
	}
	if v, path := do.get("rollback_type"); v != nil {
		p.add(path, "got %s; rollback_type was removed: golive rollback never shifts traffic gradually (it stops the "+
			"running CodeDeploy deployment, which restores the alias at once, or moves LIVE directly), so it had no effect; delete the field", v)
	}
	return f
}

func (p *parser) deployType(o object) field[deployType] {
	v, f := lookup[deployType](o, "type", true)
	if f.st != set {
		return f
	}
	switch v.kind {
	case kindString:
		if v.s == DeploymentNone || slices.Contains(predefinedTypes, v.s) {
			f.v = deployType{name: v.s}
			return f
		}
		// The names CodeDeploy and the CDK print are the likeliest paste.
		short := strings.TrimPrefix(strings.TrimPrefix(v.s, "CodeDeployDefault."), "Lambda")
		if slices.Contains(predefinedTypes, short) {
			p.add(f.path, "got %s; want %s (write %s, without the prefix)", v, wantType, quote(short))
			f.st = invalid
			return f
		}
	case kindObject:
		custom, ok := p.customShift(f.path, v)
		if !ok {
			f.st = invalid
			return f
		}
		f.v = deployType{name: DeploymentCustom, custom: custom}
		return f
	}
	p.bad(f.path, v, wantType)
	f.st = invalid
	return f
}

func (p *parser) customShift(path string, v *value) (*CustomShift, bool) {
	canary, linear := v.field("canary_percent") != nil, v.field("linear_percent") != nil
	allowed := []string{"canary_percent", "interval_minutes"}
	switch {
	case canary && linear:
		p.add(path, "got %s; want either canary_percent or linear_percent, not both", v)
		return nil, false
	case linear:
		allowed = []string{"linear_percent", "interval_minutes"}
	case !canary:
		allowed = []string{"canary_percent", "linear_percent", "interval_minutes"}
	}
	o, _ := p.object(path, v, wantType, allowed)
	if !canary && !linear {
		p.add(path, "got %s; want canary_percent or linear_percent, such as {\"canary_percent\": 10, \"interval_minutes\": 5}", v)
	}
	shift := &CustomShift{Linear: linear}
	ok := canary || linear
	if canary {
		pct := p.integer(o, "canary_percent", false, 1, lambdarules.MaxCanaryPercent, wantCanaryPct)
		shift.Percent = int(pct.v)
		ok = ok && pct.st == set
	}
	if linear {
		pct := p.integer(o, "linear_percent", false, 1, lambdarules.MaxLinearPercent, wantLinearPct)
		shift.Percent = int(pct.v)
		ok = ok && pct.st == set
	}
	ok = p.required(o, "interval_minutes", wantInterval) && ok
	iv := p.integer(o, "interval_minutes", false, 1, lambdarules.MaxShiftMinutes, wantInterval)
	shift.IntervalMinutes = int(iv.v)
	ok = ok && iv.st == set
	if ok {
		// Each field is in range; the shift as a whole must still end within CodeDeploy's
		// 48 hours.
		if err := lambdarules.CheckShift(shift.Linear, shift.Percent, shift.IntervalMinutes); err != nil {
			p.add(path, "%s", err)
			return shift, false
		}
	}
	return shift, ok
}

func (p *parser) alarms(o object) field[*alarmsSpec] {
	v, f := lookup[*alarmsSpec](o, "alarms", true)
	if f.st != set {
		return f
	}
	ao, ok := p.object(f.path, v, `an object such as {"error_rate_percent": 1, "throttles": 1, "p99_duration_ms": 2000}`, alarmFields)
	if !ok {
		f.st = invalid
		return f
	}
	f.v = &alarmsSpec{
		errorRate:      p.number(ao, "error_rate_percent", true, func(x float64) bool { return x > 0 && x <= 100 }, wantErrorRate),
		relative:       p.boolean(ao, "error_rate_relative", true),
		p99:            p.number(ao, "p99_duration_ms", true, func(x float64) bool { return x > 0 }, wantP99),
		minInvocations: p.integer(ao, "min_invocations", true, 0, lambdarules.MaxMinInvocations, wantMinInvocations),
		extra: p.stringList(ao, "extra", true, "an array of names of existing CloudWatch alarms", wantAlarmName, lambdarules.MaxAlarms,
			func(s string) bool { return s != "" && utf8.RuneCountInString(s) <= 255 }),
	}
	if v, path := ao.get("throttles"); v != nil {
		p.add(path, "got %s; throttles was removed: Lambda publishes no throttles for the version being released (a throttled "+
			"request runs no version, and ExecutedVersion names the version that ran), so the term counted the old version's and the "+
			"account's throttles against the new one; delete the field, and alarm on throttles outside the release (extra)", v)
	}
	return f
}

func (p *parser) smoke(o object) field[*smokeSpec] {
	v, f := lookup[*smokeSpec](o, "smoke", true)
	if f.st != set {
		return f
	}
	so, ok := p.object(f.path, v, `an object such as {"events": [{"ping": true}], "expect": {"ok": true}, "timeout_s": 30}`, smokeFields)
	if !ok {
		f.st = invalid
		return f
	}
	s := &smokeSpec{timeoutS: p.integer(so, "timeout_s", true, 1, hooksettings.MaxSmokeTimeoutS, wantSmokeTimeout)}
	ev, evf := lookup[[]json.RawMessage](so, "events", false)
	switch {
	case evf.st != set:
	case ev.kind != kindArray || len(ev.arr) == 0:
		p.bad(evf.path, ev, wantSmokeEvents)
		evf.st = invalid
	default:
		for _, el := range ev.arr {
			evf.v = append(evf.v, el.json())
		}
	}
	s.events = evf
	ex, exf := lookup[json.RawMessage](so, "expect", true)
	if exf.st == set {
		exf.v = ex.json()
	}
	s.expect = exf
	s.compare = p.boolean(so, "compare", true)
	s.ignore = p.stringList(so, "ignore", true, wantSmokeIgnore, hooksettings.WantIgnorePointer, 0,
		func(ptr string) bool { return hooksettings.CheckIgnorePointer(ptr) == nil })
	f.v = s
	return f
}

func (p *parser) bake(o object) field[*bakeSpec] {
	v, f := lookup[*bakeSpec](o, "bake", true)
	if f.st != set {
		return f
	}
	bo, ok := p.object(f.path, v, `an object such as {"minutes": 5}`, bakeFields)
	if !ok {
		f.st = invalid
		return f
	}
	p.required(bo, "minutes", wantBakeMinutes)
	f.v = &bakeSpec{minutes: p.integer(bo, "minutes", false, 1, hooksettings.MaxBakeMinutes, wantBakeMinutes)}
	return f
}

func (p *parser) autoRollback(o object) field[*autoRollbackSpec] {
	v, f := lookup[*autoRollbackSpec](o, "auto_rollback", true)
	if f.st != set {
		return f
	}
	ro, ok := p.object(f.path, v, `an object such as {"on_failure": true, "on_stop": true, "on_alarm": true}`, autoRollbackFields)
	if !ok {
		f.st = invalid
		return f
	}
	f.v = &autoRollbackSpec{
		onFailure: p.boolean(ro, "on_failure", true),
		onStop:    p.boolean(ro, "on_stop", true),
		onAlarm:   p.boolean(ro, "on_alarm", true),
	}
	return f
}

// overObj merges objects field by field. A broken shared object stays broken rather than
// being silently replaced by a partial override.
func overObj[T any](base, o field[T], merge func(a, b T) T) field[T] {
	switch {
	case o.st == set && base.st == set:
		o.v = merge(base.v, o.v)
		return o
	case o.st == set && base.st == invalid:
		return base
	}
	return over(base, o)
}

// merge applies an env's overrides to the shared defaults: field by field, objects deeply,
// arrays and deployment.type whole, and null removes the shared value.
func merge(a, b *fnSpec) *fnSpec {
	if b == nil {
		return a
	}
	return &fnSpec{
		entry:        over(a.entry, b.entry),
		image:        overObj(a.image, b.image, mergeImage),
		functionName: over(a.functionName, b.functionName),
		alias:        over(a.alias, b.alias),
		architecture: over(a.architecture, b.architecture),
		memoryMB:     over(a.memoryMB, b.memoryMB),
		timeoutS:     over(a.timeoutS, b.timeoutS),
		description:  over(a.description, b.description),
		environment:  overObj(a.environment, b.environment, mergeVars),
		provisioned:  over(a.provisioned, b.provisioned),
		deployment:   overObj(a.deployment, b.deployment, mergeDeployment),
		liveVersion:  b.liveVersion,
		rollout:      b.rollout,
		additional:   b.additional,
		rolledBack:   b.rolledBack,
	}
}

func mergeImage(a, b *imageSpec) *imageSpec {
	return &imageSpec{
		repository: over(a.repository, b.repository),
		digest:     over(a.digest, b.digest),
		tag:        over(a.tag, b.tag),
	}
}

func mergeVars(a, b envVars) envVars {
	m := maps.Clone(a)
	maps.Copy(m, b)
	return m
}

func mergeDeployment(a, b *deploySpec) *deploySpec {
	return &deploySpec{
		typ:          over(a.typ, b.typ),
		alarms:       overObj(a.alarms, b.alarms, mergeAlarms),
		smoke:        overObj(a.smoke, b.smoke, mergeSmoke),
		bake:         overObj(a.bake, b.bake, mergeBake),
		pre:          over(a.pre, b.pre),
		post:         over(a.post, b.post),
		autoRollback: overObj(a.autoRollback, b.autoRollback, mergeAutoRollback),
	}
}

func mergeAlarms(a, b *alarmsSpec) *alarmsSpec {
	return &alarmsSpec{
		errorRate:      over(a.errorRate, b.errorRate),
		relative:       over(a.relative, b.relative),
		p99:            over(a.p99, b.p99),
		minInvocations: over(a.minInvocations, b.minInvocations),
		extra:          over(a.extra, b.extra),
	}
}

func mergeSmoke(a, b *smokeSpec) *smokeSpec {
	return &smokeSpec{
		events:   over(a.events, b.events),
		expect:   over(a.expect, b.expect),
		timeoutS: over(a.timeoutS, b.timeoutS),
		compare:  over(a.compare, b.compare),
		ignore:   over(a.ignore, b.ignore),
	}
}

func mergeBake(a, b *bakeSpec) *bakeSpec {
	return &bakeSpec{minutes: over(a.minutes, b.minutes)}
}

func mergeAutoRollback(a, b *autoRollbackSpec) *autoRollbackSpec {
	return &autoRollbackSpec{
		onFailure: over(a.onFailure, b.onFailure),
		onStop:    over(a.onStop, b.onStop),
		onAlarm:   over(a.onAlarm, b.onAlarm),
	}
}
