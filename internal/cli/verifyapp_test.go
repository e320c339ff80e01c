package cli_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// appTemplate is a stack as the construct deploys it: the function (retained), LIVE pinned
// to LIVE_VERSION under logical ID ALIAS_ID, a version the app declared earlier, and the
// CodeDeploy application. moto's CloudFormation creates the function and the version and
// skips the alias and the application, but GetTemplate returns them as deployed.
const appTemplate = `{"Resources": {
  "Fn": {"Type": "AWS::Lambda::Function", "DeletionPolicy": "Retain", "Properties": {"FunctionName": "NAME", "Runtime": "python3.12",
         "Handler": "index.h", "Role": "arn:aws:iam::123456789012:role/golive-test", "Code": {"ZipFile": "def h(e, c): return 1"}, "MemorySize": MEMORY}},
  "ALIAS_ID": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": "LIVE_VERSION", "Name": "LIVE"}}
  EXTRA
}}`

func appStack(name, aliasID, version, memory, extra string) string {
	return strings.NewReplacer("NAME", name, "ALIAS_ID", aliasID, "LIVE_VERSION", version, "MEMORY", memory, "EXTRA", extra).Replace(appTemplate)
}

const keptResources = `,
  "V1": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}}},
  "App": {"Type": "AWS::CodeDeploy::Application", "Properties": {"ApplicationName": "APP", "ComputePlatform": "Lambda"}}`

