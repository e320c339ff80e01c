package versionedfunction

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
)

// BuildGo compiles the Go main package in entry into a provided.al2023 "bootstrap"
// binary and returns the directory holding it, named after the binary's SHA-256.
//
// The asset is hashed on this OUTPUT, not on entry's sources: a change in a shared
// package or in go.mod is seen, and a rebuild that yields the same bytes (the flags make
// the build reproducible) publishes nothing. A build whose inputs are unchanged since the
// last one (see inputsKey) is not run at all: `go build -o` relinks every time, which costs
// a few hundred milliseconds of CPU per entry and synth even with a warm build cache.
// Results are also memoized per process, so N functions sharing an entry build once.
// BuildGo is safe for concurrent use: callers may prebuild distinct entries in parallel.
func BuildGo(entry string, arch Architecture) (dir, sha string, err error) {
	abs, err := filepath.Abs(entry)
	if err != nil {
		return "", "", err
	}
	if arch == "" {
		arch = Arm64
	}
	v, _ := builds.LoadOrStore(buildKey{abs, arch}, &build{})
	b := v.(*build)
	b.once.Do(func() { b.dir, b.sha, b.err = goBuild(abs, arch) })
	return b.dir, b.sha, b.err
}

type buildKey struct {
	entry string
	arch  Architecture
}

type build struct {
	once     sync.Once
	dir, sha string
	err      error
}

var builds sync.Map // buildKey -> *build

func goBuild(entry string, arch Architecture) (string, string, error) {
	if fi, err := os.Stat(entry); err != nil || !fi.IsDir() {
		return "", "", fmt.Errorf("entry %q: not a directory holding a Go main package", entry)
	}
	root, err := buildRoot()
	if err != nil {
		return "", "", err
	}
	goarch := "arm64"
	if arch == X86_64 {
		goarch = "amd64"
	}
	env := append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch, "GOFLAGS=-mod=readonly")
	// No key (the package does not load, say) means no shortcut: go build reports why.
	key := inputsKey(entry, env)
	if key != "" {
		if dir, sha, ok := lookupBuild(root, key); ok {
			return dir, sha, nil
		}
	}

	tmp, err := os.MkdirTemp(root, "build-")
	if err != nil {
		return "", "", err
	}
	defer os.RemoveAll(tmp)
	out := filepath.Join(tmp, "bootstrap")
	cmd := exec.Command("go", append(append([]string{"build"}, buildFlags...), "-o", out, ".")...)
	cmd.Dir = entry
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("go build %s: %w: %s", entry, err, strings.TrimSpace(stderr.String()))
	}
	sha, err := fileSHA256(out)
	if err != nil {
		return "", "", err
	}
	// Content-addressed directories are immutable once renamed into place, so concurrent
	// synths (parallel test packages) never see a half-written binary.
	final := filepath.Join(root, sha[:32])
	if _, err := os.Stat(filepath.Join(final, "bootstrap")); err != nil {
		if err := os.Rename(tmp, final); err != nil {
			if _, statErr := os.Stat(filepath.Join(final, "bootstrap")); statErr != nil {
				return "", "", err
			}
		}
	}
	if key != "" {
		// Only a shortcut: failing to record it costs the next synth a build.
		recordBuild(root, key, sha)
	}
	return final, sha, nil
}

func buildRoot() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	root := filepath.Join(base, "golive", "build")
	return root, os.MkdirAll(root, 0o755)
}

func fileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
