package versionedfunction

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
)

// buildFlags start the flags of every handler build. -trimpath, no VCS stamp and an empty
// build ID (-ldflags=-buildid=, added by newBuildConfig with the user's linker flags) make
// the output depend on the sources and toolchain alone; the lambda.norpc tag, also added
// there, drops aws-lambda-go's unused RPC transport (provided.al2023 speaks only the
// Runtime API).
var buildFlags = []string{"-trimpath", "-buildvcs=false"}

// buildEnvVars are variables of the synth's own environment that change what the
// toolchain emits; those set in Build.Env and the fixed ones are hashed all the same.
var buildEnvVars = []string{"GOARM64", "GOAMD64", "GOEXPERIMENT", "GOFIPS140"}

// inputsKey names everything a handler build reads, as one SHA-256, or returns "" when the
// inputs cannot be listed; name is the entry's package name, "" when it did not load. It asks `go list -deps` (package loading only, no compiling or
// linking) for the packages the build would use, under the build's own environment, and
// hashes:
//   - the toolchain's VERSION (also after a GOTOOLCHAIN switch: it is read from the GOROOT
//     that holds the listed runtime package), the flags and build variables;
//   - for packages from the module cache, the module path and version: the go command
//     verifies those bytes against go.sum, and the cache is read-only;
//   - for every other package (the main module, workspace modules, replacements by
//     directory), the content of each file the compiler and linker read, and its module's
//     go.mod, whose go and godebug lines change the output too.
//
// Standard packages are covered by the toolchain version.
func inputsKey(entry string, env []string, cfg buildConfig) (key, name string) {
	// go list takes the build's tags: they choose the files.
	args := []string{"list", "-deps", "-json=ImportPath,Name,Dir,Standard,Module,GoFiles,SFiles,SysoFiles,EmbedFiles"}
	for _, f := range cfg.flags {
		if strings.HasPrefix(f, "-tags=") {
			args = append(args, f)
		}
	}
	cmd := exec.Command("go", append(args, ".")...)
	cmd.Dir = entry
	cmd.Env = env
	out, err := cmd.Output()
	if err != nil {
		return "", ""
	}
	var pkgs []listedPackage
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p listedPackage
		if err := dec.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return "", ""
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) == 0 {
		return "", ""
	}
	// -deps lists the named package last.
	return listedKey(pkgs, env, cfg), pkgs[len(pkgs)-1].Name
}

func listedKey(pkgs []listedPackage, env []string, cfg buildConfig) string {
	h := sha256.New()
	field := func(parts ...string) {
		for _, p := range parts {
			io.WriteString(h, p)
			h.Write([]byte{0})
		}
	}
	field("golive-build/2", strings.Join(cfg.flags, " "))
	for _, kv := range cfg.env {
		field("set", kv)
	}
	for _, kv := range env {
		if v, _, _ := strings.Cut(kv, "="); slices.Contains(buildEnvVars, v) {
			field(kv)
		}
	}
	seenGoMod := map[string]bool{}
	var sawRuntime bool
	for _, p := range pkgs {
		if p.Standard {
			if p.ImportPath == "runtime" {
				// $GOROOT/src/runtime. A toolchain without a VERSION file (built from
				// source) gets no shortcut.
				v, err := os.ReadFile(filepath.Join(p.Dir, "..", "..", "VERSION"))
				if err != nil {
					return ""
				}
				sawRuntime = true
				field("toolchain", string(v))
			}
			continue
		}
		field("package", p.ImportPath)
		if m := p.Module; m != nil && m.Version != "" && m.Replace == nil {
			field("module", m.Path, m.Version)
			continue
		}
		if m := p.Module; m != nil && m.Replace != nil && m.Replace.Version != "" {
			field("module", m.Replace.Path, m.Replace.Version)
			continue
		}
		if m := p.Module; m != nil && m.GoMod != "" && !seenGoMod[m.GoMod] {
			seenGoMod[m.GoMod] = true
			if !hashFile(h, m.GoMod) {
				return ""
			}
		}
		for _, files := range [][]string{p.GoFiles, p.SFiles, p.SysoFiles, p.EmbedFiles} {
			for _, f := range files {
				field("file", f)
				if !hashFile(h, filepath.Join(p.Dir, f)) {
					return ""
				}
			}
		}
	}
	if !sawRuntime {
		return ""
	}
	return hex.EncodeToString(h.Sum(nil))
}

type listedPackage struct {
	ImportPath string
	Name       string
	Dir        string
	Standard   bool
	Module     *struct {
		Path, Version, GoMod string
		Replace              *struct{ Path, Version string }
	}
	GoFiles, SFiles, SysoFiles, EmbedFiles []string
}

// hashFile adds the SHA-256 of path's content to h.
func hashFile(h io.Writer, path string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	sum := sha256.Sum256(b)
	h.Write(sum[:])
	return true
}

// lookupBuild returns the output recorded for key, if it is still there intact.
func lookupBuild(root, key string) (dir, sha string, ok bool) {
	b, err := os.ReadFile(filepath.Join(root, "inputs", key))
	if err != nil {
		return "", "", false
	}
	want := strings.TrimSpace(string(b))
	if len(want) != 64 {
		return "", "", false
	}
	dir = filepath.Join(root, want[:32])
	// Rehashing costs milliseconds and guards against a damaged or edited cache.
	got, err := fileSHA256(filepath.Join(dir, "bootstrap"))
	if err != nil || got != want {
		return "", "", false
	}
	return dir, got, true
}

// recordBuild notes that the inputs key built the binary sha, atomically.
func recordBuild(root, key, sha string) {
	dir := filepath.Join(root, "inputs")
	if os.MkdirAll(dir, 0o755) != nil {
		return
	}
	f, err := os.CreateTemp(dir, "record-")
	if err != nil {
		return
	}
	_, werr := f.WriteString(sha + "\n")
	if cerr := f.Close(); werr != nil || cerr != nil {
		os.Remove(f.Name())
		return
	}
	if os.Rename(f.Name(), filepath.Join(dir, key)) != nil {
		os.Remove(f.Name())
	}
}
