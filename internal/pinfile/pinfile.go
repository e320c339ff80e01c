// Package pinfile edits the pins in config/config.json the way a careful person would: only
// the values that change, in place, keeping the file's formatting, key order and line endings
// on every other line (JSON has no comments to keep), so the pull request that releases a
// version is a one-line diff. The edited
// bytes are checked with config.Parse before anything is written, and the file is replaced
// atomically (temporary file in the same directory, fsync, rename): a failed or interrupted
// run leaves config.json byte-identical.
//
// Concurrent runs serialize on a lock file beside the config (.config.json.lock, an flock(2)
// lock through github.com/gofrs/flock, so the kernel drops it when a run dies), held only for
// the read-modify-write of Write, never while golive waits on AWS: Write reads the file again
// under the lock and applies the pins to what is there now. A run never overwrites pins it did
// not read: Write refuses when the entry of a function it pins changed since the caller read
// the file.
package pinfile

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/gofrs/flock"
	"github.com/tidwall/gjson"
	"github.com/tidwall/sjson"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/readlimit"
	"github.com/golive-dev/golive/pins"
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
	// A null live_version deletes rollout, additional_versions and rolled_back whatever
	// these say.
	ClearAdditional bool
	// RolledBack is written as rolled_back (the version a rollback moved LIVE away from);
	// "" deletes it.
	RolledBack string
}

// ErrChanged means the entry of a function golive pins was modified by someone else since
// golive read config.json.
var ErrChanged = errors.New("changed since golive read it")

// Layout is a kind of file that holds pins: where a function's entry is, and how the edited
// file is checked before it is written.
type Layout struct {
	entry func(env, function string) []string
	// check parses the edited file and returns each pin's live_version as it reads back.
	check func(out []byte, pins []Pin) ([]string, error)
}

// Config is golive's config.json: envs.ENV.lambda_functions.FUNCTION, checked by
// config.Parse.
var Config = Layout{
	entry: func(env, fn string) []string { return []string{"envs", env, "lambda_functions", fn} },
	check: func(out []byte, pins []Pin) ([]string, error) {
		cfg, err := config.Parse(out)
		if err != nil {
			return nil, fmt.Errorf("the edited config would be invalid, nothing written: %w", err)
		}
		var got []string
		for _, p := range pins {
			env, err := cfg.Env(p.Env)
			if err != nil {
				return nil, err
			}
			fn, err := env.Function(p.Function)
			if err != nil {
				return nil, err
			}
			got = append(got, fn.LiveVersion)
		}
		return got, nil
	},
}

// PinsFile is a pins file (package pins): ENV.FUNCTION, checked by pins.Parse. A function
// not in the file yet gets an entry.
var PinsFile = Layout{
	entry: func(env, fn string) []string { return []string{env, fn} },
	check: func(out []byte, ps []Pin) ([]string, error) {
		f, err := pins.Parse(out)
		if err != nil {
			return nil, fmt.Errorf("the edited pins file would be invalid, nothing written: %w", err)
		}
		var got []string
		for _, p := range ps {
			pin, err := f.Pin(p.Env, p.Function)
			if err != nil {
				return nil, err
			}
			got = append(got, pin.LiveVersion)
		}
		return got, nil
	},
}

// Apply returns raw, a config.json, with the pins applied (Config.Apply).
func Apply(raw []byte, pins ...Pin) ([]byte, error) { return Config.Apply(raw, pins...) }

// Apply returns raw with the pins applied. It fails, and raw stays the caller's, when the
// result is not a valid file of its layout or does not read back as the requested pins.
func (l Layout) Apply(raw []byte, pins ...Pin) ([]byte, error) {
	out := raw
	for _, p := range pins {
		base := l.entry(p.Env, p.Function)
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
			if gjson.GetBytes(out, keyPath(append(base, "rollout"))).Exists() {
				out, err = sjson.DeleteBytes(out, keyPath(append(base, "rollout")))
			}
		case RolloutDirect:
			out, err = set(out, append(base, "rollout"), `"direct"`)
		case RolloutDefault:
			if gjson.GetBytes(out, keyPath(append(base, "rollout"))).String() == string(config.RolloutDirect) {
				out, err = sjson.DeleteBytes(out, keyPath(append(base, "rollout")))
			}
		}
		if err != nil {
			return nil, fmt.Errorf("pin %s/%s: rollout: %w", p.Env, p.Function, err)
		}
		rb := append(base[:len(base):len(base)], "rolled_back")
		switch {
		case p.RolledBack != "" && p.Version != "":
			out, err = set(out, rb, `"`+p.RolledBack+`"`)
		case gjson.GetBytes(out, keyPath(rb)).Exists():
			out, err = sjson.DeleteBytes(out, keyPath(rb))
		}
		if err != nil {
			return nil, fmt.Errorf("pin %s/%s: rolled_back: %w", p.Env, p.Function, err)
		}
		if p.ClearAdditional && gjson.GetBytes(out, keyPath(append(base, "additional_versions"))).Exists() {
			if out, err = sjson.DeleteBytes(out, keyPath(append(base, "additional_versions"))); err != nil {
				return nil, fmt.Errorf("pin %s/%s: additional_versions: %w", p.Env, p.Function, err)
			}
		}
	}
	got, err := l.check(out, pins)
	if err != nil {
		return nil, err
	}
	for i, p := range pins {
		if got[i] != p.Version {
			return nil, fmt.Errorf("pin %s/%s: edited file reads live_version %q, want %q (is it overridden elsewhere?)",
				p.Env, p.Function, got[i], p.Version)
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
		if gjson.GetBytes(raw, keyPath(p)).Type == gjson.Number {
			value = version
		}
	}
	return set(raw, p, value)
}

