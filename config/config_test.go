package config_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/golive-dev/golive/config"
)

func f64(x float64) *float64 { return &x }

func TestLoadExample(t *testing.T) {
	c, err := config.Load("config.json")
	if err != nil {
		t.Fatal(err)
	}
	if c.Project != "golive-demo" {
		t.Errorf("Project = %q; want golive-demo", c.Project)
	}
	if got, want := c.EnvNames(), []string{"sbx", "tst", "prd"}; !slices.Equal(got, want) {
		t.Errorf("EnvNames() = %v; want %v (file order)", got, want)
	}
	wantPipeline := &config.Pipeline{
		Account:        "444444444444",
		Region:         "us-east-1",
		ConnectionArn:  "arn:aws:codeconnections:us-east-1:444444444444:connection/0f8c3b1e-5d7a-4c2b-9e61-3a4f2d9b8c70",
		Repository:     "example-org/golive-demo",
		Branch:         "main",
		Stages:         []string{"sbx", "tst", "prd"},
		ApprovalBefore: []string{"prd"},
	}
	if !reflect.DeepEqual(c.Pipeline, wantPipeline) {
		t.Errorf("Pipeline = %+v; want %+v", c.Pipeline, wantPipeline)
	}
	worker := func(env string) config.Function {
		return config.Function{
			Name:         "worker",
			FunctionName: "golive-demo-" + env + "-worker",
			Alias:        "LIVE",
			Entry:        "functions/worker",
			Architecture: "arm64",
			MemoryMB:     256,
			TimeoutS:     10,
			Deployment: config.Deployment{
				Type:   "Canary10Percent5Minutes",
				Alarms: config.Alarms{ErrorRatePercent: f64(1), P99DurationMs: f64(2000), MinInvocations: 10},
				Smoke: &config.Smoke{Events: []json.RawMessage{json.RawMessage(`{"name":"smoke"}`)},
					Expect: json.RawMessage(`{"message":"hello, smoke"}`), TimeoutS: 30},
				AutoRollback: config.AutoRollback{OnFailure: true, OnStop: true, OnAlarm: true},
			},
		}
	}
	prd := worker("prd")
	prd.LiveVersion, prd.Rollout = "7", config.RolloutCanary
	for _, tc := range []struct {
		env, account string
		want         config.Function
	}{
		{"sbx", "111111111111", worker("sbx")},
		{"tst", "222222222222", worker("tst")},
		{"prd", "333333333333", prd},
	} {
		e, err := c.Env(tc.env)
		if err != nil {
			t.Fatal(err)
		}
		if e.Account != tc.account || e.Region != "us-east-1" {
			t.Errorf("%s: account, region = %s, %s; want %s, us-east-1", tc.env, e.Account, e.Region, tc.account)
		}
		fn, err := e.Function("worker")
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(*fn, tc.want) {
			t.Errorf("%s worker =\n%s\nwant\n%s", tc.env, show(*fn), show(tc.want))
		}
		if fn.OutputKey() != "LiveVersionWorker" {
			t.Errorf("OutputKey() = %q; want LiveVersionWorker", fn.OutputKey())
		}
	}
	if got := c.StackName("prd"); got != "golive-demo-prd" {
		t.Errorf("StackName(prd) = %q; want golive-demo-prd", got)
	}
	if got := c.CodeDeployApplication("prd"); got != "golive-demo-prd" {
		t.Errorf("CodeDeployApplication(prd) = %q; want golive-demo-prd", got)
	}
}

