// Package cli is golive's command line: cobra commands and flags, output as a table or JSON
// on stdout, logs on stderr, and the exit codes (0 success, 1 failure, 2 usage, 128+signal
// when interrupted: 130 for SIGINT, 143 for SIGTERM).
package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/awsclient"
	"github.com/golive-dev/golive/internal/pinfile"
	"github.com/golive-dev/golive/internal/readlimit"
	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/watch"
	"github.com/golive-dev/golive/pins"
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
	// Templates reads deployed templates (verify --app, --template).
	Templates release.TemplateAPI
	// Metrics reads the LIVE alias's requests (plan, verify); nil skips verify's release
	// findings.
	Metrics release.MetricsAPI
	// Groups reads, with --stack, each function's deployment group and configuration (plan,
	// verify); the rollback alarm is read through Alarms.
	Groups release.GroupAPI
	// Releases, Alarms and Logs are what watch and history read; nil leaves those commands
	// without them (they say so).
	Releases watch.CodeDeployAPI
	Alarms   watch.AlarmAPI
	Logs     watch.LogsAPI
	// Region is the region the clients call ("" when unknown, e.g. fakes).
	Region string
}

// Interrupt is the cause main gives the context when a signal stops golive: the command
// stops at its next AWS call, reports what it did, and Run returns ExitCode.
type Interrupt struct{ Signal syscall.Signal }

func (i Interrupt) Error() string {
	switch i.Signal {
	case syscall.SIGINT:
		return "interrupted by SIGINT"
	case syscall.SIGTERM:
		return "interrupted by SIGTERM"
	}
	return "interrupted by " + i.Signal.String()
}

// ExitCode is the shell's convention for a process ended by a signal: 128 + its number.
func (i Interrupt) ExitCode() int { return 128 + int(i.Signal) }

// App is the CLI with its dependencies; the zero value of NewClients uses the AWS SDK.
type App struct {
	Stdout, Stderr io.Writer
	// NewClients builds the AWS clients; tests replace it with fakes.
	NewClients func(ctx context.Context, o awsclient.Options) (Clients, error)
	// Getenv reads the environment (publish's source commit); nil means os.Getenv.
	Getenv func(string) string
	// Dir is the directory whose git work tree publish reads the commit from; "" means the
	// current directory.
	Dir string
}

func (a *App) getenv(name string) string {
	if a.Getenv == nil {
		return os.Getenv(name)
	}
	return a.Getenv(name)
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
	var in Interrupt
	if ctx.Err() != nil && errors.As(context.Cause(ctx), &in) {
		// Whatever the command returned, it was cut short: say so, not "context canceled".
		var f failure
		if err != nil && !errors.Is(err, context.Canceled) && !(errors.As(err, &f) && f.reported) {
			fmt.Fprintf(a.Stderr, "golive: %v\n", err)
		}
		fmt.Fprintf(a.Stderr, "golive: %v\n", in)
		return in.ExitCode()
	}
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
	callTimeout time.Duration

	log *slog.Logger
}

// DefaultCallTimeout bounds one AWS call, its retries included (awsclient explains the value).
const DefaultCallTimeout = awsclient.DefaultCallTimeout

