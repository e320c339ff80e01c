package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/stackoutputs"
	"github.com/golive-dev/golive/internal/testkit/moto"
)

// The release loop on a deployed stack: the real CDK CLI (the pinned one in node_modules)
// bootstraps moto_server and deploys the service stack of testdata/deploy.json, and the real
// golive binary walks the README's release loop against it: status, publish --pin, verify, a
// redeploy with the pin, a second release and a rollback, each checked by its exit code, its
// JSON, config.json and what moto holds.
//
// What moto cannot show: its CloudFormation creates the function, its role and the stack
// outputs, but skips the LIVE alias, the alarm and the CodeDeploy group, and shifts no
// traffic. The test moves LIVE where AWS would, after every deploy: to the version the
// stack output records, which is what CloudFormation does for a new alias or a "direct"
// rollout, and what a finished CodeDeploy canary leaves. Canary timing, alarms and
// CodeDeploy's own checks (an AppSpec from the recorded version) need a real account.

const (
	deployEnv     = "prd"
	deployStack   = "golive-e2e-prd"
	deployFn      = "worker"
	deployFnName  = "golive-e2e-prd-worker"
	deployAccount = "123456789012" // moto's default account, as in testdata/deploy.json
	deployRegion  = "us-east-1"
	// cdkTimeout bounds each CDK command: a deploy against moto takes seconds, the first
	// synth of the app (go run ./cmd/app) up to a minute on a cold build cache.
	cdkTimeout = 4 * time.Minute
)

