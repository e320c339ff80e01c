package stacks_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/cli"
	"github.com/golive-dev/golive/internal/iampolicy"
	"github.com/golive-dev/golive/internal/versiondesc"
	"github.com/golive-dev/golive/stacks"
)

func pipelineStack(t *testing.T, cfg *config.Config) (*stacks.PipelineStack, assertions.Template) {
	t.Helper()
	app := newApp(t, "")
	p := stacks.NewPipelineStack(app, stacks.PipelineStackName(cfg), &stacks.PipelineStackProps{Config: cfg, Root: root})
	return p, assertions.Template_FromStack(p.Stack, nil)
}

// pipelineStages returns each stage's name and its actions as "name/category/runOrder".
func pipelineStages(t *testing.T, tpl assertions.Template) (names []string, actions map[string][]string) {
	t.Helper()
	actions = map[string][]string{}
	for _, r := range *tpl.FindResources(jsii.String("AWS::CodePipeline::Pipeline"), nil) {
		b, _ := json.Marshal((*r)["Properties"])
		var p struct {
			Stages []struct {
				Name    string
				Actions []struct {
					Name         string
					RunOrder     int
					ActionTypeId struct{ Category string }
				}
			}
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Stages {
			names = append(names, s.Name)
			for _, a := range s.Actions {
				actions[s.Name] = append(actions[s.Name], fmt.Sprintf("%s/%s/%d", a.Name, a.ActionTypeId.Category, a.RunOrder))
			}
		}
	}
	return names, actions
}

func TestPipelineStagesFollowConfig(t *testing.T) {
	cfg := load(t, "../config/config.json")
	_, tpl := pipelineStack(t, cfg)
	names, actions := pipelineStages(t, tpl)

	if got, want := strings.Join(names, " > "), "Source > Build > UpdatePipeline > Assets > sbx > tst > prd"; got != want {
		t.Errorf("stages = %s, want %s", got, want)
	}
	// Every env verifies its synthesized stack before the deploy; prd waits for approval,
	// then verifies, deploys the same stack `cdk deploy -c env=prd` does, and publishes.
	wantActions := map[string][]string{
		"sbx": {"Verify-sbx/Build/1", "golive-demo-sbx.Prepare/Deploy/2", "golive-demo-sbx.Deploy/Deploy/3"},
		"tst": {"Verify-tst/Build/1", "golive-demo-tst.Prepare/Deploy/2", "golive-demo-tst.Deploy/Deploy/3"},
		"prd": {"Approve-prd/Approval/1", "Verify-prd/Build/2", "golive-demo-prd.Prepare/Deploy/3", "golive-demo-prd.Deploy/Deploy/4", "Publish-prd/Build/5"},
	}
	for stage, want := range wantActions {
		if got := actions[stage]; !reflect.DeepEqual(got, want) {
			t.Errorf("stage %s actions = %v, want %v", stage, got, want)
		}
	}
	tpl.HasResourceProperties(jsii.String("AWS::CodePipeline::Pipeline"), map[string]any{
		"Stages": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
			"Name": "prd",
			"Actions": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Name": "golive-demo-prd.Deploy", "Configuration": assertions.Match_ObjectLike(&map[string]any{"StackName": "golive-demo-prd"}),
			})}),
		})}),
	})
}

// buildCommands returns each CodeBuild project's build commands by the step named in its
// description.
func buildCommands(t *testing.T, tpl assertions.Template) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, p := range *tpl.FindResources(jsii.String("AWS::CodeBuild::Project"), nil) {
		props := (*p)["Properties"].(map[string]any)
		var spec struct {
			Phases struct{ Build struct{ Commands []string } }
		}
		if err := json.Unmarshal([]byte(props["Source"].(map[string]any)["BuildSpec"].(string)), &spec); err != nil {
			t.Fatal(err)
		}
		desc, _ := props["Description"].(string)
		out[desc] = spec.Phases.Build.Commands
	}
	return out
}

