package pinfile_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gofrs/flock"

	"github.com/golive-dev/golive/internal/pinfile"
	"github.com/golive-dev/golive/pins"
)

const base = `{
  "project": "demo",
  "lambda_functions": {
    "worker": { "entry": "functions/worker" },
    "api": { "entry": "functions/api", "deployment": { "type": "None" } }
  },
  "envs": {
    "sbx": {
      "account": "111111111111",
      "region": "us-east-1",
      "lambda_functions": { "worker": { "live_version": null } }
    },
    "prd": {
      "account": "333333333333",
      "region": "us-east-1",
      "lambda_functions": {
        "worker": {
          "live_version": "7",
          "rollout": "direct"
        },
        "api": {
          "live_version": 4,
          "additional_versions": { "3": 0.1 }
        }
      }
    }
  }
}
`

func TestApply(t *testing.T) {
	tests := []struct {
		name string
		pins []pinfile.Pin
		// edits are old -> new substrings, applied to base to build the expected file.
		edits [][2]string
	}{
		{
			name: "first pin adds direct in a one-line object",
			pins: []pinfile.Pin{{Env: "sbx", Function: "worker", Version: "3", Rollout: pinfile.RolloutDirect}},
			edits: [][2]string{{
				`"worker": { "live_version": null } }`,
				`"worker": { "live_version": "3", "rollout": "direct" } }`,
			}},
		},
		{
			name: "next release clears a leftover direct",
			pins: []pinfile.Pin{{Env: "prd", Function: "worker", Version: "8", Rollout: pinfile.RolloutDefault}},
			edits: [][2]string{{
				"\"live_version\": \"7\",\n          \"rollout\": \"direct\"\n",
				"\"live_version\": \"8\"\n",
			}},
		},
		{
			name:  "a number stays a number",
			pins:  []pinfile.Pin{{Env: "prd", Function: "api", Version: "5"}},
			edits: [][2]string{{`"live_version": 4,`, `"live_version": 5,`}},
		},
		{
			name: "rollback: direct and the split cleared",
			pins: []pinfile.Pin{{Env: "prd", Function: "api", Version: "2", Rollout: pinfile.RolloutDirect, ClearAdditional: true}},
			edits: [][2]string{{
				"\"live_version\": 4,\n          \"additional_versions\": { \"3\": 0.1 }\n",
				"\"live_version\": 2,\n          \"rollout\": \"direct\"\n",
			}},
		},
		{
			name: "a function only defined at top level gets its own entry",
			pins: []pinfile.Pin{{Env: "sbx", Function: "api", Version: "1", Rollout: pinfile.RolloutDirect}},
			edits: [][2]string{{
				`"worker": { "live_version": null } }`,
				`"worker": { "live_version": null }, "api": { "live_version": "1", "rollout": "direct" } }`,
			}},
		},
		{
			name: "back to null drops rollout",
			pins: []pinfile.Pin{{Env: "prd", Function: "worker", Version: ""}},
			edits: [][2]string{{
				"\"live_version\": \"7\",\n          \"rollout\": \"direct\"\n",
				"\"live_version\": null\n",
			}},
		},
		{
			name:  "an explicit canary stays",
			pins:  []pinfile.Pin{{Env: "prd", Function: "worker", Version: "7", Rollout: pinfile.RolloutKeep}},
			edits: nil,
		},
		{
			name: "rollback records the version it left",
			pins: []pinfile.Pin{{Env: "prd", Function: "api", Version: "3", Rollout: pinfile.RolloutDirect, ClearAdditional: true, RolledBack: "4"}},
			edits: [][2]string{{
				"\"live_version\": 4,\n          \"additional_versions\": { \"3\": 0.1 }\n",
				"\"live_version\": 3,\n          \"rollout\": \"direct\",\n          \"rolled_back\": \"4\"\n",
			}},
		},
		{
			name: "several pins at once",
			pins: []pinfile.Pin{
				{Env: "prd", Function: "worker", Version: "8", Rollout: pinfile.RolloutDefault},
				{Env: "prd", Function: "api", Version: "5"},
			},
			edits: [][2]string{
				{"\"live_version\": \"7\",\n          \"rollout\": \"direct\"\n", "\"live_version\": \"8\"\n"},
				{`"live_version": 4,`, `"live_version": 5,`},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := base
			for _, e := range tt.edits {
				if !strings.Contains(want, e[0]) {
					t.Fatalf("bad test: %q not in base", e[0])
				}
				want = strings.Replace(want, e[0], e[1], 1)
			}
			got, err := pinfile.Apply([]byte(base), tt.pins...)
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != want {
				t.Errorf("got:\n%s\nwant:\n%s", got, want)
			}
		})
	}
}

