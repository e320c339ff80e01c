// Package templatecheck compares a CloudFormation template about to be deployed with the one
// deployed, and names every change that would drop traffic or lose Lambda versions: a
// function or the alias replaced or deleted, a version deleted without Retain, a CodeDeploy
// application or deployment group deleted or replaced, an event source mapping or permission
// of an alias replaced; and a log group whose name a new logical ID takes, which fails the
// deploy. It is pure (two templates in, findings out): the CLI fetches the
// deployed template (CloudFormation GetTemplate) and checks the pins it reports with Lambda.
//
// What CloudFormation replaces is the resource reference's "Update requires: Replacement",
// which the CloudFormation registry's resource schemas state as createOnlyProperties (the
// schemas cfn-lint ships; a test keeps replacingProperties in step with them). A resource
// whose logical ID leaves the template is deleted, under the DeletionPolicy of the deployed
// template (CloudFormation User Guide, "DeletionPolicy attribute"); one whose replacing
// property changes is replaced, the old one deleted under the UpdateReplacePolicy of the
// template being deployed ("UpdateReplacePolicy attribute").
package templatecheck

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/golive-dev/golive/internal/lambdarules"
)

// Resource types the check knows.
const (
	TypeFunction        = "AWS::Lambda::Function"
	TypeAlias           = "AWS::Lambda::Alias"
	TypeVersion         = "AWS::Lambda::Version"
	TypeMapping         = "AWS::Lambda::EventSourceMapping"
	TypePermission      = "AWS::Lambda::Permission"
	TypeApplication     = "AWS::CodeDeploy::Application"
	TypeDeploymentGroup = "AWS::CodeDeploy::DeploymentGroup"
	TypeLogGroup        = "AWS::Logs::LogGroup"
)

// replacingProperties are, per type, the properties whose change makes CloudFormation replace
// the resource ("Update requires: Replacement" in each property's entry of the AWS resource
// and property types reference; createOnlyProperties in the registry schema).
var replacingProperties = map[string][]string{
	// AWS::Lambda::Function: FunctionName, PackageType (Zip or Image), TenancyConfig.
	TypeFunction: {"FunctionName", "PackageType", "TenancyConfig"},
	// AWS::Lambda::Alias: Name, FunctionName.
	TypeAlias: {"Name", "FunctionName"},
	// AWS::Lambda::Version: every property.
	TypeVersion: {"FunctionName", "Description", "CodeSha256", "ProvisionedConcurrencyConfig", "RuntimePolicy"},
	// AWS::Lambda::EventSourceMapping: the source and where it starts reading.
	TypeMapping: {"EventSourceArn", "StartingPosition", "StartingPositionTimestamp", "SelfManagedEventSource"},
	// AWS::Lambda::Permission: every property.
	TypePermission: {"FunctionName", "FunctionUrlAuthType", "InvokedViaFunctionUrl", "SourceAccount", "SourceArn",
		"Principal", "PrincipalOrgID", "Action", "EventSourceToken"},
	// AWS::CodeDeploy::Application: ApplicationName, ComputePlatform.
	TypeApplication: {"ApplicationName", "ComputePlatform"},
	// AWS::CodeDeploy::DeploymentGroup: ApplicationName, DeploymentGroupName.
	TypeDeploymentGroup: {"DeploymentGroupName", "ApplicationName"},
	// AWS::Logs::LogGroup: LogGroupName.
	TypeLogGroup: {"LogGroupName"},
}

// ReplacingProperties returns the properties of typ whose change replaces the resource.
func ReplacingProperties(typ string) []string { return slices.Clone(replacingProperties[typ]) }

// Template is the part of a CloudFormation template the check reads.
type Template struct {
	Resources map[string]Resource `json:"Resources"`
}

// Resource is one resource of a template.
type Resource struct {
	Type                string         `json:"Type"`
	Properties          map[string]any `json:"Properties"`
	DeletionPolicy      string         `json:"DeletionPolicy"`
	UpdateReplacePolicy string         `json:"UpdateReplacePolicy"`
}

