// CodeDeploy serves a deployment's AppSpec as a String revision (revision.string.content),
// which the SDK marks deprecated; the fake is tested on what CodeDeploy serves.
//lint:file-ignore SA1019 the String revision is what CodeDeploy serves (see above)

package codedeployfake_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/smithy-go"

	"github.com/golive-dev/golive/internal/testkit/codedeployfake"
)

const appSpec = `{"version":"0.0","Resources":[{"fn":{"Type":"AWS::Lambda::Function","Properties":{"Name":"demo-prd-worker","Alias":"LIVE","CurrentVersion":"6","TargetVersion":"7"}}}],"Hooks":[{"BeforeAllowTraffic":"CodeDeployHook_demo-prd-smoke"}]}`

func start(t *testing.T) (*codedeployfake.Server, *codedeploy.Client, string) {
	t.Helper()
	s := codedeployfake.Start()
	t.Cleanup(s.Close)
	id := s.AddDeployment(codedeployfake.Deployment{
		ApplicationName: "demo-prd", DeploymentGroupName: "worker", Creator: "CloudFormation",
		CreateTime: time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC), AppSpec: appSpec,
	})
	return s, s.Client(), id
}

func TestGetDeploymentCarriesOnlyTheSha256(t *testing.T) {
	_, c, id := start(t)
	out, err := c.GetDeployment(context.Background(), &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	info := out.DeploymentInfo
	if aws.ToString(info.ApplicationName) != "demo-prd" || aws.ToString(info.DeploymentGroupName) != "worker" || aws.ToString(info.DeploymentId) != id {
		t.Errorf("deployment = %s/%s/%s; want demo-prd/worker/%s", aws.ToString(info.ApplicationName), aws.ToString(info.DeploymentGroupName), aws.ToString(info.DeploymentId), id)
	}
	if want := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC); info.CreateTime == nil || !info.CreateTime.Equal(want) {
		t.Errorf("CreateTime = %v; want %v", info.CreateTime, want)
	}
	if info.ComputePlatform != types.ComputePlatformLambda || info.Status != types.DeploymentStatusInProgress || info.Creator != types.DeploymentCreatorCloudFormation {
		t.Errorf("platform, status, creator = %s, %s, %s", info.ComputePlatform, info.Status, info.Creator)
	}
	rev := info.Revision
	if rev == nil || rev.RevisionType != types.RevisionLocationTypeAppSpecContent || rev.AppSpecContent == nil {
		t.Fatalf("revision = %+v; want an appSpecContent revision", rev)
	}
	if rev.AppSpecContent.Content != nil || rev.String_ != nil {
		t.Errorf("GetDeployment carries the AppSpec's content; its doc comment says it is always null")
	}
	if got, want := aws.ToString(rev.AppSpecContent.Sha256), codedeployfake.Sha256(appSpec); got != want {
		t.Errorf("sha256 = %q; want %q", got, want)
	}
}

