package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golive-dev/golive/internal/cli"
	"github.com/golive-dev/golive/internal/testkit/faults"
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

// exitCode is the exit code of a command that ran, from cmd.Run's or cmd.Wait's error; err is
// set when it did not run or was killed by a signal.
func exitCode(runErr error) (code int, err error) {
	var exit *exec.ExitError
	switch {
	case runErr == nil:
		return 0, nil
	case errors.As(runErr, &exit) && exit.ExitCode() >= 0:
		return exit.ExitCode(), nil
	}
	return 0, runErr
}

func TestExitCodes(t *testing.T) {
	tests := []struct {
		name         string
		args         []string
		code         int
		stdout, errs string
	}{
		{"help", []string{"--help"}, 0, "Usage:\n  golive", ""},
		{"usage", []string{"publish"}, 2, "", "want --env E (an environment of config.json) or --stack NAME"},
		{"failure", []string{"status", "--env", "prd", "--config", "/nonexistent.json"}, 1, "", "golive: read config"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tt.args...)
			cmd.Env = append(os.Environ(), "GOLIVE_TEST_MAIN=1")
			var out, errb bytes.Buffer
			cmd.Stdout, cmd.Stderr = &out, &errb
			code, err := exitCode(cmd.Run())
			if err != nil {
				t.Fatal(err)
			}
			if code != tt.code || !strings.Contains(out.String(), tt.stdout) || !strings.Contains(errb.String(), tt.errs) {
				t.Errorf("exit %d, stdout %q, stderr %q; want %d, %q, %q", code, out.String(), errb.String(), tt.code, tt.stdout, tt.errs)
			}
		})
	}
}