func TestReleaseLoopOnDeployedStack(t *testing.T) {
	if testing.Short() {
		t.Skip("deploys a stack with the CDK CLI (about a minute); not with -short")
	}
	d := newDeployment(t)

	d.cdk("bootstrap", "aws://"+deployAccount+"/"+deployRegion)

	// First deploy: LIVE follows $LATEST.
	d.deploy()
	d.wantStackRecords(resourcenames.Latest)
	if env := d.latestEnv(); env["RELEASE"] != "1" {
		t.Fatalf("deployed $LATEST has environment %v; want RELEASE=1 from the config", env)
	}
	st := d.status()
	d.wantStatus(st, resourcenames.Latest, "", resourcenames.Latest, resourcenames.Latest, "<null>")
	if !st.StackFound || st.Stack != deployStack || ptr(st.Functions[0].StackFunctionName) != deployFnName {
		t.Fatalf("status reads stack %q (found %v) naming %q; want %s naming %s", st.Stack, st.StackFound, ptr(st.Functions[0].StackFunctionName), deployStack, deployFnName)
	}

	// First release: publish and pin version 1, which CloudFormation moves LIVE to (direct).
	pub := d.publish()
	d.wantPublished(pub, "1", "", "direct")
	d.wantVersions("1")
	d.wantPin("1", "direct")
	d.verify()
	d.deploy()
	d.wantStackRecords("1")
	d.wantAlias("1")
	d.wantStatus(d.status(), "1", "direct", "1", "1", "1")

	// The same stack read without config.json, as a construct-only app's pipeline would:
	// --stack finds the function in the output the construct declared.
	var byStack statusJSON
	d.run(&byStack, 0, "status", "--stack", deployStack)
	if len(byStack.Functions) != 1 || byStack.Functions[0].FunctionName != deployFnName || ptr(byStack.Functions[0].StackDeployed) != "1" ||
		byStack.Functions[0].Alias == nil || byStack.Functions[0].Alias.Version != "1" || len(byStack.Functions[0].Drift) > 0 || byStack.Functions[0].Error != "" {
		t.Fatalf("status --stack %s: %+v; want %s alone, deployed 1, alias 1, no drift", deployStack, byStack.Functions, deployFnName)
	}

	// New code on main: $LATEST changes, LIVE stays on the pin.
	d.editConfig(`"RELEASE": "1"`, `"RELEASE": "2"`)
	d.deploy()
	d.wantStackRecords("1")
	if env := d.latestEnv(); env["RELEASE"] != "2" {
		t.Fatalf("redeployed $LATEST has environment %v; want RELEASE=2", env)
	}
	d.wantAlias("1")

	// Second release: version 2 goes through the canary, which CodeDeploy would run.
	pub = d.publish()
	d.wantPublished(pub, "2", "1", "")
	d.wantVersions("1", "2")
	d.wantPin("2", "")
	d.verify()
	d.deploy()
	d.wantStackRecords("2")
	d.wantAlias("2")
	d.wantStatus(d.status(), "2", "canary", "2", "2", "2")

	// Roll back after the release: golive moves LIVE itself and pins 1 with direct, so
	// the next deploy re-records 1 without a canary.
	var rb rollbackJSON
	d.golive(&rb, 0, "rollback", "--function", deployFn)
	if rb.Function != deployFn || rb.FunctionName != deployFnName || rb.From != "2" || rb.To != "1" || !rb.ConfigUpdated ||
		rb.Config.LiveVersion != "1" || rb.Config.Rollout != "direct" {
		t.Fatalf("rollback: %+v; want %s (%s) from 2 to 1, config updated to 1 with rollout direct", rb, deployFn, deployFnName)
	}
	d.wantAlias("1")
	d.wantPin("1", "direct")
	d.wantVersions("1", "2")
	st = d.status()
	if st.Functions[0].Alias == nil || st.Functions[0].Alias.Version != "1" || ptr(st.Functions[0].StackDeployed) != "2" || len(st.Functions[0].Drift) == 0 {
		t.Fatalf("status after rollback: %+v; want alias 1, stack 2 and the drift between them", st.Functions[0])
	}
	// Without the direct, the next deploy would be a canary from the recorded 2, which
	// CodeDeploy fails: LIVE is no longer there. verify must refuse it.
	pinned := d.readConfig()
	d.writeConfig(regexp.MustCompile(`"rollout":\s*"direct"`).ReplaceAll(pinned, []byte(`"rollout": "canary"`)))
	var v verifyJSON
	d.golive(&v, 1, "verify")
	if v.OK || len(v.Problems) == 0 || v.Problems[0].Function != deployFn || !strings.Contains(v.Problems[0].Problem, "alias LIVE is on 1 but the stack last deployed 2") {
		t.Fatalf("verify of a canary from a moved alias: %+v; want not ok, naming %s, alias 1 and stack 2", v, deployFn)
	}
	d.writeConfig(pinned)
	d.verify() // direct re-records the alias: nothing to refuse
	d.deploy()
	d.wantStackRecords("1")
	d.wantStatus(d.status(), "1", "direct", "1", "1", "2")

	// The pipeline publishes after every deploy, and $LATEST still holds the release that
	// was rolled back: publish hands back version 2 and must not pin it again.
	before := d.readConfig()
	pub = d.publish()
	if len(pub.Functions) != 1 {
		t.Fatalf("publish after the rollback: %+v; want one function", pub.Functions)
	}
	if f := pub.Functions[0]; f.Status != "unchanged" || f.Version != "2" || f.Pin != nil {
		t.Fatalf("publish after the rollback: %+v (pin %+v); want worker unchanged at 2 and not pinned", f, f.Pin)
	}
	if after := d.readConfig(); !bytes.Equal(after, before) {
		t.Fatalf("publish after the rollback changed config.json:\n%s\nwas:\n%s", after, before)
	}
	d.wantVersions("1", "2")
	d.wantAlias("1")
}

// deployment is the test's project: moto, the CDK CLI, golive and a config.json copy.
type deployment struct {
	t         *testing.T
	root      string // the repository, where cdk.json is
	cdkBin    string
	goliveBin string
	cfgPath   string
	outDir    string
	endpoint  string
	env       []string
	lambda    *lambda.Client
	cfn       *cloudformation.Client
}

// missing skips the test for a tool that is not installed, except under CI=true, where it
// fails instead: a CI machine without the tool must not pass by skipping.
func missing(t *testing.T, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s; CI=true, so this test fails instead of skipping", what)
	}
	t.Skip(what + "; skipping")
}

