package cli_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/golive-dev/golive/internal/awsclient"
	"github.com/golive-dev/golive/internal/cli"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

// What moto cannot show goes through the same commands over fakes: moto has no StopDeployment,
// ignores the publish guards and deletes aliased versions.

func fakeApp(t *testing.T, l *fakeaws.Lambda, s *fakeaws.Stacks, d *fakeaws.Deploys) (*cli.App, *bytes.Buffer, *bytes.Buffer) {
	t.Helper()
	var out, errb bytes.Buffer
	return &cli.App{
		Stdout: &out, Stderr: &errb,
		NewClients: func(context.Context, awsclient.Options) (cli.Clients, error) {
			return cli.Clients{Lambda: l, Stacks: s, Deploys: d}, nil
		},
	}, &out, &errb
}

func fakeConfig(t *testing.T, worker string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "config.json")
	src := strings.ReplaceAll(cfg(worker), "PROJECT", "p")
	if err := os.WriteFile(path, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// While CodeDeploy shifts traffic to 3, rollback stops the deployment with auto-rollback and
// writes back the pin the stack last deployed.
func TestRollbackStopsDeploymentInFlight(t *testing.T) {
	l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
	fn := l.AddFunction("p-prd-worker")
	for range 2 {
		l.Publish("p-prd-worker")
		fn.UpdateCode()
	}
	l.Publish("p-prd-worker")
	fn.SetAlias("LIVE", "2", map[string]float64{"3": 0.1})
	s.Set("p-prd", "LiveVersionWorker", "2")
	s.SetStatus("p-prd", cftypes.StackStatusUpdateInProgress)
	d.Start("p-prd", "p-prd-worker", "d-INFLIGHT")
	path := fakeConfig(t, `{ "live_version": "3" }`)
	before, _ := os.ReadFile(path)

	app, out, errb := fakeApp(t, l, s, d)
	code := app.Run(context.Background(), []string{"rollback", "--env", "prd", "--function", "worker", "--config", path})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	if auto, ok := d.Stopped["d-INFLIGHT"]; !ok || !auto {
		t.Errorf("deployment not stopped with auto-rollback: %v", d.Stopped)
	}
	if !strings.Contains(out.String(), "stopped CodeDeploy deployment d-INFLIGHT with auto-rollback; CodeDeploy returns LIVE to 2") {
		t.Errorf("stdout = %s", out)
	}
	after, _ := os.ReadFile(path)
	// rolled_back keeps the next publish --pin from pinning 3 again.
	if want := strings.Replace(string(before), `"live_version": "3"`, `"live_version": "2", "rolled_back": "3"`, 1); string(after) != want {
		t.Errorf("config.json:\n%s\nwant:\n%s", after, want)
	}
	if l.Calls("UpdateAlias") != 0 {
		t.Error("golive moved the alias; CodeDeploy restores it")
	}

	// Run again: the deployment in flight is now CodeDeploy's rollback of d-INFLIGHT, which
	// golive must leave alone.
	app, _, errb = fakeApp(t, l, s, d)
	code = app.Run(context.Background(), []string{"rollback", "--env", "prd", "--function", "worker", "--config", path})
	if want := "CodeDeploy is already rolling p-prd-worker back: deployment d-INFLIGHT-rollback (created by codeDeployRollback, rolling back d-INFLIGHT)"; code != 1 ||
		!strings.Contains(errb.String(), want) {
		t.Errorf("second rollback: exit %d, stderr %s; want exit 1 and %q", code, errb, want)
	}
	if _, stopped := d.Stopped["d-INFLIGHT-rollback"]; stopped {
		t.Error("golive stopped CodeDeploy's rollback deployment")
	}
}

// Stopping one function's deployment fails the stack update, which CloudFormation rolls back
// as a whole: rollback says which other functions go back with it, and refuses to stop a
// deployment when no stack update is in progress.
func TestRollbackNamesTheWholeUpdate(t *testing.T) {
	l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
	for _, n := range []string{"p-prd-worker", "p-prd-api"} {
		fn := l.AddFunction(n)
		l.Publish(n)
		fn.UpdateCode()
		l.Publish(n)
		fn.SetAlias("LIVE", "1", map[string]float64{"2": 0.1})
		d.Start("p-prd", n, "d-"+n)
	}
	s.Set("p-prd", "LiveVersionWorker", "1")
	s.Set("p-prd", "LiveVersionApi", "1")
	path := filepath.Join(t.TempDir(), "config.json")
	src := strings.NewReplacer("PROJECT", "p", `"worker": {`, `"api": { "entry": "functions/api", "deployment": { "type": "Canary10Percent5Minutes" } }, "worker": {`,
		`"lambda_functions": { "worker": WORKER }`, `"lambda_functions": { "worker": { "live_version": "2" }, "api": { "live_version": "2" } }`).Replace(oneFunction)
	writeFile(t, path, src)

	s.SetStatus("p-prd", cftypes.StackStatusUpdateComplete)
	app, _, errb := fakeApp(t, l, s, d)
	code := app.Run(context.Background(), []string{"rollback", "--env", "prd", "--function", "worker", "--config", path})
	if code != 1 || !strings.Contains(errb.String(), "but stack p-prd is UPDATE_COMPLETE, not UPDATE_IN_PROGRESS") || len(d.Stopped) != 0 {
		t.Errorf("rollback without an update in progress: exit %d, stopped %v, stderr %s", code, d.Stopped, errb)
	}

	s.SetStatus("p-prd", cftypes.StackStatusUpdateInProgress)
	app, out, errb := fakeApp(t, l, s, d)
	code = app.Run(context.Background(), []string{"rollback", "--env", "prd", "--function", "worker", "--config", path})
	if code != 0 || !d.Stopped["d-p-prd-worker"] {
		t.Fatalf("exit %d, stopped %v: %s", code, d.Stopped, errb)
	}
	if _, stopped := d.Stopped["d-p-prd-api"]; stopped {
		t.Error("the sibling's deployment was stopped by golive; CloudFormation rolls it back")
	}
	if want := "api: rolled back with it, by the same stack update (CodeDeploy deployment d-p-prd-api in flight)"; !strings.Contains(out.String(), want) {
		t.Errorf("stdout = %s; want %q", out, want)
	}
	if want := "CloudFormation rolls back the whole stack update, so api also return to the versions the stack recorded; config.json still pins"; !strings.Contains(errb.String(), want) {
		t.Errorf("stderr = %s; want %q", errb, want)
	}
}

// Someone updates $LATEST between golive reading it and publishing: the guard fails the
// publish with a clear message and --pin writes nothing.
func TestPublishGuardFailsClearly(t *testing.T) {
	l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
	fn := l.AddFunction("p-prd-worker")
	l.Publish("p-prd-worker")
	fn.SetAlias("LIVE", "1", nil)
	s.Set("p-prd", "LiveVersionWorker", "1")
	fn.UpdateCode()
	l.BeforePublish = func(f *fakeaws.Function) { f.UpdateCode() }
	path := fakeConfig(t, `{ "live_version": "1" }`)
	before, _ := os.ReadFile(path)

	app, out, errb := fakeApp(t, l, s, d)
	code := app.Run(context.Background(), []string{"publish", "--env", "prd", "--pin", "--config", path})
	if code != 1 {
		t.Fatalf("exit %d", code)
	}
	if !strings.Contains(out.String(), "failed: changed since golive read it: the code of $LATEST of p-prd-worker is no longer") ||
		!strings.Contains(errb.String(), "publish failed for 1 of 1 functions") {
		t.Errorf("stdout %s\nstderr %s", out, errb)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Error("config.json changed")
	}
	if got := fn.Versions(); len(got) != 1 {
		t.Errorf("versions %v; nothing may be published", got)
	}
}

// AWS refuses to delete a version an alias routes to: prune reports it kept and succeeds.
func TestPruneReportsAWSRefusal(t *testing.T) {
	l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
	fn := l.AddFunction("p-prd-worker")
	for range 3 {
		l.Publish("p-prd-worker")
		fn.UpdateCode()
	}
	fn.SetAlias("LIVE", "3", nil)
	fn.Refuse = map[string]bool{"1": true}
	path := fakeConfig(t, `{ "live_version": "3" }`)

	app, out, errb := fakeApp(t, l, s, d)
	code := app.Run(context.Background(), []string{"prune", "--env", "prd", "--keep", "0", "--config", path})
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errb)
	}
	for _, want := range []string{"worker    2  ", "1 (AWS refused: Unable to delete version", "code storage: "} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if !strings.Contains(errb.String(), "AWS refused to delete the version; kept") {
		t.Errorf("stderr = %s", errb)
	}
}