func TestApplyRefusesInvalidResult(t *testing.T) {
	tests := []struct {
		name, errHas string
		pin          pinfile.Pin
	}{
		{
			name:   "the live version equal to the weighted one",
			pin:    pinfile.Pin{Env: "prd", Function: "api", Version: "3"},
			errHas: "the live_version itself",
		},
		{
			name:   "unknown env",
			pin:    pinfile.Pin{Env: "qa", Function: "worker", Version: "3"},
			errHas: "would be invalid",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := pinfile.Apply([]byte(base), tt.pin)
			if err == nil || !strings.Contains(err.Error(), tt.errHas) {
				t.Fatalf("error = %v; want %q", err, tt.errHas)
			}
		})
	}
}

func TestWrite(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, []byte(base), 0o640); err != nil {
		t.Fatal(err)
	}
	pin := pinfile.Pin{Env: "prd", Function: "api", Version: "5"}
	updated, err := pinfile.Apply([]byte(base), pin)
	if err != nil {
		t.Fatal(err)
	}
	if err := pinfile.Write(context.Background(), path, []byte(base), pin); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != string(updated) {
		t.Errorf("file = %s", got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v; want 0640 kept", info.Mode().Perm())
	}
	// Only the config and its lock file: no temporary file is left.
	if entries, _ := os.ReadDir(dir); len(entries) != 2 || entries[0].Name() != ".config.json.lock" {
		t.Errorf("left behind: %v", entries)
	}
}

// Someone changed the file after golive read it. An edit elsewhere (another run's pin of
// another function, another setting) is kept and the pin applied on top of it; a change to
// the entry of the function being pinned refuses the write: golive decided the pin from what
// it read there.
func TestWriteOverOthersChanges(t *testing.T) {
	pin := pinfile.Pin{Env: "prd", Function: "api", Version: "5"}
	for _, tt := range []struct {
		name, theirs string
		changed      bool
	}{
		{"another setting", strings.Replace(base, `"project": "demo"`, `"project": "demo2"`, 1), false},
		{"another function's pin", strings.Replace(base, `"live_version": "7"`, `"live_version": "8"`, 1), false},
		{"the same function's pin", strings.Replace(base, `"live_version": 4`, `"live_version": 6`, 1), true},
		{"the same function's other fields", strings.Replace(base, `{ "3": 0.1 }`, `{ "3": 0.2 }`, 1), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "config.json")
			if err := os.WriteFile(path, []byte(tt.theirs), 0o644); err != nil {
				t.Fatal(err)
			}
			err := pinfile.Write(context.Background(), path, []byte(base), pin)
			got, _ := os.ReadFile(path)
			if tt.changed {
				if !errors.Is(err, pinfile.ErrChanged) || !strings.Contains(err.Error(), "envs.prd.lambda_functions.api: changed since golive read it") {
					t.Errorf("error = %v; want ErrChanged naming the entry", err)
				}
				if string(got) != tt.theirs {
					t.Error("file changed")
				}
				return
			}
			want, _ := pinfile.Apply([]byte(tt.theirs), pin)
			if err != nil || string(got) != string(want) {
				t.Errorf("error %v, file:\n%s\nwant their change and the pin:\n%s", err, got, want)
			}
		})
	}
}

func TestWriteThroughSymlink(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real.json")
	link := filepath.Join(dir, "config.json")
	if err := os.WriteFile(real, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(real, link); err != nil {
		t.Skip(err)
	}
	pin := pinfile.Pin{Env: "prd", Function: "api", Version: "5"}
	updated, _ := pinfile.Apply([]byte(base), pin)
	if err := pinfile.Write(context.Background(), link, []byte(base), pin); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("symlink replaced by a file")
	}
	if got, _ := os.ReadFile(real); string(got) != string(updated) {
		t.Error("target not updated")
	}
}

