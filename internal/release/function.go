package release

import (
	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/stackoutputs"
)

// Function is one function as release acts on it: its names, its pin and how its alias is
// released. The CLI fills it from config.json (FunctionOf) or from a deployed stack
// (StackTarget): release reads nothing else of either.
type Function struct {
	// Name is the function's key in config.json, or its construct id with --stack.
	Name string
	// FunctionName is the physical Lambda name, also its deployment group's.
	FunctionName string
	// Alias is the name of its alias; "" is LIVE (AliasOf).
	Alias string
	// LiveVersion is the version the alias is pinned to ("7"), "" while it follows $LATEST.
	LiveVersion string
	// Rollout is who moves a pinned alias on the next deploy; "" while it follows $LATEST.
	Rollout Rollout
	// Additional is a weighted second version, or nil.
	Additional *WeightedVersion
	// RolledBack is the version a rollback moved the alias away from, or "".
	RolledBack string
	// ProvisionedConcurrency on the alias; 0 means none.
	ProvisionedConcurrency int
	// Deployment is how CodeDeploy releases a new pin; nil when CodeDeploy does not (the
	// alias is moved by CloudFormation).
	Deployment *Deployment
	// DeploymentGroup is the name of the function's CodeDeploy deployment group when it is
	// not FunctionName (a group the construct adopted with its name, which the stack records
	// in its DeploymentGroup<Key> output); "" for the groups golive names after their function.
	DeploymentGroup string
}

// GroupName is the name of the function's CodeDeploy deployment group: DeploymentGroup, or
// the function's name, after which golive names each group.
func (f Function) GroupName() string {
	if f.DeploymentGroup != "" {
		return f.DeploymentGroup
	}
	return f.FunctionName
}

// Rollout says who moves a pinned alias on the next deploy.
type Rollout string

// Rollouts, as config.json's rollout and a pins file write them.
const (
	// RolloutCanary hands the move to CodeDeploy.
	RolloutCanary Rollout = "canary"
	// RolloutDirect lets CloudFormation move the alias at once.
	RolloutDirect Rollout = "direct"
)

// WeightedVersion is a second version receiving Weight of the alias's traffic.
type WeightedVersion struct {
	Version string
	Weight  float64
}

// Deployment is how CodeDeploy shifts a new pin and what judges it, as far as it is known:
// with --stack it is read from the stack when needed (plan), and left zero here.
type Deployment struct {
	// Type is a CodeDeploy predefined Lambda configuration without its
	// "CodeDeployDefault.Lambda" prefix ("Canary10Percent5Minutes"), "" when Custom is set
	// or unknown.
	Type string
	// Custom is a custom shift, or nil.
	Custom *CustomShift
	// Alarm is set when a rollback alarm judges the shift; MinInvocations is its evidence
	// rule (and the bake's).
	Alarm          bool
	MinInvocations int
	// SmokeTimeoutS is the shipped smoke test's budget, 0 without one; BakeMinutes the
	// shipped bake's wait, 0 without one.
	SmokeTimeoutS, BakeMinutes int
	// PreHook and PostHook are set for traffic hooks of the app's own.
	PreHook, PostHook bool
}

// CustomShift is a custom canary (two steps) or linear (equal steps) shift.
type CustomShift struct {
	Linear                   bool
	Percent, IntervalMinutes int
}

// Pinned reports whether the alias is pinned to a published version.
func (f Function) Pinned() bool { return f.LiveVersion != "" }

// UsesCodeDeploy reports whether a pinned function's alias is released through CodeDeploy.
func (f Function) UsesCodeDeploy() bool { return f.Pinned() && f.Deployment != nil }

// OutputKey is the stack output recording the version the last deploy left the alias on.
func (f Function) OutputKey() string { return stackoutputs.OutputKey(f.Name) }

// FunctionOf is fn of config.json as release acts on it.
func FunctionOf(fn config.Function) Function {
	f := Function{
		Name: fn.Name, FunctionName: fn.FunctionName, Alias: fn.Alias,
		LiveVersion: fn.LiveVersion, Rollout: Rollout(fn.Rollout), RolledBack: fn.RolledBack,
		ProvisionedConcurrency: fn.ProvisionedConcurrency,
	}
	if a := fn.Additional; a != nil {
		f.Additional = &WeightedVersion{Version: a.Version, Weight: a.Weight}
	}
	if fn.Deployment.Type == config.DeploymentNone {
		return f
	}
	d := fn.Deployment
	f.Deployment = &Deployment{
		Type:           d.Type,
		Alarm:          d.Alarms.ErrorRatePercent != nil || d.Alarms.P99DurationMs != nil,
		MinInvocations: d.Alarms.MinInvocations,
		PreHook:        d.PreTrafficHook != "",
		PostHook:       d.PostTrafficHook != "",
	}
	if c := d.Custom; d.Type == config.DeploymentCustom && c != nil {
		f.Deployment.Type = ""
		f.Deployment.Custom = &CustomShift{Linear: c.Linear, Percent: c.Percent, IntervalMinutes: c.IntervalMinutes}
	}
	if d.Smoke != nil {
		f.Deployment.SmokeTimeoutS = d.Smoke.TimeoutS
	}
	if d.Bake != nil {
		f.Deployment.BakeMinutes = d.Bake.Minutes
	}
	return f
}

// FunctionsOf are fns of config.json as release acts on them.
func FunctionsOf(fns []config.Function) []Function {
	out := make([]Function, len(fns))
	for i, fn := range fns {
		out[i] = FunctionOf(fn)
	}
	return out
}