// writeAssembly writes a cloud assembly as cdk synth does: manifest.json naming each
// stack's template file, and the templates.
func writeAssembly(t *testing.T, stacks map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	artifacts := map[string]any{}
	for name, tpl := range stacks {
		file := name + ".template.json"
		if err := os.WriteFile(filepath.Join(dir, file), []byte(tpl), 0o644); err != nil {
			t.Fatal(err)
		}
		artifacts[name] = map[string]any{
			"type": "aws:cloudformation:stack", "environment": "aws://123456789012/us-east-1",
			"properties": map[string]string{"templateFile": file},
		}
	}
	artifacts["Tree"] = map[string]any{"type": "cdk:tree", "properties": map[string]string{"file": "tree.json"}}
	b, _ := json.Marshal(map[string]any{"version": "36.0.0", "artifacts": artifacts})
	if err := os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestVerifyAppOnMoto deploys a stack with moto's CloudFormation, then checks a changed
// synthesized app against it: every change that drops traffic or loses versions is named,
// the exit code is 1; the same app without them passes.
func TestVerifyAppOnMoto(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": null }`))
	ctx := context.Background()
	stack := w.project + "-prd"
	// The function and its version 1 come from Lambda's API: with moto's Docker-free Lambda
	// backend (internal/testkit/moto), what its CloudFormation creates is not what its Lambda
	// API answers for.
	w.releases("worker", 1)
	deployed := appStack(w.name("worker"), "Live", "1", "128", strings.ReplaceAll(keptResources, "APP", stack))
	if _, err := w.cfn.CreateStack(ctx, &cloudformation.CreateStackInput{StackName: aws.String(stack), TemplateBody: aws.String(deployed)}); err != nil {
		t.Fatal(err)
	}
	waiter := cloudformation.NewStackCreateCompleteWaiter(w.cfn, func(o *cloudformation.StackCreateCompleteWaiterOptions) { o.MinDelay = 100e6 })
	if err := waiter.Wait(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)}, 30e9); err != nil {
		t.Fatalf("stack: %v", err)
	}

	t.Run("changes that lose versions are refused", func(t *testing.T) {
		// The naive switch: the alias under a new logical ID, pinned to a version never
		// published, the version and the CodeDeploy application gone; plus a new stack whose
		// alias pins a function that does not exist.
		changed := appStack(w.name("worker"), "WorkerLive", "9", "256", "")
		fresh := appStack(w.project+"-tst-worker", "Live", "3", "128", "")
		dir := writeAssembly(t, map[string]string{stack: changed, w.project + "-tst": fresh})
		stdout, stderr, code := w.run("verify", "--app", dir)
		if code != 1 {
			t.Fatalf("exit %d, want 1", code)
		}
		for _, want := range []string{
			stack + `: App (AWS::CodeDeploy::Application): deleted from the template: the CodeDeploy application and its deployment history go`,
			stack + `: Live (AWS::Lambda::Alias): replaced by WorkerLive, a new logical ID for alias "LIVE"`,
			stack + `: V1 (AWS::Lambda::Version): deleted from the template, without DeletionPolicy Retain`,
			stack + `: WorkerLive (AWS::Lambda::Alias): routes to version 9 of ` + w.name("worker") + `, which does not exist in us-east-1`,
			w.project + `-tst: Live (AWS::Lambda::Alias): routes to version 3 of ` + w.project + `-tst-worker, which does not exist`,
		} {
			if !strings.Contains(stdout, want) {
				t.Errorf("stdout lacks %q", want)
			}
		}
		if n := strings.Count(stdout, "\n"); n != 5 {
			t.Errorf("stdout has %d lines, want one per finding (5)", n)
		}
		if !strings.Contains(stderr, "golive: verify found 5 change(s) that drop traffic or lose versions in 2 stack(s)") {
			t.Errorf("stderr lacks the summary")
		}
	})

	t.Run("a release that keeps everything passes", func(t *testing.T) {
		next := appStack(w.name("worker"), "Live", "1", "512", strings.ReplaceAll(keptResources, "APP", stack))
		dir := writeAssembly(t, map[string]string{stack: next})
		stdout, _, code := w.run("verify", "--app", dir, "--output", "json")
		if code != 0 {
			t.Fatalf("exit %d, want 0", code)
		}
		rep := jsonOut[struct {
			OK     bool `json:"ok"`
			Stacks []struct {
				Stack    string            `json:"stack"`
				New      bool              `json:"new"`
				Findings []json.RawMessage `json:"findings"`
			} `json:"stacks"`
		}](t, stdout)
		if !rep.OK || len(rep.Stacks) != 1 || rep.Stacks[0].Stack != stack || rep.Stacks[0].New || len(rep.Stacks[0].Findings) != 0 {
			t.Errorf("report %+v, want one stack, deployed, no findings", rep)
		}
	})

	t.Run("one template against a named stack", func(t *testing.T) {
		file := filepath.Join(t.TempDir(), "t.json")
		if err := os.WriteFile(file, []byte(appStack(w.name("worker"), "Live", "1", "128", "")), 0o644); err != nil {
			t.Fatal(err)
		}
		stdout, _, code := w.run("verify", "--template", file, "--stack", stack)
		if code != 1 || !strings.Contains(stdout, "V1 (AWS::Lambda::Version): deleted") || !strings.Contains(stdout, "App (AWS::CodeDeploy::Application): deleted") {
			t.Errorf("exit %d, stdout %q; want 1 naming V1 and App", code, stdout)
		}
	})
}

func TestVerifyAppUsage(t *testing.T) {
	dir := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"verify", "--template", "t.json"}, 2, "--template t.json: want --stack NAME too"},
		{[]string{"verify", "--app", "cdk.out", "--template", "t.json", "--stack", "s"}, 2, "want one of them"},
		{[]string{"verify", "--app", "cdk.out", "--env", "prd"}, 2, "two verify commands"},
		{[]string{"verify", "--app", "cdk.out", "--stack", "s"}, 2, "--app checks every stack of the assembly"},
		{[]string{"verify", "--app", ""}, 2, `--app "": want a cloud assembly directory`},
		{[]string{"verify", "--app", dir}, 1, "manifest.json: no such file"},
	} {
		var out, errb strings.Builder
		code := testApp(&out, &errb).Run(context.Background(), c.args)
		if code != c.code || !strings.Contains(errb.String(), c.want) {
			t.Errorf("golive %s: exit %d, stderr %q; want %d and %q", strings.Join(c.args, " "), code, errb.String(), c.code, c.want)
		}
	}
}