// A Windows checkout keeps CRLF line endings on the lines golive adds, and a pin clears the
// rolled_back a rollback left.
func TestApplyKeepsCRLF(t *testing.T) {
	crlf := strings.ReplaceAll(strings.Replace(base, `"rollout": "direct"`, `"rollout": "direct",`+"\n"+`          "rolled_back": "8"`, 1), "\n", "\r\n")
	got, err := pinfile.Apply([]byte(crlf),
		pinfile.Pin{Env: "prd", Function: "worker", Version: "9", Rollout: pinfile.RolloutDefault},
		pinfile.Pin{Env: "prd", Function: "api", Version: "3", Rollout: pinfile.RolloutDirect, ClearAdditional: true, RolledBack: "4"})
	if err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(string(got), "\n"); n != strings.Count(string(got), "\r\n") {
		t.Errorf("%d LF lines without CR:\n%q", n-strings.Count(string(got), "\r\n"), got)
	}
	for _, want := range []string{"\"live_version\": \"9\"\r\n        },", "\"rollout\": \"direct\",\r\n          \"rolled_back\": \"4\"\r\n"} {
		if !strings.Contains(string(got), want) {
			t.Errorf("lacks %q:\n%s", want, got)
		}
	}
}

// Runs that read the same file at once and each write a pin: the pins of different functions
// all land (the runs serialize on the lock), of one function exactly one wins and the others
// are refused, and the file is never a mix or missing a winner's pin.
func TestConcurrentWritesSerialize(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	functions := []string{"api", "worker"}
	for round := range 4 {
		if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
			t.Fatal(err)
		}
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		pins := make([]pinfile.Pin, n)
		for i := range n {
			pins[i] = pinfile.Pin{Env: "prd", Function: functions[i%2], Version: fmt.Sprint(10 + i)}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = pinfile.Write(context.Background(), path, []byte(base), pins[i])
			}()
		}
		wg.Wait()
		won := map[string]int{}
		var winners []pinfile.Pin
		for i, err := range errs {
			fn := pins[i].Function
			switch {
			case err == nil && won[fn] > 0:
				t.Fatalf("round %d: two writers of %s succeeded: one pin is lost", round, fn)
			case err == nil:
				won[fn] = 10 + i
				winners = append(winners, pins[i])
			case !errors.Is(err, pinfile.ErrChanged):
				t.Fatalf("round %d: writer %d: %v", round, i, err)
			}
		}
		if len(winners) != len(functions) {
			t.Fatalf("round %d: winners %v; want one per function", round, winners)
		}
		want, _ := pinfile.Apply([]byte(base), winners...)
		if got, _ := os.ReadFile(path); string(got) != string(want) {
			t.Fatalf("round %d: winners %v, file:\n%s", round, winners, got)
		}
	}
}

// A temporary file left by a killed run does not stop the next write, which removes it.
func TestWriteRemovesStaleTemp(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "config.json")
	stale := filepath.Join(dir, ".config.json.golive-123456")
	for _, f := range []string{path, stale} {
		if err := os.WriteFile(f, []byte(base), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := pinfile.Write(context.Background(), path, []byte(base), pinfile.Pin{Env: "prd", Function: "api", Version: "5"}); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(stale); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stale temporary file kept: %v", err)
	}
}

// A read-only config is refused up front (CheckWritable) and by Write, even for root, whom
// the permission bits do not stop: rename would replace it silently.
func TestReadOnlyConfigRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(base), 0o444); err != nil {
		t.Fatal(err)
	}
	const want = "is read-only (mode 0444)"
	if err := pinfile.CheckWritable(path); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("CheckWritable: %v; want %q", err, want)
	}
	if err := pinfile.Write(context.Background(), path, []byte(base), pinfile.Pin{Env: "prd", Function: "api", Version: "5"}); err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("Write: %v; want %q", err, want)
	}
	if got, _ := os.ReadFile(path); string(got) != base {
		t.Error("read-only file replaced")
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pinfile.CheckWritable(path); err != nil {
		t.Errorf("writable file: %v", err)
	}
}

