package versionedfunction

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// TestHookBuildsFromAnotherModule plays an app in a module of its own that requires
// golive from a read-only directory, as the module cache is: the go command finds the
// hook's source through the app's go.mod, and the hook builds there without writing to it.
func TestHookBuildsFromAnotherModule(t *testing.T) {
	repo, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// A copy of what building the hook needs (its packages of this module, as go list
	// reports them, so a new dependency is copied too), made read-only.
	lib := t.TempDir()
	list := exec.Command("go", "list", "-deps", "-f", `{{if and .Module (eq .Module.Path "`+modulePath+`")}}{{.Dir}}{{end}}`, "./"+hookPackageDir)
	list.Dir = repo
	dirs, err := list.Output()
	if err != nil {
		t.Fatalf("go list the hook's packages: %v", err)
	}
	for _, dir := range strings.Fields(string(dirs)) {
		rel, err := filepath.Rel(repo, dir)
		if err != nil {
			t.Fatal(err)
		}
		copyDir(t, dir, filepath.Join(lib, rel))
	}
	for _, f := range []string{"go.mod", "go.sum"} {
		copyFile(t, filepath.Join(repo, f), filepath.Join(lib, f))
	}
	t.Cleanup(func() { filepath.Walk(lib, func(p string, _ os.FileInfo, _ error) error { return os.Chmod(p, 0o755) }) })
	filepath.Walk(lib, func(p string, fi os.FileInfo, _ error) error {
		if fi.IsDir() {
			defer os.Chmod(p, 0o555)
			return nil
		}
		return os.Chmod(p, 0o444)
	})

	app := t.TempDir()
	gomod := "module example.com/app\n\ngo 1.26\n\nrequire " + modulePath + " v0.0.0\n\nreplace " + modulePath + " => " + lib + "\n"
	if err := os.WriteFile(filepath.Join(app, "go.mod"), []byte(gomod), 0o644); err != nil {
		t.Fatal(err)
	}
	dir, err := moduleHookDir(app)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(lib, hookPackageDir); dir != want {
		t.Fatalf("moduleHookDir = %s, want %s", dir, want)
	}
	// A linker flag of its own makes this a real build, not the shortcut of an earlier one.
	nonce := strconv.FormatInt(time.Now().UnixNano(), 10)
	out, sha, err := buildGo(dir, Arm64, &Build{Env: map[string]string{"GOWORK": "off"}, LDFlags: "-X main.buildNonce=" + nonce})
	if err != nil {
		t.Fatalf("buildGo in a read-only module: %v", err)
	}
	if fi, err := os.Stat(filepath.Join(out, "bootstrap")); err != nil || fi.Size() == 0 || len(sha) != 64 {
		t.Fatalf("no bootstrap built: %v", err)
	}

	// Without golive in the app's module graph the error says so.
	bare := t.TempDir()
	os.WriteFile(filepath.Join(bare, "go.mod"), []byte("module example.com/bare\n\ngo 1.26\n"), 0o644)
	if _, err := moduleHookDir(bare); err == nil {
		t.Error("moduleHookDir found golive in a module that does not require it")
	}
}

func copyDir(t *testing.T, from, to string) {
	t.Helper()
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(to, 0o755); err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() {
			copyFile(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
		}
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o644); err != nil {
		t.Fatal(err)
	}
}
