package release

import "github.com/golive-dev/golive/config"

// Target is what release acts on: one environment's account and region, its stack and that
// stack's CodeDeploy application, its functions, and the versions other environments pin. The
// CLI fills it from config.json (ConfigTarget) or from a deployed stack (StackTarget), so that
// release never needs a config for a stack that has none.
type Target struct {
	// Name is the environment's name, or with --stack the stack's.
	Name string
	// Account is the account the environment lives in ("" when unknown: nothing is checked).
	Account string
	// Region is the environment's region, named when a function is not found there.
	Region string
	// Stack and Application are the stack's name and its CodeDeploy application's ("" when
	// it has none).
	Stack, Application string
	// StackOnly tells a stack without config.json (--stack) from an environment of it.
	StackOnly bool
	// PinsFile is set, with StackOnly, when the functions' pins come from a pins file (the
	// next deploy's) rather than from what the stack deployed.
	PinsFile bool
	// HookFunctions are, with StackOnly, the physical names of the stack's functions whose
	// logical ID names a shipped hook (hooksettings.SmokeHookID, BakeHookID): where plan
	// reads each deployment group's smoke and bake settings.
	HookFunctions []string
	// Functions are the environment's functions with their pins.
	Functions []Function
	// OtherPins are the versions other environments pin, which prune keeps: several
	// environments may share a function.
	OtherPins []OtherPin
}

// OtherPin is a version another environment pins on a function.
type OtherPin struct {
	// Env is the environment that pins it; Field the config field that does
	// (live_version, additional_versions).
	Env, Field string
	// FunctionName is the function's Lambda name; Version the version pinned.
	FunctionName, Version string
}

// ConfigTarget is the target of env, an environment of cfg.
func ConfigTarget(cfg *config.Config, env *config.Env) Target {
	t := Target{
		Name: env.Name, Account: env.Account, Region: env.Region,
		Stack: cfg.StackName(env.Name), Application: cfg.CodeDeployApplication(env.Name),
		Functions: FunctionsOf(env.Functions),
	}
	for _, o := range cfg.Envs {
		if o.Name == env.Name {
			continue
		}
		for _, f := range o.Functions {
			t.OtherPins = append(t.OtherPins, OtherPin{Env: o.Name, Field: "live_version", FunctionName: f.FunctionName, Version: f.LiveVersion})
			if f.Additional != nil {
				t.OtherPins = append(t.OtherPins, OtherPin{Env: o.Name, Field: "additional_versions", FunctionName: f.FunctionName, Version: f.Additional.Version})
			}
		}
	}
	return t
}