func newDeployment(t *testing.T) *deployment {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	d := &deployment{t: t, root: root, cdkBin: filepath.Join(root, "node_modules", ".bin", "cdk")}
	if _, err := os.Stat(d.cdkBin); err != nil {
		missing(t, d.cdkBin+" not found (make deps installs the pinned aws-cdk CLI)")
	}
	if _, err := exec.LookPath("node"); err != nil {
		missing(t, "node not found in PATH (the CDK CLI needs Node.js)")
	}
	srv, err := moto.Start(context.Background())
	if errors.Is(err, moto.ErrNotInstalled) {
		missing(t, err.Error())
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("moto_server log (tail):\n%s", tail(srv.Log(), 4000))
		}
	})
	// moto.Start picks Lambda's Docker-free backend, which keeps functions of its own: the
	// ones moto's CloudFormation creates land in the default backend and are invisible to
	// the other. Nothing here invokes a function, so switch back before anything exists.
	if err := motoConfig(srv.URL, `{"lambda": {"use_docker": true}}`); err != nil {
		t.Fatal(err)
	}
	// localhost, not 127.0.0.1: moto's CloudFormation reads the TemplateURL the CDK CLI
	// passes (the template it uploaded to the bootstrap bucket) path-style only for
	// localhost; with an IP address CreateStack fails with NoSuchBucket.
	d.endpoint = strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)

	tmp := t.TempDir()
	d.outDir = filepath.Join(tmp, "cdk.out")
	d.cfgPath = filepath.Join(tmp, "config", "config.json")
	cfg, err := os.ReadFile(filepath.Join("testdata", "deploy.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(d.cfgPath), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(d.cfgPath, cfg, 0o644); err != nil {
		t.Fatal(err)
	}

	// Dummy credentials and moto's endpoint for both CLIs, nothing from the machine's AWS
	// set-up: the CDK CLI (AWS SDK for JavaScript v3) and golive (AWS SDK for Go v2) both
	// read AWS_ENDPOINT_URL, golive is also given --endpoint-url.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "AWS_") && !strings.HasPrefix(kv, "CDK_") {
			d.env = append(d.env, kv)
		}
	}
	d.env = append(d.env,
		"AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_REGION="+deployRegion, "AWS_DEFAULT_REGION="+deployRegion,
		"AWS_CONFIG_FILE="+os.DevNull, "AWS_SHARED_CREDENTIALS_FILE="+os.DevNull,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_ENDPOINT_URL="+d.endpoint,
		// aws-cdk-lib's template validator costs seconds per synth and checks nothing
		// this test is about (the stacks tests run cfn-lint on every template).
		"CDK_VALIDATION=false",
		"CDK_DISABLE_VERSION_CHECK=true", "CDK_DISABLE_CLI_TELEMETRY=true",
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
	)

	d.goliveBin = filepath.Join(tmp, "golive")
	build := exec.Command("go", "build", "-o", d.goliveBin, "./cmd/golive")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/golive: %v\n%s", err, out)
	}

	creds := credentials.NewStaticCredentialsProvider("testing", "testing", "")
	d.lambda = lambda.New(lambda.Options{Region: deployRegion, Credentials: creds, BaseEndpoint: aws.String(d.endpoint)})
	d.cfn = cloudformation.New(cloudformation.Options{Region: deployRegion, Credentials: creds, BaseEndpoint: aws.String(d.endpoint)})
	return d
}

