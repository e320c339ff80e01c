package pinfile_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/pinfile"
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
	updated, err := pinfile.Apply([]byte(base), pinfile.Pin{Env: "prd", Function: "api", Version: "5"})
	if err != nil {
		t.Fatal(err)
	}
	if err := pinfile.Write(path, []byte(base), updated); err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(path)
	if string(got) != string(updated) {
		t.Errorf("file = %s", got)
	}
	if info, _ := os.Stat(path); info.Mode().Perm() != 0o640 {
		t.Errorf("mode %v; want 0640 kept", info.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Errorf("left behind: %v", entries)
	}
}

// Someone edited the file after golive read it: nothing is written.
func TestWriteRefusesChangedFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config.json")
	theirs := strings.Replace(base, `"project": "demo"`, `"project": "demo2"`, 1)
	if err := os.WriteFile(path, []byte(theirs), 0o644); err != nil {
		t.Fatal(err)
	}
	updated, _ := pinfile.Apply([]byte(base), pinfile.Pin{Env: "prd", Function: "api", Version: "5"})
	err := pinfile.Write(path, []byte(base), updated)
	if !errors.Is(err, pinfile.ErrChanged) {
		t.Fatalf("error = %v; want ErrChanged", err)
	}
	if got, _ := os.ReadFile(path); string(got) != theirs {
		t.Error("file changed")
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
	updated, _ := pinfile.Apply([]byte(base), pinfile.Pin{Env: "prd", Function: "api", Version: "5"})
	if err := pinfile.Write(link, []byte(base), updated); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Lstat(link); fi.Mode()&os.ModeSymlink == 0 {
		t.Error("symlink replaced by a file")
	}
	if got, _ := os.ReadFile(real); string(got) != string(updated) {
		t.Error("target not updated")
	}
}
