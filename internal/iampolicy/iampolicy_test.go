package iampolicy_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/iampolicy"
)

// TestCLIPolicyGrantsEveryPermission: a permission whose scope has no statement would be
// listed but never granted.
func TestCLIPolicyGrantsEveryPermission(t *testing.T) {
	policy := iampolicy.CLIPolicy(func(s iampolicy.Scope) []string { return []string{string(s)} })
	granted := map[string]iampolicy.Scope{}
	for _, st := range policy {
		for _, a := range st.Actions {
			granted[a] = iampolicy.Scope(st.Resources[0])
		}
	}
	for _, p := range iampolicy.CLIPermissions() {
		if s, ok := granted[p.IAMAction()]; !ok || s != p.Scope {
			t.Errorf("%s: granted on %q, want on %q", p.IAMAction(), s, p.Scope)
		}
	}
	if len(granted) != len(iampolicy.CLIPermissions()) {
		t.Errorf("policy grants %d actions, want %d", len(granted), len(iampolicy.CLIPermissions()))
	}
}

// readmePolicyResources are the example ARNs of docs/operations.md's policy: every environment of project
// golive-demo, in any region and account.
func readmePolicyResources(s iampolicy.Scope) []string {
	switch s {
	case iampolicy.ScopeFunctions:
		return []string{"arn:aws:lambda:*:*:function:golive-demo-*", "arn:aws:lambda:*:*:function:golive-demo-*:*"}
	case iampolicy.ScopeVersions:
		return []string{"arn:aws:lambda:*:*:function:golive-demo-*:*"}
	case iampolicy.ScopeAccount:
		return []string{"*"}
	case iampolicy.ScopeStack:
		return []string{"arn:aws:cloudformation:*:*:stack/golive-demo-*/*"}
	case iampolicy.ScopeDeploymentGroups:
		return []string{"arn:aws:codedeploy:*:*:deploymentgroup:golive-demo-*/*"}
	case iampolicy.ScopeApplication:
		return []string{"arn:aws:codedeploy:*:*:application:golive-demo-*"}
	case iampolicy.ScopeDeploymentConfigs:
		return []string{"arn:aws:codedeploy:*:*:deploymentconfig:*"}
	case iampolicy.ScopeHookLogs:
		return []string{"arn:aws:logs:*:*:log-group:/aws/lambda/golive-demo-*"}
	}
	return nil
}

type policyDoc struct {
	Version   string
	Statement []policyStatement
}

type policyStatement struct {
	Sid      string
	Effect   string
	Action   stringOrList
	Resource stringOrList
}

// stringOrList reads IAM's "a string or a list of strings".
type stringOrList []string

func (s *stringOrList) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	return json.Unmarshal(b, (*[]string)(s))
}

func (s stringOrList) MarshalJSON() ([]byte, error) {
	if len(s) == 1 {
		return json.Marshal(s[0])
	}
	return json.Marshal([]string(s))
}

// TestDocsPolicyIsTheCLIPolicy keeps the "Minimal IAM policy" of docs/operations.md (which
// the README links) the policy the
// CLI needs; on a difference it prints the block to paste.
func TestDocsPolicyIsTheCLIPolicy(t *testing.T) {
	data, err := os.ReadFile("../../docs/operations.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(data), "\n## Minimal IAM policy\n")
	if !ok {
		t.Fatal(`docs/operations.md has no "## Minimal IAM policy" section`)
	}
	_, block, ok := strings.Cut(section, "```json\n")
	block, _, ok2 := strings.Cut(block, "```")
	if !ok || !ok2 {
		t.Fatal("the IAM policy section of docs/operations.md has no ```json block")
	}
	var got policyDoc
	if err := json.Unmarshal([]byte(block), &got); err != nil {
		t.Fatalf("docs/operations.md policy: %v", err)
	}

	want := policyDoc{Version: "2012-10-17"}
	for _, s := range iampolicy.CLIPolicy(readmePolicyResources) {
		want.Statement = append(want.Statement, policyStatement{Sid: s.Sid, Effect: "Allow", Action: s.Actions, Resource: s.Resources})
	}
	if !reflect.DeepEqual(got, want) {
		b, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("the policy in docs/operations.md differs from the CLI's permissions; want:\n%s", b)
	}
}

func TestPermissionActions(t *testing.T) {
	var actions []string
	for _, p := range iampolicy.CLIPermissions() {
		if p.Service == "" || p.Operation == "" || p.Action == "" || strings.Contains(p.Action, "*") {
			t.Errorf("incomplete permission %+v", p)
		}
		actions = append(actions, p.IAMAction())
	}
	if slices.Sort(actions); len(slices.Compact(actions)) != len(iampolicy.CLIPermissions()) {
		t.Errorf("an action is listed twice: %v", actions)
	}
}
