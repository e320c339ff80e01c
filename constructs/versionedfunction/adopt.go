package versionedfunction

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/internal/stackoutputs"
)

// Adopt keeps the resources of a deployed stack that a VersionedFunction takes over: a
// function with CDK's CurrentVersion, Alias and LambdaDeploymentGroup, or SAM's
// AutoPublishAlias and DeploymentPreference (docs/migration.md gives the order of the
// deploys). CloudFormation keeps a resource, and all it holds (a function's versions, a
// deployment group's history), only while its logical ID and type stay and no property
// whose change requires replacement changes (CloudFormation User Guide, "Update behaviors
// of stack resources"); every field here keeps one of them. Each field is optional: ""
// keeps golive's own logical ID or name, which is what a stack golive created has.
type Adopt struct {
	// FunctionLogicalID is the function's logical ID in the deployed template, e.g.
	// "Worker11F36D0F" (CDK) or "WorkerFunction" (SAM). The function keeps it, and with the
	// same FunctionName it is updated in place: its code, role, runtime, handler and
	// architecture are all updated without replacement (AWS::Lambda::Function replaces
	// only for FunctionName, PackageType and TenancyConfig), so its versions stay.
	// Default: "" - golive's logical ID (the construct path's).
	FunctionLogicalID string
	// AliasLogicalID is the alias's logical ID in the deployed template, e.g.
	// "LiveAlias9B8FFEA9" (CDK) or "WorkerFunctionAliaslive" (SAM). With the same alias
	// name (AWS::Lambda::Alias replaces for Name and FunctionName) the alias is updated in
	// place and its callers never see it go. Default: "" - golive's logical ID.
	AliasLogicalID string
	// EventSourceMappingLogicalIDs keeps the logical IDs of the alias's event source
	// mappings, by the mapping's event source ARN as this app declares it: a queue's
	// QueueArn(), a stream's StreamArn(), a table's TableStreamArn(), or a literal ARN.
	// Mappings are added to the alias after New (Alias.AddEventSource), so each is found
	// at synth among the stack's mappings that invoke this alias; an ARN that none of them
	// reads from is a synth error. Default: none - the logical IDs CDK gives them.
	EventSourceMappingLogicalIDs map[string]string
	// LogGroupLogicalID is the logical ID of the function's log group in the deployed
	// template, e.g. "WorkerLogGroup67ABCFFE", where CDK declares one for the function (the
	// @aws-cdk/aws-lambda:useCdkManagedLogGroup feature flag, on in apps made by cdk init):
	// it is named after the function (/aws/lambda/NAME), so one under a new logical ID fails
	// to create beside the deployed one and the deploy rolls back. The function's own
	// "LogGroup" child keeps it; with FunctionOptions.LogGroup the log group is yours to keep.
	// Default: "" - golive's logical ID.
	LogGroupLogicalID string
	// DeploymentGroupLogicalID is the CodeDeploy deployment group's logical ID in the
	// deployed template, e.g. "DeploymentGroup6D277AF0" (CDK) or
	// "WorkerFunctionDeploymentGroup" (SAM): the group, and the history of its
	// deployments, is kept. Needs a deployment group (a pinned LiveVersion and a
	// Deployment). Default: "" - golive's logical ID.
	DeploymentGroupLogicalID string
	// DeploymentGroupName is the deployment group's name, as the deployed template sets
	// it: AWS::CodeDeploy::DeploymentGroup replaces for DeploymentGroupName. Default: "" -
	// the function's name, which golive's CLI and shipped hooks find the group by.
	DeploymentGroupName string
	// GeneratedDeploymentGroupName leaves the deployment group's name to CloudFormation,
	// as CDK's LambdaDeploymentGroup and SAM's DeploymentPreference do when no name is
	// given: a deployed group whose template sets no DeploymentGroupName is replaced by one
	// that sets any. Not with DeploymentGroupName. Default: false.
	GeneratedDeploymentGroupName bool
}

// logicalIDRe is what CloudFormation accepts as a logical ID: "alphanumeric (A-Za-z0-9)
// and unique within the template" (CloudFormation User Guide, "Resources"), at most 255
// characters ("CloudFormation quotas": resource name).
var logicalIDRe = regexp.MustCompile(`^[A-Za-z0-9]{1,255}$`)

const logicalIDAllowed = "a CloudFormation logical ID: 1 to 255 letters and digits (A-Za-z0-9), as the deployed template names the resource"

// maxGroupName is CodeDeploy's limit on a deployment group's name (AWS::CodeDeploy::
// DeploymentGroup, DeploymentGroupName: 1 to 100 characters).
const maxGroupName = 100