// TestPipelineGoliveSteps parses every golive command line of the pipeline with golive's
// own command tree, so a renamed or removed flag fails here, not in a pipeline run.
func TestPipelineGoliveSteps(t *testing.T) {
	cfg := load(t, "../config/config.json")
	_, tpl := pipelineStack(t, cfg)
	role := func(env, account string) string {
		return "arn:aws:iam::" + account + ":role/golive-demo-" + env + "-golive"
	}
	want := map[string][]string{
		"Verify-sbx": {"verify --app cdk.out/assembly-golive-demo-pipeline-sbx --region us-east-1 --role-arn " + role("sbx", "111111111111")},
		"Verify-tst": {"verify --app cdk.out/assembly-golive-demo-pipeline-tst --region us-east-1 --role-arn " + role("tst", "222222222222")},
		"Verify-prd": {
			"verify --app cdk.out/assembly-golive-demo-pipeline-prd --region us-east-1 --role-arn " + role("prd", "333333333333"),
			"verify --env prd --region us-east-1 --role-arn " + role("prd", "333333333333"),
		},
		"Publish-prd": {"publish --env prd --region us-east-1 --role-arn " + role("prd", "333333333333") + " --output json"},
	}
	got := map[string][]string{}
	for desc, commands := range buildCommands(t, tpl) {
		for _, c := range commands {
			line, ok := strings.CutPrefix(c, "./golive ")
			if !ok {
				continue
			}
			line, out, redirected := strings.Cut(line, " > ")
			if strings.ContainsAny(line, `'"$\|;&<>*`+"`") {
				t.Errorf("%s: %q needs a shell to read it; golive's arguments are plain words", desc, c)
			}
			args := strings.Fields(line)
			if err := cli.Check(args); err != nil {
				t.Errorf("%s: golive %s: %v", desc, line, err)
			}
			step := regexp.MustCompile(`(Verify|Publish)-[a-z0-9]+`).FindString(desc)
			got[step] = append(got[step], strings.Join(args, " "))
			if redirected && out != "published/versions.json" {
				t.Errorf("%s writes its result to %s, want published/versions.json", desc, out)
			}
		}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("golive steps = %v\nwant %v", got, want)
	}
	// Each verify step reads the synth step's cloud assembly in cdk.out, where --app finds it.
	for _, env := range []string{"sbx", "tst", "prd"} {
		tpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
			"Description": assertions.Match_StringLikeRegexp(jsii.String("Verify-" + env)),
			"Source": assertions.Match_ObjectLike(&map[string]any{"BuildSpec": assertions.Match_StringLikeRegexp(jsii.String(
				`ln -s -- \\"\$CODEBUILD_SRC_DIR_Synth_Output\\" \\"cdk.out\\"`))}),
		})
	}
	// The publish step keeps its output as an artifact.
	tpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
		"Description": assertions.Match_StringLikeRegexp(jsii.String("Publish-prd")),
		"Source":      assertions.Match_ObjectLike(&map[string]any{"BuildSpec": assertions.Match_StringLikeRegexp(jsii.String(`"base-directory": "published"`))}),
	})
}

