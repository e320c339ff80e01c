// Command app is golive's CDK app: one service stack per environment of config.json.
//
//	cdk synth                      every environment
//	cdk synth -c env=prd           only prd: the other stacks are not even constructed
//	cdk synth -c config=other.json another config file
//	cdk synth -c nag=true          also run cdk-nag's AwsSolutions checks
//
// With a pipeline section in config.json, a full synth also declares the pipeline stack,
// whose stages deploy the same service stacks under the same CloudFormation names.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/stacks"
)

func main() {
	os.Exit(run(os.Stderr))
}

// run is main's body, so that its deferred jsii.Close (the CDK Go template's) runs before
// main's os.Exit, which would skip it.
func run(stderr io.Writer) (code int) {
	defer jsii.Close()
	// golive's constructs and stacks report what they refuse as CDK error annotations, read
	// below; what may still panic is CDK itself refusing a value (a jsii error). Either way
	// the user gets the message and exit 1, never a goroutine dump.
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "golive: %v\n", r)
			code = 1
		}
	}()

	app := awscdk.NewApp(nil)
	configPath := contextString(app, "config", "config/config.json")
	cfg, err := config.Load(configPath)
	if err != nil {
		fmt.Fprintf(stderr, "golive: %v\n", err)
		return 1
	}
	only := contextString(app, "env", "")
	envs, err := selectEnvs(cfg, only)
	if err == nil {
		err = checkLimits(cfg, envs)
	}
	// The pipeline deploys every env; `-c env=E` (cdk deploy of one env) leaves it out.
	withPipeline := cfg.Pipeline != nil && only == ""
	if err == nil && withPipeline {
		err = stacks.CheckPipeline(cfg)
	}
	if err != nil {
		fmt.Fprintf(stderr, "golive: %v\n", err)
		return 1
	}
	var services []*stacks.ServiceStack
	var pipelines []*stacks.PipelineStack
	for _, env := range envs {
		services = append(services, stacks.NewServiceStack(app, cfg.StackName(env.Name), &stacks.ServiceStackProps{Config: cfg, Env: env}))
	}
	if withPipeline {
		pipelines = append(pipelines, stacks.NewPipelineStack(app, stacks.PipelineStackName(cfg), &stacks.PipelineStackProps{Config: cfg}))
	}
	// A config the constructs and stacks refuse (an entry that does not build, a stack past
	// CloudFormation's limits, ...) stops here, before anything is written: one line per
	// error, each with its construct path, and exit 1, which the CDK CLI prints under the
	// app's failure. Errors found at synth (the checks the constructs run once the app is
	// complete) reach the CLI as annotations, which it prints and fails on.
	var errs []string
	for _, s := range services {
		errs = append(errs, s.Errors()...)
	}
	for _, p := range pipelines {
		errs = append(errs, p.Errors()...)
	}
	if len(errs) > 0 {
		for _, e := range errs {
			fmt.Fprintf(stderr, "golive: %s\n", e)
		}
		return 1
	}
	if contextString(app, "nag", "false") == "true" {
		stacks.CheckWithNag(app, services, pipelines)
	}
	app.Synth(nil)
	return 0
}

func selectEnvs(cfg *config.Config, name string) ([]*config.Env, error) {
	if name == "" {
		envs := make([]*config.Env, len(cfg.Envs))
		for i := range cfg.Envs {
			envs[i] = &cfg.Envs[i]
		}
		return envs, nil
	}
	env, err := cfg.Env(name)
	if err != nil {
		return nil, err
	}
	return []*config.Env{env}, nil
}

func checkLimits(cfg *config.Config, envs []*config.Env) error {
	var errs []error
	for _, env := range envs {
		errs = append(errs, stacks.CheckLimits(cfg, env))
	}
	return errors.Join(errs...)
}

func contextString(app awscdk.App, key, def string) string {
	v := app.Node().TryGetContext(jsii.String(key))
	switch s := v.(type) {
	case string:
		if s != "" {
			return s
		}
	case bool:
		return fmt.Sprint(s)
	}
	return def
}