func (a *App) root(g *globals) *cobra.Command {
	root := &cobra.Command{
		Use:   "golive",
		Short: "Zero-downtime AWS Lambda releases: publish, status, verify, plan, rollback and prune versions",
		Long: `golive runs after 'cdk deploy'. It publishes immutable versions of $LATEST, shows how
config/config.json, the deployed stack and the LIVE alias agree, gates deploys, rolls LIVE
back and prunes old versions.

Results go to stdout (--output table or json), logs to stderr. Exit codes: 0 success,
1 failure, 2 usage, 130 interrupted (SIGINT), 143 terminated (SIGTERM).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return usagef("missing command: one of publish, status, verify, plan, rollback, prune, watch, history")
		},
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if g.output != "table" && g.output != "json" {
				return usagef("--output %q: want table or json", g.output)
			}
			if g.workers < 1 {
				return usagef("--concurrency %d: want 1 or more", g.workers)
			}
			if g.callTimeout <= 0 {
				return usagef("--call-timeout %s: want a positive duration such as 30s or 2m", g.callTimeout)
			}
			if err := g.checkAWSFlags(); err != nil {
				return err
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
	f.StringVar(&g.configPath, "config", defaultConfig, "path of the config file")
	f.StringVar(&g.region, "region", "", "AWS region (default: the environment's region in the config, else AWS_REGION)")
	f.StringVar(&g.profile, "profile", "", "named AWS profile from the shared config files")
	f.StringVar(&g.roleARN, "role-arn", "", "IAM role to assume (via STS) in the target account")
	f.StringVar(&g.endpointURL, "endpoint-url", "", "replace every AWS endpoint, e.g. a local emulator (like the AWS CLI)")
	f.StringVarP(&g.output, "output", "o", "table", "result format: table or json")
	f.BoolVarP(&g.verbose, "verbose", "v", false, "debug logs on stderr")
	f.IntVar(&g.workers, "concurrency", release.DefaultWorkers, "functions handled at once")
	f.DurationVar(&g.callTimeout, "call-timeout", DefaultCallTimeout, "bound on each AWS call, retries included")

	root.AddCommand(publishCmd(g), statusCmd(g), verifyCmd(g), planCmd(g), rollbackCmd(g), pruneCmd(g), watchCmd(g), historyCmd(g), versionCmd())
	return root
}

// checkAWSFlags refuses values the SDK would only fail on later, and worse: an endpoint
// without a scheme is retried ten times as "unsupported protocol scheme", a role that is not an
// ARN is sent to STS.
func (g *globals) checkAWSFlags() error {
	if g.region != "" {
		if err := config.CheckRegion(g.region); err != nil {
			return usagef("--region: %w", err)
		}
	}
	if g.endpointURL != "" {
		u, err := url.Parse(g.endpointURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return usagef("--endpoint-url %q: want an http:// or https:// URL, such as http://localhost:5000", g.endpointURL)
		}
	}
	if g.roleARN != "" {
		a, err := arn.Parse(g.roleARN)
		if err != nil || a.Service != "iam" || !strings.HasPrefix(a.Resource, "role/") {
			return usagef("--role-arn %q: want an IAM role ARN, such as arn:aws:iam::123456789012:role/NAME", g.roleARN)
		}
	}
	return nil
}

const defaultConfig = "config/config.json"

// session is one command's loaded config, environment, functions and AWS clients.
type session struct {
	// raw and path are the file golive writes pins into (config.json, or with --stack a
	// --pins file, in layout), nil raw when there is none.
	raw    []byte
	layout pinfile.Layout
	fns    []release.Function
	rel    *release.Env
	path   string
	// clients are the AWS clients the session was opened with.
	clients Clients
}

// open loads the config, selects the environment and functions (all when none is named) and
// builds the AWS clients for the environment's region.
func (g *globals) open(ctx context.Context, t target) (*session, error) {
	if t.stack != "" {
		return g.openStack(ctx, t)
	}
	raw, err := readlimit.File(ctx, g.configPath, config.MaxFileBytes)
	if err != nil {
		return nil, failure{err: fmt.Errorf("read config: %w", err)}
	}
	cfg, err := config.Parse(raw)
	if err != nil {
		return nil, failure{err: fmt.Errorf("config %s: %w", g.configPath, err)}
	}
	env, err := cfg.Env(t.env)
	if err != nil {
		return nil, failure{err: fmt.Errorf("config %s: %w", g.configPath, err)}
	}
	s := &session{raw: raw, layout: pinfile.Config, path: g.configPath}
	if len(t.functions) == 0 {
		s.fns = release.FunctionsOf(env.Functions)
	}
	for _, n := range t.functions {
		fn, err := env.Function(n)
		if err != nil {
			return nil, failure{err: fmt.Errorf("config %s: env %s: %w", g.configPath, env.Name, err)}
		}
		s.fns = append(s.fns, release.FunctionOf(*fn))
	}
	region := g.region
	if region == "" {
		region = env.Region
	}
	c, err := g.clients(ctx, region, env.Name)
	if err != nil {
		return nil, err
	}
	s.clients = c
	s.rel = &release.Env{
		Target:  release.ConfigTarget(cfg, env),
		Lambda:  c.Lambda,
		Stacks:  c.Stacks,
		Deploys: c.Deploys,
		Metrics: c.Metrics,
		Workers: g.workers,
		Region:  c.Region,
		// A new version's wait to become Active is one more bound on AWS: --call-timeout.
		ActiveTimeout: g.callTimeout,
		Log:           g.log.With("env", env.Name),
	}
	g.log.Debug("opened", "config", g.configPath, "env", env.Name, "region", c.Region, "functions", len(s.fns))
	return s, nil
}

// clients builds the AWS clients for region ("" leaves it to the SDK) from the global flags;
// the assumed-role session, if any, is named after what golive acts on.
func (g *globals) clients(ctx context.Context, region, what string) (Clients, error) {
	opts := awsclient.Options{
		Region: region, Profile: g.profile, RoleARN: g.roleARN, EndpointURL: g.endpointURL,
		SessionName: awsclient.SessionName(what), CallTimeout: g.callTimeout,
	}
	newClients := g.app.NewClients
	if newClients == nil {
		newClients = SDKClients
	}
	c, err := newClients(ctx, opts)
	if err != nil {
		return Clients{}, failure{err: err}
	}
	if c.Region == "" {
		c.Region = opts.Region
	}
	return c, nil
}

// openStack is open for a stack that uses the construct without config.json: the functions
// are the stack's LiveVersion outputs, the region --region's (else the SDK's).
func (g *globals) openStack(ctx context.Context, t target) (*session, error) {
	c, err := g.clients(ctx, g.region, t.stack)
	if err != nil {
		return nil, err
	}
	env, err := release.StackTarget(ctx, c.Stacks, t.stack, c.Region)
	if err != nil {
		return nil, g.awsFailure(err)
	}
	s := &session{clients: c}
	s.rel = &release.Env{
		Target: env,
		Lambda: c.Lambda, Stacks: c.Stacks, Deploys: c.Deploys, Metrics: c.Metrics, Groups: c.Groups, Alarms: c.Alarms,
		Workers: g.workers, ActiveTimeout: g.callTimeout, Region: c.Region, Log: g.log.With("stack", t.stack),
	}
	// What config.json's rolled_back says, the alias's description says without it.
	if err := s.rel.ReadRollbackRecords(ctx, s.rel.Target.Functions); err != nil {
		return nil, g.awsFailure(err)
	}
	if t.pins != "" {
		if err := s.readPins(ctx, t.pins); err != nil {
			return nil, err
		}
	}
	if len(t.functions) == 0 {
		s.fns = s.rel.Target.Functions
	}
	for _, n := range t.functions {
		i := slices.IndexFunc(s.rel.Target.Functions, func(f release.Function) bool { return f.Name == n || f.FunctionName == n })
		if i < 0 {
			var names []string
			for _, f := range s.rel.Target.Functions {
				names = append(names, f.Name)
			}
			return nil, failure{err: fmt.Errorf("stack %s: unknown function %q; want one of: %s", t.stack, n, strings.Join(names, ", "))}
		}
		s.fns = append(s.fns, s.rel.Target.Functions[i])
	}
	g.log.Debug("opened", "stack", t.stack, "application", env.Application, "region", c.Region, "functions", len(s.fns))
	return s, nil
}

// SDKClients builds the AWS SDK clients, the default of App.NewClients.
func SDKClients(ctx context.Context, o awsclient.Options) (Clients, error) {
	c, err := awsclient.New(ctx, o)
	if err != nil {
		return Clients{}, err
	}
	return Clients{
		Lambda: c.Lambda, Stacks: c.CloudFormation, Deploys: c.CodeDeploy, Templates: c.CloudFormation, Metrics: c.CloudWatch,
		Groups: c.CodeDeploy, Releases: c.CodeDeploy, Alarms: c.CloudWatch, Logs: c.Logs, Region: c.Region,
	}, nil
}

// awsFailure wraps an AWS error with a hint when the endpoint cannot be reached at all.
func (g *globals) awsFailure(err error) error {
	if unreachable(err) {
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

// unreachable tells a network failure (no answer at all: the name does not resolve, or the
// connection is refused) from an AWS error. The SDK wraps the net package's errors in its
// own (smithyhttp.RequestSendError, retry.MaxAttemptsError), which unwrap to them.
func unreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	return errors.As(err, &dns) || (errors.As(err, &op) && op.Op == "dial")
}

// readPins takes the pins of a stack's functions from a pins file (package pins), under the
// stack's name, by construct id: what config.json's live_version, rollout and rolled_back are
// with --env. A function the file does not name keeps what the stack deployed; publish --pin
// adds it.
func (s *session) readPins(ctx context.Context, path string) error {
	raw, err := readlimit.File(ctx, path, pins.MaxFileBytes)
	if err != nil {
		return failure{err: fmt.Errorf("--pins: %w", err)}
	}
	f, err := pins.Parse(raw)
	if err != nil {
		return failure{err: fmt.Errorf("--pins %s: %w", path, err)}
	}
	s.raw, s.path, s.layout = raw, path, pinfile.PinsFile
	env := &s.rel.Target
	env.PinsFile = true
	for i := range env.Functions {
		fn := &env.Functions[i]
		p, err := f.Pin(env.Name, fn.Name)
		if err != nil {
			continue
		}
		fn.LiveVersion, fn.Rollout = p.LiveVersion, release.Rollout(p.Rollout)
		if p.RolledBack != "" {
			fn.RolledBack = p.RolledBack
		}
	}
	return nil
}