// show prints a Function with its pointers followed, for readable diffs.
func show(f config.Function) string {
	a := f.Deployment.Alarms
	deref := func(p *float64) string {
		if p == nil {
			return "nil"
		}
		return fmt.Sprint(*p)
	}
	custom, image, add := "nil", "nil", "nil"
	if f.Deployment.Custom != nil {
		custom = fmt.Sprintf("%+v", *f.Deployment.Custom)
	}
	if f.Image != nil {
		image = fmt.Sprintf("%+v", *f.Image)
	}
	if f.Additional != nil {
		add = fmt.Sprintf("%+v", *f.Additional)
	}
	smoke, bake := "nil", "nil"
	if s := f.Deployment.Smoke; s != nil {
		smoke = fmt.Sprintf("%s expect=%s timeout=%d", s.Events, s.Expect, s.TimeoutS)
	}
	if b := f.Deployment.Bake; b != nil {
		bake = fmt.Sprintf("%+v", *b)
	}
	f.Deployment.Custom, f.Image, f.Additional, f.Deployment.Alarms = nil, nil, nil, config.Alarms{Extra: a.Extra, MinInvocations: a.MinInvocations}
	f.Deployment.Smoke, f.Deployment.Bake = nil, nil
	return fmt.Sprintf("%+v\n  image=%s additional=%s custom=%s alarms=(%s %s) smoke=%s bake=%s", f, image, add, custom,
		deref(a.ErrorRatePercent), deref(a.P99DurationMs), smoke, bake)
}

// defaultWorker is doc()'s worker in env with nothing set but entry.
func defaultWorker(env string) config.Function {
	return config.Function{
		Name:         "worker",
		FunctionName: "demo-" + env + "-worker",
		Alias:        "LIVE",
		Entry:        "functions/worker",
		Architecture: "arm64",
		MemoryMB:     128,
		TimeoutS:     3,
		Deployment: config.Deployment{
			Type:         "Canary10Percent5Minutes",
			Alarms:       config.Alarms{MinInvocations: 10},
			AutoRollback: config.AutoRollback{OnFailure: true, OnStop: true, OnAlarm: false},
		},
	}
}

