package versionedfunction_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/templatecheck"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

// The migrations of docs/migration.md, each from a deployed "before" template to the
// VersionedFunction app that takes it over: golive verify's template check
// (internal/templatecheck) passes the adopted app, and refuses the naive switch (the same
// function under VersionedFunction's defaults), naming what it would replace or delete.

// adoptedAliasName is the name of the alias the before apps serve traffic through.
const adoptedAliasName = "live"

// servingVersion is the version the before apps' alias serves, which the after apps pin.
const servingVersion = "3"

// cdkBefore declares an app on CDK's own L2s: a Go function on provided.al2023, its
// CurrentVersion behind an alias, that alias fed by SQS and released by a
// LambdaDeploymentGroup. retain is the migration's first step (docs/migration.md): the
// version CurrentVersion declares is kept when it leaves the template.
func cdkBefore(stack awscdk.Stack, retain bool) {
	queue := awssqs.NewQueue(stack, jsii.String("Queue"), nil)
	fp := &awslambda.FunctionProps{
		FunctionName: jsii.String("orders-prd-worker"),
		Runtime:      awslambda.Runtime_PROVIDED_AL2023(),
		Handler:      jsii.String("bootstrap"),
		// The code's bytes do not matter to the check: golive's Entry replaces them.
		Code: awslambda.Code_FromAsset(jsii.String("testdata/python"), nil),
	}
	if retain {
		fp.CurrentVersionOptions = &awslambda.VersionOptions{RemovalPolicy: awscdk.RemovalPolicy_RETAIN}
	}
	fn := awslambda.NewFunction(stack, jsii.String("Worker"), fp)
	alias := awslambda.NewAlias(stack, jsii.String("LiveAlias"), &awslambda.AliasProps{AliasName: jsii.String(adoptedAliasName), Version: fn.CurrentVersion()})
	alias.AddEventSource(awslambdaeventsources.NewSqsEventSource(queue, nil))
	awscodedeploy.NewLambdaDeploymentGroup(stack, jsii.String("DeploymentGroup"), &awscodedeploy.LambdaDeploymentGroupProps{
		Alias: alias, DeploymentConfig: awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES(),
	})
}

// afterApp declares the VersionedFunction that takes over the before app's function,
// reading from queue; a nil adopt is the naive switch, golive's defaults alias name
// included.
func afterApp(stack awscdk.Stack, queue awssqs.IQueue, adopt *versionedfunction.Adopt, shared *versionedfunction.SharedProps) {
	if shared != nil {
		versionedfunction.SharedOf(stack, shared)
	}
	aliasName := ""
	if adopt != nil {
		aliasName = adoptedAliasName
	}
	vf := versionedfunction.New(stack, "Worker", &versionedfunction.Props{
		AliasName:    aliasName,
		FunctionName: "orders-prd-worker", Entry: entry,
		// The version the alias serves today: the alias does not move. Direct: CloudFormation
		// records the pin itself, and the next release goes through the canary.
		LiveVersion: servingVersion, Rollout: versionedfunction.RolloutDirect,
		Deployment: canary(),
		Adopt:      adopt,
	})
	vf.Alias.AddEventSource(awslambdaeventsources.NewSqsEventSource(queue, nil))
}

// checked synthesizes app and reads stack's template as golive verify --app does.
func checked(t *testing.T, app awscdk.App, stack awscdk.Stack) *templatecheck.Template {
	t.Helper()
	b, err := json.Marshal(app.Synth(nil).GetStackArtifact(stack.ArtifactId()).Template())
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := templatecheck.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	if errs := synthcheck.Errors(stack); len(errs) > 0 {
		t.Fatalf("synth errors: %v", errs)
	}
	return tpl
}

// onlyID is the logical ID of tpl's one resource of typ.
func onlyID(t *testing.T, tpl *templatecheck.Template, typ string) string {
	t.Helper()
	var ids []string
	for id, r := range tpl.Resources {
		if r.Type == typ {
			ids = append(ids, id)
		}
	}
	if len(ids) != 1 {
		t.Fatalf("%d resources of type %s (%v), want 1", len(ids), typ, ids)
	}
	return ids[0]
}

// finding is a Finding's logical ID and type.
type finding struct{ id, typ string }

func findingsOf(fs []templatecheck.Finding) []finding {
	var out []finding
	for _, f := range fs {
		out = append(out, finding{f.LogicalID, f.Type})
	}
	return out
}

