// Package stacks maps golive's typed config onto CDK stacks: one service stack per
// environment holding a VersionedFunction per configured function.
package stacks

import (
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/constructs/versionedfunction"
)

// ServiceStackProps configures a service stack.
type ServiceStackProps struct {
	awscdk.StackProps
	// Config is the loaded config.json. Required.
	Config *config.Config
	// Env is the environment this stack deploys. Required.
	Env *config.Env
	// Root is the directory function entries are relative to. Default: the working
	// directory, which is the project root when cdk runs the app.
	Root string
}

// ServiceStack is one environment's functions.
type ServiceStack struct {
	awscdk.Stack
	// Functions by config name.
	Functions map[string]*versionedfunction.VersionedFunction
	// CLIRole is the role the pipeline's golive steps assume; nil without a pipeline.
	CLIRole awsiam.Role
	// Hooks are the shipped smoke and bake hooks; nil without CodeDeploy.
	Hooks *versionedfunction.Hooks

	errors []string
}

// NewServiceStack declares the stack of props.Env. Its account and region come from the
// config; every function's construct declares a stack output (key Function.OutputKey())
// holding the function name and LIVE version this deploy records, which the CLI reads to
// detect drift and renames and to plan rollbacks.
//
// What it cannot declare is a synth error, not a panic: a CDK error annotation, which `cdk
// synth` and `cdk deploy` print with its construct path before failing, and which Errors
// returns. A config past CloudFormation's limits declares an empty stack with the error
// (call CheckLimits first to report it as an error of its own); a function its construct
// refuses is left out (versionedfunction.New) and the others declared.
func NewServiceStack(scope constructs.Construct, id string, props *ServiceStackProps) *ServiceStack {
	env := props.Env
	limits := CheckLimits(props.Config, env)
	sp := props.StackProps
	if sp.Env == nil {
		sp.Env = &awscdk.Environment{Account: jsii.String(env.Account), Region: jsii.String(env.Region)}
	}
	if sp.Description == nil {
		sp.Description = jsii.String(fmt.Sprintf("golive: %s functions of %s behind LIVE aliases", env.Name, props.Config.Project))
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	s := &ServiceStack{Stack: stack, Functions: make(map[string]*versionedfunction.VersionedFunction, len(env.Functions))}
	if limits != nil {
		s.refuse(limits)
		return s
	}

	if props.Config.Pipeline != nil {
		s.CLIRole = newCLIRole(stack, props.Config, env)
	}
	Prebuild(props.Root, env.Functions)
	deploy := &deploymentConfigs{scope: stack}
	if slices.ContainsFunc(env.Functions, config.Function.UsesCodeDeploy) {
		// Named like the stack, so the CLI finds deployments without reading the template;
		// declared before the functions' deployment groups look it up.
		// The deployment groups find the shipped hooks there too.
		s.Hooks = versionedfunction.SharedOf(stack, &versionedfunction.SharedProps{
			ApplicationName: props.Config.CodeDeployApplication(env.Name),
		}).Hooks()
	}
	topics := notificationTopics(stack, env.Notifications)
	if env.Dashboard && slices.ContainsFunc(env.Functions, config.Function.Pinned) {
		// Named after the stack, {project}-{env}-releases, where golive status links to it.
		versionedfunction.ReleaseDashboardOf(stack, &versionedfunction.ReleaseDashboardProps{
			DashboardName: props.Config.DashboardName(env.Name),
		})
	}
	dur := durations{}
	for _, fn := range env.Functions {
		vp := functionProps(props.Root, fn, dur)
		vp.DisableDashboard = !env.Dashboard
		if fn.UsesCodeDeploy() {
			cfg, err := deploy.get(fn.Deployment)
			if err != nil {
				s.refuse(fmt.Errorf("envs.%s.lambda_functions.%s.%w", env.Name, fn.Name, err))
				continue
			}
			vp.Deployment = deployment(fn, cfg, dur)
			vp.Deployment.NotificationTopics = topics
		}
		// The config key is the construct id, so the construct's stack output is
		// fn.OutputKey(), the key the CLI reads.
		v := versionedfunction.New(stack, fn.Name, vp)
		if vp.Deployment != nil && v.DeploymentGroup != nil {
			addOwn(v, fn.Deployment)
		}
		s.Functions[fn.Name] = v
	}
	// The config's count is a floor: feature flags add resources (a log group per function
	// under useCdkManagedLogGroup). Counted from the tree, the refusal comes at the real
	// limit, before anything is synthesized.
	if err := checkCounts(env.Name, Count(stack), len(env.Functions)); err != nil {
		s.refuse(err)
	}
	return s
}

// refuse reports each line of err as a synth error of the stack.
func (s *ServiceStack) refuse(err error) {
	for _, line := range strings.Split(err.Error(), "\n") {
		awscdk.Annotations_Of(s.Stack).AddError(jsii.String(line))
		s.errors = append(s.errors, *s.Node().Path()+": "+line)
	}
}

// Errors are the synth errors of the stack and of its functions so far, each
// "PATH: MESSAGE" (versionedfunction.Errors): what an app checks before synthesizing.
func (s *ServiceStack) Errors() []string {
	return append(slices.Clone(s.errors), versionedfunction.Errors(s.Stack)...)
}

// durations hands out one Duration per value of a stack: each is a jsii round trip to
// create, and the construct reads one it has seen before without another.
type durations map[string]awscdk.Duration

func (d durations) get(unit string, n float64, make func(*float64) awscdk.Duration) awscdk.Duration {
	key := unit + strconv.FormatFloat(n, 'g', -1, 64)
	v, ok := d[key]
	if !ok {
		v = make(jsii.Number(n))
		d[key] = v
	}
	return v
}

func functionProps(root string, fn config.Function, dur durations) *versionedfunction.Props {
	p := &versionedfunction.Props{
		FunctionName: fn.FunctionName,
		AliasName:    fn.Alias,
		Architecture: versionedfunction.Architecture(fn.Architecture),
		Description:  fn.Description,
		Environment:  fn.Environment,
		LiveVersion:  fn.LiveVersion,
	}
	if fn.MemoryMB != 0 {
		p.MemorySize = jsii.Number(float64(fn.MemoryMB))
	}
	if fn.TimeoutS != 0 {
		p.Timeout = dur.get("s", float64(fn.TimeoutS), awscdk.Duration_Seconds)
	}
	if fn.ProvisionedConcurrency != 0 {
		p.ProvisionedConcurrentExecutions = jsii.Number(float64(fn.ProvisionedConcurrency))
	}
	if fn.Pinned() {
		p.Rollout = versionedfunction.Rollout(fn.Rollout)
	}
	if img := fn.Image; img != nil {
		p.Image = &versionedfunction.Image{Repository: img.RepositoryName(), Digest: img.Digest, Tag: img.Tag}
		if img.RepositoryName() != img.Repository {
			// A full repository URI: the image lives in another account or region, built
			// once and promoted by digest.
			p.Image.Account, p.Image.Region = img.RepositoryLocation("", "")
		}
	} else {
		p.Entry = entryPath(root, fn.Entry)
	}
	if w := fn.Additional; w != nil {
		p.Additional = &versionedfunction.WeightedVersion{Version: w.Version, Weight: jsii.Number(w.Weight)}
	}
	return p
}

func deployment(fn config.Function, cfg awscodedeploy.ILambdaDeploymentConfig, dur durations) *versionedfunction.Deployment {
	d := fn.Deployment
	vd := &versionedfunction.Deployment{
		Config: cfg,
		Thresholds: versionedfunction.Thresholds{
			ErrorRatePercent:  d.Alarms.ErrorRatePercent,
			ErrorRateRelative: d.Alarms.ErrorRateRelative,
			MinInvocations:    jsii.Number(float64(d.Alarms.MinInvocations)),
		},
		AutoRollback: &awscodedeploy.AutoRollbackConfig{
			FailedDeployment:  jsii.Bool(d.AutoRollback.OnFailure),
			StoppedDeployment: jsii.Bool(d.AutoRollback.OnStop),
			DeploymentInAlarm: jsii.Bool(d.AutoRollback.OnAlarm),
		},
	}
	if ms := d.Alarms.P99DurationMs; ms != nil {
		vd.Thresholds.P99Duration = dur.get("ms", *ms, awscdk.Duration_Millis)
	}
	if sm := d.Smoke; sm != nil {
		vd.Smoke = &versionedfunction.Smoke{Events: sm.Events, Expect: sm.Expect, Compare: sm.Compare, Ignore: sm.Ignore}
		if sm.TimeoutS != 0 {
			vd.Smoke.Timeout = dur.get("s", float64(sm.TimeoutS), awscdk.Duration_Seconds)
		}
	}
	if b := d.Bake; b != nil {
		vd.Bake = &versionedfunction.Bake{Wait: dur.get("min", float64(b.Minutes), awscdk.Duration_Minutes)}
	}
	return vd
}

// addOwn gives v the config's alarms and hooks of the user's own, which config names:
// existing alarms by name, hooks by function name or unqualified ARN. They are
// references, children of v ("ExtraAlarm0", ..., "PreTrafficHook", "PostTrafficHook").
func addOwn(v *versionedfunction.VersionedFunction, d config.Deployment) {
	for i, name := range d.Alarms.Extra {
		v.AddAlarm(awscloudwatch.Alarm_FromAlarmName(v.Construct, jsii.String("ExtraAlarm"+strconv.Itoa(i)), jsii.String(name)))
	}
	if d.PreTrafficHook != "" {
		v.AddPreHook(hookRef(v.Construct, "PreTrafficHook", d.PreTrafficHook))
	}
	if d.PostTrafficHook != "" {
		v.AddPostHook(hookRef(v.Construct, "PostTrafficHook", d.PostTrafficHook))
	}
}

// hookRef is a hook by name or unqualified ARN. CodeDeploy invokes a hook by name, so it
// lives in the stack's account and region: SameEnvironment lets the group's role be
// granted invoke on it by ARN.
func hookRef(scope constructs.Construct, id, ref string) awslambda.IFunction {
	if strings.HasPrefix(ref, "arn:") {
		return awslambda.Function_FromFunctionAttributes(scope, jsii.String(id), &awslambda.FunctionAttributes{
			FunctionArn: jsii.String(ref), SameEnvironment: jsii.Bool(true),
		})
	}
	return awslambda.Function_FromFunctionName(scope, jsii.String(id), jsii.String(ref))
}

func entryPath(root, entry string) string {
	if root == "" || filepath.IsAbs(entry) {
		return entry
	}
	return filepath.Join(root, entry)
}

// Prebuild compiles the distinct Go entries of fns in parallel, and the shipped hook when
// a function uses it, before the constructs ask for them one by one. Builds are memoized
// per process, so calling it early (before the jsii runtime starts) makes the stacks' own
// call free. It touches no jsii.
func Prebuild(root string, fns []config.Function) {
	type key struct{ entry, arch string }
	seen := map[key]bool{}
	var props []*versionedfunction.Props
	for _, fn := range fns {
		k := key{fn.Entry, fn.Architecture}
		if fn.Image == nil && !seen[k] {
			seen[k] = true
			props = append(props, &versionedfunction.Props{Entry: entryPath(root, k.entry), Architecture: versionedfunction.Architecture(k.arch)})
		}
		if fn.UsesCodeDeploy() && (fn.Deployment.Smoke != nil || fn.Deployment.Bake != nil) {
			// Only whether a shipped hook is used matters to the build.
			props = append(props, &versionedfunction.Props{Deployment: &versionedfunction.Deployment{Smoke: &versionedfunction.Smoke{}}})
		}
	}
	versionedfunction.Prebuild(props...)
}