func TestMerge(t *testing.T) {
	for _, tc := range []struct {
		name, shared, prd string
		// edit turns defaultWorker("prd") into the expected prd worker.
		edit func(f *config.Function)
	}{
		{"defaults", "", "", func(f *config.Function) {}},
		{"alias shared", `"alias": "live"`, "", func(f *config.Function) { f.Alias = "live" }},
		{"alias overridden by the env", `"alias": "live"`, `"alias": "prod"`, func(f *config.Function) { f.Alias = "prod" }},
		{"alias null restores LIVE", `"alias": "live"`, `"alias": null`, func(f *config.Function) {}},
		{"env overrides a leaf", `"memory_mb": 256, "timeout_s": 30`, `"memory_mb": 1024`, func(f *config.Function) {
			f.MemoryMB, f.TimeoutS = 1024, 30
		}},
		{"null restores the default", `"memory_mb": 256, "description": "shared", "architecture": "x86_64"`, `"memory_mb": null, "description": null`, func(f *config.Function) {
			f.Architecture = "x86_64"
		}},
		{"alarms merge threshold by threshold",
			`"deployment": {"alarms": {"error_rate_percent": 1, "min_invocations": 20, "p99_duration_ms": 2000}}`,
			`"deployment": {"alarms": {"p99_duration_ms": 500, "min_invocations": null}}`, func(f *config.Function) {
				f.Deployment.Alarms = config.Alarms{ErrorRatePercent: f64(1), P99DurationMs: f64(500), MinInvocations: 10}
				f.Deployment.AutoRollback.OnAlarm = true
			}},
		{"extra alarms are replaced whole",
			`"deployment": {"alarms": {"extra": ["a", "b"]}}`, `"deployment": {"alarms": {"extra": ["c"]}}`, func(f *config.Function) {
				f.Deployment.Alarms.Extra = []string{"c"}
				f.Deployment.AutoRollback.OnAlarm = true
			}},
		{"environment merges key by key",
			`"environment": {"AA": "1", "BB": "2"}`, `"environment": {"BB": "3", "CC": "4", "AA": null}`, func(f *config.Function) {
				f.Environment = map[string]string{"BB": "3", "CC": "4"}
			}},
		{"auto_rollback merges switch by switch",
			`"deployment": {"alarms": {"error_rate_percent": 1}, "auto_rollback": {"on_stop": false}}`, `"deployment": {"auto_rollback": {"on_failure": false}}`, func(f *config.Function) {
				f.Deployment.Alarms.ErrorRatePercent = f64(1)
				f.Deployment.AutoRollback = config.AutoRollback{OnFailure: false, OnStop: false, OnAlarm: true}
			}},
		{"deployment.type is replaced whole",
			`"deployment": {"type": {"canary_percent": 20, "interval_minutes": 10}}`, `"deployment": {"type": "Linear10PercentEvery1Minute"}`, func(f *config.Function) {
				f.Deployment.Type = "Linear10PercentEvery1Minute"
			}},
		{"custom linear shift", `"deployment": {"type": {"linear_percent": 25, "interval_minutes": 3}}`, "", func(f *config.Function) {
			f.Deployment.Type = config.DeploymentCustom
			f.Deployment.Custom = &config.CustomShift{Linear: true, Percent: 25, IntervalMinutes: 3}
		}},
		{"image digest promoted in one env",
			`"entry": null, "image": {"repository": "demo/worker", "tag": "v1"}`, `"image": {"tag": null, "digest": "` + digest + `"}, "live_version": 3`, func(f *config.Function) {
				f.Entry, f.Image = "", &config.Image{Repository: "demo/worker", Digest: digest}
				f.LiveVersion, f.Rollout = "3", config.RolloutCanary
			}},
		{"env switches entry to image", "", `"entry": null, "image": {"repository": "demo/worker", "digest": "` + digest + `"}`, func(f *config.Function) {
			f.Entry, f.Image = "", &config.Image{Repository: "demo/worker", Digest: digest}
		}},
		{"pinned defaults to canary", "", `"live_version": 12`, func(f *config.Function) {
			f.LiveVersion, f.Rollout = "12", config.RolloutCanary
		}},
		{"pinned as 7.0 is version 7", "", `"live_version": 7.0`, func(f *config.Function) {
			f.LiveVersion, f.Rollout = "7", config.RolloutCanary
		}},
		{"pinned with type None defaults to direct", `"deployment": {"type": "None"}`, `"live_version": "12"`, func(f *config.Function) {
			f.LiveVersion, f.Rollout, f.Deployment.Type = "12", config.RolloutDirect, config.DeploymentNone
		}},
		{"explicit direct", "", `"live_version": "12", "rollout": "direct"`, func(f *config.Function) {
			f.LiveVersion, f.Rollout = "12", config.RolloutDirect
		}},
		{"weighted split", "", `"live_version": "12", "deployment": {"type": "None"}, "additional_versions": {"11": 0.2}`, func(f *config.Function) {
			f.LiveVersion, f.Rollout, f.Deployment.Type = "12", config.RolloutDirect, config.DeploymentNone
			f.Additional = &config.WeightedVersion{Version: "11", Weight: 0.2}
		}},
		{"error_rate_relative", `"deployment": {"alarms": {"error_rate_percent": 1, "error_rate_relative": true}}`, `"deployment": {"alarms": {"min_invocations": 50}}`, func(f *config.Function) {
			f.Deployment.Alarms = config.Alarms{ErrorRatePercent: f64(1), ErrorRateRelative: true, MinInvocations: 50}
			f.Deployment.AutoRollback.OnAlarm = true
		}},
		{"min_invocations 0 turns the guard off", `"deployment": {"alarms": {"p99_duration_ms": 100, "min_invocations": 0}}`, "", func(f *config.Function) {
			f.Deployment.Alarms = config.Alarms{P99DurationMs: f64(100)}
			f.Deployment.AutoRollback.OnAlarm = true
		}},
		{"smoke and bake merge field by field",
			`"deployment": {"alarms": {"error_rate_percent": 1}, "smoke": {"events": [{"a": 1}, "two"], "timeout_s": 20}, "bake": {"minutes": 3}}`,
			`"deployment": {"smoke": {"expect": {"ok": true}}, "bake": {"minutes": 14}}`, func(f *config.Function) {
				f.Deployment.Alarms.ErrorRatePercent = f64(1)
				f.Deployment.AutoRollback.OnAlarm = true
				f.Deployment.Smoke = &config.Smoke{Events: []json.RawMessage{json.RawMessage(`{"a":1}`), json.RawMessage(`"two"`)},
					Expect: json.RawMessage(`{"ok":true}`), TimeoutS: 20}
				f.Deployment.Bake = &config.Bake{Minutes: 14}
			}},
		{"smoke defaults its timeout, null removes it", `"deployment": {"smoke": {"events": [1]}, "bake": null}`, `"deployment": {"smoke": {"timeout_s": null}}`, func(f *config.Function) {
			f.Deployment.Smoke = &config.Smoke{Events: []json.RawMessage{json.RawMessage(`1`)}, TimeoutS: 60}
		}},
		{"rolled back from 8", "", `"live_version": "7", "rollout": "direct", "rolled_back": 8`, func(f *config.Function) {
			f.LiveVersion, f.Rollout, f.RolledBack = "7", config.RolloutDirect, "8"
		}},
		{"empty split is none", "", `"live_version": "12", "additional_versions": {}`, func(f *config.Function) {
			f.LiveVersion, f.Rollout = "12", config.RolloutCanary
		}},
		{"provisioned 0 where unpinned", `"provisioned_concurrency": 0`, "", func(f *config.Function) {}},
		{"function_name and hooks", `"function_name": "shared-name", "deployment": {"pre_traffic_hook": "orders-pre"}`, `"function_name": "prd-name", "deployment": {"post_traffic_hook": "arn:aws:lambda:eu-west-1:333333333333:function:orders-post"}`, func(f *config.Function) {
			f.FunctionName = "prd-name"
			f.Deployment.PreTrafficHook, f.Deployment.PostTrafficHook = "orders-pre", "arn:aws:lambda:eu-west-1:333333333333:function:orders-post"
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := config.Parse([]byte(doc(tc.shared, tc.prd)))
			if err != nil {
				t.Fatal(err)
			}
			want := defaultWorker("prd")
			tc.edit(&want)
			if got := c.Envs[1].Functions[0]; !reflect.DeepEqual(got, want) {
				t.Errorf("prd worker =\n%s\nwant\n%s", show(got), show(want))
			}
		})
	}
}

