// Package pins reads a pins file: the versions the LIVE aliases of an app of one's own serve,
// per environment and function, in a file reviewed like code. It is the config-driven release
// loop of golive's own app (config/config.json's live_version) for any Go CDK app: the stack
// passes a function's pin to versionedfunction.Props, and a release is a one-line change to
// the file.
//
//	{
//	  "$schema": "https://raw.githubusercontent.com/golive-dev/golive/main/pins/pins.schema.json",
//	  "prd": { "orders": { "live_version": "7" }, "notify": { "live_version": "3", "rollout": "direct" } },
//	  "sbx": { "orders": { "live_version": null } }
//	}
//
// Each environment maps function names (the app's own keys) to a pin: live_version is null
// (LIVE follows $LATEST) or a published version, a positive integer of at most 15 digits
// without a leading zero, as a string or a number; rollout, optional, is "canary" or
// "direct" (who moves a pinned alias, see versionedfunction.Rollout); rolled_back, optional,
// is the version a rollback moved LIVE away from, which a release must not pin again.
// pins.schema.json describes the same for editors.
//
// The package is plain Go, without jsii or the AWS SDK, like package config, so that it is
// as cheap to import into a CDK app as into a test. It is its own package rather than part of
// config because config reads golive's own app's file, with its projects, accounts and
// deployment settings, while a pins file holds nothing but pins.
//
// The golive CLI reads and writes a pins file too (golive publish --pin, rollback and prune
// with --stack NAME --pins FILE): it keys the environment by the stack's name and the
// function by the VersionedFunction's construct id, so an app whose pins file the CLI
// writes keys it the same way.
package pins

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/readlimit"
)

// MaxFileBytes is the largest pins file Load reads: far above any real one (a pin is about 40
// bytes), and a bound on what a wrong path (/dev/zero) costs.
const MaxFileBytes = 1 << 20

// The values of a pin's rollout, who moves a pinned LIVE alias (versionedfunction.Rollout).
const (
	// RolloutCanary: CodeDeploy shifts LIVE to the new version through the function's
	// deployment (the default when rollout is absent).
	RolloutCanary = "canary"
	// RolloutDirect: CloudFormation moves LIVE at once, without a canary, as for a first pin
	// (CodeDeploy cannot shift from $LATEST) or to re-record a rollback.
	RolloutDirect = "direct"
)

// Pin is one function's pin in one environment.
type Pin struct {
	// LiveVersion is the published version LIVE serves ("7"), or "" when LIVE follows $LATEST
	// (null in the file).
	LiveVersion string
	// Rollout is "", RolloutCanary or RolloutDirect.
	Rollout string
	// RolledBack is the version a rollback moved LIVE away from, "" when none.
	RolledBack string
}

// Pinned says whether LIVE serves a published version rather than $LATEST.
func (p Pin) Pinned() bool { return p.LiveVersion != "" }

// File is a parsed pins file.
type File struct {
	envs map[string]map[string]Pin
}

// Load reads and parses the pins file at path, at most MaxFileBytes.
func Load(path string) (*File, error) {
	data, err := readlimit.File(context.Background(), path, MaxFileBytes)
	if err != nil {
		return nil, fmt.Errorf("read pins: %w", err)
	}
	f, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("pins %s: %w", path, err)
	}
	return f, nil
}