// Parse reads a JSON template (what the CDK synthesizes, and what GetTemplate returns for a
// stack the CDK deployed).
func Parse(b []byte) (*Template, error) {
	var t Template
	if err := json.Unmarshal(b, &t); err != nil {
		if strings.HasPrefix(strings.TrimSpace(string(b)), "{") {
			return nil, fmt.Errorf("not a CloudFormation template: %w", err)
		}
		return nil, fmt.Errorf("not a JSON template (YAML templates are not read; the CDK synthesizes JSON): %w", err)
	}
	if t.Resources == nil {
		t.Resources = map[string]Resource{}
	}
	for id, r := range t.Resources {
		if r.Type == "" {
			return nil, fmt.Errorf("resource %s has no Type", id)
		}
	}
	return &t, nil
}

// Finding is one change the check refuses.
type Finding struct {
	// LogicalID and Type name the resource in the deployed template.
	LogicalID string `json:"logical_id"`
	Type      string `json:"type"`
	Reason    string `json:"reason"`
}

func (f Finding) String() string { return fmt.Sprintf("%s (%s): %s", f.LogicalID, f.Type, f.Reason) }

// Compare returns every change from deployed to next that drops traffic or loses versions,
// sorted by logical ID.
func Compare(deployed, next *Template) []Finding {
	var out []Finding
	for _, id := range sortedIDs(deployed) {
		old := deployed.Resources[id]
		nr, kept := next.Resources[id]
		kept = kept && nr.Type == old.Type
		var reason string
		switch old.Type {
		case TypeFunction:
			reason = functionChange(deployed, next, id, old, nr, kept)
		case TypeAlias:
			reason = aliasChange(deployed, next, id, old, nr, kept)
		case TypeVersion:
			reason = versionChange(old, nr, kept)
		case TypeApplication, TypeDeploymentGroup:
			reason = codeDeployChange(deployed, next, id, old, nr, kept)
		case TypeMapping, TypePermission:
			reason = aliasTriggerChange(deployed, next, id, old, nr, kept)
		case TypeLogGroup:
			reason = logGroupChange(deployed, next, old, kept)
		}
		if reason != "" {
			out = append(out, Finding{LogicalID: id, Type: old.Type, Reason: reason})
		}
	}
	return out
}

func functionChange(deployed, next *Template, id string, old, nr Resource, kept bool) string {
	if kept {
		if p, from, to, ok := replaced(old, nr); ok {
			return fmt.Sprintf("%s changes from %s to %s, which replaces the function: CloudFormation deletes it with all its versions and aliases",
				p, from, to)
		}
		return ""
	}
	if other := sameLiteral(deployed, next, old, "FunctionName"); other != "" {
		return fmt.Sprintf("replaced by %s, a new logical ID for the same FunctionName %s: CloudFormation creates %s first, which fails because the name is taken (keep the logical ID)",
			other, show(old.Properties["FunctionName"]), other)
	}
	if old.DeletionPolicy == "Retain" {
		return ""
	}
	return "deleted from the template, without DeletionPolicy Retain in the deployed one: CloudFormation deletes the function with all its versions and aliases"
}

func aliasChange(deployed, next *Template, id string, old, nr Resource, kept bool) string {
	name := show(old.Properties["Name"])
	if kept {
		if p, from, to, ok := replaced(old, nr); ok {
			return fmt.Sprintf("%s changes from %s to %s, which replaces alias %s: its callers and event sources lose it", p, from, to, name)
		}
		return ""
	}
	if other := sameLiteral(deployed, next, old, "Name"); other != "" {
		return fmt.Sprintf("replaced by %s, a new logical ID for alias %s: CloudFormation creates %s first, which fails while the alias exists, or deletes the alias every caller uses (keep the logical ID)",
			other, name, other)
	}
	return fmt.Sprintf("deleted from the template: alias %s goes, and every caller and event source of it fails", name)
}

func versionChange(old, nr Resource, kept bool) string {
	if kept {
		if p, from, to, ok := replaced(old, nr); ok && nr.UpdateReplacePolicy != "Retain" {
			return fmt.Sprintf("%s changes from %s to %s, which replaces the version, without UpdateReplacePolicy Retain: CloudFormation deletes the published version (set UpdateReplacePolicy: Retain first)",
				p, from, to)
		}
		return ""
	}
	if old.DeletionPolicy == "Retain" {
		return ""
	}
	return "deleted from the template, without DeletionPolicy Retain in the deployed one: CloudFormation deletes the published version, even one an alias routes to " +
		"(deploy DeletionPolicy: Retain and UpdateReplacePolicy: Retain on it first, then remove it)"
}

