package templatecheck_test

import (
	"encoding/json"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/templatecheck"
)

// TestReplacingPropertiesAreTheRegistrySchemas: the properties the check treats as replacing
// are exactly the createOnlyProperties of the CloudFormation registry schemas that cfn-lint
// ships (the resource reference's "Update requires: Replacement"), so a property AWS adds
// to that list fails here rather than slipping past verify.
func TestReplacingPropertiesAreTheRegistrySchemas(t *testing.T) {
	types := []string{templatecheck.TypeFunction, templatecheck.TypeAlias, templatecheck.TypeVersion, templatecheck.TypeMapping,
		templatecheck.TypePermission, templatecheck.TypeApplication, templatecheck.TypeDeploymentGroup, templatecheck.TypeLogGroup}
	script := `
import json, sys
from cfnlint.schema.manager import PROVIDER_SCHEMA_MANAGER as m
out = {}
for t in sys.argv[1:]:
    out[t] = [p.removeprefix("/properties/") for p in m.get_resource_schema("us-east-1", t).schema.get("createOnlyProperties", [])]
print(json.dumps(out))
`
	out, err := exec.Command("python3", append([]string{"-c", script}, types...)...).Output()
	if err != nil {
		t.Fatalf("read cfn-lint's schemas (cfn-lint must be installed): %v", err)
	}
	var want map[string][]string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for _, typ := range types {
		got := templatecheck.ReplacingProperties(typ)
		slices.Sort(got)
		w := want[typ]
		slices.Sort(w)
		if !slices.Equal(got, w) {
			t.Errorf("%s: replacing properties %s, the registry schema's createOnlyProperties %s", typ, strings.Join(got, ","), strings.Join(w, ","))
		}
	}
}