// validateAdopt checks Adopt against the rest of props.
func validateAdopt(p *Props) []string {
	a := p.Adopt
	if a == nil {
		return nil
	}
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	ids := map[string]string{}
	checkID := func(field, id string) {
		if id == "" {
			return
		}
		if !logicalIDRe.MatchString(id) {
			add("Adopt.%s: got %q; want %s", field, id, logicalIDAllowed)
			return
		}
		if other, ok := ids[id]; ok {
			add("Adopt.%s: got %q, already Adopt.%s; want the logical ID of another resource: one template holds each logical ID once", field, id, other)
			return
		}
		ids[id] = field
	}
	checkID("FunctionLogicalID", a.FunctionLogicalID)
	checkID("AliasLogicalID", a.AliasLogicalID)
	checkID("LogGroupLogicalID", a.LogGroupLogicalID)
	checkID("DeploymentGroupLogicalID", a.DeploymentGroupLogicalID)
	for _, arn := range slices.Sorted(maps.Keys(a.EventSourceMappingLogicalIDs)) {
		field := fmt.Sprintf("EventSourceMappingLogicalIDs[%s]", showARN(arn))
		if strings.TrimSpace(arn) == "" {
			add("Adopt.EventSourceMappingLogicalIDs: an empty event source ARN; want the ARN the mapping reads from, e.g. queue.QueueArn()")
			continue
		}
		id := a.EventSourceMappingLogicalIDs[arn]
		if id == "" {
			add("Adopt.%s: empty; want %s", field, logicalIDAllowed)
			continue
		}
		checkID(field, id)
	}
	grouped := p.LiveVersion != "" && p.Deployment != nil
	for _, f := range []struct {
		field string
		set   bool
	}{
		{"DeploymentGroupLogicalID", a.DeploymentGroupLogicalID != ""},
		{"DeploymentGroupName", a.DeploymentGroupName != ""},
		{"GeneratedDeploymentGroupName", a.GeneratedDeploymentGroupName},
	} {
		if f.set && !grouped {
			add("Adopt.%s: set without a deployment group; want it with a pinned LiveVersion and a Deployment, which declare the group it keeps", f.field)
		}
	}
	if n := a.DeploymentGroupName; n != "" && !isToken(n) {
		if c := utf8.RuneCountInString(n); c > maxGroupName || strings.TrimSpace(n) != n {
			add("Adopt.DeploymentGroupName: got %q; want a CodeDeploy deployment group name of 1 to %d characters, without leading or trailing spaces", n, maxGroupName)
		}
	}
	if a.DeploymentGroupName != "" && a.GeneratedDeploymentGroupName {
		add("Adopt.DeploymentGroupName: got %q with GeneratedDeploymentGroupName; set the name the deployed template gives the group, or GeneratedDeploymentGroupName when it gives none, not both", a.DeploymentGroupName)
	}
	if d := p.Deployment; d != nil && (a.GeneratedDeploymentGroupName || a.DeploymentGroupName != "") {
		// hooksettings keys a group's settings by its name, and the shipped hook takes
		// that name for the function's (ParseHookTargets).
		for _, h := range []struct {
			field string
			set   bool
		}{{"Smoke", d.Smoke != nil}, {"Bake", d.Bake != nil}} {
			if h.set {
				add("Deployment.%s: set with an adopted deployment group name; golive's shipped hooks find a function's settings by its group's name, which must be the function's: "+
					"drop Deployment.%s, or use a PreHook/PostHook of your own", h.field, h.field)
			}
		}
	}
	return problems
}

// showARN shows an event source ARN in a message: a literal as it is, a token as
// "a token" (its resolved form is known only in the stack).
func showARN(arn string) string {
	if isToken(arn) {
		return "a token"
	}
	return fmt.Sprintf("%q", arn)
}

// groupName is the deployment group's name as Adopt says; nil leaves it to CloudFormation.
func groupName(a *Adopt, functionName string) *string {
	switch {
	case a == nil:
		return jsii.String(functionName)
	case a.GeneratedDeploymentGroupName:
		return nil
	case a.DeploymentGroupName != "":
		return jsii.String(a.DeploymentGroupName)
	}
	return jsii.String(functionName)
}

// adoptedName reports whether the group is named other than after the function.
func (a *Adopt) adoptedName() bool {
	return a != nil && (a.GeneratedDeploymentGroupName || a.DeploymentGroupName != "")
}

