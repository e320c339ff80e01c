package versionedfunction

import (
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// Hooks are the traffic hooks that ship with this library (cmd/golive-hook), shared by
// every deployment group that uses them: one smoke function (pre-traffic) and one bake
// function (post-traffic), each with its role and policy, declared on first use.
//
// One set per stack rather than a hook per function: a hook costs three resources
// (function, role, policy), which per function would cut the pinned functions a stack
// holds within CloudFormation's 500 resources from 98 to about 60. The shared hook finds
// each deployment's function and target version in CodeDeploy (the deployment's AppSpec)
// and the function's settings in its environment, by deployment group, each distinct
// setting once and the groups' common name prefix once: Lambda's 4 KB environment limit
// bounds them (98 functions of 40-character names sharing one setting fit; about 27
// settings of their own of 100 bytes each), and synth refuses a stack past it. Smoke and
// bake are two functions because CodeDeploy's hook event does not say which lifecycle
// event is running.
//
// Least privilege: the smoke function may invoke only the versions (function:NAME:*,
// never $LATEST) of the functions it tests; both may read and report only on their
// deployment groups (LambdaDeploymentGroup grants PutLifecycleEventHookExecutionStatus to
// a hook it is given, and this adds GetDeployment on the same group ARN) and read the
// AppSpecs of their application (GetApplicationRevision on the application's ARN); the
// bake reads metrics, which GetMetricData only allows on "*".
type Hooks struct {
	scope constructs.Construct
	mu    sync.Mutex
	fns   map[string]*hookFunction // by phase
}

type hookFunction struct {
	fn       awslambda.Function
	settings hooksettings.HookSettings
	// applications whose revisions the role may read already, by name: the groups of a
	// stack share one application, which one statement covers.
	applications map[string]bool
}

// hookGrants are the ARNs a hook's role names for one deployment group.
type hookGrants struct {
	// group is the deployment group's ARN (deploymentgroup:APP/GROUP).
	group string
	// application is its CodeDeploy application's ARN (application:APP).
	application string
	// applicationName identifies the application across groups (each FormatArn is a token
	// of its own).
	applicationName string
}

// newHooks declares nothing until a deployment group uses a hook; the functions are
// then children of scope (hooksettings.SmokeHookID and BakeHookID, which golive plan --stack
// finds them by).
func newHooks(scope constructs.Construct) *Hooks {
	return &Hooks{scope: scope, fns: map[string]*hookFunction{}}
}

// Smoke is the pre-traffic hook function, nil until a deployment group uses it.
func (h *Hooks) Smoke() awslambda.Function { return h.declared(hooksettings.HookPhaseSmoke) }

// Bake is the post-traffic hook function, nil until a deployment group uses it.
func (h *Hooks) Bake() awslambda.Function { return h.declared(hooksettings.HookPhaseBake) }

func (h *Hooks) declared(phase string) awslambda.Function {
	h.mu.Lock()
	defer h.mu.Unlock()
	if f, ok := h.fns[phase]; ok {
		return f.fn
	}
	return nil
}

// function returns the phase's hook function, declaring it on first use; the error is the
// shipped hook's build failing.
func (h *Hooks) function(phase string) (*hookFunction, error) {
	if f, ok := h.fns[phase]; ok {
		return f, nil
	}
	out, sha, err := buildHook()
	if err != nil {
		return nil, fmt.Errorf("the shipped %s hook: %w", phase, err)
	}
	id, desc := hooksettings.SmokeHookID, "golive smoke test: invokes each released version with its events before any traffic shifts"
	if phase == hooksettings.HookPhaseBake {
		id, desc = hooksettings.BakeHookID, "golive bake: judges each released version's own metrics after traffic has shifted"
	}
	ss := scopeOf(awscdk.Stack_Of(h.scope))
	fn := awslambda.NewFunction(h.scope, jsii.String(id), &awslambda.FunctionProps{
		Code:         assetCode(out, sha),
		Handler:      jsii.String("bootstrap"),
		Runtime:      ss.runtimeAL2023(),
		Architecture: ss.architecture(Arm64),
		MemorySize:   jsii.Number(128),
		// Lambda's maximum: each run stops by its own settings (smoke timeout_s, bake
		// minutes) and reports before this deadline in any case.
		Timeout:     ss.duration(hooksettings.HookTimeoutS),
		Description: jsii.String(desc),
		Environment: &map[string]*string{hooksettings.HookPhaseEnv: jsii.String(phase)},
	})
	f := &hookFunction{fn: fn, applications: map[string]bool{}}
	if phase == hooksettings.HookPhaseBake {
		fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("cloudwatch:GetMetricData"),
			Resources: jsii.Strings("*"), // GetMetricData has no resource type
		}))
	}
	h.fns[phase] = f
	return f, nil
}

