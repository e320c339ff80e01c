package fakeaws_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
	"github.com/aws/smithy-go"

	"github.com/golive-dev/golive/internal/testkit/fakeaws"
)

// The fakes answer as docs/aws-behaviour.md says AWS answers, each case citing its row.
// These tests are the rows' proof that the fakes do; the release logic's tests then rely
// on it.

var ctx = context.Background()

func code(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return fmt.Sprint(err)
}

// TestFakeLambdaPublishVersion: L1, L2 and L3.
func TestFakeLambdaPublishVersion(t *testing.T) {
	l := fakeaws.NewLambda()
	f := l.AddFunction("fn")
	read := func() *lambda.GetFunctionConfigurationOutput {
		out, err := l.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("fn")})
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	r := read()
	publish := func(sha, rev *string) (*lambda.PublishVersionOutput, error) {
		return l.PublishVersion(ctx, &lambda.PublishVersionInput{FunctionName: aws.String("fn"), CodeSha256: sha, RevisionId: rev})
	}
	v1, err := publish(r.CodeSha256, r.RevisionId)
	if err != nil || aws.ToString(v1.Version) != "1" {
		t.Fatalf("first publish: %v, %v; want version 1", v1, err)
	}
	// L2: nothing changed since version 1: no new version, the newest is answered.
	again, err := publish(r.CodeSha256, r.RevisionId)
	if err != nil || aws.ToString(again.Version) != "1" || aws.ToString(again.LastModified) != aws.ToString(v1.LastModified) {
		t.Errorf("publish of an unchanged $LATEST: %v, %v; want version 1 again", again, err)
	}
	// L23: a version past the account's code storage is CodeStorageExceededException.
	l.StorageLimit = 1
	f.UpdateCode()
	r = read()
	if _, err := publish(r.CodeSha256, r.RevisionId); code(err) != "CodeStorageExceededException" {
		t.Errorf("publish past the code storage limit: %v; want CodeStorageExceededException", err)
	}
	l.StorageLimit = 0
	// L1: the guards.
	f.UpdateConfig()
	if _, err := publish(r.CodeSha256, r.RevisionId); code(err) != "PreconditionFailedException" {
		t.Errorf("publish with a stale RevisionId: %v; want PreconditionFailedException", err)
	}
	f.UpdateCode()
	r2 := read()
	if _, err := publish(r.CodeSha256, r2.RevisionId); code(err) != "InvalidParameterValueException" {
		t.Errorf("publish with a stale CodeSha256: %v; want InvalidParameterValueException", err)
	}
	// L3: a deleted number is not handed out again.
	v2, err := publish(r2.CodeSha256, r2.RevisionId)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := l.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("fn"), Qualifier: v2.Version}); err != nil {
		t.Fatal(err)
	}
	f.UpdateCode()
	r3 := read()
	v3, err := publish(r3.CodeSha256, r3.RevisionId)
	if err != nil || aws.ToString(v3.Version) != "3" {
		t.Errorf("publish after deleting version 2: %v, %v; want version 3", v3, err)
	}
	// L24: a version Lambda still prepares is Pending after PublishVersion and to reads of it,
	// then Active.
	f.PendingReads = 1
	f.UpdateCode()
	r = read()
	pending, err := publish(r.CodeSha256, r.RevisionId)
	if err != nil || pending.State != types.StatePending {
		t.Fatalf("publish of a version still prepared: %+v, %v; want Pending", pending, err)
	}
	for _, want := range []types.State{types.StatePending, types.StateActive, types.StateActive} {
		got, err := l.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("fn"), Qualifier: pending.Version})
		if err != nil || got.State != want {
			t.Errorf("read of the new version: %v, %v; want %s", got.State, err, want)
		}
	}
}