// Parse parses a pins file. It reports every problem at once, each with its JSON path, the
// bad value and what is allowed.
func Parse(data []byte) (*File, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil || top == nil {
		return nil, fmt.Errorf("not a JSON object of environments: want {\"ENV\": {\"FUNCTION\": {\"live_version\": \"N\"}}}")
	}
	f := &File{envs: map[string]map[string]Pin{}}
	var problems []string
	bad := func(path string, v json.RawMessage, allowed string) {
		problems = append(problems, fmt.Sprintf("%s: got %s; want %s", path, show(v), allowed))
	}
	for _, env := range sortedKeys(top) {
		if env == "$schema" {
			continue
		}
		var fns map[string]json.RawMessage
		if err := json.Unmarshal(top[env], &fns); err != nil || fns == nil {
			bad(env, top[env], `an object of functions, such as {"worker": {"live_version": "7"}}`)
			continue
		}
		f.envs[env] = map[string]Pin{}
		for _, fn := range sortedKeys(fns) {
			path := env + "." + fn
			var fields map[string]json.RawMessage
			if err := json.Unmarshal(fns[fn], &fields); err != nil || fields == nil {
				bad(path, fns[fn], `an object such as {"live_version": "7"} or {"live_version": null}`)
				continue
			}
			var p Pin
			lv, ok := fields["live_version"]
			null := ok && string(bytes.TrimSpace(lv)) == "null"
			if !ok {
				problems = append(problems, path+".live_version: missing; want null (LIVE follows $LATEST) or a published version such as \"7\"")
			} else if v, ok := version(lv, true); ok {
				p.LiveVersion = v
			} else {
				bad(path+".live_version", lv, "null (LIVE follows $LATEST) or "+lambdarules.Version.Allowed)
			}
			if r, ok := fields["rollout"]; ok {
				var s string
				if json.Unmarshal(r, &s) != nil || (s != RolloutCanary && s != RolloutDirect) {
					bad(path+".rollout", r, `"canary" or "direct"`)
				} else if null {
					bad(path+".rollout", r, "no rollout with a null live_version (nothing to roll out)")
				} else {
					p.Rollout = s
				}
			}
			if r, ok := fields["rolled_back"]; ok {
				if v, ok := version(r, false); ok {
					p.RolledBack = v
				} else {
					bad(path+".rolled_back", r, lambdarules.Version.Allowed)
				}
			}
			for _, k := range sortedKeys(fields) {
				if k != "live_version" && k != "rollout" && k != "rolled_back" {
					problems = append(problems, fmt.Sprintf("%s.%s: unknown field; want live_version, rollout or rolled_back", path, k))
				}
			}
			f.envs[env][fn] = p
		}
	}
	if len(problems) > 0 {
		return nil, errors.New(strings.Join(problems, "\n"))
	}
	return f, nil
}

// Pin returns function's pin in env. A missing env or function is an error naming the
// ones the file has: a typo must not deploy $LATEST.
func (f *File) Pin(env, function string) (Pin, error) {
	fns, ok := f.envs[env]
	if !ok {
		return Pin{}, fmt.Errorf("environment %q is not in the pins file; want one of: %s", env, strings.Join(f.Envs(), ", "))
	}
	p, ok := fns[function]
	if !ok {
		return Pin{}, fmt.Errorf("%s: function %q is not in the pins file; want one of: %s", env, function, strings.Join(f.Functions(env), ", "))
	}
	return p, nil
}

// Envs lists the file's environments, sorted.
func (f *File) Envs() []string {
	out := make([]string, 0, len(f.envs))
	for e := range f.envs {
		out = append(out, e)
	}
	sort.Strings(out)
	return out
}

// Functions lists env's functions, sorted.
func (f *File) Functions(env string) []string {
	out := make([]string, 0, len(f.envs[env]))
	for fn := range f.envs[env] {
		out = append(out, fn)
	}
	sort.Strings(out)
	return out
}

// version reads a published version: a positive integer as a string or a JSON number,
// written as lambdarules.ValidVersion takes it (no leading zero, at most 15 digits), or null
// when nullOK.
func version(raw json.RawMessage, nullOK bool) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if string(raw) == "null" {
		return "", nullOK
	}
	var s string
	if err := json.Unmarshal(raw, &s); err != nil {
		s = string(raw) // a number
	}
	if !lambdarules.ValidVersion(s) {
		return "", false
	}
	return s, true
}

func show(v json.RawMessage) string {
	s := string(bytes.TrimSpace(v))
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

func sortedKeys[V any](m map[string]V) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}