// TestAdoptFromCDK takes over an app made by cdk init: its feature flags give the function a
// log group of its own (@aws-cdk/aws-lambda:useCdkManagedLogGroup), named after it.
func TestAdoptFromCDK(t *testing.T) {
	ctx, err := synthcheck.Context("../../stacks/testdata/cdk-init.json")
	if err != nil {
		t.Fatal(err)
	}
	read := func(retain bool) *templatecheck.Template {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx})
		stack := awscdk.NewStack(app, jsii.String("orders"), nil)
		cdkBefore(stack, retain)
		return checked(t, app, stack)
	}
	naiveBefore, before := read(false), read(true)
	// The IDs a user reads in the deployed template (cdk.out of the before app).
	ids := map[string]string{}
	for _, typ := range []string{templatecheck.TypeFunction, templatecheck.TypeAlias, templatecheck.TypeVersion, templatecheck.TypeMapping,
		templatecheck.TypeDeploymentGroup, templatecheck.TypeApplication, templatecheck.TypeLogGroup} {
		ids[typ] = onlyID(t, before, typ)
	}
	if got := before.Resources[ids[templatecheck.TypeVersion]].DeletionPolicy; got != "Retain" {
		t.Fatalf("CurrentVersionOptions.RemovalPolicy RETAIN: the version's DeletionPolicy is %q, want Retain", got)
	}
	if got := naiveBefore.Resources[onlyID(t, naiveBefore, templatecheck.TypeVersion)].DeletionPolicy; got == "Retain" {
		t.Fatalf("CDK's default keeps the version (DeletionPolicy %q): the retain step would prove nothing", got)
	}
	if _, ok := before.Resources[ids[templatecheck.TypeDeploymentGroup]].Properties["DeploymentGroupName"]; ok {
		t.Fatal("CDK's LambdaDeploymentGroup named the group; the test wants the generated name CDK's default leaves")
	}

	out := t.TempDir()
	// name is the stack's construct id (its template file); logGroup keeps the log group's ID.
	after := func(name string, adopt, logGroup bool) *templatecheck.Template {
		app := awscdk.NewApp(&awscdk.AppProps{Context: &ctx, Outdir: jsii.String(out)})
		stack := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{StackName: jsii.String("orders")})
		queue := awssqs.NewQueue(stack, jsii.String("Queue"), nil)
		if !adopt {
			afterApp(stack, queue, nil, nil)
			return checked(t, app, stack)
		}
		a := &versionedfunction.Adopt{
			FunctionLogicalID:            ids[templatecheck.TypeFunction],
			AliasLogicalID:               ids[templatecheck.TypeAlias],
			EventSourceMappingLogicalIDs: map[string]string{*queue.QueueArn(): ids[templatecheck.TypeMapping]},
			DeploymentGroupLogicalID:     ids[templatecheck.TypeDeploymentGroup],
			GeneratedDeploymentGroupName: true,
		}
		if logGroup {
			a.LogGroupLogicalID = ids[templatecheck.TypeLogGroup]
		}
		afterApp(stack, queue, a, &versionedfunction.SharedProps{ApplicationLogicalID: ids[templatecheck.TypeApplication]})
		return checked(t, app, stack)
	}
	adopted := after("adopted", true, true)

	t.Run("step 1: retaining the version", func(t *testing.T) {
		// The old app's own deploy of RETAIN: the version keeps its logical ID, so nothing is
		// published or deleted, and the check passes it.
		if old, now := onlyID(t, naiveBefore, templatecheck.TypeVersion), ids[templatecheck.TypeVersion]; old != now {
			t.Errorf("RETAIN changed the version's logical ID from %s to %s", old, now)
		}
		if got := templatecheck.Compare(naiveBefore, before); len(got) > 0 {
			t.Errorf("the template check refuses retaining the version:\n%s", lines(got))
		}
	})
	t.Run("adopted", func(t *testing.T) {
		if got := templatecheck.Compare(before, adopted); len(got) > 0 {
			t.Errorf("the template check refuses the adopted app:\n%s", lines(got))
		}
		// The alias stays on the version it serves.
		if pins := templatecheck.Pins(adopted); len(pins) != 1 || pins[0].Version != servingVersion || pins[0].Alias != ids[templatecheck.TypeAlias] {
			t.Errorf("pins %+v, want alias %s on version %s", pins, ids[templatecheck.TypeAlias], servingVersion)
		}
	})
	t.Run("adopted without retaining the version first", func(t *testing.T) {
		got := findingsOf(templatecheck.Compare(naiveBefore, adopted))
		want := []finding{{onlyID(t, naiveBefore, templatecheck.TypeVersion), templatecheck.TypeVersion}}
		if !slices.Equal(got, want) {
			t.Errorf("findings %v, want %v", got, want)
		}
	})
	t.Run("adopted without the log group's logical ID", func(t *testing.T) {
		// The function's log group is named after it: a second one fails to create.
		got := findingsOf(templatecheck.Compare(before, after("nologgroup", true, false)))
		if want := []finding{{ids[templatecheck.TypeLogGroup], templatecheck.TypeLogGroup}}; !slices.Equal(got, want) {
			t.Errorf("findings %v, want %v", got, want)
		}
	})
	t.Run("naive switch", func(t *testing.T) {
		got := templatecheck.Compare(naiveBefore, after("naive", false, false))
		t.Logf("golive verify --app on the naive switch:\n%s", lines(got))
		var want []finding
		for _, typ := range []string{templatecheck.TypeFunction, templatecheck.TypeAlias, templatecheck.TypeVersion, templatecheck.TypeMapping,
			templatecheck.TypeDeploymentGroup, templatecheck.TypeApplication} {
			want = append(want, finding{onlyID(t, naiveBefore, typ), typ})
		}
		slices.SortFunc(want, func(a, b finding) int { return strings.Compare(a.id, b.id) })
		if !slices.Equal(findingsOf(got), want) {
			t.Errorf("findings:\n%s\nwant one for each of %v", lines(got), want)
		}
		for _, f := range got {
			switch f.Type {
			case templatecheck.TypeAlias:
				if !strings.Contains(f.Reason, `alias "`+adoptedAliasName+`"`) {
					t.Errorf("alias finding does not name the alias: %s", f)
				}
			case templatecheck.TypeVersion:
				if !strings.Contains(f.Reason, "deletes the published version") {
					t.Errorf("version finding does not say the version goes: %s", f)
				}
			}
		}
	})
	synthcheck.LintDir(t, out, 3, cfnLintAllowed)
}

