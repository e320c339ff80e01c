package ledger_test

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/testkit/moto"
)

// awsShim puts an "aws" first in PATH that logs each call's arguments, one call a line, and
// then runs real (or fails when real is ""). It returns the PATH and the log's path.
func awsShim(t *testing.T, real string) (path, log string) {
	t.Helper()
	dir := t.TempDir()
	log = filepath.Join(dir, "calls.log")
	run := "exit 97"
	if real != "" {
		run = `exec "` + real + `" "$@"`
	}
	script := "#!/usr/bin/env bash\nprintf '%s\\n' \"$*\" >> \"" + log + "\"\n" + run + "\n"
	if err := os.WriteFile(filepath.Join(dir, "aws"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir + string(os.PathListSeparator) + os.Getenv("PATH"), log
}

func calls(t *testing.T, log string) []string {
	t.Helper()
	b, err := os.ReadFile(log)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSpace(string(b)), "\n")
}

// withoutAWS is the environment without AWS_* variables: the machine's profile, region or
// endpoint must not steer the checks.
func withoutAWS() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") {
			env = append(env, kv)
		}
	}
	return env
}

// runCheck runs scripts/aws-check.sh with args under PATH and env, and returns its exit
// code, stdout and stderr.
func runCheck(t *testing.T, path string, env []string, args ...string) (int, string, string) {
	t.Helper()
	cmd := exec.Command("bash", append([]string{filepath.Join(repoRoot(t), "scripts", "aws-check.sh")}, args...)...)
	cmd.Env = append(append(withoutAWS(), "PATH="+path), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatal(err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}

// TestAWSCheckUsage: every bad invocation is a usage error (exit 2) naming the flag and what
// is allowed, before any AWS call.
func TestAWSCheckUsage(t *testing.T) {
	path, log := awsShim(t, "")
	for _, tc := range []struct {
		name string
		args []string
		want string
	}{
		{"nothing to check", nil, "nothing to check: give --function"},
		{"unknown flag", []string{"--functoin", "f"}, `unknown argument "--functoin"`},
		{"missing value", []string{"--function"}, "--function needs a value"},
		{"empty value", []string{"--function", ""}, "--function needs a value"},
		{"flag as value", []string{"--application", "--function", "f"}, "--application needs a value"},
		{"function ARN", []string{"--function", "arn:aws:lambda:us-east-1:123456789012:function:f"}, "want a Lambda function name"},
		{"function with a comma", []string{"--function", "f,Value=x"}, "want a Lambda function name"},
		{"bad alias", []string{"--function", "f", "--alias", "a b"}, `--alias "a b": want an alias name`},
		{"bad deployment id", []string{"--application", "a", "--deployment-id", "d-1;rm"}, "want a CodeDeploy deployment id"},
		{"unknown check", []string{"--function", "f", "--check", "nope"}, `--check "nope": want one of: invocations_alias invocations_executed_version`},
		{"check without its flag", []string{"--function", "f", "--check", "getdeployment_content_absent"}, "--check getdeployment_content_absent needs --application"},
		{"metric check without function", []string{"--application", "a", "--deployment-id", "d-1", "--check", "throttles_executed_version"}, "--check throttles_executed_version needs --function"},
		{"region without value", []string{"--function", "f", "--region"}, "--region needs a value"},
		{"bad smoke role", []string{"--function", "f", "--smoke-role-arn", "smoke-role"}, `--smoke-role-arn "smoke-role": want an IAM role ARN`},
		{"smoke check without its role", []string{"--function", "f", "--check", "smoke_hook_denies_latest"}, "--check smoke_hook_denies_latest needs --smoke-role-arn"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCheck(t, path, nil, tc.args...)
			if code != 2 || !strings.Contains(stderr, tc.want) || stdout != "" {
				t.Errorf("aws-check %q: exit %d, stdout %q, stderr %q; want exit 2, nothing on stdout and %q on stderr", tc.args, code, stdout, stderr, tc.want)
			}
		})
	}
	if c := calls(t, log); len(c) > 0 {
		t.Errorf("usage errors called AWS: %q", c)
	}
	code, stdout, _ := runCheck(t, path, nil, "--help")
	if code != 0 || !strings.Contains(stdout, "usage: scripts/aws-check.sh") || !strings.Contains(stdout, "throttles_executed_version") {
		t.Errorf("--help: exit %d, %q; want the usage with every check, exit 0", code, stdout)
	}
}

// readOnly are the only AWS CLI operations aws-check may call.
var readOnly = map[string]bool{"list-metrics": true, "get-deployment-group": true, "get-deployment": true, "get-application-revision": true,
	"list-deployment-targets": true, "batch-get-deployment-targets": true,
	"get-function-configuration": true, "simulate-principal-policy": true}

// TestAWSCheckAgainstMoto runs every check against moto_server, which supports all but
// GetApplicationRevision, ListDeploymentTargets, and which answers GetDeployment with the AppSpec's content, as
// AWS never does (ledger row C4): the check must say so.
//
// Each AWS CLI call costs a Python start (about a second on a busy machine), so -short
// (make race) leaves it to make test.
func TestAWSCheckAgainstMoto(t *testing.T) {
	if testing.Short() {
		t.Skip("about 15 AWS CLI runs; make test runs it")
	}
	real, err := exec.LookPath("aws")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("the AWS CLI (aws) is not in PATH; CI=true, so this test fails instead of skipping")
		}
		t.Skip("the AWS CLI (aws) is not in PATH")
	}
	srv, err := moto.Start(context.Background())
	if errors.Is(err, moto.ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	env := []string{"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		// moto answers GetApplicationRevision with a 500, which the CLI would retry for seconds.
		"AWS_MAX_ATTEMPTS=1"}
	setup := func(args ...string) string {
		t.Helper()
		cmd := exec.Command(real, append([]string{"--endpoint-url", srv.URL, "--output", "text"}, args...)...)
		cmd.Env = append(withoutAWS(), env...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("aws %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return strings.TrimSpace(string(out))
	}
	// fa served traffic through LIVE and was throttled per function only; fb has throttles
	// by ExecutedVersion, which the ledger says Lambda does not emit.
	setup("cloudwatch", "put-metric-data", "--namespace", "AWS/Lambda", "--metric-data", `[
		{"MetricName": "Invocations", "Value": 5, "Dimensions": [{"Name": "FunctionName", "Value": "fa"}, {"Name": "Resource", "Value": "fa:LIVE"}, {"Name": "ExecutedVersion", "Value": "3"}]},
		{"MetricName": "Invocations", "Value": 5, "Dimensions": [{"Name": "FunctionName", "Value": "fa"}, {"Name": "Resource", "Value": "fa:LIVE"}]},
		{"MetricName": "Invocations", "Value": 5, "Dimensions": [{"Name": "FunctionName", "Value": "fd"}, {"Name": "Resource", "Value": "fd:LIVE"}, {"Name": "ExecutedVersion", "Value": "1"}]},
		{"MetricName": "Invocations", "Value": 5, "Dimensions": [{"Name": "FunctionName", "Value": "fb"}, {"Name": "Resource", "Value": "fb:LIVE"}]},
		{"MetricName": "Throttles", "Value": 1, "Dimensions": [{"Name": "FunctionName", "Value": "fa"}]},
		{"MetricName": "Throttles", "Value": 1, "Dimensions": [{"Name": "FunctionName", "Value": "fb"}, {"Name": "Resource", "Value": "fb:LIVE"}, {"Name": "ExecutedVersion", "Value": "2"}]}]`)
	setup("deploy", "create-application", "--application-name", "app", "--compute-platform", "Lambda")
	setup("deploy", "create-deployment-group", "--application-name", "app", "--deployment-group-name", "fa",
		"--service-role-arn", "arn:aws:iam::123456789012:role/codedeploy")
	id := setup("deploy", "create-deployment", "--application-name", "app", "--deployment-group-name", "fa", "--query", "deploymentId",
		"--revision", `{"revisionType":"AppSpecContent","appSpecContent":{"content":"{\"version\":\"0.0\"}","sha256":"0123abcd"}}`)

	// A function for the smoke hook's check: moto wants its role to exist, and a zip.
	zipPath := filepath.Join(t.TempDir(), "fn.zip")
	zf, err := os.Create(zipPath)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(zf)
	if w, err := zw.Create("bootstrap"); err != nil {
		t.Fatal(err)
	} else if _, err := w.Write([]byte("#!/bin/sh\n")); err != nil {
		t.Fatal(err)
	}
	if err := errors.Join(zw.Close(), zf.Close()); err != nil {
		t.Fatal(err)
	}
	role := setup("iam", "create-role", "--role-name", "fa", "--query", "Role.Arn",
		"--assume-role-policy-document", `{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)
	setup("lambda", "create-function", "--function-name", "fa", "--runtime", "provided.al2023", "--handler", "bootstrap",
		"--role", role, "--zip-file", "fileb://"+zipPath)

	path, log := awsShim(t, real)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want []string
	}{
		{"every check", []string{"--function", "fa", "--application", "app", "--deployment-id", id, "--smoke-role-arn", role}, 1, []string{
			"invocations_alias (W10): agrees: fa:LIVE has Invocations by FunctionName and Resource alone",
			"invocations_executed_version (W1): agrees: 1 Invocations metric(s) of fa:LIVE carry ExecutedVersion",
			"throttles_executed_version (W2): agrees: fa was throttled (1 Throttles metric(s)), none by ExecutedVersion",
			// moto answers the content that GetDeployment never returns on AWS.
			"getdeployment_content_absent (C4): contradicts: GetDeployment of " + id + " returned the AppSpec's content",
			// moto has no GetApplicationRevision.
			"application_revision_appspec (C5): inconclusive: get-application-revision failed",
			// moto has no ListDeploymentTargets.
			"deployment_target_type (C20): inconclusive: list-deployment-targets of " + id + " failed",
			// moto has no SimulatePrincipalPolicy.
			"smoke_hook_denies_latest (L18): inconclusive: simulate-principal-policy failed",
		}},
		{"metrics that contradict the ledger", []string{"--function", "fb"}, 1, []string{
			"invocations_alias (W10): agrees: fb:LIVE has Invocations by FunctionName and Resource alone",
			"invocations_executed_version (W1): contradicts: fb:LIVE has Invocations, but none with ExecutedVersion",
			"throttles_executed_version (W2): contradicts: 1 Throttles metric(s) of fb carry ExecutedVersion",
		}},
		{"an alias with version series only", []string{"--function", "fd", "--check", "invocations_alias"}, 1, []string{
			"invocations_alias (W10): contradicts: fd:LIVE has Invocations only with more dimensions",
		}},
		{"a function never throttled", []string{"--function", "fc", "--check", "throttles_executed_version"}, 0, []string{
			"throttles_executed_version (W2): inconclusive: fc has no Throttles in the past two weeks",
		}},
		{"a group whose last deployment moto does not record", []string{"--application", "app", "--function", "fa", "--check", "getdeployment_content_absent"}, 0, []string{
			"getdeployment_content_absent (C4): inconclusive: group app/fa has no deployment yet; give --deployment-id",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, stdout, stderr := runCheck(t, path, env, append([]string{"--endpoint-url", srv.URL}, tc.args...)...)
			if code != tc.code {
				t.Errorf("exit %d; want %d\nstdout: %s\nstderr: %s", code, tc.code, stdout, stderr)
			}
			lines := strings.Split(strings.TrimSpace(stdout), "\n")
			if len(lines) != len(tc.want) {
				t.Fatalf("stdout has %d lines; want %d:\n%s", len(lines), len(tc.want), stdout)
			}
			for i, w := range tc.want {
				if !strings.HasPrefix(lines[i], w) {
					t.Errorf("line %d: %q; want it to begin %q", i+1, lines[i], w)
				}
			}
		})
	}
	cs := calls(t, log)
	if len(cs) < 8 {
		t.Fatalf("aws-check made %d AWS calls: %q; the shim did not see them", len(cs), cs)
	}
	for _, c := range cs {
		f := strings.Fields(c)
		op := ""
		for i, w := range f {
			if (w == "cloudwatch" || w == "deploy" || w == "lambda" || w == "iam") && i+1 < len(f) {
				op = f[i+1]
				break
			}
		}
		if !readOnly[op] {
			t.Errorf("aws-check called %q, which is not one of its read-only operations", c)
		}
	}
}

// TestAWSCheckDeploymentTargetType runs deployment_target_type against an "aws" that answers
// as AWS would (moto has no deployment targets): each target type and its verdict.
func TestAWSCheckDeploymentTargetType(t *testing.T) {
	for _, tc := range []struct{ typ, code, want string }{
		{"LambdaTarget", "0", "deployment_target_type (C20): agrees: the target fa of deployment d-ABC is a LambdaTarget"},
		{"CloudFormationTarget", "0", "deployment_target_type (C20): agrees: the target fa of deployment d-ABC is a CloudFormationTarget"},
		{"InstanceTarget", "1", `deployment_target_type (C20): contradicts: the target fa of deployment d-ABC is of type "InstanceTarget"`},
	} {
		t.Run(tc.typ, func(t *testing.T) {
			dir := t.TempDir()
			script := "#!/usr/bin/env bash\ncase \"$*\" in\n*list-deployment-targets*) echo fa ;;\n*batch-get-deployment-targets*) echo " + tc.typ + " ;;\n*) exit 97 ;;\nesac\n"
			if err := os.WriteFile(filepath.Join(dir, "aws"), []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runCheck(t, dir+string(os.PathListSeparator)+os.Getenv("PATH"), nil,
				"--application", "app", "--deployment-id", "d-ABC", "--check", "deployment_target_type")
			if strconv.Itoa(code) != tc.code || !strings.HasPrefix(stdout, tc.want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit %s and a line beginning %q", code, stdout, stderr, tc.code, tc.want)
			}
		})
	}
}

// TestAWSCheckShellcheck lints the script with shellcheck, all severities, where it is
// installed (it is not among the tools CI provides).
func TestAWSCheckShellcheck(t *testing.T) {
	sc, err := exec.LookPath("shellcheck")
	if err != nil {
		t.Skip("shellcheck is not in PATH")
	}
	out, err := exec.Command(sc, "--severity=info", filepath.Join(repoRoot(t), "scripts", "aws-check.sh")).CombinedOutput()
	if err != nil {
		t.Errorf("shellcheck scripts/aws-check.sh: %v\n%s", err, out)
	}
}
