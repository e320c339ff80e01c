package hook_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/hook"
	"github.com/golive-dev/golive/internal/hooksettings"
)

// versions answers each version's own response: the current version 7 and the target 8.
func versions(byVersion map[string]string, functionError map[string]bool) func(context.Context, *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
	return func(_ context.Context, in *lambda.InvokeInput) (*lambda.InvokeOutput, error) {
		v := aws.ToString(in.Qualifier)
		out := &lambda.InvokeOutput{StatusCode: 200, Payload: []byte(byVersion[v])}
		if functionError[v] {
			out.FunctionError = aws.String("Unhandled")
		}
		return out, nil
	}
}

func TestSmokeCompare(t *testing.T) {
	events := []json.RawMessage{json.RawMessage(`{"order":1}`), json.RawMessage(`{"order":2}`)}
	compare := func(ignore ...string) *hooksettings.Smoke {
		return &hooksettings.Smoke{Events: events, TimeoutS: 5, Compare: true, Ignore: ignore}
	}
	tests := []struct {
		name       string
		smoke      *hooksettings.Smoke
		appSpec    string
		responses  map[string]string
		errors     map[string]bool
		wantStatus string
		wantReason string
		wantCalls  []string
	}{
		{
			name: "same answers", smoke: compare(),
			responses:  map[string]string{"7": `{"total":10,"items":[1,2]}`, "8": `{"items":[1,2],"total":10.0}`},
			wantStatus: "Succeeded", wantReason: "release passed",
			wantCalls: []string{function + `:8 {"order":1}`, function + `:7 {"order":1}`, function + `:8 {"order":2}`, function + `:7 {"order":2}`},
		},
		{
			name: "a value differs", smoke: compare(),
			responses:  map[string]string{"7": `{"total":10,"tax":2}`, "8": `{"total":12,"tax":2}`},
			wantStatus: "Failed",
			wantReason: "smoke event 1: demo-prd-worker:8 answers differently from the current version 7 at /total: current 10, target 12",
			wantCalls:  []string{function + `:8 {"order":1}`, function + `:7 {"order":1}`},
		},
		{
			name: "differences only at ignored paths", smoke: compare("/requestId", "/items/0/time"),
			responses: map[string]string{
				"7": `{"requestId":"a","items":[{"sku":"x","time":"10:00"}]}`,
				"8": `{"requestId":{"id":"b"},"items":[{"sku":"x","time":"10:01"}]}`,
			},
			wantStatus: "Succeeded", wantReason: "release passed",
		},
		{
			name: "the first differing path, in key order, past an ignored one", smoke: compare("/a"),
			responses:  map[string]string{"7": `{"a":1,"b":{"c~d/e":[1,2]},"z":1}`, "8": `{"a":2,"b":{"c~d/e":[1,3]},"z":2}`},
			wantStatus: "Failed", wantReason: "at /b/c~0d~1e/1: current 2, target 3",
		},
		{
			name: "a key the current version does not answer", smoke: compare(),
			responses:  map[string]string{"7": `{"ok":true}`, "8": `{"ok":true,"debug":"x"}`},
			wantStatus: "Failed", wantReason: `at /debug: current absent, target \"x\"`,
		},
		{
			name: "an element more", smoke: compare(),
			responses:  map[string]string{"7": `[1]`, "8": `[1,{"n":2}]`},
			wantStatus: "Failed", wantReason: `at /1: current absent, target {\"n\":2}`,
		},
		{
			name: "answers that are not JSON", smoke: compare(),
			responses:  map[string]string{"7": `pong`, "8": `pong!`},
			wantStatus: "Failed", wantReason: "demo-prd-worker:8 answers differently from the current version 7 as a whole: current pong, target pong!",
		},
		{
			name: "the current version fails the event", smoke: compare(),
			responses: map[string]string{"7": `{"errorMessage":"boom"}`, "8": `{"ok":true}`}, errors: map[string]bool{"7": true},
			wantStatus: "Failed", wantReason: `the current version demo-prd-worker:7 returned a function error (Unhandled) where 8 answered {\"ok\":true}: the responses differ`,
		},
		{
			name: "no comparison without compare", smoke: &hooksettings.Smoke{Events: events, TimeoutS: 5},
			responses:  map[string]string{"7": `{"v":7}`, "8": `{"v":8}`},
			wantStatus: "Succeeded", wantReason: "release passed",
			wantCalls: []string{function + `:8 {"order":1}`, function + `:8 {"order":2}`},
		},
		{
			name: "a release to the version already current has nothing to compare", smoke: compare(),
			appSpec:    strings.Replace(appSpec(function, "8"), `"CurrentVersion":"7"`, `"CurrentVersion":"8"`, 1),
			responses:  map[string]string{"8": `{"v":8}`},
			wantStatus: "Succeeded", wantReason: "smoke comparison skipped: the current version is the target",
			wantCalls: []string{function + `:8 {"order":1}`, function + `:8 {"order":2}`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := tt.appSpec
			if spec == "" {
				spec = appSpec(function, "8")
			}
			cd, ev := codeDeploy(t, spec)
			lm := &fakeLambda{invoke: versions(tt.responses, tt.errors)}
			var logs strings.Builder
			h := &hook.Handler{
				Phase:   hooksettings.HookPhaseSmoke,
				Targets: map[string]hooksettings.HookTarget{group: {Group: group, Function: function, Smoke: tt.smoke}},
				Lambda:  lm, CodeDeploy: cd.Client(),
				Log: slog.New(slog.NewTextHandler(&logs, nil)),
			}
			if err := h.Handle(context.Background(), ev); err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if got := statuses(cd); len(got) != 1 || got[0] != tt.wantStatus {
				t.Errorf("reports = %v, want exactly one %s", got, tt.wantStatus)
			}
			if !strings.Contains(logs.String(), tt.wantReason) {
				t.Errorf("log does not say %q:\n%s", tt.wantReason, logs.String())
			}
			calls := lm.invoked()
			if tt.wantCalls != nil && !slices.Equal(calls, tt.wantCalls) {
				t.Errorf("invoked %q, want %q", calls, tt.wantCalls)
			}
			for _, c := range calls {
				// Versions by number: never the alias, never $LATEST.
				if !strings.HasPrefix(c, function+":7 ") && !strings.HasPrefix(c, function+":8 ") {
					t.Errorf("invoked %s, want version 7 or 8", c)
				}
			}
		})
	}
}

