package versionedfunction

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Synth errors are CDK error annotations, not panics and not Node().AddValidation: a
// panic in a constructor reaches the user's `cdk synth` as "panic:" and a goroutine trace
// around the message, and a validation that fails makes app.Synth throw, which jsii turns
// into the same panic. An error annotation is printed by `cdk synth` and `cdk deploy` with
// its construct path ("ERROR MESSAGE ... PATH" and "Synthesis finished with errors" from the
// pinned CLI, "[Error at /PATH] MESSAGE" and "Found errors" from older ones), which then
// fail with exit status 1 (aws-cdk-lib Annotations.addError: "The toolkit will fail
// deployment of any stack that has errors reported against it"), after every construct of
// the app was declared: the user sees every error of the app at once. The CLI passes
// @aws-cdk/core:failSynthOnValidationErrors=false to the app, so that app.Synth does not
// throw on them even under @aws-cdk/core:annotationsInValidationReport; an app synthesized
// outside the CLI does throw. TestCdkSynthReportsConstructErrors runs the real CLI on such
// an app.

// reportError records msg as a synth error of c, and in its stack's scope for Errors.
func reportError(c constructs.IConstruct, msg string) {
	awscdk.Annotations_Of(c).AddError(jsii.String(msg))
	ss := scopeOf(awscdk.Stack_Of(c))
	ss.errMu.Lock()
	defer ss.errMu.Unlock()
	ss.errors = append(ss.errors, *c.Node().Path()+": "+msg)
}

// Errors are the synth errors golive's constructs reported in stack so far, each
// "PATH: MESSAGE" (the construct's path, without the leading slash `cdk synth` prints), in
// the order reported. Each is also a CDK error annotation, which `cdk synth` and `cdk
// deploy` print and fail on; Errors lets an app stop before synthesizing, and print them
// its own way, without reading every construct's metadata (a jsii round trip per construct).
// The checks run at synth (a second alias of golive's name, a version added after New) are
// not in it until the app is synthesized.
func Errors(stack awscdk.Stack) []string {
	ss, ok := stack.Node().TryFindChild(jsii.String(stackScopeID)).(*stackScope)
	if !ok {
		return nil // no golive construct in the stack
	}
	ss.errMu.Lock()
	defer ss.errMu.Unlock()
	return slices.Clone(ss.errors)
}

// aliasCheck is an aspect on the stackScope, a construct without children, so CDK visits
// it once, at synth, after every construct of the app was declared: an alias added to a
// function after New is seen too.
type aliasCheck struct {
	stack awscdk.Stack
	mu    sync.Mutex
	fns   []*VersionedFunction
}

func (a *aliasCheck) add(v *VersionedFunction) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.fns = append(a.fns, v)
}