// TestPipelineGoliveStepRole: both golive steps run as the one named role prd's golive
// role trusts, which may assume only that role.
func TestPipelineGoliveStepRole(t *testing.T) {
	cfg := load(t, "../config/config.json")
	_, tpl := pipelineStack(t, cfg)
	roles := tpl.FindResources(jsii.String("AWS::IAM::Role"), map[string]any{
		"Properties": map[string]any{"RoleName": "golive-demo-prd-golive-step"},
	})
	if len(*roles) != 1 {
		t.Fatalf("%d golive step roles, want 1", len(*roles))
	}
	var id string
	for id = range *roles {
	}
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
		"RoleName": "golive-demo-prd-golive-step",
		"AssumeRolePolicyDocument": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
			"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "codebuild.amazonaws.com"},
		}}},
	})
	for _, step := range []string{"Verify-prd", "Publish-prd"} {
		tpl.HasResourceProperties(jsii.String("AWS::CodeBuild::Project"), map[string]any{
			"Description": assertions.Match_StringLikeRegexp(jsii.String(step)),
			"ServiceRole": map[string]any{"Fn::GetAtt": []any{id, "Arn"}},
		})
	}
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"Roles": []any{map[string]any{"Ref": id}},
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
			"Action": "sts:AssumeRole", "Effect": "Allow", "Resource": "arn:aws:iam::333333333333:role/golive-demo-prd-golive", "Sid": "AssumeGoliveRole",
		}})},
	})
	// No other role of the pipeline may assume it.
	b, _ := json.Marshal(*tpl.ToJSON())
	if n := strings.Count(string(b), "role/golive-demo-prd-golive\""); n != 1 {
		t.Errorf("the prd golive role is named %d times in the pipeline stack, want once (the step role's policy)", n)
	}
}

func TestCLIRoleIsScopedToTheEnvironment(t *testing.T) {
	cfg := load(t, "../config/config.json")
	p, _ := pipelineStack(t, cfg)
	tpl := assertions.Template_FromStack(p.Stages["prd"].Service.Stack, nil)
	roles := tpl.FindResources(jsii.String("AWS::IAM::Role"), map[string]any{
		"Properties": map[string]any{"RoleName": "golive-demo-prd-golive"},
	})
	if len(*roles) != 1 {
		t.Fatalf("%d golive roles, want 1", len(*roles))
	}
	var role struct {
		Properties struct {
			AssumeRolePolicyDocument struct{ Statement []map[string]any }
			Policies                 []struct {
				PolicyDocument struct {
					Statement []struct {
						Sid      string
						Action   any
						Resource any
					}
				}
			}
		}
	}
	for _, r := range *roles {
		b, _ := json.Marshal(r)
		if err := json.Unmarshal(b, &role); err != nil {
			t.Fatal(err)
		}
	}
	// Only the pipeline's golive step role may assume it, never the whole pipeline account.
	wantTrust := []map[string]any{{
		"Action":    "sts:AssumeRole",
		"Effect":    "Allow",
		"Principal": map[string]any{"AWS": "arn:aws:iam::444444444444:root"},
		"Condition": map[string]any{"ArnEquals": map[string]any{"aws:PrincipalArn": "arn:aws:iam::444444444444:role/golive-demo-prd-golive-step"}},
	}}
	if got := role.Properties.AssumeRolePolicyDocument.Statement; !reflect.DeepEqual(got, wantTrust) {
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(wantTrust)
		t.Errorf("trust policy = %s\nwant %s", g, w)
	}
	actions := map[string]bool{}
	for _, s := range role.Properties.Policies[0].PolicyDocument.Statement {
		for _, a := range list(s.Action) {
			if strings.Contains(a, "*") {
				t.Errorf("statement %s has wildcard action %s", s.Sid, a)
			}
			actions[a] = true
		}
		for _, r := range list(s.Resource) {
			if r != "*" && !strings.Contains(r, ":333333333333:") {
				t.Errorf("statement %s reaches outside prd's account: %s", s.Sid, r)
			}
			if s.Sid == "DeleteVersions" && !strings.HasSuffix(r, ":golive-demo-prd-worker:*") {
				t.Errorf("DeleteVersions on %s, want only the worker's versions", r)
			}
			if r == "*" && s.Sid != "AccountWide" {
				t.Errorf("statement %s on every resource", s.Sid)
			}
		}
	}
	var got []string
	for a := range actions {
		got = append(got, a)
	}
	sort.Strings(got)
	var want []string
	for _, p := range iampolicy.CLIPermissions() {
		want = append(want, p.IAMAction())
	}
	sort.Strings(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("actions = %v\nwant %v", got, want)
	}
}

func list(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			} else {
				b, _ := json.Marshal(x)
				out = append(out, string(b))
			}
		}
		return out
	}
	return nil
}

