package versionedfunction_test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/iampolicy"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

func smoke() *versionedfunction.Smoke {
	return &versionedfunction.Smoke{Events: []json.RawMessage{json.RawMessage(`{"ping": true}`)}, Expect: json.RawMessage(`{"ok":true}`), Timeout: awscdk.Duration_Seconds(jsii.Number(30))}
}

// importedFunction is an IFunction from a throwaway stack, for props that never synth.
func importedFunction(name string) awslambda.IFunction {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Other"), nil)
	// By ARN: CDK keeps the name of FromFunctionName only inside an ARN token.
	return awslambda.Function_FromFunctionArn(stack, jsii.String("Fn"), jsii.String("arn:aws:lambda:us-east-1:111111111111:function:"+name))
}

// importedAlarm is an IAlarm by name from a throwaway stack: the deployment group reads
// only its name.
func importedAlarm(name string) awscloudwatch.IAlarm {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Other"), nil)
	return awscloudwatch.Alarm_FromAlarmName(stack, jsii.String("Alarm"), jsii.String(name))
}

// statement is one IAM statement, its resources rendered as JSON for matching.
type statement struct {
	effect, action string
	resources      []string
}

// policyOf lists the statements of the policies attached to the role whose logical ID
// starts with rolePrefix, one per action, sorted.
func policyOf(t *testing.T, tpl assertions.Template, rolePrefix string) []statement {
	t.Helper()
	var out []statement
	for _, p := range *tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil) {
		props := (*p)["Properties"].(map[string]any)
		b, _ := json.Marshal(props["Roles"])
		if !strings.Contains(string(b), `"Ref":"`+rolePrefix) {
			continue
		}
		for _, s := range props["PolicyDocument"].(map[string]any)["Statement"].([]any) {
			st := s.(map[string]any)
			var res []string
			switch r := st["Resource"].(type) {
			case []any:
				for _, x := range r {
					b, _ := json.Marshal(x)
					res = append(res, string(b))
				}
			default:
				b, _ := json.Marshal(r)
				res = append(res, string(b))
			}
			actions := st["Action"]
			if a, ok := actions.(string); ok {
				actions = []any{a}
			}
			for _, a := range actions.([]any) {
				out = append(out, statement{effect: st["Effect"].(string), action: a.(string), resources: res})
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].effect+out[i].action < out[j].effect+out[j].action })
	return out
}

