// Package cli is golive's command line: cobra commands and flags, output as a table or JSON
// on stdout, logs on stderr, and the exit codes (0 success, 1 failure, 2 usage).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/awsclient"
	"github.com/golive-dev/golive/internal/release"
)

// Exit codes.
const (
	ExitOK      = 0
	ExitFailure = 1
	ExitUsage   = 2
)

// Clients are the AWS APIs the commands call.
type Clients struct {
	Lambda  release.LambdaAPI
	Stacks  release.StackAPI
	Deploys release.DeployAPI
}

// App is the CLI with its dependencies; the zero value of NewClients uses the AWS SDK.
type App struct {
	Stdout, Stderr io.Writer
	// NewClients builds the AWS clients; tests replace it with fakes.
	NewClients func(ctx context.Context, o awsclient.Options) (Clients, error)
}

// Run runs golive with args (without the program name) and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return (&App{Stdout: stdout, Stderr: stderr}).Run(ctx, args)
}

// usageError is a mistake on the command line: exit 2.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// failure is an error while doing the work: exit 1. The command already reported it when
// reported is set (e.g. a verify problem list), so Run prints nothing more.
type failure struct {
	err      error
	reported bool
}

func (e failure) Error() string { return e.err.Error() }
func (e failure) Unwrap() error { return e.err }

// errReported is returned by a command that printed its result and must exit 1 (a failed
// function in publish, a problem found by verify).
var errReported = failure{err: errors.New("reported"), reported: true}

// Run runs golive with args and returns the exit code.
func (a *App) Run(ctx context.Context, args []string) int {
	g := &globals{app: a}
	root := a.root(g)
	root.SetArgs(args)
	root.SetOut(a.Stdout)
	root.SetErr(a.Stderr)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return ExitOK
	}
	var f failure
	if errors.As(err, &f) {
		if !f.reported {
			fmt.Fprintf(a.Stderr, "golive: %v\n", f.err)
		}
		return ExitFailure
	}
	// Everything else cobra or pflag returned is a usage mistake: unknown command or flag,
	// a missing required flag, a bad flag value.
	fmt.Fprintf(a.Stderr, "golive: %v\n", err)
	fmt.Fprintf(a.Stderr, "Run 'golive --help' for usage.\n")
	return ExitUsage
}

// globals are the flags every command takes, before or after its name.
type globals struct {
	app *App

	configPath  string
	region      string
	profile     string
	roleARN     string
	endpointURL string
	output      string
	verbose     bool
	workers     int

	log *slog.Logger
}

