package stacks_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
	"github.com/golive-dev/golive/stacks"
)

func TestMain(m *testing.M) {
	code := m.Run()
	jsii.Close()
	os.Exit(code)
}

// root is the repository root, which function entries are relative to.
const root = ".."

func load(t *testing.T, path string) *config.Config {
	t.Helper()
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatalf("config.Load(%s): %v", path, err)
	}
	return cfg
}

// parse loads a config given inline, with the example's envs and accounts.
func parse(t *testing.T, data string) *config.Config {
	t.Helper()
	cfg, err := config.Parse([]byte(data))
	if err != nil {
		t.Fatalf("config.Parse: %v\n%s", err, data)
	}
	return cfg
}

func env(t *testing.T, cfg *config.Config, name string) *config.Env {
	t.Helper()
	e, err := cfg.Env(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// newApp is an app with cdk.json's feature flags and the cdk CLI's context, so tests see
// the templates cdk synth writes; outdir may be empty.
func newApp(t *testing.T, outdir string) awscdk.App {
	t.Helper()
	return newAppWithFlags(t, "../cdk.json", outdir)
}

// cdkInitFlags is the cdk.json `cdk init app --language go` (aws-cdk 2.1148.1) writes: the
// same flags as golive's but @aws-cdk/aws-lambda:useCdkManagedLogGroup, which gives every
// function a log group of its own.
const cdkInitFlags = "testdata/cdk-init.json"

// newAppWithFlags is newApp with the feature flags of another cdk.json.
func newAppWithFlags(t *testing.T, cdkJSONPath, outdir string) awscdk.App {
	t.Helper()
	ctx, err := synthcheck.Context(cdkJSONPath)
	if err != nil {
		t.Fatal(err)
	}
	props := &awscdk.AppProps{Context: &ctx}
	if outdir != "" {
		props.Outdir = jsii.String(outdir)
	}
	return awscdk.NewApp(props)
}

// synth builds the service stack of one environment in its own app.
func synth(t *testing.T, cfg *config.Config, envName string) (*stacks.ServiceStack, assertions.Template) {
	t.Helper()
	app := newApp(t, "")
	s := stacks.NewServiceStack(app, cfg.StackName(envName), &stacks.ServiceStackProps{Config: cfg, Env: env(t, cfg, envName), Root: root})
	return s, assertions.Template_FromStack(s.Stack, nil)
}

func TestStackFollowsConfigEnvironment(t *testing.T) {
	cfg := load(t, "../config/config.json")
	for _, e := range cfg.Envs {
		t.Run(e.Name, func(t *testing.T) {
			s, tpl := synth(t, cfg, e.Name)
			if got, want := *s.Account(), e.Account; got != want {
				t.Errorf("account = %s, want %s", got, want)
			}
			if got, want := *s.Region(), e.Region; got != want {
				t.Errorf("region = %s, want %s", got, want)
			}
			if got, want := *s.StackName(), "golive-demo-"+e.Name; got != want {
				t.Errorf("stack name = %s, want %s", got, want)
			}
			worker, _ := e.Function("worker")
			want := worker.LiveVersion
			if want == "" {
				want = "$LATEST"
			}
			tpl.HasOutput(jsii.String("LiveVersionWorker"), map[string]any{"Value": "golive-demo-" + e.Name + "-worker:" + want})
			tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{"FunctionVersion": want})
			tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{"FunctionName": "golive-demo-" + e.Name + "-worker"})
			tpl.ResourceCountIs(jsii.String("AWS::Lambda::Version"), jsii.Number(0))
		})
	}
}

// TestStackPassesTheAlias: config.json's alias reaches the construct: the alias is named
// after it, the rollback alarm too, and the stack records it for golive --stack.
func TestStackPassesTheAlias(t *testing.T) {
	cfg := parse(t, `{"project": "shop", "lambda_functions": {"worker": {"entry": "functions/worker", "alias": "live",
		"deployment": {"alarms": {"error_rate_percent": 1}}}},
		"envs": {"prd": {"account": "333333333333", "region": "us-east-1", "lambda_functions": {"worker": {"live_version": "7"}}}}}`)
	_, tpl := synth(t, cfg, "prd")
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{"Name": "live", "FunctionVersion": "7"})
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{"AlarmName": "shop-prd-worker-live-v7-rollback"})
	tpl.HasOutput(jsii.String("LiveAliasWorker"), map[string]any{"Value": "live"})
}