func vars(fn *map[string]any) map[string]any {
	return (*fn)["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any)
}

func TestShippedHooks(t *testing.T) {
	// GIVEN two pinned functions with a smoke test and a bake (billing's alias named live),
	// and one without either
	deployment := func(s *versionedfunction.Smoke, b *versionedfunction.Bake) *versionedfunction.Deployment {
		d := canary()
		d.Smoke, d.Bake = s, b
		return d
	}
	tpl, _ := synth(t,
		&versionedfunction.Props{FunctionName: "orders", Entry: entry, LiveVersion: "7", Deployment: deployment(smoke(), &versionedfunction.Bake{Wait: minutes(5)})},
		&versionedfunction.Props{FunctionName: "billing", AliasName: "live", Entry: entry, LiveVersion: "3", Deployment: deployment(smoke(), &versionedfunction.Bake{Wait: minutes(2)})},
		&versionedfunction.Props{FunctionName: "plain", Entry: entry, LiveVersion: "1", Deployment: canary()},
	)

	// THEN one smoke and one bake function serve the whole stack
	hooks := map[string]string{"SmokeHook": hooksettings.HookPhaseSmoke, "BakeHook": hooksettings.HookPhaseBake}
	for id, phase := range hooks {
		fns := *tpl.FindResources(jsii.String("AWS::Lambda::Function"), map[string]any{"Properties": map[string]any{
			"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{hooksettings.HookPhaseEnv: phase})},
		}})
		if len(fns) != 1 {
			t.Fatalf("%d %s functions, want 1 shared by the stack", len(fns), phase)
		}
		for logical, fn := range fns {
			if !strings.HasPrefix(logical, "CodeDeploy"+id) {
				t.Errorf("%s hook is %s, want it in the stack's shared CodeDeploy/%s", phase, logical, id)
			}
			props := (*fn)["Properties"].(map[string]any)
			if _, ok := vars(fn)[hooksettings.HookSettingsEnv]; !ok {
				t.Errorf("%s hook has no %s", phase, hooksettings.HookSettingsEnv)
			}
			if props["Timeout"] != float64(hooksettings.HookTimeoutS) || props["Runtime"] != "provided.al2023" || props["Handler"] != "bootstrap" {
				t.Errorf("%s hook: Timeout %v, Runtime %v, Handler %v; want %d, provided.al2023, bootstrap", phase, props["Timeout"], props["Runtime"], props["Handler"], hooksettings.HookTimeoutS)
			}
			var env []string
			for k, v := range vars(fn) {
				env = append(env, k+"="+v.(string))
			}
			targets, err := hooksettings.ParseHookTargets(env)
			if err != nil {
				t.Fatal(err)
			}
			if got := slices.Sorted(func(y func(string) bool) {
				for k := range targets {
					y(k)
				}
			}); !slices.Equal(got, []string{"billing", "orders"}) {
				t.Errorf("%s hook serves groups %v, want billing and orders", phase, got)
			}
			// The hook checks each group's AppSpec against its own alias: billing's is live.
			if o, b := targets["orders"], targets["billing"]; o.Alias != "LIVE" || b.Alias != "live" {
				t.Errorf("%s hook: aliases of orders %q and billing %q, want LIVE and live", phase, o.Alias, b.Alias)
			}
			o := targets["orders"]
			if phase == hooksettings.HookPhaseSmoke && (o.Smoke == nil || o.Bake != nil || o.Smoke.TimeoutS != 30 || string(o.Smoke.Expect) != `{"ok":true}` || len(o.Smoke.Events) != 1) {
				t.Errorf("smoke settings of orders = %+v", o)
			}
			if phase == hooksettings.HookPhaseBake && (o.Bake == nil || o.Smoke != nil || o.Bake.Minutes != 5 || o.Bake.MinInvocations != 10 ||
				*o.Bake.ErrorRatePercent != 1 || *o.Bake.P99DurationMs != 2000) {
				t.Errorf("bake settings of orders = %+v", o)
			}
		}
	}

	// AND each alias names them in its UpdatePolicy; the plain function has no hooks
	for _, tt := range []struct {
		fn        string
		pre, post string
		hasHooks  bool
	}{{"orders", "CodeDeploySmokeHook", "CodeDeployBakeHook", true}, {"billing", "CodeDeploySmokeHook", "CodeDeployBakeHook", true}, {"plain", "", "", false}} {
		aliases := *tpl.FindResources(jsii.String("AWS::Lambda::Alias"), map[string]any{"Properties": map[string]any{
			"FunctionName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Fn"))},
		}})
		found := false
		for _, a := range aliases {
			upd := (*a)["UpdatePolicy"].(map[string]any)["CodeDeployLambdaAliasUpdate"].(map[string]any)
			b, _ := json.Marshal(upd["DeploymentGroupName"])
			group := *tpl.FindResources(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{"Properties": map[string]any{"DeploymentGroupName": tt.fn}})
			for id := range group {
				if string(b) != fmt.Sprintf(`{"Ref":"%s"}`, id) {
					continue
				}
				found = true
				pre, _ := json.Marshal(upd["BeforeAllowTrafficHook"])
				post, _ := json.Marshal(upd["AfterAllowTrafficHook"])
				if tt.hasHooks && (!strings.HasPrefix(string(pre), `{"Ref":"`+tt.pre) || !strings.HasPrefix(string(post), `{"Ref":"`+tt.post)) {
					t.Errorf("%s: hooks %s, %s; want Refs to %s and %s", tt.fn, pre, post, tt.pre, tt.post)
				}
				if !tt.hasHooks && (upd["BeforeAllowTrafficHook"] != nil || upd["AfterAllowTrafficHook"] != nil) {
					t.Errorf("%s: hooks %s, %s; want none", tt.fn, pre, post)
				}
			}
		}
		if !found {
			t.Errorf("%s: no alias whose UpdatePolicy names its deployment group", tt.fn)
		}
	}

	// AND the hooks' policies are exactly what they need: report on and read their own
	// deployment groups, the smoke test invoke only the versions it tests (never the
	// function itself or $LATEST), the bake read metrics
	group := func(g string) string {
		return `^Allow codedeploy:GetDeployment \{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":codedeploy:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":deploymentgroup:",\{"Ref":"CodeDeployApplication[0-9A-F]+"\},"/` + g + `"\]\]\}$`
	}
	report := func(fn string) string {
		return `^Allow codedeploy:PutLifecycleEventHookExecutionStatus .*":deploymentgroup:",\{"Ref":"CodeDeployApplication[0-9A-F]+"\},"/",\{"Ref":"` + fn + `Deployment[0-9A-F]+"\}\]\]\}$`
	}
	// GetApplicationRevision on the stack's CodeDeploy application itself, once for both
	// groups: its resource type is application, and GetDeployment carries no AppSpec.
	revision := `^Allow codedeploy:GetApplicationRevision \{"Fn::Join":\["",\["arn:",\{"Ref":"AWS::Partition"\},":codedeploy:",\{"Ref":"AWS::Region"\},":",\{"Ref":"AWS::AccountId"\},":application:",\{"Ref":"CodeDeployApplication[0-9A-F]+"\}\]\]\}$`
	common := []string{group("orders"), group("billing"), revision, report("Fn0"), report("Fn1")}
	check := func(role string, want []string) {
		t.Helper()
		var lines []string
		for _, s := range policyOf(t, tpl, role) {
			lines = append(lines, s.effect+" "+s.action+" "+strings.Join(s.resources, " "))
		}
		if len(lines) != len(want) {
			t.Errorf("%s: %d statements, want %d:\n%s", role, len(lines), len(want), strings.Join(lines, "\n"))
		}
		for _, w := range want {
			re := regexp.MustCompile(w)
			n := 0
			for _, l := range lines {
				if re.MatchString(l) {
					n++
				}
			}
			if n != 1 {
				t.Errorf("%s: %d statements match %s, want 1:\n%s", role, n, w, strings.Join(lines, "\n"))
			}
		}
	}
	invoke := func(fn string) string {
		return `^Allow lambda:InvokeFunction \{"Fn::Join":\["",\[\{"Fn::GetAtt":\["` + fn + `[0-9A-F]+","Arn"\]\},":\*"\]\]\}$`
	}
	deny := func(fn string) string {
		return `^Deny lambda:InvokeFunction \{"Fn::GetAtt":\["` + fn + `[0-9A-F]+","Arn"\]\} \{"Fn::Join":\["",\[\{"Fn::GetAtt":\["` + fn + `[0-9A-F]+","Arn"\]\},":\$LATEST"\]\]\}$`
	}
	check("CodeDeploySmokeHookServiceRole", append(common, invoke("Fn0"), invoke("Fn1"), deny("Fn0"), deny("Fn1")))
	check("CodeDeployBakeHookServiceRole", append(common, `^Allow cloudwatch:GetMetricData "\*"$`))

	// AND together they grant exactly the calls the hook makes (iampolicy.HookPermissions,
	// which internal/hook checks against its interfaces)
	var granted, want []string
	for _, role := range []string{"CodeDeploySmokeHookServiceRole", "CodeDeployBakeHookServiceRole"} {
		for _, s := range policyOf(t, tpl, role) {
			if s.effect == "Allow" && !slices.Contains(granted, s.action) {
				granted = append(granted, s.action)
			}
		}
	}
	for _, p := range iampolicy.HookPermissions() {
		want = append(want, p.IAMAction())
	}
	slices.Sort(granted)
	slices.Sort(want)
	if !slices.Equal(granted, want) {
		t.Errorf("the hooks' roles grant %v; the hook calls %v", granted, want)
	}

	// AND CodeDeploy's service role may invoke both hooks
	var cd []string
	for _, s := range policyOf(t, tpl, "CodeDeployServiceRole") {
		cd = append(cd, s.action+" "+strings.Join(s.resources, " "))
	}
	for _, id := range []string{"SmokeHook", "BakeHook"} {
		if !strings.Contains(strings.Join(cd, "\n"), `lambda:InvokeFunction {"Fn::GetAtt":["CodeDeploy`+id) {
			t.Errorf("CodeDeploy's role cannot invoke %s:\n%s", id, strings.Join(cd, "\n"))
		}
	}
}