func codeDeployChange(deployed, next *Template, id string, old, nr Resource, kept bool) string {
	what, nameProp := "application", "ApplicationName"
	if old.Type == TypeDeploymentGroup {
		what, nameProp = "deployment group", "DeploymentGroupName"
	}
	if kept {
		if p, from, to, ok := replaced(old, nr); ok {
			return fmt.Sprintf("%s changes from %s to %s, which replaces the CodeDeploy %s: its deployment history goes", p, from, to, what)
		}
		return ""
	}
	// A new resource of the same type takes its place: the same literal name, or any when the
	// name is generated.
	if other := sameTypeNew(deployed, next, old.Type, func(r Resource) bool {
		n := literal(old.Properties[nameProp])
		return n == "" || literal(r.Properties[nameProp]) == n
	}); other != "" {
		return fmt.Sprintf("replaced by %s, a new logical ID: the CodeDeploy %s and its deployment history go (keep the logical ID)", other, what)
	}
	if old.DeletionPolicy == "Retain" {
		return ""
	}
	return fmt.Sprintf("deleted from the template: the CodeDeploy %s and its deployment history go", what)
}

// logGroupChange refuses a log group of the same name under a new logical ID: CloudFormation
// creates the new one first, and a log group name is unique in an account and Region, so the
// deploy fails. A function's log group is named after it (/aws/lambda/NAME), so a function
// kept under its logical ID whose log group is not fails there. Other changes lose no traffic.
func logGroupChange(deployed, next *Template, old Resource, kept bool) string {
	name, ok := old.Properties["LogGroupName"]
	if kept || !ok {
		return ""
	}
	if other := sameTypeNew(deployed, next, old.Type, func(r Resource) bool { return reflect.DeepEqual(r.Properties["LogGroupName"], name) }); other != "" {
		return fmt.Sprintf("replaced by %s, a new logical ID for the same LogGroupName %s: CloudFormation creates %s first, which fails because the name is taken (keep the logical ID)",
			other, show(name), other)
	}
	return ""
}

// aliasTriggerChange refuses the replacement of a mapping or permission whose FunctionName
// is an alias of the template: a deletion may be meant, a replacement recreates what calls
// the alias.
func aliasTriggerChange(deployed, next *Template, id string, old, nr Resource, kept bool) string {
	alias := aliasOf(deployed, old)
	if alias == "" {
		return ""
	}
	what := "event source mapping"
	key := []string{"EventSourceArn"}
	if old.Type == TypePermission {
		what, key = "permission", []string{"Principal", "SourceArn", "Action"}
	}
	if kept {
		if p, from, to, ok := replaced(old, nr); ok {
			return fmt.Sprintf("%s of alias %s changes from %s to %s, which replaces the %s: CloudFormation recreates what invokes the alias",
				p, alias, from, to, what)
		}
		return ""
	}
	if other := sameTypeNew(deployed, next, old.Type, func(r Resource) bool {
		for _, k := range key {
			if !reflect.DeepEqual(r.Properties[k], old.Properties[k]) {
				return false
			}
		}
		return true
	}); other != "" {
		return fmt.Sprintf("replaced by %s, a new logical ID for the %s of alias %s: CloudFormation recreates what invokes the alias (keep the logical ID)",
			other, what, alias)
	}
	return ""
}

// aliasOf is the deployed alias r's FunctionName refers to ("" when none): its Name, or its
// logical ID when the name is not a literal.
func aliasOf(t *Template, r Resource) string {
	for _, ref := range refs(r.Properties["FunctionName"]) {
		if a, ok := t.Resources[ref]; ok && a.Type == TypeAlias {
			if n := literal(a.Properties["Name"]); n != "" {
				return strconv.Quote(n)
			}
			return ref
		}
	}
	return ""
}

// replaced is the first replacing property of old's type whose value differs in nr.
func replaced(old, nr Resource) (prop, from, to string, ok bool) {
	for _, p := range replacingProperties[old.Type] {
		if !reflect.DeepEqual(old.Properties[p], nr.Properties[p]) {
			return p, show(old.Properties[p]), show(nr.Properties[p]), true
		}
	}
	return "", "", "", false
}