// adopt gives v's resources the logical IDs of a, once New declared them, and registers
// the mappings' IDs for synth.
func (v *VersionedFunction) adopt(a *Adopt, ss *stackScope) {
	if a == nil {
		return
	}
	override := func(c constructs.IConstruct, id string) {
		if id == "" || c == nil {
			return
		}
		c.Node().DefaultChild().(awscdk.CfnResource).OverrideLogicalId(jsii.String(id))
	}
	override(v.Function, a.FunctionLogicalID)
	override(v.Alias, a.AliasLogicalID)
	if id := a.LogGroupLogicalID; id != "" {
		// CDK declares the managed log group as the function's child "LogGroup".
		var cfn awslogs.CfnLogGroup
		if lg := v.Function.Node().TryFindChild(jsii.String("LogGroup")); lg != nil {
			cfn, _ = lg.Node().DefaultChild().(awslogs.CfnLogGroup)
		}
		if cfn == nil {
			reportError(v.Construct, fmt.Sprintf("Adopt.LogGroupLogicalID: %q, but CDK declares no log group for the function (the @aws-cdk/aws-lambda:useCdkManagedLogGroup feature flag is off, "+
				"or FunctionOptions.LogGroup names one of your own); remove the field, or keep your log group's logical ID where you declare it", id))
		} else {
			cfn.OverrideLogicalId(jsii.String(id))
		}
	}
	if v.DeploymentGroup != nil {
		override(v.DeploymentGroup, a.DeploymentGroupLogicalID)
	}
	if a.adoptedName() && v.DeploymentGroup != nil {
		// golive's CLI looks a function's deployments up in the group named after it unless
		// the stack names another: rollback, prune and watch must see a deployment in flight.
		// The value is a Ref to the group where CloudFormation names it.
		stack := awscdk.Stack_Of(v.Construct)
		awscdk.NewCfnOutput(stack, jsii.String(stackoutputs.GroupOutputKey(*v.Node().Id())), &awscdk.CfnOutputProps{
			Value:       v.DeploymentGroup.DeploymentGroupName(),
			Description: jsii.String("Name of the CodeDeploy deployment group that releases " + v.functionName),
		})
	}
	if len(a.EventSourceMappingLogicalIDs) > 0 {
		ss.mappings().add(v, a.EventSourceMappingLogicalIDs)
	}
}

// mappingIDs is an aspect on the stackScope (see aliasCheck): at synth, after every
// mapping was added, it gives each adopted mapping its logical ID, and reports an ARN
// that no mapping of the alias reads from.
type mappingIDs struct {
	stack awscdk.Stack
	mu    sync.Mutex
	want  []adoptedMappings
}

type adoptedMappings struct {
	v   *VersionedFunction
	ids map[string]string
}

func (m *mappingIDs) add(v *VersionedFunction, ids map[string]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.want = append(m.want, adoptedMappings{v, maps.Clone(ids)})
}

// mappings returns the stack's mappingIDs aspect, declared on first use.
func (s *stackScope) mappings() *mappingIDs {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mappingIDs == nil {
		s.mappingIDs = &mappingIDs{stack: awscdk.Stack_Of(s)}
		awscdk.Aspects_Of(s).Add(s.mappingIDs, nil)
	}
	return s.mappingIDs
}

func (m *mappingIDs) Visit(node constructs.IConstruct) {
	m.mu.Lock()
	want := slices.Clone(m.want)
	m.mu.Unlock()
	if len(want) == 0 {
		return
	}
	var all []awslambda.CfnEventSourceMapping
	for _, c := range *m.stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if es, ok := c.(awslambda.CfnEventSourceMapping); ok {
			all = append(all, es)
		}
	}
	for _, w := range want {
		// A mapping of the alias names it in its FunctionName: CDK's EventSourceMapping takes
		// the alias's functionName, "FUNCTION:ALIAS" built from a Ref to the alias.
		aliasRef := resolved(m.stack, w.v.Alias.Node().DefaultChild().(awscdk.CfnResource).Ref())
		type source struct {
			mapping awslambda.CfnEventSourceMapping
			arn     string
		}
		var ofAlias []source
		for _, es := range all {
			if strings.Contains(resolved(m.stack, es.FunctionName()), aliasRef) {
				ofAlias = append(ofAlias, source{es, resolved(m.stack, es.EventSourceArn())})
			}
		}
		for _, arn := range slices.Sorted(maps.Keys(w.ids)) {
			want := resolved(m.stack, jsii.String(arn))
			var found []awslambda.CfnEventSourceMapping
			var seen []string
			for _, s := range ofAlias {
				seen = append(seen, s.arn)
				if s.arn == want {
					found = append(found, s.mapping)
				}
			}
			switch len(found) {
			case 1:
				found[0].OverrideLogicalId(jsii.String(w.ids[arn]))
			case 0:
				have := "none"
				if len(seen) > 0 {
					have = strings.Join(seen, ", ")
				}
				reportError(w.v.Construct, fmt.Sprintf("Adopt.EventSourceMappingLogicalIDs[%s]: logical ID %q, but no event source mapping of alias %s reads from it (the alias's mappings read from: %s); "+
					"add the mapping to the alias (Alias.AddEventSource) or remove the entry", want, w.ids[arn], w.v.aliasName, have))
			default:
				reportError(w.v.Construct, fmt.Sprintf("Adopt.EventSourceMappingLogicalIDs[%s]: %d event source mappings of alias %s read from it; want one, whose logical ID %q it keeps",
					want, len(found), w.v.aliasName, w.ids[arn]))
			}
		}
	}
}
