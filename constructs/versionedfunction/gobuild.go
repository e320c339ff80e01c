package versionedfunction

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
)

// Prebuild compiles, in parallel, the Go Entry of each of props (with its Architecture
// and Build) and, when one of them has a Deployment with a Smoke or a Bake, the shipped
// hook. New builds an Entry when it declares the function, one function after another;
// an app that calls Prebuild first, with the props it will pass to New, finds every
// build done. Builds are memoized per process, so New then reuses them, and failures are
// not returned: New reports them with the construct path. Prebuild touches nothing of
// jsii, so it may run before the first construct, e.g. beside the app's other start-up
// work. Optional: without it, synth builds the same binaries, later.
func Prebuild(props ...*Props) {
	var wg sync.WaitGroup
	hook := false
	for _, p := range props {
		if p == nil {
			continue
		}
		if d := p.Deployment; d != nil && (d.Smoke != nil || d.Bake != nil) {
			hook = true
		}
		if p.Entry == "" {
			continue
		}
		arch := p.Architecture
		if arch == "" {
			arch = optionsArchitecture(p.FunctionOptions)
		}
		wg.Go(func() { _, _, _ = buildGo(p.Entry, arch, p.Build) })
	}
	if hook {
		wg.Go(func() { _, _, _ = buildHook() })
	}
	wg.Wait()
}

// buildGo compiles the Go main package in entry into a provided.al2023 "bootstrap"
// binary and returns the directory holding it, named after the binary's SHA-256.
//
// The asset is hashed on this OUTPUT, not on entry's sources: a change in a shared
// package or in go.mod is seen, and a rebuild that yields the same bytes (the flags make
// the build reproducible) publishes nothing. A build whose inputs are unchanged since the
// last one (see inputsKey) is not run at all: `go build -o` relinks every time, which costs
// a few hundred milliseconds of CPU per entry and synth even with a warm build cache.
// Results are also memoized per process, so N functions sharing an entry build once.
// opts (nil for none) adds tags, linker flags and environment to the reproducible defaults.
// buildGo is safe for concurrent use: Prebuild builds distinct entries in parallel.
func buildGo(entry string, arch Architecture, opts *Build) (dir, sha string, err error) {
	abs, err := filepath.Abs(entry)
	if err != nil {
		return "", "", err
	}
	if arch == "" {
		arch = Arm64
	}
	cfg, err := newBuildConfig(arch, opts)
	if err != nil {
		return "", "", err
	}
	v, _ := builds.LoadOrStore(buildKey{abs, cfg.id()}, &build{})
	b := v.(*build)
	b.once.Do(func() { b.dir, b.sha, b.err = goBuild(abs, cfg) })
	return b.dir, b.sha, b.err
}

type buildKey struct {
	entry, config string
}

type build struct {
	once     sync.Once
	dir, sha string
	err      error
}

// builds memoizes build results (directories and hashes, no jsii values) per process, so
// that Prebuild can start them before the jsii runtime does.
var builds sync.Map // buildKey -> *build

// buildConfig is everything of a build besides the entry: the go command's flags and the
// environment variables set on top of the synth's own.
type buildConfig struct {
	flags []string
	// env is sorted by name; the fixed GOOS, GOARCH and CGO_ENABLED come last, so they win.
	env []string
}

// fixedEnv are the variables the construct sets itself: a static linux binary of the
// function's architecture is what provided.al2023 runs.
var fixedEnv = []string{"CGO_ENABLED", "GOOS", "GOARCH"}

func newBuildConfig(arch Architecture, opts *Build) (buildConfig, error) {
	if opts == nil {
		opts = &Build{}
	}
	if problems := validateBuild(opts); len(problems) > 0 {
		return buildConfig{}, errors.New(joinProblems(problems))
	}
	tags := append([]string{"lambda.norpc"}, opts.Tags...)
	ldflags := "-buildid="
	if opts.LDFlags != "" {
		ldflags += " " + opts.LDFlags
	}
	c := buildConfig{flags: append(slices.Clone(buildFlags), "-tags="+strings.Join(tags, ","), "-ldflags="+ldflags)}
	goflags := "-mod=readonly"
	for _, k := range slices.Sorted(maps.Keys(opts.Env)) {
		if k == "GOFLAGS" {
			// A -mod of the user's replaces the default; the go command refuses a flag twice.
			if strings.Contains(opts.Env[k], "-mod=") {
				goflags = opts.Env[k]
			} else {
				goflags += " " + opts.Env[k]
			}
			continue
		}
		c.env = append(c.env, k+"="+opts.Env[k])
	}
	goarch := "arm64"
	if arch == X86_64 {
		goarch = "amd64"
	}
	c.env = append(c.env, "GOFLAGS="+goflags, "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goarch)
	return c, nil
}

// id names the config in the per-process memo.
func (c buildConfig) id() string {
	return strings.Join(c.flags, "\x00") + "\x01" + strings.Join(c.env, "\x00")
}

// validateBuild checks Build's fields; the construct reports them with its path.
func validateBuild(b *Build) []string {
	var problems []string
	for _, t := range b.Tags {
		if t == "" || strings.ContainsAny(t, ", \t\n") {
			problems = append(problems, fmt.Sprintf("Build.Tags: got %q; want a build tag without commas or spaces", t))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(b.Env)) {
		switch {
		case slices.Contains(fixedEnv, k):
			problems = append(problems, fmt.Sprintf("Build.Env: got %s; GOOS, GOARCH (from Architecture) and CGO_ENABLED=0 are fixed, since provided.al2023 runs a static linux binary", k))
		case k == "" || strings.ContainsAny(k, "= \x00"):
			problems = append(problems, fmt.Sprintf("Build.Env: got name %q; want an environment variable name such as GOPRIVATE", k))
		}
	}
	return problems
}

func goBuild(entry string, cfg buildConfig) (string, string, error) {
	if fi, err := os.Stat(entry); err != nil || !fi.IsDir() {
		return "", "", fmt.Errorf("entry %q: not a directory holding a Go main package", entry)
	}
	root, err := buildRoot()
	if err != nil {
		return "", "", err
	}
	env := append(os.Environ(), cfg.env...)
	// No key (the package does not load, say) means no shortcut: go build reports why.
	key, name := inputsKey(entry, env, cfg)
	if name != "" && name != "main" {
		return "", "", notMain(entry, "package "+name)
	}
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
	cmd := exec.Command("go", append(append([]string{"build"}, cfg.flags...), "-o", out, ".")...)
	cmd.Dir = entry
	cmd.Env = env
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("go build %s: %w: %s", entry, err, strings.TrimSpace(stderr.String()))
	}
	// go build -o of a non-main package writes an ar archive, which Lambda would run as
	// bootstrap and fail at the first invocation; the package name checked above may be
	// missing when go list could not load it.
	if !isELF(out) {
		return "", "", notMain(entry, "not an executable")
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

func notMain(entry, got string) error {
	return fmt.Errorf("entry %q: %s, not a main package; want the directory of a Go main package (package main), which builds the bootstrap executable", entry, got)
}

func isELF(path string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	magic := make([]byte, 4)
	_, err = io.ReadFull(f, magic)
	return err == nil && string(magic) == "\x7fELF"
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