// set writes the raw JSON value at keys. An existing value is replaced in place; a missing key
// is inserted after the object's last member in the object's own layout (one line, or one
// member per line at the members' indentation), rather than sjson's compact append.
func set(raw []byte, keys []string, value string) ([]byte, error) {
	if gjson.GetBytes(raw, keyPath(keys)).Exists() {
		return sjson.SetRawBytes(raw, keyPath(keys), []byte(value))
	}
	// Deepest existing object on the way, then nest the rest inline: {"a": {"b": value}}.
	i := len(keys) - 1
	for i > 0 && !gjson.GetBytes(raw, keyPath(keys[:i])).Exists() {
		i--
	}
	for j := len(keys) - 1; j > i; j-- {
		value = fmt.Sprintf(`{ %s: %s }`, quote(keys[j]), value)
	}
	var obj gjson.Result
	if i == 0 {
		obj = gjson.ParseBytes(raw)
		// The document's Raw may carry the file's trailing newline: insertMember needs the
		// object itself, ending at its closing brace.
		obj.Raw = strings.TrimSpace(obj.Raw)
		obj.Index = strings.Index(string(raw), obj.Raw)
	} else {
		obj = gjson.GetBytes(raw, keyPath(keys[:i]))
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
		nl := "\n"
		if bytes.Contains(raw, []byte("\r\n")) {
			nl = "\r\n" // keep a Windows checkout's line endings
		}
		ins = "," + nl + memberIndent(raw[start+1:end]) + member
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

func keyPath(keys []string) string {
	esc := make([]string, len(keys))
	for i, k := range keys {
		esc[i] = gjson.Escape(k)
	}
	return strings.Join(esc, ".")
}

// LockTimeout bounds the wait for another golive's read-modify-write of the same file, which
// holds the lock for milliseconds.
const LockTimeout = 30 * time.Second

// LockPath is the lock file beside the config at path.
func LockPath(path string) string {
	return filepath.Join(filepath.Dir(path), "."+filepath.Base(path)+".lock")
}

// tempPattern names Write's temporary files; one left by a killed run is removed by the next
// Write under the lock, and nothing else reads them.
func tempPattern(path string) string { return "." + filepath.Base(path) + ".golive-*" }

// CheckWritable refuses, before anything is published or moved, a config that Write could not
// replace or that its owner marked read-only (rename would replace a read-only file silently).
func CheckWritable(path string) error {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o): golive writes the pins into it; make it writable (chmod u+w) or run without --pin", path, info.Mode().Perm())
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), tempPattern(path))
	if err != nil {
		return fmt.Errorf("%s cannot be replaced: golive writes the pins through a new file in its directory: %w", path, err)
	}
	tmp.Close()
	// A concurrent Write may have removed it already, as a stale temporary file.
	if err := os.Remove(tmp.Name()); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("%s: remove the probe file: %w", path, err)
	}
	return nil
}

// Write applies pins to the file at path, atomically, under the lock beside it (ctx bounds
// the wait for it). Under the lock it reads the file again: when it still holds original (the
// bytes the caller read and planned the pins from), or when only other parts changed
// meanwhile (another run pinned other functions, someone edited other settings), it applies
// the pins to what is there now, so that concurrent runs serialize instead of failing. When
// the entry of a function it pins changed, it returns ErrChanged and writes nothing: a run
// never overwrites pins it did not read. A symlinked config is written through to its
// target.
func Write(ctx context.Context, path string, original []byte, pins ...Pin) error {
	return Config.Write(ctx, path, original, pins...)
}

// Write is the package's Write for a file of layout l.
func (l Layout) Write(ctx context.Context, path string, original []byte, pins ...Pin) (err error) {
	if real, err := filepath.EvalSymlinks(path); err == nil {
		path = real
	}
	lock := flock.New(LockPath(path))
	lctx, cancel := context.WithTimeout(ctx, LockTimeout)
	defer cancel()
	ok, err := lock.TryLockContext(lctx, 50*time.Millisecond)
	if !ok || err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("lock %s: %w", LockPath(path), context.Cause(ctx))
		}
		if err == nil || errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("another golive has held it for %s", LockTimeout)
		}
		return fmt.Errorf("lock %s: %w", LockPath(path), err)
	}
	defer lock.Unlock()
	removeStaleTemps(path)
	current, err := readlimit.File(ctx, path, config.MaxFileBytes)
	if err != nil {
		return err
	}
	for _, p := range pins {
		entry := keyPath(l.entry(p.Env, p.Function))
		if gjson.GetBytes(current, entry).Raw != gjson.GetBytes(original, entry).Raw {
			return fmt.Errorf("%s: envs.%s.lambda_functions.%s: %w; rerun the command", path, p.Env, p.Function, ErrChanged)
		}
	}
	updated, err := l.Apply(current, pins...)
	if err != nil {
		return err
	}
	return replace(path, current, updated)
}

func removeStaleTemps(path string) {
	stale, _ := filepath.Glob(filepath.Join(filepath.Dir(path), tempPattern(path)))
	for _, f := range stale {
		_ = os.Remove(f)
	}
}

// replace writes updated over current, the file's bytes read under the lock.
func replace(path string, current, updated []byte) (err error) {
	if bytes.Equal(current, updated) {
		return nil
	}
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only (mode %04o), left unchanged", path, info.Mode().Perm())
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, tempPattern(path))
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