func TestDeploymentTypes(t *testing.T) {
	tests := []struct {
		typ  string // JSON of deployment.type
		want map[string]any
	}{
		{`"AllAtOnce"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaAllAtOnce"}},
		{`"Canary10Percent5Minutes"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes"}},
		{`"Canary10Percent10Minutes"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent10Minutes"}},
		{`"Canary10Percent15Minutes"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent15Minutes"}},
		{`"Canary10Percent30Minutes"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent30Minutes"}},
		{`"Linear10PercentEvery1Minute"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaLinear10PercentEvery1Minute"}},
		{`"Linear10PercentEvery2Minutes"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaLinear10PercentEvery2Minutes"}},
		{`"Linear10PercentEvery3Minutes"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaLinear10PercentEvery3Minutes"}},
		{`"Linear10PercentEvery10Minutes"`, map[string]any{"DeploymentConfigName": "CodeDeployDefault.LambdaLinear10PercentEvery10Minutes"}},
		{`{"canary_percent": 20, "interval_minutes": 15}`, map[string]any{"DeploymentConfigName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DeploymentCanary20Percent15Minutes"))}}},
		{`{"linear_percent": 25, "interval_minutes": 2}`, map[string]any{"DeploymentConfigName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DeploymentLinear25Percent2Minutes"))}}},
	}
	// Every predefined type config accepts has its row.
	for _, typ := range config.DeploymentTypes() {
		if !slices.ContainsFunc(tests, func(tt struct {
			typ  string
			want map[string]any
		}) bool {
			return tt.typ == strconv.Quote(typ)
		}) {
			t.Errorf("deployment type %s has no row", typ)
		}
	}
	for _, tt := range tests {
		t.Run(tt.typ, func(t *testing.T) {
			cfg := parse(t, fmt.Sprintf(`{"project": "p", "lambda_functions": {
				"a": {"entry": "functions/worker", "deployment": {"type": %[1]s}},
				"b": {"entry": "functions/worker", "deployment": {"type": %[1]s}}},
				"envs": {"prd": {"account": "333333333333", "region": "us-east-1", "lambda_functions": {
					"a": {"live_version": "2"}, "b": {"live_version": "5"}}}}}`, tt.typ))
			_, tpl := synth(t, cfg, "prd")
			tpl.ResourcePropertiesCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), tt.want, jsii.Number(2))
			custom := 0
			if strings.HasPrefix(tt.typ, "{") {
				custom = 1 // declared once, shared by both groups
				tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentConfig"), map[string]any{
					"ComputePlatform":      "Lambda",
					"TrafficRoutingConfig": assertions.Match_ObjectLike(&map[string]any{"Type": assertions.Match_StringLikeRegexp(jsii.String("^TimeBased"))}),
				})
			}
			tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentConfig"), jsii.Number(float64(custom)))
		})
	}
}

