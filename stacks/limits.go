package stacks

import (
	"errors"
	"fmt"

	"github.com/golive-dev/golive/config"
)

// CloudFormation's per-template quotas.
const (
	MaxResources = 500
	MaxOutputs   = 200
)

// Resources counts the resources the service stack of env declares, without building it,
// so that a config past CloudFormation's quotas is refused before anything is written.
// A test keeps this count equal to the synthesized templates'.
func Resources(cfg *config.Config, env *config.Env) int {
	n := 1 // AWS::CDK::Metadata
	if cfg.Pipeline != nil {
		n++ // the golive CLI role the pipeline assumes
	}
	codeDeploy, hooks := false, false
	custom := map[config.CustomShift]bool{}
	for _, fn := range env.Functions {
		n += 3 // function, execution role, LIVE alias
		if !fn.UsesCodeDeploy() {
			continue
		}
		codeDeploy = true
		n++ // deployment group
		a := fn.Deployment.Alarms
		if a.ErrorRatePercent != nil || a.Throttles != nil || a.P99DurationMs != nil {
			n++ // the folded rollback alarm
		}
		if fn.Deployment.PreTrafficHook != "" || fn.Deployment.PostTrafficHook != "" {
			hooks = true
		}
		if c := fn.Deployment.Custom; c != nil {
			custom[*c] = true
		}
	}
	if codeDeploy {
		n += 2 + len(custom) // shared application and service role, custom configs
	}
	if hooks {
		n++ // the service role's policy allowing it to invoke the hooks
	}
	return n
}

// CheckLimits reports an environment whose stack would exceed CloudFormation's quotas,
// naming the counts and the way out.
func CheckLimits(cfg *config.Config, env *config.Env) error {
	var errs []error
	if r := Resources(cfg, env); r > MaxResources {
		errs = append(errs, fmt.Errorf("envs.%s: its stack would declare %d resources, CloudFormation allows %d per template "+
			"(a pinned function with CodeDeploy and alarms takes 5, one on $LATEST 3); move functions to another project or environment",
			env.Name, r, MaxResources))
	}
	if o := len(env.Functions); o > MaxOutputs {
		errs = append(errs, fmt.Errorf("envs.%s: its stack would declare %d outputs (one per function), CloudFormation allows %d per template; "+
			"move functions to another project or environment", env.Name, o, MaxOutputs))
	}
	return errors.Join(errs...)
}
