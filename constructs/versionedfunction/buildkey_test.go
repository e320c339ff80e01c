package versionedfunction

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// A handler module with a package outside the entry directory, no third-party imports
// (builds offline) and its own build cache root.
func handlerModule(t *testing.T) (entry string, writeGreet func(string)) {
	t.Helper()
	mod := t.TempDir()
	// The go command keeps its build cache under XDG_CACHE_HOME too: pin it first.
	if os.Getenv("GOCACHE") == "" {
		base, err := os.UserCacheDir()
		if err != nil {
			t.Fatal(err)
		}
		t.Setenv("GOCACHE", filepath.Join(base, "go-build"))
	}
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	write := func(rel, content string) {
		path := filepath.Join(mod, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("go.mod", "module example.com/handler\n\ngo 1.26\n")
	write("cmd/handler/main.go", "package main\n\nimport \"example.com/handler/greet\"\n\nfunc main() { println(greet.Hello) }\n")
	writeGreet = func(s string) { write("greet/greet.go", "package greet\n\nconst Hello = \""+s+"\"\n") }
	writeGreet("hello")
	return filepath.Join(mod, "cmd", "handler"), writeGreet
}

// failingGoBuild puts a go command on PATH that runs every subcommand but build, which it
// fails: a buildGo that succeeds under it did not run go build.
func failingGoBuild(t *testing.T) {
	t.Helper()
	real, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	bin := t.TempDir()
	script := "#!/bin/sh\nif [ \"$1\" = build ]; then echo 'go build ran' >&2; exit 1; fi\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
}

// forgetBuilds drops the per-process memo, as a new synth starts without it.
func forgetBuilds() { builds = sync.Map{} }

func TestUnchangedInputsSkipGoBuild(t *testing.T) {
	entry, writeGreet := handlerModule(t)
	t.Cleanup(forgetBuilds)
	dir, sha, err := buildGo(entry, Arm64, nil)
	if err != nil {
		t.Fatal(err)
	}

	forgetBuilds()
	failingGoBuild(t)
	dir2, sha2, err := buildGo(entry, Arm64, nil)
	if err != nil || dir2 != dir || sha2 != sha {
		t.Fatalf("second build of unchanged inputs: %s %s %v; want the recorded %s %s without go build", dir2, sha2, err, dir, sha)
	}

	// A package outside the entry directory changes: the record no longer applies.
	writeGreet("bonjour")
	forgetBuilds()
	if _, _, err := buildGo(entry, Arm64, nil); err == nil || !strings.Contains(err.Error(), "go build ran") {
		t.Fatalf("after editing a dependency: err %v; want go build to run", err)
	}
	// Another architecture is another build.
	forgetBuilds()
	if _, _, err := buildGo(entry, X86_64, nil); err == nil || !strings.Contains(err.Error(), "go build ran") {
		t.Fatalf("x86_64 after arm64: err %v; want go build to run", err)
	}
}

func TestChangedInputsRebuild(t *testing.T) {
	entry, writeGreet := handlerModule(t)
	t.Cleanup(forgetBuilds)
	_, sha, err := buildGo(entry, Arm64, nil)
	if err != nil {
		t.Fatal(err)
	}
	writeGreet("bonjour")
	forgetBuilds()
	_, sha2, err := buildGo(entry, Arm64, nil)
	if err != nil {
		t.Fatal(err)
	}
	if sha2 == sha {
		t.Errorf("binary hash unchanged after editing a dependency: %s", sha)
	}
	// Going back finds the first build's record and output again.
	writeGreet("hello")
	forgetBuilds()
	failingGoBuild(t)
	if _, sha3, err := buildGo(entry, Arm64, nil); err != nil || sha3 != sha {
		t.Errorf("after restoring the source: %s %v; want the first build %s from the cache", sha3, err, sha)
	}
}

func TestDamagedCacheRebuilds(t *testing.T) {
	entry, _ := handlerModule(t)
	t.Cleanup(forgetBuilds)
	dir, _, err := buildGo(entry, Arm64, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("not the binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	forgetBuilds()
	failingGoBuild(t)
	if _, _, err := buildGo(entry, Arm64, nil); err == nil || !strings.Contains(err.Error(), "go build ran") {
		t.Errorf("with the recorded binary overwritten: err %v; want a rebuild, not the damaged file", err)
	}
}

func TestUnloadablePackageReportsGoBuildError(t *testing.T) {
	entry, writeGreet := handlerModule(t)
	t.Cleanup(forgetBuilds)
	writeGreet(`broken" + `)
	_, _, err := buildGo(entry, Arm64, nil)
	if err == nil || !strings.Contains(err.Error(), "go build") || !strings.Contains(err.Error(), "greet.go") {
		t.Errorf("err = %v; want go build's message naming greet.go", err)
	}
}

// Each build option is part of the build key: after one build, changing any of them runs
// go build again, and the same options find the recorded build without it.
func TestBuildOptionsAreInTheKey(t *testing.T) {
	entry, _ := handlerModule(t)
	t.Cleanup(forgetBuilds)
	base := &Build{Tags: []string{"prod"}, LDFlags: "-s", Env: map[string]string{"GOPRIVATE": "example.com", "GOFLAGS": "-p=2"}}
	if _, _, err := buildGo(entry, Arm64, base); err != nil {
		t.Fatal(err)
	}
	changed := map[string]*Build{
		"tags":      {Tags: []string{"staging"}, LDFlags: base.LDFlags, Env: base.Env},
		"ldflags":   {Tags: base.Tags, LDFlags: "-s -w", Env: base.Env},
		"env value": {Tags: base.Tags, LDFlags: base.LDFlags, Env: map[string]string{"GOPRIVATE": "example.org", "GOFLAGS": "-p=2"}},
		"env name":  {Tags: base.Tags, LDFlags: base.LDFlags, Env: map[string]string{"GOPRIVATE": "example.com", "GOFLAGS": "-p=2", "GONOSUMDB": "x"}},
		"goflags":   {Tags: base.Tags, LDFlags: base.LDFlags, Env: map[string]string{"GOPRIVATE": "example.com", "GOFLAGS": "-p=1"}},
		"none":      nil,
	}
	failingGoBuild(t)
	forgetBuilds()
	if _, _, err := buildGo(entry, Arm64, &Build{Tags: []string{"prod"}, LDFlags: "-s", Env: map[string]string{"GOFLAGS": "-p=2", "GOPRIVATE": "example.com"}}); err != nil {
		t.Fatalf("same options again: %v; want the recorded build", err)
	}
	for name, opts := range changed {
		forgetBuilds()
		if _, _, err := buildGo(entry, Arm64, opts); err == nil || !strings.Contains(err.Error(), "go build ran") {
			t.Errorf("%s changed: err %v; want go build to run", name, err)
		}
	}
}

// What Build sets reaches the go command, on top of the reproducible defaults.
func TestBuildOptionsReachTheBinary(t *testing.T) {
	entry, _ := handlerModule(t)
	t.Cleanup(forgetBuilds)
	// A file only the tag compiles, and a variable only -X sets.
	if err := os.WriteFile(filepath.Join(entry, "tagged.go"), []byte("//go:build golivetest\n\npackage main\n\nvar Version = \"unset\"\n\nfunc init() { println(\"tagged\", Version) }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, _, err := buildGo(entry, Arm64, &Build{Tags: []string{"golivetest"}, LDFlags: "-X main.Version=v1.2.3-golive"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, "bootstrap"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"tagged", "v1.2.3-golive", "-trimpath=true", "CGO_ENABLED=0", "-tags=lambda.norpc,golivetest"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("binary lacks %q (tag, -X or default flag not applied)", want)
		}
	}
	// -ldflags=-buildid= is kept beside the user's -X (trimpath leaves ldflags out of the
	// build info, so ask for the build ID itself).
	if out, err := exec.Command("go", "tool", "buildid", filepath.Join(dir, "bootstrap")).Output(); err != nil || strings.TrimSpace(string(out)) != "" {
		t.Errorf("build ID %q (%v); want none", out, err)
	}

	// The environment reaches go build, GOFLAGS added to the default -mod=readonly.
	bin := t.TempDir()
	real, _ := exec.LookPath("go")
	script := "#!/bin/sh\nif [ \"$1\" = build ]; then echo \"env GOPRIVATE=$GOPRIVATE GOFLAGS=$GOFLAGS CGO_ENABLED=$CGO_ENABLED\" >&2; exit 1; fi\nexec " + real + " \"$@\"\n"
	if err := os.WriteFile(filepath.Join(bin, "go"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	_, _, err = buildGo(entry, Arm64, &Build{Env: map[string]string{"GOPRIVATE": "example.com/*", "GOFLAGS": "-modcacherw"}})
	if want := "env GOPRIVATE=example.com/* GOFLAGS=-mod=readonly -modcacherw CGO_ENABLED=0"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("go build saw %v; want %q", err, want)
	}
}

func TestBuildRefusals(t *testing.T) {
	entry, _ := handlerModule(t)
	t.Cleanup(forgetBuilds)
	tests := []struct {
		name  string
		entry string
		opts  *Build
		want  string
	}{
		{"fixed env", entry, &Build{Env: map[string]string{"GOARCH": "amd64"}}, "Build.Env: got GOARCH; GOOS, GOARCH (from Architecture) and CGO_ENABLED=0 are fixed"},
		{"bad env name", entry, &Build{Env: map[string]string{"A=B": "x"}}, `Build.Env: got name "A=B"; want an environment variable name`},
		{"bad tag", entry, &Build{Tags: []string{"a,b"}}, `Build.Tags: got "a,b"; want a build tag without commas or spaces`},
		{"not main", filepath.Join(filepath.Dir(filepath.Dir(entry)), "greet"), nil, "package greet, not a main package; want the directory of a Go main package"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := buildGo(tt.entry, Arm64, tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v; want it to contain %q", err, tt.want)
			}
		})
	}
}