func TestFullConfigStack(t *testing.T) {
	cfg := load(t, "testdata/full.json")
	_, tpl := synth(t, cfg, "prd")

	// batch was released with a direct rollout; the others go through CodeDeploy.
	for name, wantPolicy := range map[string]bool{"api": true, "batch": false, "report": true, "image": true, "split": false} {
		aliases := tpl.FindResources(jsii.String("AWS::Lambda::Alias"), map[string]any{
			"Properties": map[string]any{"FunctionName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^" + name))}},
		})
		if len(*aliases) != 1 {
			t.Fatalf("%s: %d aliases, want 1", name, len(*aliases))
		}
		for _, a := range *aliases {
			_, hasPolicy := (*a)["UpdatePolicy"]
			if hasPolicy != wantPolicy {
				t.Errorf("%s: alias has UpdatePolicy = %v, want %v", name, hasPolicy, wantPolicy)
			}
		}
	}
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{
		"FunctionVersion":              "12",
		"ProvisionedConcurrencyConfig": map[string]any{"ProvisionedConcurrentExecutions": 2},
	})
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{
		"FunctionVersion": "3",
		"RoutingConfig":   map[string]any{"AdditionalVersionWeights": []any{map[string]any{"FunctionVersion": "2", "FunctionWeight": 0.1}}},
	})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentGroupName": "full-prd-api",
		"AlarmConfiguration": map[string]any{"Enabled": true, "Alarms": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Name": "full-api-5xx"}),
		})},
	})
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(4))
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::Application"), jsii.Number(1))
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::Application"), map[string]any{"ApplicationName": "full-prd", "ComputePlatform": "Lambda"})
	// Deployed stacks keep these logical ids: a new one would replace the application (and
	// its deployment groups) and the role.
	for typ, prefix := range map[string]string{"AWS::CodeDeploy::Application": "CodeDeployApplication", "AWS::IAM::Role": "CodeDeployServiceRole"} {
		n := 0
		for id := range *tpl.FindResources(jsii.String(typ), nil) {
			if strings.HasPrefix(id, prefix) {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d %s with logical id %s…, want 1", n, typ, prefix)
		}
	}
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{"FunctionName": "full-prd-batch", "Architectures": []any{"x86_64"}})
}

// What golive counts is what the templates declare, under golive's flags and cdk init's:
// Count exactly, from the built stack; Resources exactly under golive's flags and as a
// floor under any.
func TestResourceCountMatchesTemplates(t *testing.T) {
	for _, flags := range []string{"../cdk.json", cdkInitFlags} {
		for _, path := range []string{"../config/config.json", "testdata/full.json"} {
			cfg := load(t, path)
			for _, e := range cfg.Envs {
				t.Run(filepath.Base(flags)+"/"+filepath.Base(path)+"/"+e.Name, func(t *testing.T) {
					app := newAppWithFlags(t, flags, "")
					s := stacks.NewServiceStack(app, cfg.StackName(e.Name), &stacks.ServiceStackProps{Config: cfg, Env: &e, Root: root})
					counted := stacks.Count(s.Stack)
					tpl := *assertions.Template_FromStack(s.Stack, nil).ToJSON()
					resources, outputs := len(tpl["Resources"].(map[string]any)), len(tpl["Outputs"].(map[string]any))
					if counted.Resources != resources || counted.Outputs != outputs {
						t.Errorf("template has %d resources and %d outputs, stacks.Count counts %+v", resources, outputs, counted)
					}
					est := stacks.Resources(cfg, &e)
					if flags == "../cdk.json" && est != resources || est > resources {
						t.Errorf("template has %d resources, stacks.Resources estimates %d", resources, est)
					}
				})
			}
		}
	}
}

func pinnedFunctions(t *testing.T, n int, pinned bool) *config.Config {
	t.Helper()
	return functionsWith(t, n, pinned, `{"alarms": {"error_rate_percent": 1}}`)
}

// functionsWith is n functions with one deployment, pinned or not.
func functionsWith(t *testing.T, n int, pinned bool, deployment string) *config.Config {
	t.Helper()
	var defs, pins []string
	for i := range n {
		defs = append(defs, fmt.Sprintf(`"f%d": {"entry": "functions/worker", "deployment": %s}`, i, deployment))
		if pinned {
			pins = append(pins, fmt.Sprintf(`"f%d": {"live_version": "1"}`, i))
		}
	}
	return parse(t, fmt.Sprintf(`{"project": "p", "lambda_functions": {%s},
		"envs": {"prd": {"account": "333333333333", "region": "us-east-1", "lambda_functions": {%s}}}}`,
		strings.Join(defs, ","), strings.Join(pins, ",")))
}

