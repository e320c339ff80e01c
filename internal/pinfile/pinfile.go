// Package pinfile edits the pins in config/config.json the way a careful person would: only
// the values that change, in place, keeping the file's formatting, key order and line endings
// on every other line (JSON has no comments to keep), so the pull request that releases a
// version is a one-line diff. The edited
// bytes are checked with config.Parse before anything is written, and the file is replaced
// atomically (temporary file in the same directory, fsync, rename): a failed or interrupted
// run leaves config.json byte-identical.
package pinfile

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/golive-dev/golive/config"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"
)

// Rollout says what to do with a function's "rollout" key.
type Rollout int

const (
	// RolloutKeep leaves the key as it is.
	RolloutKeep Rollout = iota
	// RolloutDirect sets "rollout": "direct": CloudFormation moves the alias itself on the next
	// deploy, without CodeDeploy (first pin from $LATEST, re-recording a rolled-back version).
	RolloutDirect
	// RolloutDefault deletes a "direct" rollout so the next release goes through the canary
	// again. An explicit "canary" is left alone.
	RolloutDefault
	// RolloutNull deletes the key whatever it says (used with a null live_version).
	RolloutNull
)

// Pin is one function's new pin in one environment.
type Pin struct {
	Env      string
	Function string
	// Version is the version to pin ("8"); empty writes null (LIVE follows $LATEST).
	Version string
	Rollout Rollout
	// ClearAdditional deletes additional_versions (the alias's weighted split was cleared).
	// A null live_version deletes rollout and additional_versions whatever these say.
	ClearAdditional bool
}

// ErrChanged means config.json was modified by someone else since golive read it.
var ErrChanged = errors.New("config file changed since golive read it")

// Apply returns raw with the pins applied. It fails, and raw stays the caller's, when the
// result is not a valid config or does not read back as the requested pins.
func Apply(raw []byte, pins ...Pin) ([]byte, error) {
	out := raw
	for _, p := range pins {
		base := []string{"envs", p.Env, "lambda_functions", p.Function}
		var err error
		if out, err = setLiveVersion(out, base, p.Version); err != nil {
			return nil, fmt.Errorf("pin %s/%s: %w", p.Env, p.Function, err)
		}
		rollout := p.Rollout
		if p.Version == "" {
			// rollout and additional_versions apply only to a pinned version.
			rollout, p.ClearAdditional = RolloutNull, true
		}
		switch rollout {
		case RolloutNull:
			if gjson.GetBytes(out, path(append(base, "rollout"))).Exists() {
				out, err = sjson.DeleteBytes(out, path(append(base, "rollout")))
			}
		case RolloutDirect:
			out, err = set(out, append(base, "rollout"), `"direct"`)
		case RolloutDefault:
			if gjson.GetBytes(out, path(append(base, "rollout"))).String() == string(config.RolloutDirect) {
				out, err = sjson.DeleteBytes(out, path(append(base, "rollout")))
			}
		}
		if err != nil {
			return nil, fmt.Errorf("pin %s/%s: rollout: %w", p.Env, p.Function, err)
		}
		if p.ClearAdditional && gjson.GetBytes(out, path(append(base, "additional_versions"))).Exists() {
			if out, err = sjson.DeleteBytes(out, path(append(base, "additional_versions"))); err != nil {
				return nil, fmt.Errorf("pin %s/%s: additional_versions: %w", p.Env, p.Function, err)
			}
		}
	}
	cfg, err := config.Parse(out)
	if err != nil {
		return nil, fmt.Errorf("the edited config would be invalid, nothing written: %w", err)
	}
	for _, p := range pins {
		env, err := cfg.Env(p.Env)
		if err != nil {
			return nil, err
		}
		fn, err := env.Function(p.Function)
		if err != nil {
			return nil, err
		}
		if fn.LiveVersion != p.Version {
			return nil, fmt.Errorf("pin %s/%s: edited config reads live_version %q, want %q (is it overridden elsewhere?)",
				p.Env, p.Function, fn.LiveVersion, p.Version)
		}
	}
	return out, nil
}

