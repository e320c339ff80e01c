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
// fails: a BuildGo that succeeds under it did not run go build.
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
	dir, sha, err := BuildGo(entry, Arm64)
	if err != nil {
		t.Fatal(err)
	}

	forgetBuilds()
	failingGoBuild(t)
	dir2, sha2, err := BuildGo(entry, Arm64)
	if err != nil || dir2 != dir || sha2 != sha {
		t.Fatalf("second build of unchanged inputs: %s %s %v; want the recorded %s %s without go build", dir2, sha2, err, dir, sha)
	}

	// A package outside the entry directory changes: the record no longer applies.
	writeGreet("bonjour")
	forgetBuilds()
	if _, _, err := BuildGo(entry, Arm64); err == nil || !strings.Contains(err.Error(), "go build ran") {
		t.Fatalf("after editing a dependency: err %v; want go build to run", err)
	}
	// Another architecture is another build.
	forgetBuilds()
	if _, _, err := BuildGo(entry, X86_64); err == nil || !strings.Contains(err.Error(), "go build ran") {
		t.Fatalf("x86_64 after arm64: err %v; want go build to run", err)
	}
}

func TestChangedInputsRebuild(t *testing.T) {
	entry, writeGreet := handlerModule(t)
	t.Cleanup(forgetBuilds)
	_, sha, err := BuildGo(entry, Arm64)
	if err != nil {
		t.Fatal(err)
	}
	writeGreet("bonjour")
	forgetBuilds()
	_, sha2, err := BuildGo(entry, Arm64)
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
	if _, sha3, err := BuildGo(entry, Arm64); err != nil || sha3 != sha {
		t.Errorf("after restoring the source: %s %v; want the first build %s from the cache", sha3, err, sha)
	}
}

func TestDamagedCacheRebuilds(t *testing.T) {
	entry, _ := handlerModule(t)
	t.Cleanup(forgetBuilds)
	dir, _, err := BuildGo(entry, Arm64)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bootstrap"), []byte("not the binary"), 0o755); err != nil {
		t.Fatal(err)
	}
	forgetBuilds()
	failingGoBuild(t)
	if _, _, err := BuildGo(entry, Arm64); err == nil || !strings.Contains(err.Error(), "go build ran") {
		t.Errorf("with the recorded binary overwritten: err %v; want a rebuild, not the damaged file", err)
	}
}

func TestUnloadablePackageReportsGoBuildError(t *testing.T) {
	entry, writeGreet := handlerModule(t)
	t.Cleanup(forgetBuilds)
	writeGreet(`broken" + `)
	_, _, err := BuildGo(entry, Arm64)
	if err == nil || !strings.Contains(err.Error(), "go build") || !strings.Contains(err.Error(), "greet.go") {
		t.Errorf("err = %v; want go build's message naming greet.go", err)
	}
}
