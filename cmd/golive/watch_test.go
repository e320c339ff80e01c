package main

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/testkit/codedeployfake"
	"github.com/golive-dev/golive/internal/testkit/moto"
)

// TestWatchLiveViewInATerminal runs golive watch as a person does, in a terminal: tmux gives
// it one, the test scripts a canary in the CodeDeploy fake and LIVE's weights in moto, and
// reads the screen with capture-pane. The view redraws in place: one block for the worker,
// its bar filling with the share of traffic on the new version.
func TestWatchLiveViewInATerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		missing(t, "tmux not found in PATH")
	}
	srv, err := moto.Start(context.Background())
	if errors.Is(err, moto.ErrNotInstalled) {
		missing(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	ctx := context.Background()
	creds := credentials.NewStaticCredentialsProvider("testing", "testing", "")
	lc := lambda.New(lambda.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	ic := iam.New(iam.Options{Region: "us-east-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds})
	if _, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("fn"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[]}`)}); err != nil {
		t.Fatal(err)
	}
	name := "tmuxdemo-prd-worker"
	for i, desc := range []string{"commit 1111111", "commit 2222222abcdef"} {
		var buf bytes.Buffer
		z := zip.NewWriter(&buf)
		f, _ := z.Create("bootstrap")
		fmt.Fprintf(f, "build %d\n", i)
		z.Close()
		if i == 0 {
			_, err = lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
				FunctionName: aws.String(name), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
				Role: aws.String("arn:aws:iam::123456789012:role/fn"), Code: &ltypes.FunctionCode{ZipFile: buf.Bytes()},
			})
		} else {
			_, err = lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: buf.Bytes()})
		}
		if err != nil {
			t.Fatal(err)
		}
		if _, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(name), Description: aws.String(desc)}); err != nil {
			t.Fatal(err)
		}
	}
	alias := func(version string, weights map[string]float64) {
		t.Helper()
		in := &lambda.UpdateAliasInput{FunctionName: aws.String(name), Name: aws.String("LIVE"), FunctionVersion: aws.String(version),
			RoutingConfig: &ltypes.AliasRoutingConfiguration{AdditionalVersionWeights: weights}}
		if _, err := lc.UpdateAlias(ctx, in); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := lc.CreateAlias(ctx, &lambda.CreateAliasInput{FunctionName: aws.String(name), Name: aws.String("LIVE"), FunctionVersion: aws.String("1")}); err != nil {
		t.Fatal(err)
	}

	cd := codedeployfake.Start()
	t.Cleanup(cd.Close)
	events := func(statuses ...string) []codedeployfake.LifecycleEvent {
		var out []codedeployfake.LifecycleEvent
		for i, n := range []string{"BeforeAllowTraffic", "AllowTraffic", "AfterAllowTraffic"} {
			out = append(out, codedeployfake.LifecycleEvent{Name: n, Status: statuses[i], StartTime: time.Now()})
		}
		return out
	}
	target := &codedeployfake.LambdaTarget{FunctionName: name, Alias: "LIVE", CurrentVersion: "1", TargetVersion: "2", Status: "InProgress",
		Events: events("Succeeded", "InProgress", "Pending")}
	id := cd.AddDeployment(codedeployfake.Deployment{
		ID: "d-LIVEVIEW01", ApplicationName: "tmuxdemo-prd", DeploymentGroupName: name, Status: "InProgress",
		DeploymentConfigName: "CodeDeployDefault.LambdaCanary10Percent5Minutes", AppSpec: `{"version":0.0}`, Target: target,
	})
	alias("1", map[string]float64{"2": 0.1})

	dir := t.TempDir()
	cfgPath := filepath.Join(dir, "config.json")
	cfg := `{"project": "tmuxdemo", "lambda_functions": {"worker": {"entry": "functions/worker", "deployment": {"type": "Canary10Percent5Minutes"}}},
  "envs": {"prd": {"account": "123456789012", "region": "us-east-1", "lambda_functions": {"worker": {"live_version": "2"}}}}}`
	if err := os.WriteFile(cfgPath, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}

	// The test binary plays golive (TestMain); AWS_ENDPOINT_URL points every service at
	// moto and AWS_ENDPOINT_URL_CODEDEPLOY CodeDeploy at the fake, the SDK's own variables.
	sock := fmt.Sprintf("golive-watch-%d", os.Getpid())
	env := []string{
		"GOLIVE_TEST_MAIN=1", "TERM=xterm-256color", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION=us-east-1", "AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
		"AWS_ENDPOINT_URL=" + srv.URL, "AWS_ENDPOINT_URL_CODEDEPLOY=" + cd.URL,
	}
	run := fmt.Sprintf("env -i PATH=%q %s %q watch --env prd --config %q --poll 100ms --call-timeout 10s; echo EXIT=$?; sleep 120",
		os.Getenv("PATH"), strings.Join(env, " "), os.Args[0], cfgPath)
	tmux := func(args ...string) string {
		out, err := exec.Command("tmux", append([]string{"-L", sock}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	tmux("new-session", "-d", "-s", "watch", "-x", "120", "-y", "40", run)
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", sock, "kill-server").Run() })
	screen := func(want *regexp.Regexp) string {
		t.Helper()
		var s string
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if s = tmux("capture-pane", "-p", "-t", "watch"); want.MatchString(s) {
				return s
			}
		}
		t.Fatalf("the screen never showed %s:\n%s", want, s)
		return ""
	}

	// 10 %: four of the bar's forty cells are full.
	s := screen(regexp.MustCompile(`(?m)^  █{4}░{36} 10% on 2$`))
	for _, want := range []string{
		"worker  d-LIVEVIEW01  InProgress", "  1 -> 2 (commit 2222222abcde)",
		"  BeforeAllowTraffic   Succeeded", "  AllowTraffic         InProgress", "  AfterAllowTraffic    Pending",
	} {
		if !strings.Contains(s, want) {
			t.Errorf("screen lacks %q:\n%s", want, s)
		}
	}

	// All of the traffic, then the end: the same block redrawn, and golive exits 0.
	alias("2", map[string]float64{})
	cd.Update(id, func(d *codedeployfake.Deployment) {
		d.Status, d.CompleteTime = "Succeeded", time.Now()
		d.Target.Status, d.Target.Events = "Succeeded", events("Succeeded", "Succeeded", "Succeeded")
	})
	s = screen(regexp.MustCompile(`EXIT=\d+`))
	if !regexp.MustCompile(`(?m)^  █{40} 100% on 2$`).MatchString(s) || !strings.Contains(s, "worker  d-LIVEVIEW01  Succeeded") ||
		!strings.Contains(s, "  AfterAllowTraffic    Succeeded") {
		t.Errorf("the last frame does not show the release done:\n%s", s)
	}
	if !strings.Contains(s, "EXIT=0") {
		t.Errorf("golive watch exited otherwise than 0 for a release that succeeded:\n%s", s)
	}
	if n := strings.Count(s, "worker  d-LIVEVIEW01"); n != 1 {
		t.Errorf("the worker's block is on the screen %d times; want it redrawn in place, once:\n%s", n, s)
	}
}