// SIGINT and SIGTERM stop golive while it waits on AWS (a hung endpoint here): it says it was
// interrupted, not "context canceled", and exits 128 + the signal's number.
func TestSignalsInterrupt(t *testing.T) {
	p, err := faults.Start("http://127.0.0.1:1", 1, faults.Rule{Kind: faults.Hang, Rate: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	cfg := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(cfg, []byte(`{"project": "demo", "lambda_functions": {"worker": {"entry": "functions/worker"}},
  "envs": {"prd": {"account": "123456789012", "region": "us-east-1"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		sig  syscall.Signal
		code int
		says string
	}{
		{syscall.SIGINT, 130, "golive: interrupted by SIGINT\n"},
		{syscall.SIGTERM, 143, "golive: interrupted by SIGTERM\n"},
	} {
		t.Run(tt.sig.String(), func(t *testing.T) {
			before := p.Faulted("DescribeStacks")
			cmd := exec.Command(os.Args[0], "status", "--env", "prd", "--config", cfg, "--endpoint-url", p.URL)
			cmd.Env = append(os.Environ(), "GOLIVE_TEST_MAIN=1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
				"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull)
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(10 * time.Second)
			for p.Faulted("DescribeStacks") == before && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if err := cmd.Process.Signal(tt.sig); err != nil {
				t.Fatal(err)
			}
			code, err := exitCode(cmd.Wait())
			if err != nil || code != tt.code || !strings.HasSuffix(errb.String(), tt.says) || strings.Contains(errb.String(), "context canceled") {
				t.Errorf("exit %d (%v), stderr %q; want %d and %q", code, err, errb.String(), tt.code, tt.says)
			}
		})
	}
}

// Input that cannot hurt: a config or event file that never ends is refused at its limit, and
// a config path whose open(2) blocks (a FIFO without a writer) still yields to a signal.
func TestUnboundedInput(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "config.json")
	if err := os.WriteFile(cfg, []byte(`{"project": "demo", "lambda_functions": {"worker": {"entry": "functions/worker"}},
  "envs": {"prd": {"account": "123456789012", "region": "us-east-1"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	fifo := filepath.Join(dir, "fifo.json")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// Unblock any open left waiting, so no test binary outlives the test.
		if w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
			w.Close()
		}
	})
	for _, tt := range []struct {
		name   string
		args   []string
		signal syscall.Signal // sent once the command had time to block; 0 for none
		code   int
		says   string
	}{
		{"config /dev/zero", []string{"status", "--env", "prd", "--config", "/dev/zero"}, 0, 1,
			"golive: read config: /dev/zero: more than 1048576 bytes (1 MiB), the most golive reads from it\n"},
		{"smoke /dev/zero", []string{"publish", "--env", "prd", "--config", cfg, "--smoke", "/dev/zero"}, 0, 1,
			"golive: --smoke: /dev/zero: more than 6291456 bytes (6 MiB), the most golive reads from it\n"},
		{"config FIFO, SIGTERM", []string{"status", "--env", "prd", "--config", fifo}, syscall.SIGTERM, 143,
			"golive: interrupted by SIGTERM\n"},
		{"config FIFO, SIGINT", []string{"status", "--env", "prd", "--config", fifo}, syscall.SIGINT, 130,
			"golive: interrupted by SIGINT\n"},
		{"smoke FIFO, SIGTERM", []string{"publish", "--env", "prd", "--config", cfg, "--smoke", fifo}, syscall.SIGTERM, 143,
			"golive: interrupted by SIGTERM\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], tt.args...)
			cmd.Env = append(os.Environ(), "GOLIVE_TEST_MAIN=1")
			var errb bytes.Buffer
			cmd.Stderr = &errb
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			if tt.signal != 0 {
				select {
				case err := <-done:
					t.Fatalf("golive exited (%v) before the signal; stderr %q", err, errb.String())
				case <-time.After(500 * time.Millisecond):
				}
				if err := cmd.Process.Signal(tt.signal); err != nil {
					t.Fatal(err)
				}
			}
			select {
			case err := <-done:
				code, err := exitCode(err)
				if err != nil || code != tt.code || !strings.HasSuffix(errb.String(), tt.says) {
					t.Errorf("exit %d (%v), stderr %q; want %d and %q", code, err, errb.String(), tt.code, tt.says)
				}
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("golive still runs 10 s on; stderr %q", errb.String())
			}
		})
	}
}

// The first signal cancels the command; the second exits at once with its own code, whatever
// the command is doing.
func TestSecondSignalExits(t *testing.T) {
	for _, tt := range []struct {
		first, second syscall.Signal
		code          int
	}{
		{syscall.SIGINT, syscall.SIGTERM, 143},
		{syscall.SIGTERM, syscall.SIGINT, 130},
		{syscall.SIGINT, syscall.SIGINT, 130},
	} {
		sigs := make(chan os.Signal, 2)
		causes := make(chan error, 2)
		cancel := func(err error) { causes <- err }
		exited := make(chan int, 1)
		var errb bytes.Buffer
		go watch(sigs, cancel, &errb, func(code int) { exited <- code })
		sigs <- tt.first
		var in cli.Interrupt
		select {
		case cause := <-causes:
			if !errors.As(cause, &in) || in.Signal != tt.first {
				t.Errorf("%s: cancel cause %v; want cli.Interrupt{%s}", tt.first, cause, tt.first)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: the command was not cancelled", tt.first)
		}
		select {
		case code := <-exited:
			t.Fatalf("%s: exit %d after one signal; want the command cancelled only", tt.first, code)
		case <-time.After(50 * time.Millisecond):
		}
		sigs <- tt.second
		select {
		case code := <-exited:
			if code != tt.code || !strings.Contains(errb.String(), "interrupted by "+unix(tt.second)+" again") {
				t.Errorf("%s, %s: exit %d, stderr %q; want %d and the second signal named", tt.first, tt.second, code, errb.String(), tt.code)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s, %s: no exit after the second signal", tt.first, tt.second)
		}
	}
}

func unix(s syscall.Signal) string {
	if s == syscall.SIGINT {
		return "SIGINT"
	}
	return "SIGTERM"
}
