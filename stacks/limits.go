package stacks

import (
	"errors"
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/constructs/versionedfunction"
)

// CloudFormation's per-template quotas
// (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/cloudformation-limits.html).
// aws-cdk-lib refuses a stack past MaxResources at synth too (its
// @aws-cdk/core:stackResourceLimit, TooManyResourcesInStack), but not one past MaxOutputs.
const (
	// MaxResources is the most resources one CloudFormation template declares.
	MaxResources = 500
	// MaxOutputs is the most outputs one CloudFormation template declares.
	MaxOutputs = 200
)

// Resources is the fewest resources the service stack of env declares, counted from the
// config without building anything, so that a config far past CloudFormation's quotas is
// refused at once. It is exact under golive's cdk.json; feature flags only add to it (under
// cdk init's @aws-cdk/aws-lambda:useCdkManagedLogGroup every function also gets a log
// group), which is why NewServiceStack counts the stack it built as well (Count).
func Resources(cfg *config.Config, env *config.Env) int {
	n := 1 // AWS::CDK::Metadata
	if cfg.Pipeline != nil {
		n++ // the golive CLI role the pipeline assumes
	}
	codeDeploy, hooks, smoke, bake, pinned := false, false, false, false, false
	custom := map[config.CustomShift]bool{}
	for _, fn := range env.Functions {
		n += 3 // function, execution role, LIVE alias
		pinned = pinned || fn.Pinned()
		if !fn.UsesCodeDeploy() {
			continue
		}
		codeDeploy = true
		n++ // deployment group
		a := fn.Deployment.Alarms
		if a.ErrorRatePercent != nil || a.P99DurationMs != nil {
			n++ // the folded rollback alarm
		}
		smoke = smoke || fn.Deployment.Smoke != nil
		bake = bake || fn.Deployment.Bake != nil
		if fn.Deployment.PreTrafficHook != "" || fn.Deployment.PostTrafficHook != "" || smoke || bake {
			hooks = true
		}
		if c := fn.Deployment.Custom; c != nil {
			custom[*c] = true
		}
	}
	if codeDeploy {
		n += 2 + len(custom) // shared application and service role, custom configs
	}
	if hooks || codeDeploy && len(env.Notifications.SNSTopicARNs) > 0 {
		n++ // the service role's policy allowing it to invoke the hooks and publish to the topics
	}
	if pinned && env.Dashboard {
		n++ // the release dashboard
	}
	// The shipped hooks, once per stack whatever the number of functions using them:
	// function, execution role and its policy each.
	if smoke {
		n += 3
	}
	if bake {
		n += 3
	}
	return n
}

// CheckLimits reports an environment whose stack would exceed CloudFormation's quotas
// whatever the feature flags, naming the counts and the way out.
func CheckLimits(cfg *config.Config, env *config.Env) error {
	var errs []error
	if r := Resources(cfg, env); r > MaxResources {
		errs = append(errs, fmt.Errorf("envs.%s: its stack would declare at least %d resources, CloudFormation allows %d per template "+
			"(a pinned function with CodeDeploy and alarms takes 5, one on $LATEST 3, each one more under @aws-cdk/aws-lambda:useCdkManagedLogGroup); "+
			"move functions to another project or environment", env.Name, r, MaxResources))
	}
	o, what := len(env.Functions), "one per function"
	if aliases := countAliasOutputs(env.Functions); aliases > 0 {
		o, what = o+aliases, fmt.Sprintf("one per function and %d naming an alias other than LIVE", aliases)
	}
	if env.Dashboard && slices.ContainsFunc(env.Functions, config.Function.Pinned) {
		o, what = o+1, what+" and one naming the release dashboard"
	}
	if o > MaxOutputs {
		errs = append(errs, fmt.Errorf("envs.%s: its stack would declare %d outputs (%s), CloudFormation allows %d per template; "+
			"move functions to another project or environment", env.Name, o, what, MaxOutputs))
	}
	return errors.Join(errs...)
}

// countAliasOutputs counts the functions whose alias the construct records in an output of
// its own: those not named LIVE.
func countAliasOutputs(fns []config.Function) int {
	n := 0
	for _, fn := range fns {
		if fn.Alias != "" && fn.Alias != versionedfunction.DefaultAliasName {
			n++
		}
	}
	return n
}

// Counts are what a constructed stack declares: its resources and its outputs, to hold
// against MaxResources and MaxOutputs.
type Counts struct{ Resources, Outputs int }

// Count counts the resources and outputs stack declares, from its construct tree, before
// anything is synthesized: what CloudFormation will count, whatever the feature flags.
// It includes the AWS::CDK::Metadata resource synthesis adds to every stack (one too many
// when version reporting is off, which errs on the safe side). A resource of a type whose
// Go package the binary does not link is not recognized; CDK's own synth-time limit
// still catches that rare case.
func Count(stack awscdk.Stack) Counts {
	c := Counts{Resources: 1}
	// One jsii round trip: jsii hands every construct back as its own class's Go type.
	for _, n := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		switch n.(type) {
		case awscdk.CfnResource:
			c.Resources++
		case awscdk.CfnOutput:
			c.Outputs++
		}
	}
	return c
}

// checkCounts reports a constructed stack past CloudFormation's quotas.
func checkCounts(envName string, c Counts, functions int) error {
	var errs []error
	if c.Resources > MaxResources {
		errs = append(errs, fmt.Errorf("envs.%s: its stack declares %d resources for %d functions, CloudFormation allows %d per template; "+
			"move functions to another project or environment", envName, c.Resources, functions, MaxResources))
	}
	if c.Outputs > MaxOutputs {
		errs = append(errs, fmt.Errorf("envs.%s: its stack declares %d outputs, CloudFormation allows %d per template; "+
			"move functions to another project or environment", envName, c.Outputs, MaxOutputs))
	}
	return errors.Join(errs...)
}