// TestReleaseIsOneLine proves what a release changes: editing live_version of one prd
// function changes only its alias's FunctionVersion, its rollback alarm (a new one, whose
// name carries the version, so CloudFormation replaces it and an alarm left in ALARM never
// blocks the next release) and the deployed-version output, so the pipeline run only moves
// that alias, through the canary. The function uses the shipped smoke and bake hooks: they
// read the target version from CodeDeploy, so nothing of theirs changes.
func TestReleaseIsOneLine(t *testing.T) {
	data, err := os.ReadFile("testdata/full.json")
	if err != nil {
		t.Fatal(err)
	}
	const pin = `"api": { "live_version": 12,`
	if !strings.Contains(string(data), pin) {
		t.Fatalf("testdata/full.json no longer pins api with %s", pin)
	}
	before := parse(t, string(data))
	after := parse(t, strings.Replace(string(data), pin, `"api": { "live_version": 13,`, 1))
	_, t1 := synth(t, before, "prd")
	_, t2 := synth(t, after, "prd")

	var changed []string
	diff("", *t1.ToJSON(), *t2.ToJSON(), &changed)
	t.Logf("changed: %v", changed)
	allowed := []*regexp.Regexp{
		regexp.MustCompile(`^Resources/api[A-Za-z0-9]*Live[A-Z0-9]+/Properties/FunctionVersion$`),
		regexp.MustCompile(`^Resources/api[A-Za-z0-9]*RollbackAlarm[A-Z0-9]+/Properties/AlarmName$`),
		regexp.MustCompile(`^Resources/api[A-Za-z0-9]*RollbackAlarm[A-Z0-9]+/Properties/AlarmDescription$`),
		regexp.MustCompile(`^Resources/api[A-Za-z0-9]*RollbackAlarm[A-Z0-9]+/Properties/Metrics/\d+/MetricStat/Metric/Dimensions/0/Value$`),
		regexp.MustCompile(`^Outputs/LiveVersionApi/Value$`),
	}
	name := func(tpl assertions.Template) string {
		for _, a := range *tpl.FindResources(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"Properties": map[string]any{"AlarmName": assertions.Match_StringLikeRegexp(jsii.String("^full-prd-api-"))}}) {
			return (*a)["Properties"].(map[string]any)["AlarmName"].(string)
		}
		return ""
	}
	if n1, n2 := name(t1), name(t2); n1 != "full-prd-api-LIVE-v12-rollback" || n2 != "full-prd-api-LIVE-v13-rollback" {
		t.Errorf("rollback alarm names %q then %q; want one per release, carrying the version", n1, n2)
	}
	seen := make([]bool, len(allowed))
	for _, c := range changed {
		ok := false
		for i, re := range allowed {
			if re.MatchString(c) {
				ok, seen[i] = true, true
			}
		}
		if !ok {
			t.Errorf("a release changed %s", c)
		}
	}
	for i, s := range seen {
		if !s {
			t.Errorf("no change matched %s", allowed[i])
		}
	}
}

// diff appends the paths where a and b differ.
func diff(path string, a, b any, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, path)
			return
		}
		keys := map[string]bool{}
		for k := range av {
			keys[k] = true
		}
		for k := range bv {
			keys[k] = true
		}
		for k := range keys {
			diff(strings.TrimPrefix(path+"/"+k, "/"), av[k], bv[k], out)
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			*out = append(*out, path)
			return
		}
		for i := range av {
			diff(fmt.Sprintf("%s/%d", path, i), av[i], bv[i], out)
		}
	default:
		if !reflect.DeepEqual(a, b) {
			*out = append(*out, path)
		}
	}
}