func TestHooksOfYourOwn(t *testing.T) {
	for _, tt := range []struct {
		name      string
		set       func(d *versionedfunction.Deployment, stack awscdk.Stack)
		pre, post string // JSON of the UpdatePolicy's hook names
	}{
		{"by name, without CodeDeployHook_", func(d *versionedfunction.Deployment, stack awscdk.Stack) {
			d.PreHook = awslambda.Function_FromFunctionName(stack, jsii.String("Smoke"), jsii.String("orders-smoke"))
			d.PostHook = awslambda.Function_FromFunctionName(stack, jsii.String("Check"), jsii.String("orders-check"))
		}, `"Ref":"AWS::Partition"},":lambda:`, ""},
		{"by ARN", func(d *versionedfunction.Deployment, stack awscdk.Stack) {
			// In the stack's account and region, which an environment-agnostic stack cannot
			// tell from the ARN.
			d.PreHook = awslambda.Function_FromFunctionAttributes(stack, jsii.String("Smoke"), &awslambda.FunctionAttributes{
				FunctionArn: jsii.String("arn:aws:lambda:us-east-1:111111111111:function:orders-smoke"), SameEnvironment: jsii.Bool(true),
			})
		}, `"orders-smoke"`, ""},
		{"an IFunction of the app", func(d *versionedfunction.Deployment, stack awscdk.Stack) {
			d.PostHook = awslambda.NewFunction(stack, jsii.String("Check"), &awslambda.FunctionProps{
				Runtime: awslambda.Runtime_PYTHON_3_12(), Handler: jsii.String("index.handler"), Code: awslambda.Code_FromInline(jsii.String("def handler(e, c): pass")),
			})
		}, "", `{"Ref":"Check`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			d := canary()
			tt.set(d, stack)
			versionedfunction.New(stack, "Fn0", &versionedfunction.Props{FunctionName: "orders", Entry: entry, LiveVersion: "2", Deployment: d})
			tpl := assertions.Template_FromStack(stack, nil)
			upd := only(t, tpl, "AWS::Lambda::Alias")["UpdatePolicy"].(map[string]any)["CodeDeployLambdaAliasUpdate"].(map[string]any)
			for key, want := range map[string]string{"BeforeAllowTrafficHook": tt.pre, "AfterAllowTrafficHook": tt.post} {
				b, _ := json.Marshal(upd[key])
				if want != "" && !strings.Contains(string(b), want) {
					t.Errorf("%s = %s, want it to contain %s", key, b, want)
				}
			}
			// CodeDeploy's role is granted invoke on each hook itself, which is why no
			// CodeDeployHook_ prefix is needed.
			var cd []string
			for _, s := range policyOf(t, tpl, "CodeDeployServiceRole") {
				cd = append(cd, s.action+" "+strings.Join(s.resources, " "))
			}
			if !strings.Contains(strings.Join(cd, "\n"), "lambda:InvokeFunction") {
				t.Errorf("CodeDeploy's role may not invoke the hook:\n%s", strings.Join(cd, "\n"))
			}
			// A hook declared in the app may report on this group.
			if strings.HasPrefix(tt.name, "an IFunction") {
				got := policyOf(t, tpl, "CheckServiceRole")
				if len(got) != 1 || got[0].action != "codedeploy:PutLifecycleEventHookExecutionStatus" ||
					!strings.Contains(got[0].resources[0], `"Ref":"Fn0Deployment`) {
					t.Errorf("the app's hook role = %+v, want PutLifecycleEventHookExecutionStatus on its deployment group", got)
				}
			}
		})
	}
}