func motoConfig(url, body string) error {
	resp, err := http.Post(url+"/moto-api/config", "application/json", strings.NewReader(body))
	if err != nil {
		return fmt.Errorf("moto config: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("moto config: %s", resp.Status)
	}
	return nil
}

// cdk runs the CDK CLI in the repository (cdk.json: go run ./cmd/app) on the test's config,
// printing its output when it fails or times out.
func (d *deployment) cdk(args ...string) {
	d.t.Helper()
	args = append(args, "-c", "config="+d.cfgPath, "-c", "env="+deployEnv,
		"--output", d.outDir, "--no-notices", "--no-color")
	ctx, cancel := context.WithTimeout(context.Background(), cdkTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.cdkBin, args...)
	cmd.Dir, cmd.Env = d.root, d.env
	// Its own process group, so a timeout also ends the app (go run) and its jsii node.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	start := time.Now()
	err := cmd.Run()
	if ctx.Err() != nil {
		err = fmt.Errorf("timed out after %v: %w", cdkTimeout, err)
	}
	if err != nil {
		d.t.Fatalf("cdk %s: %v\n%s", strings.Join(args, " "), err, out.String())
	}
	d.t.Logf("cdk %s: %v", args[0], time.Since(start).Round(time.Millisecond))
}

// deploy deploys the stack as `cdk deploy -c env=prd` does, then moves LIVE to the
// version the stack now records, where CloudFormation or CodeDeploy would (see the top).
func (d *deployment) deploy() {
	d.t.Helper()
	// --method direct: moto's change sets leave the stack without outputs. The bootstrap
	// version parameter is given explicitly: moto's UpdateStack fails (a KeyError inside
	// moto, an HTML 500 to the CLI) on the previous value the CDK CLI asks it to keep.
	d.cdk("deploy", deployStack, "--require-approval", "never", "--method", "direct",
		"--parameters", "BootstrapVersion=/cdk-bootstrap/hnb659fds/version")
	version := d.stackRecords()
	ctx := context.Background()
	_, err := d.lambda.UpdateAlias(ctx, &lambda.UpdateAliasInput{
		FunctionName: aws.String(deployFnName), Name: aws.String(resourcenames.DefaultAlias), FunctionVersion: aws.String(version),
	})
	if err != nil {
		_, err = d.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{
			FunctionName: aws.String(deployFnName), Name: aws.String(resourcenames.DefaultAlias), FunctionVersion: aws.String(version),
		})
	}
	if err != nil {
		d.t.Fatalf("move %s to %s as CloudFormation would: %v", resourcenames.DefaultAlias, version, err)
	}
}

// stackRecords reads the version the deployed stack's output records for the worker.
func (d *deployment) stackRecords() string {
	d.t.Helper()
	out, err := d.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(deployStack)})
	if err != nil {
		d.t.Fatalf("describe stack: %v", err)
	}
	key := stackoutputs.OutputKey(deployFn)
	var keys []string
	for _, o := range out.Stacks[0].Outputs {
		keys = append(keys, aws.ToString(o.OutputKey))
		if aws.ToString(o.OutputKey) != key {
			continue
		}
		name, version, ok := stackoutputs.ParseOutputValue(aws.ToString(o.OutputValue))
		if !ok || name != deployFnName {
			d.t.Fatalf("stack output %s = %q; want %s:VERSION", key, aws.ToString(o.OutputValue), deployFnName)
		}
		return version
	}
	d.t.Fatalf("stack %s (%s) has no output %s, only %v", deployStack, out.Stacks[0].StackStatus, key, keys)
	return ""
}

func (d *deployment) wantStackRecords(version string) {
	d.t.Helper()
	if got := d.stackRecords(); got != version {
		d.t.Fatalf("stack output records version %q; want %q", got, version)
	}
}

func (d *deployment) latestEnv() map[string]string {
	d.t.Helper()
	out, err := d.lambda.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(deployFnName)})
	if err != nil {
		d.t.Fatalf("the deployed function: %v", err)
	}
	if out.Environment == nil {
		return nil
	}
	return out.Environment.Variables
}

func (d *deployment) wantAlias(version string) {
	d.t.Helper()
	out, err := d.lambda.GetAlias(context.Background(), &lambda.GetAliasInput{FunctionName: aws.String(deployFnName), Name: aws.String(resourcenames.DefaultAlias)})
	if err != nil {
		d.t.Fatalf("get alias: %v", err)
	}
	if got := aws.ToString(out.FunctionVersion); got != version || out.RoutingConfig != nil && len(out.RoutingConfig.AdditionalVersionWeights) > 0 {
		d.t.Fatalf("alias %s is on %s (routing %+v); want %s alone", resourcenames.DefaultAlias, got, out.RoutingConfig, version)
	}
}