// sameLiteral is the new logical ID (one not in deployed) of a resource of old's type whose
// prop is the same literal as old's.
func sameLiteral(deployed, next *Template, old Resource, prop string) string {
	v := literal(old.Properties[prop])
	if v == "" {
		return ""
	}
	return sameTypeNew(deployed, next, old.Type, func(r Resource) bool { return literal(r.Properties[prop]) == v })
}

// sameTypeNew is the first logical ID of next, absent from deployed, of type typ that match
// accepts.
func sameTypeNew(deployed, next *Template, typ string, match func(Resource) bool) string {
	for _, id := range sortedIDs(next) {
		r := next.Resources[id]
		if _, was := deployed.Resources[id]; was || r.Type != typ {
			continue
		}
		if match(r) {
			return id
		}
	}
	return ""
}

// refs are the logical IDs v refers to through Ref and Fn::GetAtt, at any depth.
func refs(v any) []string {
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if r, ok := x["Ref"].(string); ok && len(x) == 1 {
				out = append(out, r)
				return
			}
			if g, ok := x["Fn::GetAtt"]; ok && len(x) == 1 {
				switch a := g.(type) {
				case []any:
					if len(a) > 0 {
						if s, ok := a[0].(string); ok {
							out = append(out, s)
						}
					}
				case string:
					out = append(out, strings.SplitN(a, ".", 2)[0])
				}
				return
			}
			for _, k := range sortedKeys(x) {
				walk(x[k])
			}
		case []any:
			for _, e := range x {
				walk(e)
			}
		}
	}
	walk(v)
	return out
}

// literal is v when it is a string, else "" (an intrinsic function, a missing property).
func literal(v any) string {
	s, _ := v.(string)
	return s
}

// show prints a property value for a message: a literal quoted, an intrinsic as JSON.
func show(v any) string {
	switch x := v.(type) {
	case nil:
		return "(unset)"
	case string:
		return strconv.Quote(x)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func sortedIDs(t *Template) []string {
	ids := make([]string, 0, len(t.Resources))
	for id := range t.Resources {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

func sortedKeys(m map[string]any) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// Pin is a published version an alias of a template routes to, which must exist before the
// template deploys.
type Pin struct {
	// Alias is the alias's logical ID.
	Alias string
	// FunctionID is the logical ID of the function in the template ("" when the alias names
	// its function by a literal).
	FunctionID string
	// FunctionName is the function's literal name ("" when generated, then FunctionID's
	// physical ID is its name).
	FunctionName string
	Version      string
}

// Pins are the positive-integer versions the template's aliases route to (FunctionVersion
// and the routing's AdditionalVersionWeights), by alias logical ID.
func Pins(t *Template) []Pin {
	var out []Pin
	for _, id := range sortedIDs(t) {
		a := t.Resources[id]
		if a.Type != TypeAlias {
			continue
		}
		p := Pin{Alias: id}
		fn := a.Properties["FunctionName"]
		if s := literal(fn); s != "" {
			p.FunctionName = s
		} else if r := refs(fn); len(r) == 1 {
			if f, ok := t.Resources[r[0]]; ok && f.Type == TypeFunction {
				p.FunctionID, p.FunctionName = r[0], literal(f.Properties["FunctionName"])
			}
		}
		if p.FunctionID == "" && p.FunctionName == "" {
			continue
		}
		versions := []any{a.Properties["FunctionVersion"]}
		if rc, ok := a.Properties["RoutingConfig"].(map[string]any); ok {
			if ws, ok := rc["AdditionalVersionWeights"].([]any); ok {
				for _, w := range ws {
					if m, ok := w.(map[string]any); ok {
						versions = append(versions, m["FunctionVersion"])
					}
				}
			}
		}
		for _, v := range versions {
			if n, ok := version(v); ok {
				p.Version = n
				out = append(out, p)
			}
		}
	}
	return out
}

// version is v as a published version number: a positive integer, as a string or a number,
// written as lambdarules.ValidVersion takes it (no leading zero, at most 15 digits).
func version(v any) (string, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case float64:
		s = strconv.FormatFloat(x, 'f', -1, 64)
	default:
		return "", false
	}
	if !lambdarules.ValidVersion(s) {
		return "", false
	}
	return s, true
}