func TestLimits(t *testing.T) {
	tests := []struct {
		name    string
		n       int
		pinned  bool
		wantErr string
	}{
		{"99 pinned functions are within the floor", 99, true, ""},
		{"100 pinned functions exceed 500 resources", 100, true, "envs.prd: its stack would declare at least 504 resources, CloudFormation allows 500"},
		{"166 functions on $LATEST are within the floor", 166, false, ""},
		{"201 functions exceed 200 outputs", 201, false, "envs.prd: its stack would declare 201 outputs (one per function), CloudFormation allows 200"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := pinnedFunctions(t, tt.n, tt.pinned)
			err := stacks.CheckLimits(cfg, env(t, cfg, "prd"))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("CheckLimits: %v, want nil", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("CheckLimits: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestLimitsCountAliasOutputs: a function whose alias is not LIVE records it in an output of
// its own, so 100 of them on $LATEST declare 200 outputs and 101 too many.
func TestLimitsCountAliasOutputs(t *testing.T) {
	for _, tt := range []struct {
		n       int
		wantErr string
	}{
		{100, ""},
		{101, "envs.prd: its stack would declare 202 outputs (one per function and 101 naming an alias other than LIVE), CloudFormation allows 200"},
	} {
		cfg := pinnedFunctions(t, tt.n, false)
		e := env(t, cfg, "prd")
		for i := range e.Functions {
			e.Functions[i].Alias = "live"
		}
		err := stacks.CheckLimits(cfg, e)
		if tt.wantErr == "" && err != nil {
			t.Errorf("%d functions: CheckLimits: %v, want nil", tt.n, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("%d functions: CheckLimits: %v, want an error containing %q", tt.n, err, tt.wantErr)
		}
	}
}

// The refusal comes at CloudFormation's real limit under either flag set: a pinned
// function with CodeDeploy and an alarm takes 5 resources under golive's cdk.json (99 fit,
// beside the metadata, the shared application and role and the release dashboard) and 6
// under cdk init's (82 fit). The shipped hooks cost 7 resources once per stack (two
// functions with a role and policy each, and CodeDeploy's role policy), however many
// functions use them: 97 fit.
func TestLimitsWithShippedHooks(t *testing.T) {
	const verdict = `{"alarms": {"error_rate_percent": 1}, "smoke": {"events": [{"name": "x"}]}, "bake": {"minutes": 5}}`
	for _, tt := range []struct {
		n       int
		wantErr string
	}{
		{97, ""},
		{98, "envs.prd: its stack would declare at least 501 resources"},
	} {
		t.Run(fmt.Sprint(tt.n), func(t *testing.T) {
			cfg := functionsWith(t, tt.n, true, verdict)
			err := stacks.CheckLimits(cfg, env(t, cfg, "prd"))
			if tt.wantErr == "" && err != nil {
				t.Fatalf("CheckLimits: %v, want nil", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("CheckLimits: %v, want an error containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestLimitsAtTheRealLimit(t *testing.T) {
	const verdict = `{"alarms": {"error_rate_percent": 1}, "smoke": {"events": [{"name": "x"}]}, "bake": {"minutes": 5}}`
	tests := []struct {
		flags      string
		n          int
		deployment string
		wantErr    string
		latest     bool
	}{
		{"../cdk.json", 99, "", "", false},
		{cdkInitFlags, 82, "", "", false},
		{cdkInitFlags, 83, "", "envs.prd: its stack declares 502 resources for 83 functions, CloudFormation allows 500 per template", false},
		// On $LATEST (the last column of docs/config.md's table): 3 resources each under golive's cdk.json,
		// 4 under cdk init's.
		{"../cdk.json", 166, "", "", true},
		{cdkInitFlags, 124, "", "", true},
		{cdkInitFlags, 125, "", "envs.prd: its stack declares 501 resources for 125 functions", true},
		// The shipped hooks cost 7 resources once, and their settings, shared by every
		// function, stay within Lambda's 4 KB environment; under cdk init's flags they get a
		// log group each too.
		{"../cdk.json", 97, verdict, "", false},
		{cdkInitFlags, 81, verdict, "", false},
		{cdkInitFlags, 82, verdict, "envs.prd: its stack declares 505 resources for 82 functions", false},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/%d/%v/latest=%v", filepath.Base(tt.flags), tt.n, tt.deployment != "", tt.latest), func(t *testing.T) {
			cfg := pinnedFunctions(t, tt.n, !tt.latest)
			if tt.deployment != "" {
				cfg = functionsWith(t, tt.n, true, tt.deployment)
			}
			if err := stacks.CheckLimits(cfg, env(t, cfg, "prd")); err != nil {
				t.Fatalf("CheckLimits: %v; want the config within the floor", err)
			}
			app := newAppWithFlags(t, tt.flags, "")
			s := stacks.NewServiceStack(app, "p-prd", &stacks.ServiceStackProps{Config: cfg, Env: env(t, cfg, "prd"), Root: root})
			err := strings.Join(s.Errors(), "; ")
			// Errors and the stack's error annotations say the same.
			if annotated := strings.Join(synthcheck.Errors(s.Stack), "; "); annotated != err {
				t.Errorf("Errors() = %q; annotations = %q", err, annotated)
			}
			switch {
			case tt.wantErr == "" && err != "":
				t.Fatalf("NewServiceStack: %s; want the stack", err)
			case tt.wantErr != "" && !strings.Contains(err, "p-prd: "+tt.wantErr):
				t.Fatalf("NewServiceStack: %q; want a synth error at p-prd containing %q", err, tt.wantErr)
			case tt.wantErr == "":
				if c := stacks.Count(s.Stack); c.Resources > stacks.MaxResources || c.Resources < stacks.MaxResources-5 {
					t.Errorf("%d resources; want the largest count within %d", c.Resources, stacks.MaxResources)
				}
			}
		})
	}
}

// cfnLintAllowed are the cfn-lint findings left on purpose; docs/development.md explains each.
var cfnLintAllowed = map[string]string{
	"W3005": "aws-cdk-lib's Function adds DependsOn on its role next to the Fn::GetAtt of the same role",
}

// TestTemplatesPassCfnLintAndCdkNag synthesizes every environment of the example and of
// a config using every feature, with cdk-nag's AwsSolutions pack as an aspect, and runs
// cfn-lint on each template.
func TestTemplatesPassCfnLintAndCdkNag(t *testing.T) {
	if _, err := exec.LookPath("cfn-lint"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("cfn-lint is required under CI (pip install cfn-lint): ", err)
		}
		t.Skip("cfn-lint not found (pip install cfn-lint); skipping the template lint")
	}
	out, err := os.MkdirTemp("", "golive-lint-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if !t.Failed() {
			os.RemoveAll(out)
		}
	})
	app := newApp(t, out)
	var all []awscdk.Stack
	var services []*stacks.ServiceStack
	var pipelines []*stacks.PipelineStack
	for _, path := range []string{"../config/config.json", "testdata/full.json"} {
		cfg := load(t, path)
		for i := range cfg.Envs {
			e := &cfg.Envs[i]
			s := stacks.NewServiceStack(app, cfg.StackName(e.Name), &stacks.ServiceStackProps{Config: cfg, Env: e, Root: root})
			services = append(services, s)
			all = append(all, s.Stack)
		}
		if cfg.Pipeline != nil {
			p := stacks.NewPipelineStack(app, stacks.PipelineStackName(cfg), &stacks.PipelineStackProps{Config: cfg, Root: root})
			pipelines = append(pipelines, p)
			all = append(all, p.Stack)
			for _, st := range p.Stages {
				all = append(all, st.Service.Stack)
			}
		}
	}
	stacks.CheckWithNag(app, services, pipelines)
	app.Synth(nil)

	for _, s := range all {
		// The assembly of the stack's stage (the app's, or a pipeline stage's nested one),
		// as app.Synth left it: Annotations_FromStack would synthesize the app again.
		for _, m := range synthcheck.NagFindings(awscdk.Stage_Of(s).Synth(nil), s) {
			t.Errorf("%s: unsuppressed cdk-nag finding %s", *s.StackName(), m)
		}
	}

	templates, _ := filepath.Glob(filepath.Join(out, "*.template.json"))
	staged, _ := filepath.Glob(filepath.Join(out, "assembly-*", "*.template.json"))
	templates = append(templates, staged...)
	if len(templates) != len(all) {
		t.Fatalf("%d templates in %s, want %d", len(templates), out, len(all))
	}
	unexpected, err := synthcheck.CfnLint(templates, cfnLintAllowed)
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(unexpected)
	for _, u := range unexpected {
		t.Errorf("cfn-lint: %s", u)
	}
	if t.Failed() {
		t.Logf("templates kept in %s", out)
	}
}