func (d *deployment) wantVersions(want ...string) {
	d.t.Helper()
	out, err := d.lambda.ListVersionsByFunction(context.Background(), &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(deployFnName)})
	if err != nil {
		d.t.Fatalf("list versions: %v", err)
	}
	var got []string
	for _, v := range out.Versions {
		if v := aws.ToString(v.Version); v != resourcenames.Latest {
			got = append(got, v)
		}
	}
	if !slices.Equal(got, want) {
		d.t.Fatalf("published versions %v; want %v", got, want)
	}
}

// wantPin checks what config.json says for the worker in prd: the raw file, as a reviewer
// reads it, and the loaded config, as the next synth reads it.
func (d *deployment) wantPin(version, rollout string) {
	d.t.Helper()
	b := d.readConfig()
	var raw struct {
		Envs map[string]struct {
			Functions map[string]map[string]any `json:"lambda_functions"`
		} `json:"envs"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		d.t.Fatalf("config.json: %v\n%s", err, b)
	}
	fn := raw.Envs[deployEnv].Functions[deployFn]
	gotRollout, _ := fn["rollout"].(string)
	if fn["live_version"] != version || gotRollout != rollout {
		d.t.Fatalf("config.json pins envs.%s.lambda_functions.%s = %v; want live_version %q, rollout %q\n%s", deployEnv, deployFn, fn, version, rollout, b)
	}
	cfg, err := config.Load(d.cfgPath)
	if err != nil {
		d.t.Fatalf("config.json no longer loads: %v", err)
	}
	env, err := cfg.Env(deployEnv)
	if err != nil {
		d.t.Fatal(err)
	}
	f, err := env.Function(deployFn)
	if err != nil {
		d.t.Fatal(err)
	}
	if f.LiveVersion != version || f.Rollout == config.RolloutDirect != (rollout == "direct") {
		d.t.Fatalf("config.json loads as live_version %q, rollout %q; want %q, %q", f.LiveVersion, f.Rollout, version, rollout)
	}
}

func (d *deployment) readConfig() []byte {
	d.t.Helper()
	b, err := os.ReadFile(d.cfgPath)
	if err != nil {
		d.t.Fatal(err)
	}
	return b
}

func (d *deployment) writeConfig(b []byte) {
	d.t.Helper()
	if err := os.WriteFile(d.cfgPath, b, 0o644); err != nil {
		d.t.Fatal(err)
	}
}

// editConfig changes config.json as a commit on main would.
func (d *deployment) editConfig(old, new string) {
	d.t.Helper()
	b := d.readConfig()
	if !bytes.Contains(b, []byte(old)) {
		d.t.Fatalf("config.json has no %s:\n%s", old, b)
	}
	d.writeConfig(bytes.Replace(b, []byte(old), []byte(new), 1))
}

// golive runs the built golive on the test's config and moto, wants exit code want, and
// decodes its JSON result into v.
func (d *deployment) golive(v any, want int, args ...string) {
	d.t.Helper()
	d.run(v, want, append(args, "--env", deployEnv, "--config", d.cfgPath)...)
}

// run is golive without the test's config: args name the env or the stack themselves.
func (d *deployment) run(v any, want int, args ...string) {
	d.t.Helper()
	args = append(args, "--endpoint-url", d.endpoint, "--output", "json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, d.goliveBin, args...)
	cmd.Env = d.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code, err := exitCode(cmd.Run())
	if err != nil {
		d.t.Fatalf("golive %s: %v", strings.Join(args, " "), err)
	}
	d.t.Logf("golive %s -> %d\n%s%s", strings.Join(args, " "), code, stdout.String(), stderr.String())
	if code != want {
		d.t.Fatalf("golive %s: exit %d; want %d\nstdout:\n%s\nstderr:\n%s", args[0], code, want, stdout.String(), stderr.String())
	}
	if err := json.Unmarshal(stdout.Bytes(), v); err != nil {
		d.t.Fatalf("golive %s: stdout is not its JSON result: %v\n%s", args[0], err, stdout.String())
	}
}

// The JSON results, with the fields docs/commands.md documents and pipelines rely on.
type (
	statusJSON struct {
		Stack      string `json:"stack"`
		StackFound bool   `json:"stack_found"`
		Functions  []struct {
			Function     string `json:"function"`
			FunctionName string `json:"function_name"`
			Config       struct {
				LiveVersion string `json:"live_version"`
				Rollout     string `json:"rollout"`
			} `json:"config"`
			StackDeployed     *string `json:"stack_deployed"`
			StackFunctionName *string `json:"stack_function_name"`
			Alias             *struct {
				Version string             `json:"version"`
				Weights map[string]float64 `json:"weights"`
			} `json:"alias"`
			Newest *string  `json:"newest_version"`
			Drift  []string `json:"drift"`
			Error  string   `json:"error"`
		} `json:"functions"`
	}
	publishJSON struct {
		ConfigUpdated bool `json:"config_updated"`
		Functions     []struct {
			Function string `json:"function"`
			Status   string `json:"status"`
			Version  string `json:"version"`
			Previous string `json:"previous_version"`
			Pin      *struct {
				LiveVersion string `json:"live_version"`
				Rollout     string `json:"rollout"`
			} `json:"pin"`
			Error string `json:"error"`
		} `json:"functions"`
	}
	verifyJSON struct {
		OK       bool `json:"ok"`
		Problems []struct {
			Function string `json:"function"`
			Problem  string `json:"problem"`
		} `json:"problems"`
	}
	rollbackJSON struct {
		Function      string `json:"function"`
		FunctionName  string `json:"function_name"`
		From          string `json:"from_version"`
		To            string `json:"to_version"`
		ConfigUpdated bool   `json:"config_updated"`
		Config        struct {
			LiveVersion string `json:"live_version"`
			Rollout     string `json:"rollout"`
		} `json:"config"`
	}
)

func (d *deployment) status() statusJSON {
	d.t.Helper()
	var st statusJSON
	d.golive(&st, 0, "status")
	if len(st.Functions) != 1 || st.Functions[0].Function != deployFn || st.Functions[0].FunctionName != deployFnName || st.Functions[0].Error != "" {
		d.t.Fatalf("status functions: %+v; want %s (%s) alone, read without error", st.Functions, deployFn, deployFnName)
	}
	return st
}

// wantStatus checks that config, stack and alias agree as given, with no drift.
func (d *deployment) wantStatus(st statusJSON, pin, rollout, stack, alias, newest string) {
	d.t.Helper()
	f := st.Functions[0]
	if f.Config.LiveVersion != pin || f.Config.Rollout != rollout || ptr(f.StackDeployed) != stack || f.Alias == nil || f.Alias.Version != alias || len(f.Alias.Weights) > 0 || len(f.Drift) > 0 {
		d.t.Fatalf("status: config %+v, stack %q, alias %+v, drift %q; want config %s (%q), stack %s, alias %s, no drift",
			f.Config, ptr(f.StackDeployed), f.Alias, f.Drift, pin, rollout, stack, alias)
	}
	if ptr(f.Newest) != newest {
		d.t.Fatalf("status: newest version %s; want %s", ptr(f.Newest), newest)
	}
}

func (d *deployment) publish() publishJSON {
	d.t.Helper()
	var pub publishJSON
	d.golive(&pub, 0, "publish", "--pin")
	return pub
}

func (d *deployment) wantPublished(pub publishJSON, version, previous, rollout string) {
	d.t.Helper()
	if len(pub.Functions) != 1 || !pub.ConfigUpdated {
		d.t.Fatalf("publish: %+v; want one function and config_updated", pub)
	}
	f := pub.Functions[0]
	if f.Function != deployFn || f.Status != "new" || f.Version != version || f.Previous != previous || f.Error != "" ||
		f.Pin == nil || f.Pin.LiveVersion != version || f.Pin.Rollout != rollout {
		d.t.Fatalf("publish: %+v (pin %+v); want %s new version %s after %q, pinned with rollout %q", f, f.Pin, deployFn, version, previous, rollout)
	}
}

func (d *deployment) verify() {
	d.t.Helper()
	var v verifyJSON
	d.golive(&v, 0, "verify")
	if !v.OK || len(v.Problems) > 0 {
		d.t.Fatalf("verify: %+v; want ok", v)
	}
}

func ptr(s *string) string {
	if s == nil {
		return "<null>"
	}
	return *s
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "…" + s[len(s)-n:]
}