// setLiveVersion writes the version as a string ("8"), or as a number where the file already
// used a number, or null.
func setLiveVersion(raw []byte, base []string, version string) ([]byte, error) {
	p := append(base[:len(base):len(base)], "live_version")
	value := "null"
	if version != "" {
		value = `"` + version + `"`
		if gjson.GetBytes(raw, path(p)).Type == gjson.Number {
			value = version
		}
	}
	return set(raw, p, value)
}

// set writes the raw JSON value at keys. An existing value is replaced in place; a missing key
// is inserted after the object's last member in the object's own layout (one line, or one
// member per line at the members' indentation), rather than sjson's compact append.
func set(raw []byte, keys []string, value string) ([]byte, error) {
	if gjson.GetBytes(raw, path(keys)).Exists() {
		return sjson.SetRawBytes(raw, path(keys), []byte(value))
	}
	// Deepest existing object on the way, then nest the rest inline: {"a": {"b": value}}.
	i := len(keys) - 1
	for i > 0 && !gjson.GetBytes(raw, path(keys[:i])).Exists() {
		i--
	}
	for j := len(keys) - 1; j > i; j-- {
		value = fmt.Sprintf(`{ %s: %s }`, quote(keys[j]), value)
	}
	var obj gjson.Result
	if i == 0 {
		obj = gjson.ParseBytes(raw)
		obj.Index = strings.Index(string(raw), obj.Raw)
	} else {
		obj = gjson.GetBytes(raw, path(keys[:i]))
	}
	if !obj.IsObject() {
		return nil, fmt.Errorf("%s is not an object", strings.Join(keys[:i], "."))
	}
	if obj.Index <= 0 && i > 0 {
		return nil, fmt.Errorf("cannot locate %s in the file", strings.Join(keys[:i], "."))
	}
	return insertMember(raw, obj.Index, obj.Raw, quote(keys[i])+": "+value), nil
}

// insertMember adds member (`"key": value`) at the end of the object that starts at raw[start]
// with text objRaw.
func insertMember(raw []byte, start int, objRaw, member string) []byte {
	end := start + len(objRaw) - 1 // the closing brace
	last := end - 1
	for last > start && isSpace(raw[last]) {
		last--
	}
	var ins string
	switch {
	case last == start: // empty object
		return splice(raw, start, end+1, "{ "+member+" }")
	case strings.Contains(objRaw, "\n"):
		ins = ",\n" + memberIndent(raw[start+1:end]) + member
	default:
		ins = ", " + member
	}
	return splice(raw, last+1, last+1, ins)
}

// memberIndent is the whitespace before the first member when it starts its own line.
func memberIndent(body []byte) string {
	first := bytes.IndexFunc(body, func(r rune) bool { return !isSpace(byte(r)) })
	if first < 0 {
		first = len(body)
	}
	lead := body[:first]
	if nl := bytes.LastIndexByte(lead, '\n'); nl >= 0 {
		return string(lead[nl+1:])
	}
	return "  "
}

func splice(raw []byte, from, to int, s string) []byte {
	out := make([]byte, 0, len(raw)+len(s))
	out = append(out, raw[:from]...)
	out = append(out, s...)
	return append(out, raw[to:]...)
}

func isSpace(b byte) bool { return b == ' ' || b == '\t' || b == '\n' || b == '\r' }

func quote(s string) string { return fmt.Sprintf("%q", s) }

func path(keys []string) string {
	esc := make([]string, len(keys))
	for i, k := range keys {
		esc[i] = gjson.Escape(k)
	}
	return strings.Join(esc, ".")
}

// Write replaces the file at path with updated, atomically, provided it still holds original
// (the bytes the caller read and edited); otherwise it returns ErrChanged and writes nothing.
// A symlinked config is written through to its target.
func Write(path string, original, updated []byte) (err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	current, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if !bytes.Equal(current, original) {
		return fmt.Errorf("%s: %w; rerun the command", path, ErrChanged)
	}
	if bytes.Equal(current, updated) {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".golive-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(updated); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err = tmp.Chmod(info.Mode().Perm()); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err = tmp.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err = tmp.Close(); err != nil {
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("replace %s: %w", path, err)
	}
	// The rename is durable only once the directory entry is.
	if d, derr := os.Open(dir); derr == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}
