package stacks

import (
	"fmt"
	"maps"
	"path"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/versiondesc"
)

// PipelineStackProps configures the pipeline stack.
type PipelineStackProps struct {
	awscdk.StackProps
	// Config must have a pipeline section. Required.
	Config *config.Config
	// Root is the directory function entries are relative to. Default: the working directory.
	Root string
}

// PipelineStack is a CDK Pipelines pipeline deploying the service stacks env by env.
type PipelineStack struct {
	awscdk.Stack
	// Pipeline is the CDK Pipelines pipeline, for steps and settings of the app's own.
	Pipeline pipelines.CodePipeline
	// Stages by env name, in deployment order.
	Stages map[string]*PipelineStage

	errors []string
}

// PipelineStage is one env's stage: the service stack that `cdk deploy -c env=E` deploys,
// under the same CloudFormation stack name.
type PipelineStage struct {
	awscdk.Stage
	// Service is the env's service stack, declared in the stage.
	Service *ServiceStack
	// Verify runs before the deploy: golive verify --app on the stage's synthesized stack
	// (nothing replaced, no version lost, every pin published), and verify --env where a
	// function is pinned.
	Verify  pipelines.Step
	Publish pipelines.Step // nil but in the last stage
}

// PipelineStackName is the name of the pipeline stack.
func PipelineStackName(cfg *config.Config) string { return cfg.Project + "-pipeline" }

// CheckPipeline reports what the pipeline cannot deploy: images referenced by tag in an
// environment it deploys (a pipeline promotes the digest it tested, never a tag, which
// may point elsewhere by the time the next stage runs).
func CheckPipeline(cfg *config.Config) error {
	var problems []string
	for _, name := range cfg.Pipeline.Stages {
		env, err := cfg.Env(name)
		if err != nil {
			return err
		}
		for _, fn := range env.Functions {
			if fn.Image != nil && fn.Image.Digest == "" {
				problems = append(problems, fmt.Sprintf("envs.%s.lambda_functions.%s.image.tag: got %q; the pipeline deploys %s, "+
					"so the image must be given by digest (\"sha256:...\") and promoted unchanged", name, fn.Name, fn.Image.Tag, name))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("%s", strings.Join(problems, "\n"))
	}
	return nil
}

// NewPipelineStack declares the pipeline: source and synth, then one stage per env in
// pipeline.stages, a manual approval before the envs of pipeline.approval_before, a
// `golive verify` gate before each env (the synthesized stack against the deployed one, and
// the environment where a function is pinned), and `golive publish`
// after the last env, whose output is kept as the step's artifact (a pipeline cannot
// push a --pin back to git).
//
// A config CheckPipeline refuses is a synth error, not a panic: each problem is a CDK error
// annotation on the stack, which `cdk synth` and `cdk deploy` print with its path before
// failing, and which Errors returns; the stack then declares nothing.
func NewPipelineStack(scope constructs.Construct, id string, props *PipelineStackProps) *PipelineStack {
	cfg, p := props.Config, props.Config.Pipeline
	sp := props.StackProps
	if sp.Env == nil {
		sp.Env = &awscdk.Environment{Account: jsii.String(p.Account), Region: jsii.String(p.Region)}
	}
	stack := awscdk.NewStack(scope, jsii.String(id), &sp)
	s := &PipelineStack{Stack: stack, Stages: map[string]*PipelineStage{}}
	if err := CheckPipeline(cfg); err != nil {
		for _, line := range strings.Split(err.Error(), "\n") {
			awscdk.Annotations_Of(stack).AddError(jsii.String(line))
			s.errors = append(s.errors, *stack.Node().Path()+": "+line)
		}
		return s
	}

	source := pipelines.CodePipelineSource_Connection(jsii.String(p.Repository), jsii.String(p.Branch),
		&pipelines.ConnectionSourceOptions{ConnectionArn: jsii.String(p.ConnectionArn)})
	synth := pipelines.NewShellStep(jsii.String("Synth"), &pipelines.ShellStepProps{
		Input:                  source,
		Commands:               jsii.Strings("make synth"),
		PrimaryOutputDirectory: jsii.String("cdk.out"),
	})
	s.Pipeline = pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		PipelineName:      jsii.String(id),
		CrossAccountKeys:  jsii.Bool(true), // stages deploy to other accounts
		EnableKeyRotation: jsii.Bool(true),
		Synth:             synth,
		CodeBuildDefaults: &pipelines.CodeBuildOptions{
			BuildEnvironment: &awscodebuild.BuildEnvironment{BuildImage: awscodebuild.LinuxBuildImage_STANDARD_7_0()},
		},
	})

	approve := map[string]bool{}
	for _, name := range p.ApprovalBefore {
		approve[name] = true
	}
	for i, name := range p.Stages {
		env, _ := cfg.Env(name)
		stage := awscdk.NewStage(stack, jsii.String(name), &awscdk.StageProps{
			Env: &awscdk.Environment{Account: jsii.String(env.Account), Region: jsii.String(env.Region)},
		})
		ps := &PipelineStage{Stage: stage}
		ps.Service = NewServiceStack(stage, "Service", &ServiceStackProps{
			StackProps: awscdk.StackProps{StackName: jsii.String(cfg.StackName(name))},
			Config:     cfg, Env: env, Root: props.Root,
		})

		var pre, post []pipelines.Step
		var approval pipelines.Step
		if approve[name] {
			approval = pipelines.NewManualApprovalStep(jsii.String("Approve-"+name), &pipelines.ManualApprovalStepProps{
				Comment: jsii.String("Release " + cfg.Project + " to " + name),
			})
			pre = append(pre, approval)
		}
		role := newCLIStepRole(stack, cfg, env)
		checks := []goliveCommand{verifyAppCommand(cfg, env, *stage.ArtifactId())}
		if pinned(env) {
			checks = append(checks, verifyCommand(cfg, env))
		}
		ps.Verify = cliStep("Verify-"+name, source, synth, role, checks...)
		if approval != nil {
			// Verify what is about to deploy, not what was true before the wait.
			ps.Verify.AddStepDependency(approval)
		}
		pre = append(pre, ps.Verify)
		if i == len(p.Stages)-1 {
			ps.Publish = cliStep("Publish-"+name, source, nil, role, publishCommand(cfg, env))
			post = append(post, ps.Publish)
		}
		s.Pipeline.AddStage(stage, &pipelines.AddStageOpts{Pre: &pre, Post: &post})
		s.Stages[name] = ps
	}
	return s
}

