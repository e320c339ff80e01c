package config

import (
	"slices"
	"strings"

	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/stackoutputs"
)

// envSpec is one env as written.
type envSpec struct {
	name            string
	path            string
	account, region field[string]
	// overrides holds nil for an override that is not an object (already reported).
	overrides map[string]*fnSpec
	// notifications and dashboard are decoded by notify.go.
	notifications Notifications
	dashboard     bool
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
		key := stackoutputs.OutputKey(m.key)
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
		p.envReleaseViews(eo, e)
		if nameOK {
			envs = append(envs, e)
		}
	}
	return envs, true
}

func (p *parser) resolveEnv(project field[string], e *envSpec, shared map[string]*fnSpec, names []string) Env {
	env := Env{Name: e.name, Account: e.account.v, Region: e.region.v, Notifications: e.notifications, Dashboard: e.dashboard}
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

// uniqueFunctionNames refuses two functions sharing a physical name in one account and
// region: the second stack would fail, or worse, take over the first one's function. An
// alias name is unique per function only, so two functions may share one; but the rollback
// alarms are named FUNCTION-ALIAS-vN-rollback, and an alarm name "must be unique within the
// Region" (SDK doc comment of PutMetricAlarmInput.AlarmName), where names with "-" can meet
// ("a-b" with alias "c", "a" with alias "b-c").
func (p *parser) uniqueFunctionNames(envs []Env) {
	seen, alarms := map[string]string{}, map[string]string{}
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
			fnAt := strings.TrimSuffix(at, ".function_name")
			alarm := resourcenames.RollbackAlarmName(fn.FunctionName, fn.Alias, "N")
			if first, dup := alarms[e.Account+"/"+e.Region+"/"+alarm]; dup {
				p.add(join(fnAt, "alias"), "got %s with function name %s: its rollback alarms would be named %s like those of %s; "+
					"want function and alias names whose FUNCTION-ALIAS differ in account %s, region %s",
					quote(fn.Alias), quote(fn.FunctionName), alarm, first, e.Account, e.Region)
				continue
			}
			alarms[e.Account+"/"+e.Region+"/"+alarm] = fnAt
		}
	}
}