func TestDifference(t *testing.T) {
	tests := []struct {
		name         string
		a, b         string
		ignore       []string
		path, av, bv string
		differ       bool
	}{
		{name: "equal", a: `{"a":[1,{"b":null}]}`, b: `{"a":[1,{"b":null}]}`},
		{name: "numbers by value", a: `{"n":1}`, b: `{"n":1.0}`},
		{name: "a type", a: `{"n":1}`, b: `{"n":"1"}`, path: "/n", av: "1", bv: `"1"`, differ: true},
		{name: "an object for a list", a: `{"n":[]}`, b: `{"n":{}}`, path: "/n", av: "[]", bv: "{}", differ: true},
		{name: "the root", a: `1`, b: `2`, path: "", av: "1", bv: "2", differ: true},
		{name: "ignored with what is under it", a: `{"meta":{"t":1,"u":[1]},"x":1}`, b: `{"meta":{"t":2},"x":1}`, ignore: []string{"/meta"}},
		{name: "an ignored prefix of a key is not its parent", a: `{"ab":1}`, b: `{"ab":2}`, ignore: []string{"/a"}, path: "/ab", av: "1", bv: "2", differ: true},
		{name: "an ignored key one side lacks", a: `{"x":1}`, b: `{"x":1,"requestId":"r"}`, ignore: []string{"/requestId"}},
		{name: "escaped keys", a: `{"a/b":{"~":1}}`, b: `{"a/b":{"~":2}}`, path: "/a~1b/~0", av: "1", bv: "2", differ: true},
		{name: "ignore by escaped pointer", a: `{"a/b":1}`, b: `{"a/b":2}`, ignore: []string{"/a~1b"}},
		{name: "bytes when not JSON", a: `ok`, b: `ok`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, av, bv, differ := hook.Difference([]byte(tt.a), []byte(tt.b), tt.ignore)
			if path != tt.path || av != tt.av || bv != tt.bv || differ != tt.differ {
				t.Errorf("Difference = %q, %q, %q, %v; want %q, %q, %q, %v", path, av, bv, differ, tt.path, tt.av, tt.bv, tt.differ)
			}
		})
	}
}