// A lock held elsewhere (another process: flock is per open file) makes Write wait for it,
// and give up when the caller's context ends.
func TestWriteWaitsForLock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	other := flock.New(pinfile.LockPath(path))
	if err := other.Lock(); err != nil {
		t.Fatal(err)
	}
	pin := pinfile.Pin{Env: "prd", Function: "api", Version: "5"}
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	if err := pinfile.Write(ctx, path, []byte(base), pin); err == nil || !strings.Contains(err.Error(), "lock ") {
		t.Errorf("Write under another's lock: %v", err)
	}
	if got, _ := os.ReadFile(path); string(got) != base {
		t.Error("written without the lock")
	}
	go func() { time.Sleep(100 * time.Millisecond); other.Unlock() }()
	if err := pinfile.Write(context.Background(), path, []byte(base), pin); err != nil {
		t.Errorf("Write after the lock was released: %v", err)
	}
}

// CheckWritable's probe file looks like a stale temporary file to a concurrent Write, which
// may remove it first: the check must not fail for that.
func TestCheckWritableWhileAnotherRunWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(base), 0o644); err != nil {
		t.Fatal(err)
	}
	pins := []pinfile.Pin{{Env: "prd", Function: "api", Version: "5"}, {Env: "prd", Function: "api", Version: "4"}}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := 0; ctx.Err() == nil; i++ {
			current, _ := os.ReadFile(path)
			if err := pinfile.Write(ctx, path, current, pins[i%2]); err != nil && ctx.Err() == nil {
				t.Errorf("write: %v", err)
				return
			}
		}
	}()
	for i := range 500 {
		if err := pinfile.CheckWritable(path); err != nil {
			t.Errorf("check %d: %v", i, err)
			break
		}
	}
	cancel()
	<-done
}

// TestPinsFileRoundTrip: the same minimal-diff edits in a pins file (package pins), read back
// by pins.Parse: a pin changed in place, a new function and a new environment added in the
// file's own layout, a rollback recorded and then cleared by the next release.
func TestPinsFileRoundTrip(t *testing.T) {
	const before = `{
  "prd": {
    "orders": { "live_version": "7" }
  }
}
`
	out, err := pinfile.PinsFile.Apply([]byte(before),
		pinfile.Pin{Env: "prd", Function: "orders", Version: "6", Rollout: pinfile.RolloutDirect, RolledBack: "7"},
		pinfile.Pin{Env: "prd", Function: "notify", Version: "2", Rollout: pinfile.RolloutDirect},
		pinfile.Pin{Env: "sbx", Function: "orders", Version: ""},
	)
	if err != nil {
		t.Fatal(err)
	}
	want := `{
  "prd": {
    "orders": { "live_version": "6", "rollout": "direct", "rolled_back": "7" },
    "notify": { "live_version": "2", "rollout": "direct" }
  },
  "sbx": { "orders": { "live_version": null } }
}
`
	if string(out) != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
	f, err := pins.Parse(out)
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := f.Pin("prd", "orders"); p != (pins.Pin{LiveVersion: "6", Rollout: "direct", RolledBack: "7"}) {
		t.Errorf("read back %+v", p)
	}
	// The next release: a canary again, the rollback record gone.
	out, err = pinfile.PinsFile.Apply(out, pinfile.Pin{Env: "prd", Function: "orders", Version: "8", Rollout: pinfile.RolloutDefault})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"orders": { "live_version": "8" }`) {
		t.Errorf("after the release:\n%s", out)
	}
	// What pins.Parse refuses is never written.
	if _, err := pinfile.PinsFile.Apply([]byte(`{"prd": {"orders": {"live_version": "7", "extra": 1}}}`),
		pinfile.Pin{Env: "prd", Function: "orders", Version: "8"}); err == nil || !strings.Contains(err.Error(), "prd.orders.extra: unknown field") {
		t.Errorf("invalid file: %v", err)
	}
	// Write: atomic, under the lock, like config.json.
	path := filepath.Join(t.TempDir(), "pins.json")
	if err := os.WriteFile(path, []byte(before), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := pinfile.PinsFile.Write(context.Background(), path, []byte(before), pinfile.Pin{Env: "prd", Function: "orders", Version: "8"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(path); string(b) != strings.Replace(before, `"7"`, `"8"`, 1) {
		t.Errorf("written:\n%s", b)
	}
}