// Visit reports each VersionedFunction whose function already carries another alias with
// golive's alias name: CloudFormation would create the second one and fail (an alias name
// is unique per function), rolling the stack back. It also reports a function of one's own
// given a version after New (CurrentVersion() called later), which New could not see.
//
// Each alias of the stack is read once, golive's own LIVE aliases (known by path) no further,
// and none when the stack holds no alias besides golive's: every read is a jsii round trip,
// and comparing every function with every alias cost a stack of N functions about 7 N².
func (a *aliasCheck) Visit(node constructs.IConstruct) {
	a.mu.Lock()
	fns := append([]*VersionedFunction(nil), a.fns...)
	a.mu.Unlock()
	if len(fns) == 0 {
		return
	}
	own := make(map[string]bool, len(fns))
	for _, v := range fns {
		if v.Alias != nil {
			// Alias declares its CfnAlias as "Resource" (aws-lambda/lib/alias.ts).
			own[v.path+"/Live/Resource"] = true
		}
	}
	var aliases []awslambda.CfnAlias
	var versions []awslambda.CfnVersion
	for _, c := range *a.stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		switch r := c.(type) {
		case awslambda.CfnAlias:
			aliases = append(aliases, r)
		case awslambda.CfnVersion:
			versions = append(versions, r)
		}
	}
	for _, v := range fns {
		if v.ownFunction && v.Function != nil {
			if path := versionOf(v.Function, versions); path != "" {
				reportError(v.Construct, versionProblem(v.Function, path))
			}
		}
	}
	// Each VersionedFunction declares one alias in the stack: as many aliases as own ones
	// leave no other to collide with, and nothing more is read.
	if len(aliases) == len(own) {
		return
	}
	type foreign struct {
		path, name, fn, fnRaw string
	}
	var others []foreign
	for _, al := range aliases {
		path := *al.Node().Path()
		if own[path] || al.Name() == nil {
			continue
		}
		f := foreign{path: path, name: *al.Name()}
		if fn := al.FunctionName(); fn != nil {
			f.fn, f.fnRaw = resolved(a.stack, fn), *fn
		}
		others = append(others, f)
	}
	if len(others) == 0 {
		return
	}
	for _, v := range fns {
		if v.Alias == nil || v.Function == nil {
			continue
		}
		var refs map[string]bool
		for _, al := range others {
			if al.name != v.aliasName {
				continue
			}
			if refs == nil {
				refs = map[string]bool{v.functionName: true, resolved(a.stack, v.Function.FunctionName()): true}
			}
			if refs[al.fn] || (al.fnRaw != "" && refs[al.fnRaw]) {
				reportError(v.Construct, fmt.Sprintf("Function: %s already has an alias named %q (%s); golive's alias of the same name would collide with it "+
					"and the deploy would fail. Remove that alias (or keep its name and logical ID through golive's props when adopting it) and call the function through golive's",
					v.functionName, v.aliasName, al.path))
			}
		}
	}
}

// resolved is s resolved in stack as JSON, so that two references to one function compare
// equal ({"Ref": "Fn..."}).
func resolved(stack awscdk.Stack, s *string) string {
	if s == nil {
		return ""
	}
	b, _ := json.Marshal(stack.Resolve(s))
	return string(b)
}

// appNamesID is the id of the appNames construct at the root of the construct tree.
const appNamesID = "GoliveFunctionNames"

// appNames records the explicit function names of every stack of one app, by account and
// region: two stacks deploying one name to one account and region would each claim the
// function, and the second deploy fails (a function name is unique per account and region)
// or, worse, both stacks fight over it. A stack declared twice under one stack name (the
// app's own stack and a CDK Pipelines stage deploying it) is one CloudFormation stack, not
// two. Like stackScope it is a construct, found again in the tree, so no package-level
// state outlives an app.
type appNames struct {
	constructs.Construct
	mu    sync.Mutex
	names map[string]claimed
}

type claimed struct{ stackName, path string }

// ToString is Construct's; the override keeps jsii handing back this Go value.
func (n *appNames) ToString() *string { return jsii.String(appNamesID) }

// appNames is the app's appNames, looked up once per stack.
func (s *stackScope) appNames(c constructs.IConstruct) *appNames {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.names == nil {
		s.names = appNamesOf(c)
	}
	return s.names
}

func appNamesOf(c constructs.IConstruct) *appNames {
	root := c.Node().Root()
	if n, ok := root.Node().TryFindChild(jsii.String(appNamesID)).(*appNames); ok {
		return n
	}
	n := &appNames{names: map[string]claimed{}}
	parent, ok := root.(constructs.Construct)
	if !ok {
		// A root jsii does not hand back as a Construct: the check is skipped, not the synth.
		return n
	}
	constructs.NewConstruct_Override(n, parent, jsii.String(appNamesID))
	return n
}

// claim records that path deploys name to the stack's account and region, and returns the
// path of a function of another stack that already does. Account and region are compared
// as written: two environment-agnostic stacks share the same pseudo-parameter tokens, and
// so the account and region `cdk deploy` picks, while a concrete account never equals them.
func (n *appNames) claim(stack stackFacts, name, path string) string {
	key := stack.account + "\x00" + stack.region + "\x00" + name
	n.mu.Lock()
	defer n.mu.Unlock()
	if other, ok := n.names[key]; ok && other.stackName != stack.name {
		return other.path
	}
	n.names[key] = claimed{stack.name, path}
	return ""
}
