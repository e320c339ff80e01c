package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// The test binary plays golive when GOLIVE_TEST_MAIN is set, so the tests see main's real exit
// codes and streams without building the command separately.
func TestMain(m *testing.M) {
	if os.Getenv("GOLIVE_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		code         int
		stdout, errs string
	}{
		{"help", []string{"--help"}, 0, "Usage:\n  golive", ""},
		{"usage", []string{"publish"}, 2, "", `required flag(s) "env" not set`},
		{"failure", []string{"status", "--env", "prd", "--config", "/nonexistent.json"}, 1, "", "golive: read config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tt.args...)
			cmd.Env = append(os.Environ(), "GOLIVE_TEST_MAIN=1")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			err := cmd.Run()
			code := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				code = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.errs) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), tt.code, tt.stdout, tt.errs)
			}
		})
	}
}