// Errors are the synth errors of the pipeline stack and of its stages' service stacks so
// far, each "PATH: MESSAGE": what an app checks before synthesizing.
func (s *PipelineStack) Errors() []string {
	out := slices.Clone(s.errors)
	for _, name := range slices.Sorted(maps.Keys(s.Stages)) {
		out = append(out, s.Stages[name].Service.Errors()...)
	}
	return out
}

func pinned(env *config.Env) bool {
	for _, fn := range env.Functions {
		if fn.Pinned() {
			return true
		}
	}
	return false
}

// goliveCommand is one golive run of a pipeline step: the CLI's arguments, and the file
// its stdout is kept in (the step's artifact), if any.
type goliveCommand struct {
	Args   []string
	Output string
}

// synthDir is where a golive step finds the synth step's cloud assembly.
const synthDir = "cdk.out"

// verifyAppCommand checks env's synthesized stack, in the stage's nested assembly (a CDK
// Pipelines stage synthesizes into cdk.out/<its artifact id>), against the deployed one.
func verifyAppCommand(cfg *config.Config, env *config.Env, assembly string) goliveCommand {
	return goliveCommand{Args: []string{"verify", "--app", path.Join(synthDir, assembly), "--region", env.Region, "--role-arn", CLIRoleArn(cfg, env)}}
}

// verifyCommand is the golive run that gates env's deploy.
func verifyCommand(cfg *config.Config, env *config.Env) goliveCommand {
	return goliveCommand{Args: cliArgs(cfg, env, "verify")}
}

// publishCommand is the golive run after env's deploy; its JSON is the step's artifact,
// since a pipeline cannot push --pin back to git.
func publishCommand(cfg *config.Config, env *config.Env) goliveCommand {
	return goliveCommand{Args: append(cliArgs(cfg, env, "publish"), "--output", "json"), Output: "published/versions.json"}
}

func cliArgs(cfg *config.Config, env *config.Env, command string) []string {
	return []string{command, "--env", env.Name, "--region", env.Region, "--role-arn", CLIRoleArn(cfg, env)}
}

// shell is the command as a step's shell runs it. Every argument comes from validated
// config (env names, regions, ARNs), none needs quoting.
func (c goliveCommand) shell() []string {
	run := "./golive " + strings.Join(c.Args, " ")
	if c.Output == "" {
		return []string{run}
	}
	return []string{"mkdir -p " + path.Dir(c.Output), run + " > " + c.Output, "cat " + c.Output}
}

// newCLIStepRole is the CodeBuild role of env's golive steps, which env's CLI role trusts
// by name (CLIStepRoleName). CDK Pipelines adds the steps' own grants (logs, artifacts).
func newCLIStepRole(stack awscdk.Stack, cfg *config.Config, env *config.Env) awsiam.Role {
	role := awsiam.NewRole(stack, jsii.String("GoliveStepRole-"+env.Name), &awsiam.RoleProps{
		RoleName:    jsii.String(CLIStepRoleName(cfg, env.Name)),
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("codebuild.amazonaws.com"), nil),
		Description: jsii.String("Runs the pipeline's golive steps for " + env.Name + " through its golive role"),
	})
	role.AddToPrincipalPolicy(statement("AssumeGoliveRole", []string{"sts:AssumeRole"}, []string{CLIRoleArn(cfg, env)}))
	return role
}

// cliStep builds the golive CLI from the source and runs it with role. publish records the
// source commit in each version's description from versiondesc.SourceCommitEnv: the source
// action's CommitId variable, which CDK Pipelines passes into a step's environment
// (CodePipelineSource.sourceAttribute; CodePipeline User Guide, "Variables reference",
// CodeStarSourceConnection: CommitId), since the connection's source artifact holds no .git
// and CODEBUILD_RESOLVED_SOURCE_VERSION "may not always be available" under CodePipeline
// (CodeBuild User Guide, "Environment variables in build environments").
//
// With synth, the synth step's cloud assembly is the step's second input, in synthDir. Each
// run is its own command: the step fails at the first that exits non-zero.
func cliStep(id string, source pipelines.CodePipelineSource, synth pipelines.ShellStep, role awsiam.Role, runs ...goliveCommand) pipelines.Step {
	commands := []string{"go build -o golive ./cmd/golive"}
	for _, run := range runs {
		commands = append(commands, run.shell()...)
	}
	props := &pipelines.CodeBuildStepProps{
		Input:    source,
		Role:     role,
		Commands: jsii.Strings(commands...),
		Env:      &map[string]*string{versiondesc.SourceCommitEnv: source.SourceAttribute(jsii.String("CommitId"))},
	}
	if synth != nil {
		props.AdditionalInputs = &map[string]pipelines.IFileSetProducer{synthDir: synth}
	}
	for _, run := range runs {
		if run.Output != "" {
			props.PrimaryOutputDirectory = jsii.String(path.Dir(run.Output))
		}
	}
	return pipelines.NewCodeBuildStep(jsii.String(id), props)
}
