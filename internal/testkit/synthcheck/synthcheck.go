// Package synthcheck holds the checks the project's template tests share: cfn-lint over
// synthesized templates, reading templates, synth errors and cdk-nag findings from one
// synthesized assembly, and running the real CDK CLI on an app. It imports no testing package: tests turn its results into failures.
package synthcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
)

// ErrNoCfnLint is CfnLint's error when cfn-lint is not on PATH.
var ErrNoCfnLint = errors.New("cfn-lint not found (pip install cfn-lint)")

// CfnLint runs cfn-lint on templates and returns its findings, each a line of its
// parseable format, except the warnings allowed names (by rule, with the reason); an error
// finding is never allowed.
func CfnLint(templates []string, allowed map[string]string) ([]string, error) {
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrNoCfnLint, err)
	}
	b, err := exec.Command("cfn-lint", append([]string{"--format", "parseable"}, templates...)...).CombinedOutput()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		return nil, fmt.Errorf("cfn-lint: %w: %s", err, b)
	}
	var findings []string
	for _, line := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		if line == "" {
			continue
		}
		// parseable: file:line:col:endline:endcol:RULE:message
		parts := strings.SplitN(line, ":", 7)
		if len(parts) == 7 && !strings.HasPrefix(parts[5], "E") {
			if _, ok := allowed[parts[5]]; ok {
				continue
			}
		}
		findings = append(findings, line)
	}
	return findings, nil
}

// Template is stack's template in an assembly already synthesized. Template_FromStack
// would synthesize the whole app again for each call.
func Template(asm cxapi.CloudAssembly, stack awscdk.Stack) assertions.Template {
	tpl, _ := asm.GetStackArtifact(stack.ArtifactId()).Template().(map[string]any)
	return assertions.Template_FromJSON(&tpl, nil)
}

// NagFindings are the cdk-nag errors and warnings on stack in an assembly synthesized with
// an AwsSolutions pack, each "path: message". Annotations_FromStack would synthesize the
// app again.
//
// cxapi's message types are deprecated for @aws-cdk/cloud-assembly-api, which aws-cdk-go does
// not publish: they are the only way a Go app reads its assembly's messages.
func NagFindings(asm cxapi.CloudAssembly, stack awscdk.Stack) []string {
	var found []string
	for _, m := range *asm.GetStackArtifact(stack.ArtifactId()).Messages() {
		//lint:ignore SA1019 no Go replacement (see above)
		data := fmt.Sprint(m.Entry.Data)
		//lint:ignore SA1019 no Go replacement (see above)
		level := m.Level
		//lint:ignore SA1019 no Go replacement (see above)
		if (level == cxapi.SynthesisMessageLevel_ERROR || level == cxapi.SynthesisMessageLevel_WARNING) && strings.Contains(data, "AwsSolutions-") {
			//lint:ignore SA1019 no Go replacement (see above)
			found = append(found, *m.Id+": "+data)
		}
	}
	return found
}

// T is what LintDir needs of a *testing.T.
type T interface {
	Helper()
	Skip(args ...any)
	Fatal(args ...any)
	Fatalf(format string, args ...any)
	Errorf(format string, args ...any)
}

// LintDir runs CfnLint on the want templates synthesized into dir and fails t on each
// finding. Without cfn-lint it skips, except under CI=true, where it fails (the project's
// convention for tools a test needs).
func LintDir(t T, dir string, want int, allowed map[string]string) {
	t.Helper()
	templates, _ := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if len(templates) != want {
		t.Fatalf("%d templates in %s, want %d", len(templates), dir, want)
	}
	findings, err := CfnLint(templates, allowed)
	switch {
	case errors.Is(err, ErrNoCfnLint) && os.Getenv("CI") != "true":
		t.Skip(err, "; skipping the template lint")
	case err != nil:
		t.Fatal(err)
	}
	for _, f := range findings {
		t.Errorf("cfn-lint: %s", f)
	}
}

// Context is the context of the cdk.json at path (its feature flags) with what the cdk
// CLI adds to an app it runs: path and asset metadata, which let cfn-lint recognize CDK's
// own constructs, and version reporting.
func Context(path string) (map[string]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var cdkJSON struct{ Context map[string]any }
	if err := json.Unmarshal(b, &cdkJSON); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if cdkJSON.Context == nil {
		cdkJSON.Context = map[string]any{}
	}
	cdkJSON.Context["aws:cdk:enable-path-metadata"] = true
	cdkJSON.Context["aws:cdk:enable-asset-metadata"] = true
	cdkJSON.Context["aws:cdk:version-reporting"] = true
	return cdkJSON.Context, nil
}

// Errors returns the synth errors (error annotations) recorded on scope and its children,
// each as "PATH: MESSAGE", in construct order: what `cdk synth` prints, each with its
// construct path.
func Errors(scope constructs.IConstruct) []string {
	var out []string
	for _, c := range *scope.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		for _, m := range *c.Node().Metadata() {
			if m.Type != nil && *m.Type == "aws:cdk:error" {
				out = append(out, fmt.Sprintf("%s: %v", *c.Node().Path(), m.Data))
			}
		}
	}
	return out
}

// cdkTimeout bounds a CDK CLI run: a synth of a small app takes seconds, the first one
// on a cold build cache about a minute.
const cdkTimeout = 4 * time.Minute

// CDK runs the repository's pinned CDK CLI (node_modules/.bin/cdk under root) with args in
// dir, as a user does, and returns its exit status and its stdout and stderr together.
// Nothing of the machine's AWS or CDK set-up reaches it, and it makes no network call of its
// own (no version check, no telemetry, no instance metadata). Without the CLI or node it
// skips t, except under CI=true, where it fails.
func CDK(t T, root, dir string, args ...string) (exit int, output string) {
	t.Helper()
	bin := filepath.Join(root, "node_modules", ".bin", "cdk")
	if _, err := os.Stat(bin); err != nil {
		missing(t, bin+" not found (make deps installs the pinned aws-cdk CLI)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node not found in PATH (the CDK CLI needs Node.js)")
	}
	ctx, cancel := context.WithTimeout(context.Background(), cdkTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, append(args, "--no-notices", "--no-color")...)
	cmd.Dir = dir
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "CDK_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env,
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull, "AWS_EC2_METADATA_DISABLED=true",
		"CDK_DISABLE_VERSION_CHECK=true", "CDK_DISABLE_CLI_TELEMETRY=true",
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	// Its own process group, so a timeout also ends the app and its jsii node.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	err := cmd.Run()
	var exitErr *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("cdk %s: timed out after %v\n%s", strings.Join(args, " "), cdkTimeout, out.String())
	case errors.As(err, &exitErr):
		return exitErr.ExitCode(), out.String()
	case err != nil:
		t.Fatalf("cdk %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	return 0, out.String()
}

// missing skips t for a tool it needs, or fails it under CI=true.
func missing(t T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true, so this test fails instead of skipping", what)
	}
	t.Skip(what + "; skipping")
}