// TestAdoptFromSAM takes over testdata/sam/before.json, the SAM transform's output for
// testdata/sam/template.yaml: AutoPublishAlias, DeploymentPreference and an SQS event.
func TestAdoptFromSAM(t *testing.T) {
	b, err := os.ReadFile("testdata/sam/before.json")
	if err != nil {
		t.Fatal(err)
	}
	before, err := templatecheck.Parse(b)
	if err != nil {
		t.Fatal(err)
	}
	const queueArn = "arn:aws:sqs:us-east-1:111111111111:orders-prd"
	out := t.TempDir()
	after := func(adopt bool) *templatecheck.Template {
		app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
		name := "naive"
		if adopt {
			name = "adopted"
		}
		stack := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{StackName: jsii.String("orders")})
		queue := awssqs.Queue_FromQueueArn(stack, jsii.String("Queue"), jsii.String(queueArn))
		if !adopt {
			afterApp(stack, queue, nil, nil)
			return checked(t, app, stack)
		}
		// The logical IDs SAM documents: <function>Alias<alias name>,
		// <function>DeploymentGroup, ServerlessDeploymentApplication, <function><event>.
		afterApp(stack, queue, &versionedfunction.Adopt{
			FunctionLogicalID:            "WorkerFunction",
			AliasLogicalID:               "WorkerFunctionAlias" + adoptedAliasName,
			EventSourceMappingLogicalIDs: map[string]string{queueArn: "WorkerFunctionOrdersQueue"},
			DeploymentGroupLogicalID:     "WorkerFunctionDeploymentGroup",
			GeneratedDeploymentGroupName: true,
		}, &versionedfunction.SharedProps{ApplicationLogicalID: "ServerlessDeploymentApplication"})
		return checked(t, app, stack)
	}

	t.Run("adopted", func(t *testing.T) {
		if got := templatecheck.Compare(before, after(true)); len(got) > 0 {
			t.Errorf("the template check refuses the adopted app:\n%s", lines(got))
		}
	})
	t.Run("naive switch", func(t *testing.T) {
		got := templatecheck.Compare(before, after(false))
		t.Logf("golive verify --app on the naive switch:\n%s", lines(got))
		// SAM keeps every version it published (DeletionPolicy Retain), so the version that
		// serves traffic is not lost; everything else is.
		want := []finding{
			{"ServerlessDeploymentApplication", templatecheck.TypeApplication},
			{"WorkerFunction", templatecheck.TypeFunction},
			{"WorkerFunctionAlias" + adoptedAliasName, templatecheck.TypeAlias},
			{"WorkerFunctionDeploymentGroup", templatecheck.TypeDeploymentGroup},
			{"WorkerFunctionOrdersQueue", templatecheck.TypeMapping},
		}
		if !slices.Equal(findingsOf(got), want) {
			t.Errorf("findings:\n%s\nwant %v", lines(got), want)
		}
	})
	synthcheck.LintDir(t, out, 2, cfnLintAllowed)
}

func lines(fs []templatecheck.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}
