package versionedfunction_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/jsii-runtime-go"

	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/testkit/codedeployfake"
	"github.com/golive-dev/golive/internal/testkit/moto"
)

// TestShippedHookRunsAsLambdaRunsIt runs the hook the construct ships, built from
// cmd/golive-hook, the way Lambda runs a provided.al2023 function: a process whose
// AWS_LAMBDA_RUNTIME_API serves it one invocation, with the environment the synthesized
// template gives the smoke hook. Its SDK clients reach CodeDeploy's wire-protocol fake
// (AWS_ENDPOINT_URL_CODEDEPLOY) and moto's Lambda (AWS_ENDPOINT_URL_LAMBDA), whose Invoke
// echoes the event back. It lives here, where the test binary already links jsii for the
// synth, rather than in a jsii test binary of its own.
func TestShippedHookRunsAsLambdaRunsIt(t *testing.T) {
	// The hook builds for this machine meanwhile.
	bin := filepath.Join(t.TempDir(), "bootstrap")
	build := exec.Command("go", "build", "-o", bin, "../../cmd/golive-hook")
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	var buildLog bytes.Buffer
	build.Stdout, build.Stderr = &buildLog, &buildLog
	if err := build.Start(); err != nil {
		t.Fatal(err)
	}

	// GIVEN the smoke hook's environment in a synthesized template
	const fn = "orders"
	d := canary()
	d.Smoke = &versionedfunction.Smoke{Events: []json.RawMessage{json.RawMessage(`{"ping":"orders"}`)}, Expect: json.RawMessage(`{"ping":"orders"}`),
		Compare: true, Ignore: []string{"/requestId"}}
	tpl, _ := synth(t, &versionedfunction.Props{FunctionName: fn, Entry: entry, LiveVersion: "1", Deployment: d})
	env := smokeHookEnvironment(t, tpl)

	// AND the hook built from cmd/golive-hook
	if err := build.Wait(); err != nil {
		t.Fatalf("build the hook: %v\n%s", err, buildLog.String())
	}

	// AND moto's Lambda with the function and its versions 1 and 2, behind a front that
	// records which version each Invoke names and lets version 1 answer as an older
	// version would (moto's Docker-free Lambda echoes every version's event alike)
	lambdaURL, invoked, current := versionsFront(t, motoWithFunction(t, fn))

	for _, tt := range []struct {
		name, group, function string
		want                  string
		current               string   // what version 1 answers; "": moto's echo
		invoked               []string // the qualifiers invoked, in order
		reason                string   // in the hook's log
	}{
		{name: "a good release", group: fn, function: fn, want: "Succeeded", invoked: []string{"2", "1"}},
		{name: "a function the hook was not configured for", group: fn, function: "someone-else", want: "Failed"},
		{name: "a group the hook does not serve", group: "billing", function: "billing", want: "Failed"},
		{name: "the current version answers otherwise", group: fn, function: fn, want: "Failed", current: `{"ping":"cart"}`, invoked: []string{"2", "1"},
			reason: `orders:2 answers differently from the current version 1 at /ping: current \"cart\", target \"orders\"`},
		{name: "the current version differs only where ignored", group: fn, function: fn, want: "Succeeded", current: `{"ping":"orders","requestId":"r-1"}`,
			invoked: []string{"2", "1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			current(tt.current)
			// GIVEN a deployment CodeDeploy started, waiting for the hook's report
			cd := codedeployfake.Start()
			t.Cleanup(cd.Close)
			id := cd.AddDeployment(codedeployfake.Deployment{
				ApplicationName: "Test-CodeDeploy", DeploymentGroupName: tt.group, Creator: "CloudFormation",
				AppSpec: `{"version":"0.0","Resources":[{"` + tt.function + `":{"Type":"AWS::Lambda::Function","Properties":{"Name":"` + tt.function +
					`","Alias":"LIVE","CurrentVersion":"1","TargetVersion":"2"}}}],"Hooks":[{"BeforeAllowTraffic":"smoke"}]}`,
			})
			exec := cd.AddHookExecution(id, "BeforeAllowTraffic")

			// WHEN Lambda invokes the hook with CodeDeploy's event
			event := fmt.Sprintf(`{"DeploymentId":%q,"LifecycleEventHookExecutionId":%q}`, id, exec)
			result := runAsLambda(t, bin, event, append(env,
				"AWS_ENDPOINT_URL_CODEDEPLOY="+cd.URL, "AWS_ENDPOINT_URL_LAMBDA="+lambdaURL))

			// THEN CodeDeploy has exactly one verdict, and the invocation succeeded
			want := []codedeployfake.LifecycleReport{{DeploymentID: id, ExecutionID: exec, LifecycleEvent: "BeforeAllowTraffic", Status: tt.want}}
			if got := cd.Reports(); len(got) != 1 || got[0] != want[0] {
				t.Errorf("reports = %+v; want %+v\nhook log:\n%s", got, want, result.log)
			}
			if result.kind != "response" {
				t.Errorf("invocation ended with %s %s; want a response (the verdict was reported)\nhook log:\n%s", result.kind, result.body, result.log)
			}
			// Both versions by number, the target first: never the alias, never $LATEST.
			if got := invoked(); !slices.Equal(got, tt.invoked) {
				t.Errorf("invoked qualifiers %q; want %q\nhook log:\n%s", got, tt.invoked, result.log)
			}
			if tt.reason != "" && !strings.Contains(result.log, tt.reason) {
				t.Errorf("hook log does not say %q:\n%s", tt.reason, result.log)
			}
		})
	}
}