// TestFakeLambdaReads: L4 (50 versions a page), L5 (ExecutedVersion, FunctionError), L26
// (each version's role and dead-letter config) and
// L8 (a qualifier that does not exist is not found).
func TestFakeLambdaReads(t *testing.T) {
	l := fakeaws.NewLambda()
	f := l.AddFunction("fn")
	for range 60 {
		l.Publish("fn")
		f.UpdateCode()
	}
	f.SetAlias("LIVE", "7", nil)
	var pages, versions int
	in := &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("fn"), MaxItems: aws.Int32(1000)}
	for {
		out, err := l.ListVersionsByFunction(ctx, in)
		if err != nil {
			t.Fatal(err)
		}
		pages++
		versions += len(out.Versions)
		if len(out.Versions) > 50 {
			t.Errorf("a page of %d versions; ListVersionsByFunction returns at most 50", len(out.Versions))
		}
		if out.NextMarker == nil {
			break
		}
		in.Marker = out.NextMarker
	}
	if pages != 2 || versions != 61 {
		t.Errorf("listed %d versions in %d pages; want 61 ($LATEST and 60) in 2", versions, pages)
	}

	f.FunctionError = "boom"
	for _, tc := range []struct{ qualifier, executed, functionError string }{
		{"", "$LATEST", "Unhandled"}, {"$LATEST", "$LATEST", "Unhandled"}, {"3", "3", ""}, {"LIVE", "7", ""},
	} {
		out, err := l.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), Qualifier: aws.String(tc.qualifier), Payload: []byte(`{}`)})
		if err != nil || aws.ToString(out.ExecutedVersion) != tc.executed || aws.ToString(out.FunctionError) != tc.functionError || out.StatusCode != 200 {
			t.Errorf("Invoke %q: %+v, %v; want ExecutedVersion %s, FunctionError %q, status 200", tc.qualifier, out, err, tc.executed, tc.functionError)
		}
	}
	for _, q := range []string{"99", "NOPE"} {
		var nf *types.ResourceNotFoundException
		if _, err := l.Invoke(ctx, &lambda.InvokeInput{FunctionName: aws.String("fn"), Qualifier: aws.String(q)}); !errors.As(err, &nf) {
			t.Errorf("Invoke %q: %v; want ResourceNotFoundException", q, err)
		}
		if _, err := l.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("fn"), Qualifier: aws.String(q)}); !errors.As(err, &nf) {
			t.Errorf("GetFunctionConfiguration %q: %v; want ResourceNotFoundException", q, err)
		}
	}
	out, err := l.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("fn"), Qualifier: aws.String("LIVE")})
	if err != nil || aws.ToString(out.Version) != "7" {
		t.Errorf("GetFunctionConfiguration LIVE: %v, %v; want version 7", out, err)
	}
	// L26: each version keeps the execution role and dead-letter config it was published
	// with, and ListVersionsByFunction returns them.
	f.Latest.Role = aws.String("arn:aws:iam::123456789012:role/other")
	f.Latest.DeadLetterConfig = &types.DeadLetterConfig{TargetArn: aws.String("arn:aws:sqs:us-east-1:123456789012:dlq")}
	l.Publish("fn")
	vs, err := l.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("fn"), Marker: aws.String("50")})
	if err != nil || len(vs.Versions) != 12 || aws.ToString(vs.Versions[11].Role) != "arn:aws:iam::123456789012:role/other" ||
		vs.Versions[11].DeadLetterConfig == nil || vs.Versions[10].Role != nil || vs.Versions[10].DeadLetterConfig != nil {
		t.Errorf("versions 50 to 61: %v; want version 61 alone with the role and dead-letter queue", err)
	}
}