func TestPipelineImagesByDigest(t *testing.T) {
	const base = `{"project": "p",
		"lambda_functions": {"img": {"image": {"repository": "123456789012.dkr.ecr.us-east-1.amazonaws.com/img", %s}}},
		"envs": {
			"sbx": {"account": "111111111111", "region": "us-east-1"},
			"prd": {"account": "333333333333", "region": "us-east-1", "lambda_functions": {"img": {"live_version": "3"}}}},
		"pipeline": {"account": "444444444444", "region": "us-east-1", "repository": "o/r",
			"connection_arn": "arn:aws:codeconnections:us-east-1:444444444444:connection/abc", "stages": ["sbx", "prd"]}}`
	digest := "sha256:" + strings.Repeat("0f", 32)

	// The same digest is deployed in every stage: built once, promoted unchanged.
	p, _ := pipelineStack(t, parse(t, fmt.Sprintf(base, `"digest": "`+digest+`"`)))
	for _, name := range []string{"sbx", "prd"} {
		tpl := assertions.Template_FromStack(p.Stages[name].Service.Stack, nil)
		b, _ := json.Marshal(*tpl.ToJSON())
		if !strings.Contains(string(b), "123456789012.dkr.ecr.us-east-1.") || !strings.Contains(string(b), "/img@"+digest) {
			t.Errorf("stage %s does not deploy img@%s from the build account", name, digest)
		}
	}

	// A tag is refused where pinned by config, and anywhere the pipeline deploys by CheckPipeline.
	_, err := config.Parse([]byte(fmt.Sprintf(base, `"tag": "v1"`)))
	if err == nil || !strings.Contains(err.Error(), "envs.prd.lambda_functions.img.image") {
		t.Errorf("config.Parse with a tag in pinned prd: %v, want an error naming envs.prd.lambda_functions.img.image", err)
	}
	unpinned := parse(t, strings.Replace(fmt.Sprintf(base, `"tag": "v1"`), `"lambda_functions": {"img": {"live_version": "3"}}`, `"lambda_functions": {}`, 1))
	err = stacks.CheckPipeline(unpinned)
	if err == nil || !strings.Contains(err.Error(), `envs.sbx.lambda_functions.img.image.tag: got "v1"`) {
		t.Errorf("CheckPipeline with a tag: %v, want an error naming envs.sbx.lambda_functions.img.image.tag", err)
	}
}

// TestPipelinePassesTheSourceCommit: the golive steps get the source action's CommitId as
// GOLIVE_SOURCE_COMMIT, which publish writes into each new version's description.
func TestPipelinePassesTheSourceCommit(t *testing.T) {
	cfg := load(t, "../config/config.json")
	_, tpl := pipelineStack(t, cfg)
	var sourceNamespace string
	envs := map[string]string{}
	for _, r := range *tpl.FindResources(jsii.String("AWS::CodePipeline::Pipeline"), nil) {
		b, _ := json.Marshal((*r)["Properties"])
		var p struct {
			Stages []struct {
				Actions []struct {
					Name          string
					Namespace     string
					ActionTypeId  struct{ Category string }
					Configuration map[string]any
				}
			}
		}
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Stages {
			for _, a := range s.Actions {
				if a.ActionTypeId.Category == "Source" {
					sourceNamespace = a.Namespace
				}
				if v, ok := a.Configuration["EnvironmentVariables"].(string); ok {
					envs[a.Name] = v
				}
			}
		}
	}
	if sourceNamespace == "" {
		t.Fatal("the source action has no variable namespace")
	}
	for _, step := range []string{"Verify-prd", "Publish-prd"} {
		var vars []struct{ Name, Type, Value string }
		if err := json.Unmarshal([]byte(envs[step]), &vars); err != nil {
			t.Fatalf("%s: environment variables %q: %v", step, envs[step], err)
		}
		want := struct{ Name, Type, Value string }{versiondesc.SourceCommitEnv, "PLAINTEXT", "#{" + sourceNamespace + ".CommitId}"}
		found := false
		for _, v := range vars {
			found = found || v == want
		}
		if !found {
			t.Errorf("%s: environment %+v lacks %+v", step, vars, want)
		}
	}
}
