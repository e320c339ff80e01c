package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

// The test binary doubles as the app: with GOLIVE_TEST_APP=1 it runs main, the way the
// cdk CLI runs the app (context in CDK_CONTEXT_JSON, output dir in CDK_OUTDIR).
func TestMain(m *testing.M) {
	if os.Getenv("GOLIVE_TEST_APP") == "1" {
		main()
	}
	os.Exit(m.Run())
}

// app runs the app from the repository root with context and returns its exit code,
// stderr and output directory.
func app(t *testing.T, context map[string]string) (int, string, string) {
	t.Helper()
	out := filepath.Join(t.TempDir(), "cdk.out")
	ctx, _ := json.Marshal(context)
	cmd := exec.Command(os.Args[0])
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOLIVE_TEST_APP=1", "CDK_OUTDIR="+out, "CDK_CONTEXT_JSON="+string(ctx),
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	err := cmd.Run()
	code := 0
	if err != nil {
		exit, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = exit.ExitCode()
	}
	return code, stderr.String(), out
}

func writeConfig(t *testing.T, data string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

func templates(t *testing.T, out string) []string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(out, "*.template.json"))
	var names []string
	for _, f := range files {
		names = append(names, strings.TrimSuffix(filepath.Base(f), ".template.json"))
	}
	return names
}

func TestSynthesizesEveryEnvironmentByDefault(t *testing.T) {
	code, stderr, out := app(t, nil)
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	if got, want := strings.Join(templates(t, out), ","), "golive-demo-pipeline,golive-demo-prd,golive-demo-sbx,golive-demo-tst"; got != want {
		t.Errorf("templates = %s, want %s", got, want)
	}
	// Every stack is a top-level stack of the cloud assembly: cdk deploy can name it.
	manifest, err := os.ReadFile(filepath.Join(out, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Artifacts map[string]struct {
			Type string `json:"type"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(manifest, &m); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"golive-demo-sbx", "golive-demo-tst", "golive-demo-prd", "golive-demo-pipeline"} {
		if m.Artifacts[name].Type != "aws:cloudformation:stack" {
			t.Errorf("manifest artifact %s = %+v, want a top-level CloudFormation stack", name, m.Artifacts[name])
		}
	}
}

func TestSynthesizesOneEnvironment(t *testing.T) {
	code, stderr, out := app(t, map[string]string{"env": "prd"})
	if code != 0 {
		t.Fatalf("exit %d, stderr:\n%s", code, stderr)
	}
	// Neither the other envs nor the pipeline (whose stages deploy every env) are built.
	if got := strings.Join(templates(t, out), ","); got != "golive-demo-prd" {
		t.Errorf("templates = %s, want only golive-demo-prd", got)
	}
}

func TestErrorsExitOneCleanly(t *testing.T) {
	many := make([]string, 0, 201)
	for i := range 201 {
		many = append(many, fmt.Sprintf(`"f%d": {"entry": "functions/worker"}`, i))
	}
	tests := []struct {
		name    string
		context map[string]string
		want    []string
	}{
		{
			name:    "unknown env",
			context: map[string]string{"env": "qa"},
			want:    []string{`golive: unknown env "qa"; want one of: sbx, tst, prd`},
		},
		{
			name:    "missing config",
			context: map[string]string{"config": "nowhere/config.json"},
			want:    []string{"nowhere/config.json"},
		},
		{
			name: "every config error at once",
			context: map[string]string{"config": writeConfig(t, `{"project": "p", "lambda_functions": {"w": {"entry": "functions/worker"}},
				"envs": {"prd": {"account": "1234", "region": "us-east-1", "lambda_functions": {"w": {"live_version": "abc"}}}}}`)},
			want: []string{`envs.prd.account: got "1234"`, `envs.prd.lambda_functions.w.live_version: got "abc"`},
		},
		{
			name: "past CloudFormation's limits",
			context: map[string]string{"config": writeConfig(t, `{"project": "p", "lambda_functions": {`+strings.Join(many, ",")+`},
				"envs": {"prd": {"account": "333333333333", "region": "us-east-1"}}}`)},
			want: []string{"envs.prd: its stack would declare at least 604 resources", "201 outputs"},
		},
		{
			name: "entry that does not build",
			context: map[string]string{"config": writeConfig(t, `{"project": "p", "lambda_functions": {"w": {"entry": "functions"}},
				"envs": {"prd": {"account": "333333333333", "region": "us-east-1"}}}`)},
			want: []string{"golive: p-prd/w: go build", "no Go files"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stderr, out := app(t, tt.context)
			if code != 1 {
				t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr)
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not contain %q:\n%s", w, stderr)
				}
			}
			if strings.Contains(stderr, "goroutine ") {
				t.Errorf("stderr has a goroutine dump:\n%s", stderr)
			}
			if _, err := os.Stat(filepath.Join(out, "manifest.json")); err == nil {
				t.Errorf("a cloud assembly was written to %s despite the error", out)
			}
		})
	}
}

func TestNagChecksOnRequest(t *testing.T) {
	for _, nag := range []string{"true", "false"} {
		t.Run("nag="+nag, func(t *testing.T) {
			code, stderr, out := app(t, map[string]string{"env": "prd", "nag": nag})
			if code != 0 {
				t.Fatalf("exit %d, stderr:\n%s", code, stderr)
			}
			b, err := os.ReadFile(filepath.Join(out, "golive-demo-prd.template.json"))
			if err != nil {
				t.Fatal(err)
			}
			// The suppressions, with their reasons, are in the template only when the checks ran.
			if got := strings.Contains(string(b), `"id": "AwsSolutions-IAM4"`); got != (nag == "true") {
				t.Errorf("template records cdk-nag suppressions = %v, want %v", got, nag == "true")
			}
		})
	}
}

// Through the real `cdk synth`, as a user runs the app: a config.json the app refuses and a
// function its construct refuses each reach the user as one clear message and a failed
// command, with no Go panic or goroutine trace.
func TestCdkSynthReportsConfigErrors(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	// The CLI runs this test binary as the app (TestMain), which it inherits the variable from.
	t.Setenv("GOLIVE_TEST_APP", "1")
	tests := []struct {
		name   string
		config string
		want   []string
	}{
		{"a field config.json refuses", `{"project": "p", "lambda_functions": {"w": {"entry": "functions/worker"}},
			"envs": {"prd": {"account": "1234", "region": "us-east-1"}}}`,
			[]string{`golive: `, `envs.prd.account: got "1234"`}},
		{"an entry its construct refuses", `{"project": "p", "lambda_functions": {"w": {"entry": "functions"}},
			"envs": {"prd": {"account": "333333333333", "region": "us-east-1"}}}`,
			[]string{"golive: p-prd/w: go build", "no Go files"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			exit, out := synthcheck.CDK(t, root, root, "synth", "--quiet", "--app", os.Args[0],
				"-c", "config="+writeConfig(t, tt.config), "--output", filepath.Join(t.TempDir(), "cdk.out"))
			t.Logf("cdk synth: exit %d\n%s", exit, out)
			if exit == 0 {
				t.Errorf("cdk synth exited 0; want a failure")
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("cdk synth output lacks %q", w)
				}
			}
			for _, unwanted := range []string{"panic:", "goroutine "} {
				if strings.Contains(out, unwanted) {
					t.Errorf("cdk synth output has %q", unwanted)
				}
			}
		})
	}
}