func (a *App) root(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "golive",
		Short: "Zero-downtime AWS Lambda releases: publish, status, verify, rollback and prune versions",
		Long: `golive runs after 'cdk deploy'. It publishes immutable versions of $LATEST, shows how
config/config.json, the deployed stack and the LIVE alias agree, gates deploys, rolls LIVE
back and prunes old versions.

Results go to stdout (--output table or json), logs to stderr. Exit codes: 0 success,
1 failure, 2 usage.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef("missing command: one of publish, status, verify, rollback, prune")
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if g.output != "table" && g.output != "json" {
				return usagef("--output %q: want table or json", g.output)
			}
			if g.workers < 1 {
				return usagef("--concurrency %d: want 1 or more", g.workers)
			}
			level := slog.LevelInfo
			if g.verbose {
				level = slog.LevelDebug
			}
			g.log = slog.New(slog.NewTextHandler(a.Stderr, &slog.HandlerOptions{
				Level: level,
				ReplaceAttr: func(groups []string, attr slog.Attr) slog.Attr {
					if attr.Key == slog.TimeKey && len(groups) == 0 {
						return slog.Attr{} // progress for people and CI logs, which stamp time themselves
					}
					return attr
				},
			}))
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	f := root.PersistentFlags()
	f.StringVar(&g.configPath, "config", "config/config.json", "path of the config file")
	f.StringVar(&g.region, "region", "", "AWS region (default: the environment's region in the config, else AWS_REGION)")
	f.StringVar(&g.profile, "profile", "", "named AWS profile from the shared config files")
	f.StringVar(&g.roleARN, "role-arn", "", "IAM role to assume (via STS) in the target account")
	f.StringVar(&g.endpointURL, "endpoint-url", "", "replace every AWS endpoint, e.g. a local emulator (like the AWS CLI)")
	f.StringVarP(&g.output, "output", "o", "table", "result format: table or json")
	f.BoolVarP(&g.verbose, "verbose", "v", false, "debug logs on stderr")
	f.IntVar(&g.workers, "concurrency", release.DefaultWorkers, "functions handled at once")

	root.AddCommand(publishCmd(g), statusCmd(g), verifyCmd(g), rollbackCmd(g), pruneCmd(g))
	return root
}

// session is one command's loaded config, environment, functions and AWS clients.
type session struct {
	raw  []byte
	cfg  *config.Config
	env  *config.Env
	fns  []config.Function
	rel  *release.Env
	path string
}

// open loads the config, selects the environment and functions (all when names is empty) and
// builds the AWS clients for the environment's region.
func (g *globals) open(ctx context.Context, envName string, names []string) (*session, error) {
	raw, err := os.ReadFile(g.configPath)
	if err != nil {
		return nil, failure{err: fmt.Errorf("read config: %w", err)}
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		return nil, failure{err: fmt.Errorf("config %s: %w", g.configPath, err)}
	}
	env, err := cfg.Env(envName)
	if err != nil {
		return nil, failure{err: fmt.Errorf("config %s: %w", g.configPath, err)}
	}
	s := &session{raw: raw, cfg: cfg, env: env, path: g.configPath}
	if len(names) == 0 {
		s.fns = env.Functions
	}
	for _, n := range names {
		fn, err := env.Function(n)
		if err != nil {
			return nil, failure{err: fmt.Errorf("config %s: env %s: %w", g.configPath, env.Name, err)}
		}
		s.fns = append(s.fns, *fn)
	}
	opts := awsclient.Options{
		Region:      g.region,
		Profile:     g.profile,
		RoleARN:     g.roleARN,
		EndpointURL: g.endpointURL,
		SessionName: "golive-" + env.Name,
	}
	if opts.Region == "" {
		opts.Region = env.Region
	}
	newClients := g.app.NewClients
	if newClients == nil {
		newClients = sdkClients
	}
	c, err := newClients(ctx, opts)
	if err != nil {
		return nil, failure{err: err}
	}
	s.rel = &release.Env{
		Config:  cfg,
		Env:     env,
		Lambda:  c.Lambda,
		Stacks:  c.Stacks,
		Deploys: c.Deploys,
		Workers: g.workers,
		Log:     g.log.With("env", env.Name),
	}
	g.log.Debug("opened", "config", g.configPath, "env", env.Name, "region", opts.Region, "functions", len(s.fns))
	return s, nil
}

func sdkClients(ctx context.Context, o awsclient.Options) (Clients, error) {
	c, err := awsclient.New(ctx, o)
	if err != nil {
		return Clients{}, err
	}
	return Clients{Lambda: c.Lambda, Stacks: c.CloudFormation, Deploys: c.CodeDeploy}, nil
}

// awsFailure wraps an AWS error with a hint when the endpoint cannot be reached at all.
func (g *globals) awsFailure(err error) error {
	if unreachable(err.Error()) {
		return failure{err: fmt.Errorf("cannot reach %s (check --endpoint-url, --region and the network): %w", g.where(), err)}
	}
	return failure{err: err}
}

func (g *globals) where() string {
	if g.endpointURL != "" {
		return g.endpointURL
	}
	return "the AWS endpoint"
}

// unreachable tells a network failure (no answer at all) from an AWS error.
func unreachable(msg string) bool {
	for _, s := range []string{"connection refused", "no such host", "i/o timeout", "dial tcp", "network is unreachable"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}