// TestFakeLambdaAliasAndDelete: L6 (UpdateAlias' RevisionId guard), L19 (GetAlias and
// ListAliases), L7 (DeleteFunction), L10 (GetAccountSettings), L11 (no provisioned
// concurrency).
func TestFakeLambdaAliasAndDelete(t *testing.T) {
	l := fakeaws.NewLambda()
	f := l.AddFunction("fn")
	for range 4 {
		l.Publish("fn")
		f.UpdateCode()
	}
	f.SetAlias("LIVE", "3", map[string]float64{"2": 0.1})
	a, err := l.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("fn"), Name: aws.String("LIVE")})
	if err != nil {
		t.Fatal(err)
	}
	moved, err := l.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("fn"), Name: aws.String("LIVE"), FunctionVersion: aws.String("4"), RevisionId: a.RevisionId})
	if err != nil || aws.ToString(moved.RevisionId) == aws.ToString(a.RevisionId) {
		t.Fatalf("UpdateAlias: %v, %v; want a new RevisionId", moved, err)
	}
	if _, err := l.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("fn"), Name: aws.String("LIVE"), FunctionVersion: aws.String("1"), RevisionId: a.RevisionId}); code(err) != "PreconditionFailedException" {
		t.Errorf("UpdateAlias with a stale RevisionId: %v; want PreconditionFailedException", err)
	}
	// L28: the description is stored, returned, and kept by an update that leaves it out.
	if _, err := l.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("fn"), Name: aws.String("LIVE"), Description: aws.String("d1")}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.UpdateAlias(ctx, &lambda.UpdateAliasInput{FunctionName: aws.String("fn"), Name: aws.String("LIVE"), FunctionVersion: aws.String("4")}); err != nil {
		t.Fatal(err)
	}
	if d, err := l.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("fn"), Name: aws.String("LIVE")}); err != nil || aws.ToString(d.Description) != "d1" {
		t.Errorf("GetAlias description %q, %v; want d1", aws.ToString(d.Description), err)
	}

	list, err := l.ListAliases(ctx, &lambda.ListAliasesInput{FunctionName: aws.String("fn")})
	if err != nil || len(list.Aliases) != 1 || aws.ToString(list.Aliases[0].FunctionVersion) != "4" || aws.ToString(list.Aliases[0].AliasArn) == "" {
		t.Errorf("ListAliases: %+v, %v; want LIVE on 4 with its ARN", list, err)
	}
	var nf404 *types.ResourceNotFoundException
	if _, err := l.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String("fn"), Name: aws.String("NOPE")}); !errors.As(err, &nf404) {
		t.Errorf("GetAlias of a missing alias: %v; want ResourceNotFoundException", err)
	}

	del := func(q string) error {
		_, err := l.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("fn"), Qualifier: aws.String(q)})
		return err
	}
	for _, v := range []string{"4", "2"} { // the target and the weighted version
		if err := del(v); code(err) != "ResourceConflictException" {
			t.Errorf("delete of aliased version %s: %v; want ResourceConflictException", v, err)
		}
	}
	if err := del("1"); err != nil {
		t.Errorf("delete of version 1: %v", err)
	}
	if err := del("1"); code(err) != "ResourceNotFoundException" {
		t.Errorf("second delete of version 1: %v; want ResourceNotFoundException", err)
	}

	var nf *types.ProvisionedConcurrencyConfigNotFoundException
	if _, err := l.GetProvisionedConcurrencyConfig(ctx, &lambda.GetProvisionedConcurrencyConfigInput{FunctionName: aws.String("fn"), Qualifier: aws.String("LIVE")}); !errors.As(err, &nf) {
		t.Errorf("GetProvisionedConcurrencyConfig without a config: %v; want ProvisionedConcurrencyConfigNotFoundException", err)
	}
	s, err := l.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil || s.AccountUsage.TotalCodeSize <= 0 || s.AccountLimit.TotalCodeSize != 75<<30 {
		t.Errorf("GetAccountSettings: %+v, %v; want the code size used and the 75 GB default limit", s, err)
	}

	// Without a qualifier the function goes, with every version and alias.
	if _, err := l.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String("fn")}); err != nil {
		t.Fatal(err)
	}
	if _, err := l.ListVersionsByFunction(ctx, &lambda.ListVersionsByFunctionInput{FunctionName: aws.String("fn")}); code(err) != "ResourceNotFoundException" {
		t.Errorf("versions of a deleted function: %v; want ResourceNotFoundException", err)
	}
}

// TestFakeCloudFormation: F1 (a missing stack is a ValidationError) and F2
// (ListStackResources returns every resource, a page at a time with NextToken, which the
// SDK's paginator follows).
func TestFakeCloudFormation(t *testing.T) {
	s := fakeaws.NewStacks()
	if _, err := s.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("none")}); code(err) != "ValidationError" {
		t.Errorf("DescribeStacks of a missing stack: %v; want ValidationError", err)
	}
	if _, err := s.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("none")}); code(err) != "ValidationError" {
		t.Errorf("ListStackResources of a missing stack: %v; want ValidationError", err)
	}
	s.Set("big", "LiveVersionA", "a:1")
	s.Resources = map[string][]cftypes.StackResourceSummary{}
	for i := range 130 {
		s.Resources["big"] = append(s.Resources["big"], cftypes.StackResourceSummary{LogicalResourceId: aws.String(fmt.Sprint("R", i)), ResourceType: aws.String("AWS::Lambda::Function")})
	}
	first, err := s.ListStackResources(ctx, &cloudformation.ListStackResourcesInput{StackName: aws.String("big")})
	if err != nil || len(first.StackResourceSummaries) != 100 || first.NextToken == nil {
		t.Fatalf("first page of 130 resources: %v; want 100 and a NextToken", err)
	}
	var all []string
	pages := cloudformation.NewListStackResourcesPaginator(s, &cloudformation.ListStackResourcesInput{StackName: aws.String("big")})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range out.StackResourceSummaries {
			all = append(all, aws.ToString(r.LogicalResourceId))
		}
	}
	if len(all) != 130 || all[129] != "R129" {
		t.Errorf("every page: %d resources; want 130", len(all))
	}
}