// add gives the phase's hook the settings of one deployment group and the rights they
// need, and returns the function to hand to the group. When it cannot, it reports a synth
// error at v's path and returns nil: the group then goes without that hook, and the hook
// keeps the settings of the functions before v, so that each function past a limit is
// reported, not every one after it.
func (h *Hooks) add(v *VersionedFunction, phase string, t hooksettings.HookTarget, arns hookGrants) awslambda.IFunction {
	h.mu.Lock()
	defer h.mu.Unlock()
	f, err := h.function(phase)
	if err != nil {
		v.refuse(err.Error())
		return nil
	}
	before := hooksettings.HookSettings{Settings: slices.Clone(f.settings.Settings), Prefix: f.settings.Prefix, Groups: maps.Clone(f.settings.Groups)}
	if err := f.settings.Add(t); err != nil {
		v.refuse(err.Error())
		return nil
	}
	// The whole settings variable again: AddEnvironment replaces its value, so the last
	// function's call leaves all of them.
	key, value := f.settings.Env()
	if size := len(key) + len(value) + len(hooksettings.HookPhaseEnv) + len(phase); size > hooksettings.MaxHookEnvironmentBytes {
		f.settings = before
		v.refuse(fmt.Sprintf("the %s hook's settings reach %d bytes with this function's; Lambda allows %d for a function's environment: "+
			"share the smoke events and thresholds between functions (each distinct setting is stored once), shorten them, or move functions to another stack",
			phase, size, hooksettings.MaxHookEnvironmentBytes))
		return nil
	}
	f.fn.AddEnvironment(jsii.String(key), jsii.String(value), nil)
	f.fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		// GetDeployment's resource type is the deployment group (Service Authorization
		// Reference, "Actions defined by AWS CodeDeploy").
		Actions:   jsii.Strings("codedeploy:GetDeployment"),
		Resources: jsii.Strings(arns.group),
	}))
	if !f.applications[arns.applicationName] {
		f.applications[arns.applicationName] = true
		// GetDeployment never returns the AppSpec, only its sha256 (the SDK's doc comment
		// of GetDeployment); GetApplicationRevision does, and its resource type is the
		// application (Service Authorization Reference, "Actions defined by AWS
		// CodeDeploy"), never "*".
		f.fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("codedeploy:GetApplicationRevision"),
			Resources: jsii.Strings(arns.application),
		}))
	}
	if phase == hooksettings.HookPhaseSmoke {
		arn := *v.Function.FunctionArn()
		f.fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions:   jsii.Strings("lambda:InvokeFunction"),
			Resources: jsii.Strings(arn + ":*"),
		}))
		// function:NAME:* also matches NAME:$LATEST, which is not the version released.
		f.fn.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Effect:    awsiam.Effect_DENY,
			Actions:   jsii.Strings("lambda:InvokeFunction"),
			Resources: jsii.Strings(arn, arn+":"+resourcenames.Latest),
		}))
	}
	return f.fn
}
