package versionedfunction

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
)

// hookSourceDir finds cmd/golive-hook: beside this package's source when the binary was
// built without -trimpath (also inside the read-only module cache, where `go build` works
// since it writes only to -o and the build cache), else through `go list -m` run in the
// app's working directory, which resolves golive as the user's module requires it
// (version, replace directive or workspace).
func hookSourceDir() (string, error) {
	hookDirOnce.Do(func() {
		if _, file, _, ok := runtime.Caller(0); ok && filepath.IsAbs(file) {
			dir := filepath.Join(filepath.Dir(file), "..", "..", hookPackageDir)
			if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
				hookDir = filepath.Clean(dir)
				return
			}
		}
		hookDir, hookDirErr = moduleHookDir("")
	})
	return hookDir, hookDirErr
}

// hookPackageDir is the hook's main package inside the golive module. It is not under
// internal/, so a user's module may also name it (go list, go build) by import path.
const hookPackageDir = "cmd/golive-hook"

const modulePath = "github.com/golive-dev/golive"

// moduleHookDir asks the go command, in dir ("" for the working directory), where the
// golive module the app requires is.
func moduleHookDir(dir string) (string, error) {
	cmd := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", modulePath)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		var stderr string
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			stderr = strings.TrimSpace(string(ee.Stderr))
		}
		return "", fmt.Errorf("find the shipped traffic hook: go list -m %s: %w: %s", modulePath, err, stderr)
	}
	hook := filepath.Join(strings.TrimSpace(string(out)), hookPackageDir)
	if fi, err := os.Stat(hook); err != nil || !fi.IsDir() {
		return "", fmt.Errorf("find the shipped traffic hook: %s is not a directory", hook)
	}
	return hook, nil
}

var (
	hookDirOnce sync.Once
	hookDir     string
	hookDirErr  error
)

func buildHook() (dir, sha string, err error) {
	src, err := hookSourceDir()
	if err != nil {
		return "", "", err
	}
	// golive's own go.mod decides the hook's dependencies, whatever workspace the app is
	// built in.
	return buildGo(src, Arm64, &Build{Env: map[string]string{"GOWORK": "off"}})
}