// --stack while CodeDeploy shifts traffic: rollback stops the deployment, and since no
// config.json follows, says that the app's code must go back to the old version, which it
// still pins ahead of the stack.
func TestStackRollbackStopsDeploymentInFlight(t *testing.T) {
	l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
	fn := l.AddFunction("shop-worker")
	for range 2 {
		l.Publish("shop-worker")
		fn.UpdateCode()
	}
	l.Publish("shop-worker")
	fn.SetAlias("LIVE", "2", map[string]float64{"3": 0.1})
	s.Set("shop", "LiveVersionWorker", "shop-worker:2") // outputs change when the update completes
	s.SetStatus("shop", cftypes.StackStatusUpdateInProgress)
	s.Resources = map[string][]cftypes.StackResourceSummary{"shop": {
		{ResourceType: aws.String("AWS::CodeDeploy::Application"), PhysicalResourceId: aws.String("shop-App")},
	}}
	d.Start("shop-App", "shop-worker", "d-INFLIGHT")

	app, _, errb := fakeApp(t, l, s, d)
	code := app.Run(context.Background(), []string{"rollback", "--stack", "shop", "--function", "Worker", "--region", "us-east-1"})
	if code != 0 || !d.Stopped["d-INFLIGHT"] {
		t.Fatalf("exit %d, stopped %v: %s", code, d.Stopped, errb)
	}
	if want := "CloudFormation rolls the stack back to 2; before the next deploy, set Worker's live version back to 2 in your app"; !strings.Contains(errb.String(), want) {
		t.Errorf("stderr = %s; want %q", errb, want)
	}
}