// TestFakeCodeDeploy: C9 (statuses and missing groups), C10 and C11 (StopDeployment).
func TestFakeCodeDeploy(t *testing.T) {
	d := fakeaws.NewDeploys()
	d.Start("app", "fn", "d-1")
	d.Finished["d-0"] = true
	list := func(statuses ...cdtypes.DeploymentStatus) ([]string, error) {
		out, err := d.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("fn"), IncludeOnlyStatuses: statuses})
		if err != nil {
			return nil, err
		}
		return out.Deployments, nil
	}
	if ids, err := list(cdtypes.DeploymentStatusInProgress); err != nil || len(ids) != 1 {
		t.Errorf("in-flight deployments: %v, %v; want d-1", ids, err)
	}
	var missing *cdtypes.DeploymentGroupDoesNotExistException
	if _, err := d.ListDeployments(ctx, &codedeploy.ListDeploymentsInput{ApplicationName: aws.String("app"), DeploymentGroupName: aws.String("other")}); !errors.As(err, &missing) {
		t.Errorf("deployments of a missing group: %v; want DeploymentGroupDoesNotExistException", err)
	}
	if _, err := d.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: aws.String("d-1"), AutoRollbackEnabled: aws.Bool(true)}); err != nil || !d.Stopped["d-1"] {
		t.Fatalf("stop d-1: %v; want it stopped with auto-rollback", err)
	}
	if ids, err := list(cdtypes.DeploymentStatusStopped); err != nil || len(ids) != 1 {
		t.Errorf("stopped deployments: %v, %v; want d-1", ids, err)
	}
	var completed *cdtypes.DeploymentAlreadyCompletedException
	for _, id := range []string{"d-1", "d-0"} {
		if _, err := d.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: aws.String(id)}); !errors.As(err, &completed) {
			t.Errorf("stop of completed %s: %v; want DeploymentAlreadyCompletedException", id, err)
		}
	}
	var none *cdtypes.DeploymentDoesNotExistException
	if _, err := d.StopDeployment(ctx, &codedeploy.StopDeploymentInput{DeploymentId: aws.String("d-404")}); !errors.As(err, &none) {
		t.Errorf("stop of an unknown deployment: %v; want DeploymentDoesNotExistException", err)
	}

	// C12: the stop with auto-rollback started CodeDeploy's rollback, a new deployment of its
	// own, in flight, created by codeDeployRollback; GetDeployment names its creator and the
	// deployment it rolls back, and never carries a revision (C4).
	if ids, err := list(cdtypes.DeploymentStatusInProgress); err != nil || len(ids) != 1 || ids[0] != "d-1-rollback" {
		t.Errorf("in flight after the stop: %v, %v; want the rollback deployment d-1-rollback", ids, err)
	}
	got, err := d.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String("d-1-rollback")})
	if err != nil || got.DeploymentInfo.Creator != cdtypes.DeploymentCreatorCodeDeployRollback || got.DeploymentInfo.RollbackInfo == nil ||
		aws.ToString(got.DeploymentInfo.RollbackInfo.RollbackTriggeringDeploymentId) != "d-1" || got.DeploymentInfo.Revision != nil {
		t.Errorf("GetDeployment of the rollback: %+v, %v", got, err)
	}
	if got, err := d.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String("d-1")}); err != nil ||
		got.DeploymentInfo.Status != cdtypes.DeploymentStatusStopped || got.DeploymentInfo.Creator != cdtypes.DeploymentCreatorCloudFormation {
		t.Errorf("GetDeployment of the stopped deployment: %+v, %v", got, err)
	}
	if _, err := d.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String("d-404")}); !errors.As(err, &none) {
		t.Errorf("GetDeployment of an unknown deployment: %v; want DeploymentDoesNotExistException", err)
	}
}