// versionsFront passes Lambda's API to moto at motoURL, records the Qualifier of each Invoke
// (read by invoked, which also forgets them), and answers an Invoke of version 1 with the
// body current sets ("" leaves moto's answer).
func versionsFront(t *testing.T, motoURL string) (url string, invoked func() []string, current func(string)) {
	t.Helper()
	target, err := neturl.Parse(motoURL)
	if err != nil {
		t.Fatal(err)
	}
	var (
		mu         sync.Mutex
		qualifiers []string
		body       string
	)
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.ModifyResponse = func(r *http.Response) error {
		if !strings.HasSuffix(r.Request.URL.Path, "/invocations") {
			return nil
		}
		q := r.Request.URL.Query().Get("Qualifier")
		mu.Lock()
		defer mu.Unlock()
		qualifiers = append(qualifiers, q)
		if q == "1" && body != "" {
			r.Body = io.NopCloser(strings.NewReader(body))
			r.ContentLength = int64(len(body))
			r.Header.Set("Content-Length", strconv.Itoa(len(body)))
		}
		return nil
	}
	front := httptest.NewServer(proxy)
	t.Cleanup(front.Close)
	return front.URL, func() []string {
			mu.Lock()
			defer mu.Unlock()
			out := qualifiers
			qualifiers = nil
			return out
		}, func(s string) {
			mu.Lock()
			defer mu.Unlock()
			body = s
		}
}

// smokeHookEnvironment is the smoke hook function's Environment.Variables, as KEY=VALUE.
func smokeHookEnvironment(t *testing.T, tpl assertions.Template) []string {
	t.Helper()
	fns := *tpl.FindResources(jsii.String("AWS::Lambda::Function"), map[string]any{"Properties": map[string]any{
		"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{hooksettings.HookPhaseEnv: hooksettings.HookPhaseSmoke})},
	}})
	if len(fns) != 1 {
		t.Fatalf("%d smoke hook functions in the template, want 1", len(fns))
	}
	var env []string
	for _, fn := range fns {
		for k, v := range vars(fn) {
			s, ok := v.(string)
			if !ok {
				t.Fatalf("the smoke hook's %s is %v, not a string the test can pass on", k, v)
			}
			env = append(env, k+"="+s)
		}
	}
	return env
}