// An env without overrides gets exactly the shared settings, whatever another env does.
func TestEnvWithoutOverridesInheritsShared(t *testing.T) {
	c, err := config.Parse([]byte(doc(`"memory_mb": 512, "environment": {"AA": "1"}`, `"memory_mb": 1024, "environment": {"AA": null}, "live_version": 4`)))
	if err != nil {
		t.Fatal(err)
	}
	want := defaultWorker("sbx")
	want.MemoryMB, want.Environment = 512, map[string]string{"AA": "1"}
	if got := c.Envs[0].Functions[0]; !reflect.DeepEqual(got, want) {
		t.Errorf("sbx worker =\n%s\nwant\n%s", show(got), show(want))
	}
}

func TestOrder(t *testing.T) {
	c, err := config.Parse([]byte(`{"project": "demo",
		"lambda_functions": {"zeta": {"entry": "z"}, "alpha": {"entry": "a"}, "mid": {"entry": "m"}},
		"envs": {
			"prd": {"account": "333333333333", "region": "us-east-1"},
			"dev": {"account": "111111111111", "region": "us-east-1"},
			"a1":  {"account": "222222222222", "region": "us-east-1"}},
		"pipeline": {` + pipelineBase + `}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := c.EnvNames(), []string{"prd", "dev", "a1"}; !slices.Equal(got, want) {
		t.Errorf("EnvNames() = %v; want file order %v", got, want)
	}
	if got, want := c.Pipeline.Stages, []string{"prd", "dev", "a1"}; !slices.Equal(got, want) {
		t.Errorf("Pipeline.Stages = %v; want file order %v", got, want)
	}
	for _, e := range c.Envs {
		var names []string
		for _, f := range e.Functions {
			names = append(names, f.Name)
		}
		if want := []string{"alpha", "mid", "zeta"}; !slices.Equal(names, want) {
			t.Errorf("%s functions = %v; want sorted %v", e.Name, names, want)
		}
	}
}

func TestPipeline(t *testing.T) {
	c, err := config.Parse([]byte(withPipeline(pipelineBase + `, "stages": ["sbx", "prd"], "approval_before": ["prd"]`)))
	if err != nil {
		t.Fatal(err)
	}
	want := &config.Pipeline{
		Account: "444444444444", Region: "us-east-1", ConnectionArn: connection, Repository: "golive-dev/demo",
		Branch: "main", Stages: []string{"sbx", "prd"}, ApprovalBefore: []string{"prd"},
	}
	if !reflect.DeepEqual(c.Pipeline, want) {
		t.Errorf("Pipeline = %+v; want %+v", c.Pipeline, want)
	}
}

func TestAllErrorsAtOnce(t *testing.T) {
	_, err := config.Parse([]byte(`{
  "project": "Demo",
  "lambda_functions": {"worker": {"entry": "../w", "memory_mb": 64, "live_version": 3}},
  "envs": {
    "prd": {"account": "1", "region": "us-east-1",
            "lambda_functions": {"worker": {"live_version": "abc", "rollout": "slow"}, "other": {}}}
  }
}`))
	var errs config.Errors
	if !errors.As(err, &errs) {
		t.Fatalf("Parse() error = %v; want config.Errors", err)
	}
	wantPaths := []string{
		"envs.prd.account",
		"envs.prd.lambda_functions.other",
		"envs.prd.lambda_functions.worker.live_version",
		"envs.prd.lambda_functions.worker.rollout",
		"lambda_functions.worker.entry",
		"lambda_functions.worker.live_version",
		"lambda_functions.worker.memory_mb",
		"project",
	}
	var paths []string
	for _, e := range errs {
		paths = append(paths, e.Path)
	}
	if !slices.Equal(paths, wantPaths) {
		t.Errorf("error paths =\n%s\nwant (sorted)\n%s", strings.Join(paths, "\n"), strings.Join(wantPaths, "\n"))
	}
	if lines := strings.Split(err.Error(), "\n"); len(lines) != len(errs) || lines[0] != errs[0].Error() {
		t.Errorf("Error() = %q; want one line per error", err.Error())
	}
	if !strings.HasPrefix(errs[0].Error(), "envs.prd.account: got \"1\"; want ") {
		t.Errorf("errs[0] = %q; want path: got value; want allowed", errs[0].Error())
	}
}

func TestSyntaxError(t *testing.T) {
	for _, tc := range []struct {
		in        string
		line, col int
		msg       string
	}{
		{"", 1, 1, "unexpected end of JSON input"},
		{"{\n  \"project\": \"demo\",\n}", 3, 1, "invalid character '}'"},
		{"{\"a\": tru}", 1, 10, "in literal true"},
		{"{\"a\": 1}\n{}", 2, 1, "after top-level value"},
		{"{\"é\": [1 2]}", 1, 10, "after array element"},
		{"{\"a\": \"x", 1, 9, "unexpected end of JSON input"},
		{strings.Repeat("[", 100) + strings.Repeat("]", 100), 1, 65, "nesting deeper than 64 levels"},
		// Encodings JSON does not allow, named as such rather than as "invalid character 'ï'".
		{"\xEF\xBB\xBF{}", 1, 1, "the file starts with a UTF-8 byte order mark (EF BB BF), which JSON does not allow; save it as UTF-8 without BOM"},
		{"\xFF\xFE{\x00}\x00", 1, 1, "the file is UTF-16 (byte order mark FF FE); save it as UTF-8"},
		{"\xFE\xFF\x00{\x00}", 1, 1, "the file is UTF-16 (byte order mark FE FF); save it as UTF-8"},
		{"{\x00}\x00", 1, 1, "the file holds NUL bytes, as UTF-16 or UTF-32 text does; save it as UTF-8"},
		{"\x00{\x00}", 1, 1, "the file holds NUL bytes, as UTF-16 or UTF-32 text does; save it as UTF-8"},
	} {
		_, err := config.Parse([]byte(tc.in))
		var se *config.SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Parse(%q) error = %v; want *config.SyntaxError", tc.in, err)
			continue
		}
		if se.Line != tc.line || se.Column != tc.col || !strings.Contains(se.Msg, tc.msg) {
			t.Errorf("Parse(%q) = %v; want line %d, column %d: ...%s...", tc.in, err, tc.line, tc.col, tc.msg)
		}
	}
}

func TestLoadErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	syntax := write("syntax.json", "{\n  \"project\": demo\n}")
	_, err := config.Load(syntax)
	if want := syntax + ":2:14: invalid character 'd'"; err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("Load(syntax) error = %v; want prefix %q", err, want)
	}
	var se *config.SyntaxError
	if !errors.As(err, &se) {
		t.Errorf("Load(syntax) error %T does not unwrap to *config.SyntaxError", err)
	}

	invalid := write("invalid.json", doc(`"memory_mb": 1`, `"live_version": 0`))
	_, err = config.Load(invalid)
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) != 2 {
		t.Fatalf("Load(invalid) error = %v; want 2 config.Errors", err)
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		if !strings.HasPrefix(line, invalid+": ") {
			t.Errorf("line %q does not start with the file name", line)
		}
	}

	_, err = config.Load(filepath.Join(dir, "missing.json"))
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("Load(missing) error = %v; want fs.ErrNotExist naming the file", err)
	}
}

func TestLookupErrorsListWhatExists(t *testing.T) {
	c, err := config.Load("config.json")
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Env("qa")
	var nf *config.NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "env" || err.Error() != `unknown env "qa"; want one of: sbx, tst, prd` {
		t.Errorf("Env(qa) error = %v", err)
	}
	e, _ := c.Env("prd")
	_, err = e.Function("wroker")
	if !errors.As(err, &nf) || err.Error() != `unknown function "wroker"; want one of: worker` {
		t.Errorf("Function(wroker) error = %v", err)
	}
}

func TestOutputKey(t *testing.T) {
	for name, want := range map[string]string{
		"worker":       "LiveVersionWorker",
		"order-api":    "LiveVersionOrderApi",
		"order_api_v2": "LiveVersionOrderApiV2",
		"myFunc":       "LiveVersionMyFunc",
		"a--b":         "LiveVersionAB",
		"api-2fa":      "LiveVersionApi2fa",
	} {
		if got := (config.Function{Name: name}).OutputKey(); got != want {
			t.Errorf("OutputKey(%q) = %q; want %q", name, got, want)
		}
	}
}

func TestImage(t *testing.T) {
	for _, tc := range []struct {
		img            config.Image
		account, reg   string
		uri, name, ref string
	}{
		{config.Image{Repository: "demo/worker", Digest: digest}, "111111111111", "us-east-1",
			"111111111111.dkr.ecr.us-east-1.amazonaws.com/demo/worker@" + digest, "demo/worker", digest},
		{config.Image{Repository: "999999999999.dkr.ecr.eu-west-1.amazonaws.com/shared/worker", Tag: "v1"}, "111111111111", "us-east-1",
			"999999999999.dkr.ecr.eu-west-1.amazonaws.com/shared/worker:v1", "shared/worker", "v1"},
		{config.Image{Repository: "demo", Digest: digest}, "111111111111", "cn-north-1",
			"111111111111.dkr.ecr.cn-north-1.amazonaws.com.cn/demo@" + digest, "demo", digest},
	} {
		if got := tc.img.URI(tc.account, tc.reg); got != tc.uri {
			t.Errorf("URI() = %q; want %q", got, tc.uri)
		}
		if got := tc.img.RepositoryName(); got != tc.name {
			t.Errorf("RepositoryName() = %q; want %q", got, tc.name)
		}
		if got := tc.img.TagOrDigest(); got != tc.ref {
			t.Errorf("TagOrDigest() = %q; want %q", got, tc.ref)
		}
	}
}

func TestCodeDeployConfigName(t *testing.T) {
	for typ, want := range map[string]string{
		"Canary10Percent5Minutes": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
		"AllAtOnce":               "CodeDeployDefault.LambdaAllAtOnce",
		"None":                    "",
		"Custom":                  "",
	} {
		if got := config.CodeDeployConfigName(typ); got != want {
			t.Errorf("CodeDeployConfigName(%q) = %q; want %q", typ, got, want)
		}
	}
	if got := len(config.DeploymentTypes()); got != 9 {
		t.Errorf("len(DeploymentTypes()) = %d; want 9", got)
	}
}

// Every field given every JSON type must produce errors, never a panic or a Config.
func TestWrongTypesAreErrors(t *testing.T) {
	values := []string{`null`, `true`, `-1`, `1.5`, `""`, `"x"`, `[]`, `[1]`, `{}`, `{"x": 1}`}
	fields := []string{"entry", "image", "function_name", "architecture", "memory_mb", "timeout_s", "description",
		"environment", "provisioned_concurrency", "deployment", "live_version", "rollout", "additional_versions"}
	nested := []string{`"deployment": {"type": %s}`, `"deployment": {"alarms": %s}`, `"deployment": {"alarms": {"extra": %s}}`,
		`"deployment": {"auto_rollback": {"on_stop": %s}}`, `"deployment": {"pre_traffic_hook": %s}`,
		`"image": {"repository": %s, "digest": "` + digest + `"}`, `"environment": {"AA": %s}`}
	for _, v := range values {
		for _, f := range fields {
			_, _ = config.Parse([]byte(doc("", fmt.Sprintf(`"live_version": 3, "%s": %s`, f, v))))
			_, _ = config.Parse([]byte(doc(fmt.Sprintf(`"%s": %s`, f, v), "")))
		}
		for _, n := range nested {
			_, _ = config.Parse([]byte(doc("", fmt.Sprintf(n, v))))
		}
		for _, top := range []string{"project", "lambda_functions", "envs", "pipeline"} {
			parts := map[string]string{
				"project":          `"demo"`,
				"lambda_functions": `{"w": {"entry": "w"}}`,
				"envs":             `{"e": {"account": "111111111111", "region": "us-east-1"}}`,
				"pipeline":         `{` + pipelineBase + `}`,
			}
			parts[top] = v
			in := fmt.Sprintf(`{"project": %s, "lambda_functions": %s, "envs": %s, "pipeline": %s}`,
				parts["project"], parts["lambda_functions"], parts["envs"], parts["pipeline"])
			if c, err := config.Parse([]byte(in)); err == nil && !(top == "project" && v == `"x"`) {
				t.Errorf("Parse(%s) = %+v, nil; want an error", in, c)
			}
		}
	}
}

// A config path that never ends is refused at config.MaxFileBytes, naming the file and the
// limit, instead of being read into memory.
func TestLoadRefusesAnEndlessFile(t *testing.T) {
	big := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(big, []byte(strings.Repeat(" ", config.MaxFileBytes+1)), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/dev/zero", big} {
		_, err := config.Load(path)
		if err == nil || err.Error() != path+": more than 1048576 bytes (1 MiB), the most golive reads from it" {
			t.Errorf("Load(%s) error = %v; want the file and the limit named", path, err)
		}
	}
}