func TestGetApplicationRevisionServesTheContent(t *testing.T) {
	for _, tc := range []struct {
		name string
		typ  string
		get  func(*types.RevisionLocation) *string
	}{
		{"string", codedeployfake.RevisionString, func(r *types.RevisionLocation) *string {
			if r.String_ == nil || r.AppSpecContent != nil || r.RevisionType != types.RevisionLocationTypeString {
				return nil
			}
			return r.String_.Content
		}},
		{"appSpecContent", codedeployfake.RevisionAppSpecContent, func(r *types.RevisionLocation) *string {
			if r.AppSpecContent == nil || r.String_ != nil || r.RevisionType != types.RevisionLocationTypeAppSpecContent {
				return nil
			}
			return r.AppSpecContent.Content
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, c, id := start(t)
			s.SetRevisionType("demo-prd", codedeployfake.Sha256(appSpec), tc.typ)
			d, err := c.GetDeployment(context.Background(), &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
			if err != nil {
				t.Fatal(err)
			}
			out, err := c.GetApplicationRevision(context.Background(), &codedeploy.GetApplicationRevisionInput{
				ApplicationName: d.DeploymentInfo.ApplicationName, Revision: d.DeploymentInfo.Revision,
			})
			if err != nil {
				t.Fatal(err)
			}
			if got := aws.ToString(tc.get(out.Revision)); got != appSpec {
				t.Errorf("content = %q; want the AppSpec", got)
			}
			if aws.ToString(out.ApplicationName) != "demo-prd" {
				t.Errorf("applicationName = %q", aws.ToString(out.ApplicationName))
			}
			info := out.RevisionInfo
			if info == nil || len(info.DeploymentGroups) != 1 || info.DeploymentGroups[0] != "worker" || info.RegisterTime == nil {
				t.Errorf("revisionInfo = %+v; want deployment group worker and a register time", info)
			}
		})
	}
}

// errorIs checks that the SDK deserialized the answer as the typed exception T.
func errorIs[T error](t *testing.T, err error) {
	t.Helper()
	var want T
	if !errors.As(err, &want) {
		t.Errorf("error = %v (%T); want %T", err, err, want)
	}
}

func TestErrorsAreTheDocumentedExceptions(t *testing.T) {
	ctx := context.Background()
	s, c, id := start(t)
	sha := codedeployfake.Sha256(appSpec)
	server := s.AddDeployment(codedeployfake.Deployment{ApplicationName: "ec2", DeploymentGroupName: "fleet", ComputePlatform: "Server", AppSpec: "version: 0.0"})
	exec := s.AddHookExecution(id, "BeforeAllowTraffic")
	put := func(dep, ex, status string) error {
		_, err := c.PutLifecycleEventHookExecutionStatus(ctx, &codedeploy.PutLifecycleEventHookExecutionStatusInput{
			DeploymentId: aws.String(dep), LifecycleEventHookExecutionId: aws.String(ex), Status: types.LifecycleEventStatus(status),
		})
		return err
	}
	rev := func(app, sum string) error {
		_, err := c.GetApplicationRevision(ctx, &codedeploy.GetApplicationRevisionInput{
			ApplicationName: aws.String(app),
			Revision:        &types.RevisionLocation{RevisionType: types.RevisionLocationTypeAppSpecContent, AppSpecContent: &types.AppSpecContent{Sha256: aws.String(sum)}},
		})
		return err
	}
	getDep := func(id string) error {
		_, err := c.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
		return err
	}
	for name, check := range map[string]func(t *testing.T){
		"GetDeployment unknown": func(t *testing.T) { errorIs[*types.DeploymentDoesNotExistException](t, getDep("d-NOTTHERE")) },
		"GetDeployment no id":   func(t *testing.T) { errorIs[*types.DeploymentIdRequiredException](t, getDep("")) },
		"GetApplicationRevision unknown application": func(t *testing.T) {
			errorIs[*types.ApplicationDoesNotExistException](t, rev("nope", sha))
		},
		"GetApplicationRevision no application name": func(t *testing.T) {
			errorIs[*types.ApplicationNameRequiredException](t, rev("", sha))
		},
		"GetApplicationRevision long application name": func(t *testing.T) {
			errorIs[*types.InvalidApplicationNameException](t, rev(strings.Repeat("a", 101), sha))
		},
		"GetApplicationRevision unknown sha256": func(t *testing.T) {
			errorIs[*types.RevisionDoesNotExistException](t, rev("demo-prd", codedeployfake.Sha256("other")))
		},
		"GetApplicationRevision no location": func(t *testing.T) {
			_, err := c.GetApplicationRevision(ctx, &codedeploy.GetApplicationRevisionInput{ApplicationName: aws.String("demo-prd"), Revision: &types.RevisionLocation{}})
			errorIs[*types.InvalidRevisionException](t, err)
		},
		"Put unknown deployment": func(t *testing.T) {
			errorIs[*types.DeploymentDoesNotExistException](t, put("d-NOTTHERE", exec, "Succeeded"))
		},
		"Put no deployment id": func(t *testing.T) { errorIs[*types.DeploymentIdRequiredException](t, put("", exec, "Succeeded")) },
		"Put unknown execution": func(t *testing.T) {
			errorIs[*types.InvalidLifecycleEventHookExecutionIdException](t, put(id, "exec-other", "Succeeded"))
		},
		"Put status other than Succeeded or Failed": func(t *testing.T) {
			errorIs[*types.InvalidLifecycleEventHookExecutionStatusException](t, put(id, exec, "InProgress"))
		},
		"Put on a Server deployment": func(t *testing.T) {
			errorIs[*types.UnsupportedActionForDeploymentTypeException](t, put(server, exec, "Succeeded"))
		},
	} {
		t.Run(name, check)
	}
	if got := s.Reports(); len(got) != 0 {
		t.Errorf("refused reports were recorded: %+v", got)
	}
}

func TestASecondReportIsRefused(t *testing.T) {
	ctx := context.Background()
	s, c, id := start(t)
	exec := s.AddHookExecution(id, "AfterAllowTraffic")
	out, err := c.PutLifecycleEventHookExecutionStatus(ctx, &codedeploy.PutLifecycleEventHookExecutionStatusInput{
		DeploymentId: aws.String(id), LifecycleEventHookExecutionId: aws.String(exec), Status: types.LifecycleEventStatusFailed,
	})
	if err != nil {
		t.Fatal(err)
	}
	if aws.ToString(out.LifecycleEventHookExecutionId) != exec {
		t.Errorf("lifecycleEventHookExecutionId = %q; want %q", aws.ToString(out.LifecycleEventHookExecutionId), exec)
	}
	_, err = c.PutLifecycleEventHookExecutionStatus(ctx, &codedeploy.PutLifecycleEventHookExecutionStatusInput{
		DeploymentId: aws.String(id), LifecycleEventHookExecutionId: aws.String(exec), Status: types.LifecycleEventStatusSucceeded,
	})
	errorIs[*types.LifecycleEventAlreadyCompletedException](t, err)
	want := []codedeployfake.LifecycleReport{{DeploymentID: id, ExecutionID: exec, LifecycleEvent: "AfterAllowTraffic", Status: "Failed"}}
	if got := s.Reports(); len(got) != 1 || got[0] != want[0] {
		t.Errorf("reports = %+v; want %+v", got, want)
	}
	if n := s.CallsTo("PutLifecycleEventHookExecutionStatus"); n != 2 {
		t.Errorf("%d PutLifecycleEventHookExecutionStatus calls recorded; want 2", n)
	}
}

// TestWire checks what the SDK does not: the raw answer of GetDeployment holds no content
// member at all, and a request the protocol does not allow is refused.
func TestWire(t *testing.T) {
	s, _, id := start(t)
	post := func(target, ctype, body string) (int, string) {
		req, _ := http.NewRequest(http.MethodPost, s.URL+"/", strings.NewReader(body))
		req.Header.Set("X-Amz-Target", target)
		req.Header.Set("Content-Type", ctype)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	for _, tc := range []struct {
		name, target, ctype, body string
		status                    int
		has, hasNot               string
	}{
		{"GetDeployment", "CodeDeploy_20141006.GetDeployment", "application/x-amz-json-1.1", `{"deploymentId":"` + id + `"}`, 200, `"sha256":`, `"content"`},
		{"unknown operation", "CodeDeploy_20141006.CreateDeployment", "application/x-amz-json-1.1", `{}`, 400, `"__type":"UnknownOperationException"`, ""},
		{"wrong content type", "CodeDeploy_20141006.GetDeployment", "application/json", `{}`, 400, `"__type":"SerializationException"`, ""},
		{"unknown member", "CodeDeploy_20141006.GetDeployment", "application/x-amz-json-1.1", `{"bogus":"x"}`, 400, `"__type":"SerializationException"`, ""},
		{"error body", "CodeDeploy_20141006.GetDeployment", "application/x-amz-json-1.1", `{"deploymentId":"d-X"}`, 400, `"__type":"DeploymentDoesNotExistException","message":`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			status, body := post(tc.target, tc.ctype, tc.body)
			if status != tc.status || !strings.Contains(body, tc.has) || (tc.hasNot != "" && strings.Contains(body, tc.hasNot)) {
				t.Errorf("answer %d %s; want %d containing %s and not %q", status, body, tc.status, tc.has, tc.hasNot)
			}
		})
	}
	var smithyErr smithy.APIError
	_, err := s.Client().GetDeployment(context.Background(), &codedeploy.GetDeploymentInput{DeploymentId: aws.String("d-X")})
	if !errors.As(err, &smithyErr) || smithyErr.ErrorCode() != "DeploymentDoesNotExistException" || !bytes.Contains([]byte(smithyErr.ErrorMessage()), []byte("d-X")) {
		t.Errorf("error = %v; want DeploymentDoesNotExistException naming d-X", err)
	}
}

func TestFailAnswersTheInjectedErrorOnce(t *testing.T) {
	s, c, id := start(t)
	s.Fail("GetDeployment", codedeployfake.AccessDenied())
	get := func() error {
		_, err := c.GetDeployment(context.Background(), &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
		return err
	}
	var apiErr smithy.APIError
	if err := get(); !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AccessDeniedException" {
		t.Errorf("first call: %v; want AccessDeniedException", err)
	}
	if err := get(); err != nil {
		t.Errorf("second call: %v; want the deployment", err)
	}
}

// TestDeploymentGroupAndPredefinedConfigs: GetDeploymentGroup gives the group's configuration
// name and alarm configuration, GetDeploymentConfig a predefined Lambda configuration's
// traffic routing as well as a custom one's, and both refuse with the documented exceptions.
func TestDeploymentGroupAndPredefinedConfigs(t *testing.T) {
	ctx := context.Background()
	s, c, _ := start(t)
	s.AddDeploymentGroup(codedeployfake.DeploymentGroup{
		ApplicationName: "demo-prd", Name: "demo-prd-worker", DeploymentConfigName: "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes",
		Alarms: []string{"demo-prd-worker-LIVE-v7-rollback"}, AlarmsEnabled: true,
	})
	g, err := c.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: aws.String("demo-prd"), DeploymentGroupName: aws.String("demo-prd-worker")})
	if err != nil {
		t.Fatal(err)
	}
	info := g.DeploymentGroupInfo
	if aws.ToString(info.DeploymentConfigName) != "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes" || info.ComputePlatform != types.ComputePlatformLambda ||
		!info.AlarmConfiguration.Enabled || len(info.AlarmConfiguration.Alarms) != 1 || aws.ToString(info.AlarmConfiguration.Alarms[0].Name) != "demo-prd-worker-LIVE-v7-rollback" {
		t.Errorf("group %+v, alarms %+v", info, info.AlarmConfiguration)
	}
	cfg, err := c.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: info.DeploymentConfigName})
	if err != nil {
		t.Fatal(err)
	}
	if tr := cfg.DeploymentConfigInfo.TrafficRoutingConfig; tr.Type != types.TrafficRoutingTypeTimeBasedLinear || tr.TimeBasedLinear.LinearPercentage != 10 || tr.TimeBasedLinear.LinearInterval != 2 {
		t.Errorf("routing %+v", tr)
	}
	all, err := c.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String("CodeDeployDefault.LambdaAllAtOnce")})
	if err != nil || all.DeploymentConfigInfo.TrafficRoutingConfig.Type != types.TrafficRoutingTypeAllAtOnce {
		t.Errorf("all at once: %v %+v", err, all)
	}
	group := func(app, name string) error {
		_, err := c.GetDeploymentGroup(ctx, &codedeploy.GetDeploymentGroupInput{ApplicationName: aws.String(app), DeploymentGroupName: aws.String(name)})
		return err
	}
	config := func(name string) error {
		_, err := c.GetDeploymentConfig(ctx, &codedeploy.GetDeploymentConfigInput{DeploymentConfigName: aws.String(name)})
		return err
	}
	errorIs[*types.DeploymentGroupDoesNotExistException](t, group("demo-prd", "demo-prd-other"))
	errorIs[*types.ApplicationDoesNotExistException](t, group("nope", "demo-prd-worker"))
	errorIs[*types.DeploymentGroupNameRequiredException](t, group("demo-prd", ""))
	errorIs[*types.DeploymentConfigDoesNotExistException](t, config("CodeDeployDefault.LambdaCanary50Percent1Minute"))
	errorIs[*types.DeploymentConfigDoesNotExistException](t, config("LambdaCanary10Percent5Minutes"))
}