// --role-arn names the assumed-role session after the stack: a long stack name or a stack ARN
// is cut down to what STS accepts (2 to 64 characters of [\w+=,.@-]).
func TestRoleSessionNameFitsSTS(t *testing.T) {
	valid := regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	long := strings.Repeat("shop", 30)
	for _, stack := range []string{long, "arn:aws:cloudformation:us-east-1:123456789012:stack/shop/9a8b7c6d-1234-11ee-be56-0242ac120002"} {
		var got string
		var out, errb bytes.Buffer
		app := &cli.App{Stdout: &out, Stderr: &errb, NewClients: func(_ context.Context, o awsclient.Options) (cli.Clients, error) {
			got = o.SessionName
			return cli.Clients{Lambda: fakeaws.NewLambda(), Stacks: fakeaws.NewStacks(), Deploys: fakeaws.NewDeploys()}, nil
		}}
		app.Run(context.Background(), []string{"status", "--stack", stack, "--region", "us-east-1", "--role-arn", "arn:aws:iam::123456789012:role/deployer"})
		if !valid.MatchString(got) || !strings.HasPrefix(got, "golive-shop") {
			t.Errorf("--stack %s: session name %q; want golive-shop… matching %s", stack, got, valid)
		}
	}
}

// A new version is Pending while Lambda prepares it (a SnapStart snapshot): publish reports
// and pins it once Active, and waits no longer than --call-timeout for that.
func TestPublishWaitsForActiveWithinCallTimeout(t *testing.T) {
	setup := func(t *testing.T, pendingReads int) (*fakeaws.Lambda, *fakeaws.Stacks, *fakeaws.Deploys, string) {
		l, s, d := fakeaws.NewLambda(), fakeaws.NewStacks(), fakeaws.NewDeploys()
		fn := l.AddFunction("p-prd-worker")
		l.Publish("p-prd-worker")
		fn.SetAlias("LIVE", "1", nil)
		s.Set("p-prd", "LiveVersionWorker", "1")
		fn.UpdateCode()
		fn.PendingReads = pendingReads
		return l, s, d, fakeConfig(t, `{ "live_version": "1" }`)
	}

	// Pending once, then Active: the waiter polls again after its first delay.
	l, s, d, path := setup(t, 1)
	app, out, errb := fakeApp(t, l, s, d)
	code := app.Run(context.Background(), []string{"publish", "--env", "prd", "--pin", "--call-timeout", "20s", "--config", path})
	if after, _ := os.ReadFile(path); code != 0 || !strings.Contains(string(after), `"live_version": "2"`) || !strings.Contains(out.String(), "worker    2        new") {
		t.Errorf("Pending, then Active: exit %d, config %s, stdout %s, stderr %s", code, after, out, errb)
	}
	if !strings.Contains(errb.String(), "waiting for the new version to become active") {
		t.Errorf("stderr = %s; want the wait logged", errb)
	}

	// Pending for good: the function fails within about --call-timeout, nothing is pinned, and
	// the rerun is named.
	l, s, d, path = setup(t, 1<<30)
	before, _ := os.ReadFile(path)
	app, out, errb = fakeApp(t, l, s, d)
	start := time.Now()
	code = app.Run(context.Background(), []string{"publish", "--env", "prd", "--pin", "--call-timeout", "1500ms", "--config", path})
	if took := time.Since(start); took > 6*time.Second {
		t.Errorf("publish took %s; --call-timeout 1.5s bounds the wait", took)
	}
	if code != 1 || !strings.Contains(out.String(), "version 2 of p-prd-worker was published but is not active (Pending)") {
		t.Errorf("exit %d, stdout %s, stderr %s", code, out, errb)
	}
	if after, _ := os.ReadFile(path); !bytes.Equal(after, before) {
		t.Errorf("config.json changed to:\n%s", after)
	}
	if !strings.Contains(errb.String(), "golive: to finish, run: golive publish --env prd --pin") {
		t.Errorf("stderr = %s; want the rerun", errb)
	}
}