// The shipped hook's settings live in its environment, which Lambda bounds at 4 KB: a
// stack whose smoke settings outgrow it is refused at synth, naming the function that
// crossed the limit and what to do. Names sharing a prefix cost it once. A function refused
// leaves the hook's settings as they were, so the functions after it are judged on their own.
func TestHookSettingsWithinLambdasEnvironmentLimit(t *testing.T) {
	for _, tt := range []struct {
		name    string
		n       int
		event   func(i int) string
		wantErr string
		// errors is how many functions are refused: 0 for every one from the first.
		errors int
	}{
		// 98 functions of 40-character names sharing one setting: the names past their
		// common prefix "golive-demo-prd-orders-and-billing-" fit.
		{"shared settings and long names", 98, func(int) string { return `{"ping": true}` }, "", 0},
		// A setting of its own per function (an event of about 100 bytes, with its timeout):
		// the 28th crosses 4 KB, and so does each after it.
		{"settings of their own", 60, func(i int) string { return fmt.Sprintf(`{"ping": %d, "pad": %q}`, i, strings.Repeat("x", 80)) },
			`Test/fn27: the smoke hook's settings reach`, 33},
		// One function's event alone is past the limit: it is refused, the others share one
		// setting and fit.
		{"one setting past the limit", 5, func(i int) string {
			if i == 2 {
				return fmt.Sprintf("%q", strings.Repeat("x", 4000))
			}
			return `{"ping": true}`
		}, `Test/fn2: the smoke hook's settings reach`, 1},
	} {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			for i := range tt.n {
				d := canary()
				d.Smoke = &versionedfunction.Smoke{Events: []json.RawMessage{json.RawMessage(tt.event(i))}}
				versionedfunction.New(stack, fmt.Sprintf("fn%d", i), &versionedfunction.Props{
					FunctionName: fmt.Sprintf("golive-demo-prd-orders-and-billing-%05d", i), Entry: entry, LiveVersion: "2", Deployment: d})
			}
			errs := synthcheck.Errors(stack)
			msg := strings.Join(errs, "; ")
			switch {
			case tt.wantErr == "" && msg != "":
				t.Fatalf("New: %s; want the stack", msg)
			case tt.wantErr != "" && (len(errs) == 0 || !strings.HasPrefix(errs[0], tt.wantErr)):
				t.Fatalf("synth errors %q; want the first to start with %q", msg, tt.wantErr)
			case tt.wantErr != "" && len(errs) != tt.errors:
				t.Fatalf("%d functions refused, want %d: %q", len(errs), tt.errors, msg)
			case tt.wantErr != "":
				for _, want := range []string{"bytes with this function's; Lambda allows 4096", "share the smoke events"} {
					if !strings.Contains(msg, want) {
						t.Errorf("New: %q; want it to say %q", msg, want)
					}
				}
			}
		})
	}
}