// motoWithFunction starts moto_server, creates function name with two published versions
// and returns moto's URL. Without moto_server the test skips, except under CI=true.
func motoWithFunction(t *testing.T, name string) string {
	t.Helper()
	ctx := context.Background()
	srv, err := moto.Start(ctx)
	if errors.Is(err, moto.ErrNotInstalled) && os.Getenv("CI") != "true" {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	cfg := aws.Config{Region: "us-east-1", Credentials: credentials.NewStaticCredentialsProvider("testing", "testing", "")}
	// moto's CreateFunction wants a role that exists in its IAM.
	role, err := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) }).CreateRole(ctx, &iam.CreateRoleInput{
		RoleName:                 aws.String("golive-hook-test"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	lc := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	code := func(build int) []byte {
		var buf bytes.Buffer
		z := zip.NewWriter(&buf)
		f, _ := z.Create("bootstrap")
		fmt.Fprintf(f, "#!/bin/sh\necho build %d\n", build)
		z.Close()
		return buf.Bytes()
	}
	if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
		FunctionName: aws.String(name), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
		Role: role.Role.Arn, Code: &ltypes.FunctionCode{ZipFile: code(1)},
	}); err != nil {
		t.Fatal(err)
	}
	for build := range 2 {
		if build > 0 {
			if _, err := lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(name), ZipFile: code(build + 1)}); err != nil {
				t.Fatal(err)
			}
		}
		v, err := lc.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := aws.ToString(v.Version), strconv.Itoa(build+1); got != want {
			t.Fatalf("moto published version %s, want %s", got, want)
		}
	}
	return srv.URL
}

// invocationResult is how the one invocation ended: "response" or "error" (the function's
// error), or "init error", with its body, and what the process logged.
type invocationResult struct {
	kind, body, log string
}

// runAsLambda runs bin as Lambda runs a custom runtime's bootstrap (Lambda Developer Guide,
// "Using the Lambda runtime API for custom runtimes"): GET
// /2018-06-01/runtime/invocation/next answers the event with its request id and deadline in
// the Lambda-Runtime-Aws-Request-Id and Lambda-Runtime-Deadline-Ms headers, and the
// function answers with POST /2018-06-01/runtime/invocation/{id}/response or /error. Once it
// has answered, the next GET waits, as Lambda freezes an idle environment, and the process
// is killed.
func runAsLambda(t *testing.T, bin, event string, env []string) invocationResult {
	t.Helper()
	const requestID = "8476a536-e9f4-11e8-9739-2dfe598c3fcd"
	var (
		mu     sync.Mutex
		served bool
		result invocationResult
	)
	done := make(chan struct{})
	stop := make(chan struct{})
	finish := func(kind string, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		defer mu.Unlock()
		if result.kind == "" {
			result.kind, result.body = kind, string(b)
			close(done)
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /2018-06-01/runtime/invocation/next", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := !served
		served = true
		mu.Unlock()
		if !first {
			select {
			case <-stop:
			case <-r.Context().Done():
			}
			return
		}
		w.Header().Set("Lambda-Runtime-Aws-Request-Id", requestID)
		w.Header().Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(time.Now().Add(2*time.Minute).UnixMilli(), 10))
		w.Header().Set("Lambda-Runtime-Invoked-Function-Arn", "arn:aws:lambda:us-east-1:123456789012:function:Test-SmokeHook")
		_, _ = io.WriteString(w, event)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/response", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		finish("response", r)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/invocation/{id}/error", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		finish("error", r)
	})
	mux.HandleFunc("POST /2018-06-01/runtime/init/error", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusAccepted)
		finish("init error", r)
	})
	api := httptest.NewServer(mux)
	defer api.Close()
	defer close(stop)

	var log bytes.Buffer
	cmd := exec.Command(bin)
	// Only what Lambda and the template set: no credentials, profile or endpoint of the
	// machine running the test reaches the hook.
	cmd.Env = append([]string{
		"AWS_LAMBDA_RUNTIME_API=" + strings.TrimPrefix(api.URL, "http://"),
		"AWS_REGION=us-east-1", "AWS_ACCESS_KEY_ID=testing", "AWS_SECRET_ACCESS_KEY=testing",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=" + os.DevNull, "AWS_SHARED_CREDENTIALS_FILE=" + os.DevNull,
		"HOME=" + t.TempDir(),
	}, env...)
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case <-done:
	case err := <-exited:
		t.Fatalf("the hook exited (%v) before answering its invocation:\n%s", err, log.String())
	case <-time.After(90 * time.Second):
		t.Errorf("the hook did not answer its invocation within 90 s")
	}
	_ = cmd.Process.Kill()
	<-exited
	mu.Lock()
	defer mu.Unlock()
	result.log = log.String()
	return result
}
