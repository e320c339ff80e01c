package cli_test

import (
	"bytes"
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/golive-dev/golive/internal/awsclient"
	"github.com/golive-dev/golive/internal/cli"
	"github.com/golive-dev/golive/internal/stackoutputs"
	"github.com/golive-dev/golive/internal/testkit/codedeployfake"
	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

// TestWatchStack: watch --stack, without config.json, follows the releases of a stack's
// functions in the stack's own CodeDeploy application, found among its resources, and names
// each function by its construct id: a release the rollback alarm stopped exits 1 with the
// alarm's reason, CodeDeploy's error and the rollback, and links the stack's dashboard; a
// stack without a CodeDeploy application has no release to follow.
func TestWatchStack(t *testing.T) {
	r := newRelease(t, "d-STACKED01")
	reason := "Threshold Crossed: 1 out of the last 1 datapoints [1.0 (06/12/26 07:01:00)] was greater than or equal to the threshold (1.0)."
	r.setAlarm(cwtypes.StateValueAlarm, reason)
	stopped := "One or more alarms have been activated according to the Amazon CloudWatch metrics you selected, and the affected deployments have been stopped. Activated alarms: <" + r.alarm() + ">"
	r.cd.Update(r.id, func(d *codedeployfake.Deployment) {
		d.Status, d.CompleteTime, d.Target = "Stopped", time.Now(), lambdaTarget(r, "Failed", "Succeeded", "Failed", "Skipped")
		d.ErrorInformation = &codedeployfake.ErrorInformation{Code: "ALARM_ACTIVE", Message: stopped}
		d.RollbackInfo = &codedeployfake.RollbackInfo{RollbackDeploymentID: "d-ROLLBACK1", RollbackMessage: "Automatic rollback triggered by alarm"}
	})
	if err := os.Remove(r.w.cfgPath); err != nil {
		t.Fatal(err)
	}
	stack := r.w.project + "-prd"
	stacks := fakeaws.NewStacks()
	stacks.Set(stack, stackoutputs.OutputKey("Worker"), r.w.name("worker")+":1")
	stacks.Set(stack, stackoutputs.DashboardOutputKey, stack+"-releases")
	application := cftypes.StackResourceSummary{
		LogicalResourceId: aws.String("SharedApplication1A2B3C4D"), ResourceType: aws.String("AWS::CodeDeploy::Application"), PhysicalResourceId: aws.String(stack),
	}
	app := func(stdout, stderr *bytes.Buffer) runner {
		return &cli.App{Stdout: stdout, Stderr: stderr, NewClients: func(ctx context.Context, o awsclient.Options) (cli.Clients, error) {
			o.MaxBackoff = 20 * time.Millisecond
			c, err := cli.SDKClients(ctx, o)
			c.Releases, c.Stacks = r.cd.Client(), stacks
			return c, err
		}}
	}
	watch := []string{"watch", "--stack", stack, "--poll", "20ms", "--start-wait", "100ms", "--timeout", "30s"}

	stacks.Resources = map[string][]cftypes.StackResourceSummary{stack: {application}}
	out, stderr, code := r.w.runApp(app, watch...)
	if code != 1 || !strings.Contains(stderr, "golive: release failed for Worker") {
		t.Errorf("exit %d, stderr %s; want 1 and the failed function named by its construct id", code, stderr)
	}
	for _, want := range []string{
		"dashboard: https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=" + stack + "-releases",
		"Worker: d-STACKED01 Stopped, rolled back | 1 -> 2 (commit 2222222abcde), 0% on 2 | BeforeAllowTraffic Succeeded, AllowTraffic Failed, AfterAllowTraffic Skipped | alarm ALARM",
		"Worker:   alarm " + r.alarm() + " is in ALARM: " + reason,
		"Worker:   CodeDeploy ALARM_ACTIVE: " + stopped,
		"Worker:   rollback: Automatic rollback triggered by alarm",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}

	out, _, code = r.w.runApp(app, append(watch, "-o", "json")...)
	if lines := jsonLines(t, out); code != 1 || len(lines) != 1 || lines[0].Function != "Worker" || lines[0].DeploymentID != "d-STACKED01" ||
		!lines[0].RolledBack || lines[0].Alarm == nil || lines[0].Alarm.State != "ALARM" {
		t.Errorf("exit %d, JSON lines:\n%s", code, out)
	}

	if out, _, code := r.w.runApp(app, "history", "--stack", stack); code != 0 || !strings.Contains(out, "d-STACKED01") {
		t.Errorf("history --stack: exit %d, stdout %q; want 0 and the release", code, out)
	}

	// Without its CodeDeploy application the stack moves LIVE itself: no release to follow,
	// and CodeDeploy is not asked for a group without an application.
	stacks.Resources = map[string][]cftypes.StackResourceSummary{}
	out, _, code = r.w.runApp(app, watch...)
	if code != 0 || !strings.Contains(out, "Worker: no deployment") {
		t.Errorf("a stack without CodeDeploy: exit %d, stdout %q; want 0 and no deployment", code, out)
	}
	if out, _, code := r.w.runApp(app, "history", "--stack", stack); code != 0 || strings.Contains(out, "d-STACKED01") {
		t.Errorf("history --stack of a stack without CodeDeploy: exit %d, stdout %q; want 0 and no release", code, out)
	}
}
