package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/internal/pinfile"
	"github.com/golive-dev/golive/internal/release"
)

// Every command keeps its flags in an options struct whose run method does the work: the
// flags are registered next to the struct's fields, and what a command acts on (--env and
// --function) is one type, target, registered the same way everywhere.

// target is what a command acts on: one environment and some of its functions (all when
// none is named).
type target struct {
	env       string
	functions []string
	// stack, instead of env, is a stack that uses the construct without config.json.
	stack string
	// one is set for commands that act on exactly one function (rollback).
	one bool
}

func (t *target) register(cmd *cobra.Command, one bool) {
	t.one = one
	f := cmd.Flags()
	f.StringVar(&t.env, "env", "", "environment in the config (this or --stack is required)")
	f.StringVar(&t.stack, "stack", "", "a stack that uses the construct, without config.json: its functions come from its LiveVersion outputs")
	if one {
		f.StringSliceVar(&t.functions, "function", nil, "function key in the config, or with --stack its construct id or name (required)")
		_ = cmd.MarkFlagRequired("function")
	} else {
		f.StringSliceVar(&t.functions, "function", nil, "function key in the config, or with --stack its construct id or name (repeatable; default: all)")
	}
}

// check refuses an empty --env or --function: an unset pipeline variable must not select
// every function.
func (t *target) check(cmd *cobra.Command) error {
	envSet, stackSet := cmd.Flags().Changed("env"), cmd.Flags().Changed("stack")
	switch {
	case envSet && stackSet:
		return usagef("--env %q and --stack %q: want one of them (--stack works without config.json)", t.env, t.stack)
	case !envSet && !stackSet:
		return usagef("want --env E (an environment of config.json) or --stack NAME (a stack that uses the construct)")
	case stackSet && t.stack == "":
		return usagef(`--stack "": want a CloudFormation stack name`)
	case envSet && t.env == "":
		return usagef(`--env "": want an environment of the config, such as prd`)
	}
	if cmd.Flags().Changed("function") {
		if len(t.functions) == 0 {
			return usagef(`--function "": want a function key of the config (leave --function out for every function)`)
		}
		for _, f := range t.functions {
			if strings.TrimSpace(f) == "" {
				return usagef("--function %q: an empty name in the list; want function keys of the config", strings.Join(t.functions, ","))
			}
		}
	}
	if t.one && len(t.functions) != 1 {
		return usagef("--function %q: want exactly one function", strings.Join(t.functions, ","))
	}
	return nil
}

// perFunction is a result with an outcome per function; its failures are already shown in
// the result.
type perFunction interface{ FunctionErrors() []error }

// finish turns per-function failures into exit 1 with one summary line on stderr (and the
// endpoint hint when the network, not AWS, failed).
func (g *globals) finish(what string, rep perFunction, total int) error {
	errs := rep.FunctionErrors()
	if len(errs) == 0 {
		return nil
	}
	fmt.Fprintf(g.app.Stderr, "golive: %s failed for %d of %d functions\n", what, len(errs), total)
	for _, err := range errs {
		if unreachable(err) {
			fmt.Fprintf(g.app.Stderr, "golive: cannot reach %s (check --endpoint-url, --region and the network)\n", g.where())
			break
		}
	}
	return errReported
}

// command is the golive command line that reruns args with this run's global flags.
func (g *globals) command(args ...string) string {
	var b strings.Builder
	b.WriteString("golive")
	add := func(flag, v, def string) {
		if v != def {
			args = append(args, flag, v)
		}
	}
	add("--config", g.configPath, defaultConfig)
	add("--region", g.region, "")
	add("--profile", g.profile, "")
	add("--role-arn", g.roleARN, "")
	add("--endpoint-url", g.endpointURL, "")
	add("--call-timeout", g.callTimeout.String(), DefaultCallTimeout.String())
	add("--concurrency", strconv.Itoa(g.workers), strconv.Itoa(release.DefaultWorkers))
	for _, a := range args {
		b.WriteByte(' ')
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,@+%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

type publishOptions struct {
	target
	smoke, description string
	pin                bool
}

func publishCmd(g *globals) *cobra.Command {
	o := &publishOptions{}
	cmd := &cobra.Command{
		Use:   "publish (--env E | --stack NAME) [--function F]... [--smoke FILE] [--description D] [--pin]",
		Short: "Publish $LATEST of each function as an immutable version",
		Long: `publish waits until $LATEST finished updating, reads its CodeSha256 and RevisionId once,
optionally smoke-invokes it with a payload (refusing on a function error), then publishes
exactly that code: if someone updates $LATEST meanwhile, the publish fails instead of
releasing code nobody tested. Lambda returns the existing version when $LATEST was not
updated since the last publish: that function is reported "unchanged".

--pin writes into config.json (live_version) every version of the current $LATEST that is
newer than the pin, new or published by an earlier run that did not pin it, except the
version a rollback moved LIVE away from (rolled_back). It sets "rollout": "direct" where
LIVE is still on $LATEST or was moved outside the stack, and clears a leftover "direct"
otherwise so the release goes through the CodeDeploy canary. The pins of the functions that
succeeded are written even when others failed, atomically, under a lock beside the file,
changing nothing but those values; a failed run lists what it published but did not pin and
the command that finishes the job.`,
		Example: `  golive publish --env prd
  golive publish --env prd --function worker --smoke smoke/worker.json --pin
  golive publish --env prd --output json > published.json`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			if o.pin && o.stack != "" {
				return usagef("--pin with --stack: --pin writes config.json, and --stack runs without it; set the version in your app instead")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	f := cmd.Flags()
	f.StringVar(&o.smoke, "smoke", "", "JSON payload file to invoke $LATEST with before publishing")
	f.StringVar(&o.description, "description", "", "description of the new versions")
	f.BoolVar(&o.pin, "pin", false, "write the new versions into config.json")
	return cmd
}

func (o *publishOptions) run(ctx context.Context, g *globals) error {
	var payload []byte
	if o.smoke != "" {
		b, err := os.ReadFile(o.smoke)
		if err != nil {
			return failure{err: fmt.Errorf("--smoke: %w", err)}
		}
		if !json.Valid(b) {
			return failure{err: fmt.Errorf("--smoke %s: not JSON; want a file holding one JSON value, the event to invoke $LATEST with", o.smoke)}
		}
		payload = b
	}
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	if o.pin {
		// Before anything is published: a version nobody can pin is a release half done.
		if err := pinfile.CheckWritable(s.path); err != nil {
			return failure{err: fmt.Errorf("--pin: %w; nothing published", err)}
		}
	}
	rep, err := s.rel.Publish(ctx, s.fns, release.PublishOptions{Description: o.description, Smoke: payload, Pin: o.pin})
	if err != nil {
		return g.awsFailure(err)
	}
	var writeErr error
	if pins := rep.Pins(); o.pin && len(pins) > 0 {
		if ctx.Err() != nil {
			writeErr = fmt.Errorf("config %s left unchanged: %w", s.path, context.Cause(ctx))
		} else if writeErr = s.writePins(ctx, pins...); writeErr == nil {
			rep.MarkPinned()
		}
	}
	if o.pin {
		rep.NotPinned = rep.Unpinned()
	}
	var redo []string
	for _, f := range rep.Functions {
		if f.Status == release.StatusFailed || (o.pin && f.Pin != nil && !f.Pinned) {
			redo = append(redo, f.Function)
		}
	}
	if len(redo) > 0 {
		args := []string{"publish", "--env", o.env}
		if o.stack != "" {
			args = []string{"publish", "--stack", o.stack}
		}
		if len(redo) < len(s.env.Functions) || len(o.functions) > 0 {
			args = append(args, "--function", strings.Join(redo, ","))
		}
		if o.smoke != "" {
			args = append(args, "--smoke", o.smoke)
		}
		if o.description != "" {
			args = append(args, "--description", o.description)
		}
		if o.pin {
			args = append(args, "--pin")
		}
		rep.Rerun = g.command(args...)
	}
	if err := g.render(rep); err != nil {
		return failure{err: err}
	}
	if writeErr != nil {
		fmt.Fprintf(g.app.Stderr, "golive: %v\n", writeErr)
	}
	if len(rep.NotPinned) > 0 {
		var vs []string
		for _, u := range rep.NotPinned {
			vs = append(vs, u.Function+" "+u.Version)
		}
		fmt.Fprintf(g.app.Stderr, "golive: published but not pinned: %s\n", strings.Join(vs, ", "))
	}
	if rep.Rerun != "" {
		fmt.Fprintf(g.app.Stderr, "golive: to finish, run: %s\n", rep.Rerun)
	}
	if err := g.finish("publish", rep, len(rep.Functions)); err != nil {
		return err
	}
	if writeErr != nil {
		return errReported
	}
	return nil
}

// writePins writes pins into config.json under the lock beside it, over what other runs
// wrote meanwhile, unless someone changed the pinned functions' entries since this run read
// them (pinfile.Write).
func (s *session) writePins(ctx context.Context, pins ...pinfile.Pin) error {
	if err := pinfile.Write(ctx, s.path, s.raw, pins...); err != nil {
		if errors.Is(err, pinfile.ErrChanged) {
			return fmt.Errorf("config not written: %w (another golive run, or an edit, since this one read it)", err)
		}
		return fmt.Errorf("config not written: %w", err)
	}
	return nil
}

type statusOptions struct{ target }

func statusCmd(g *globals) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status (--env E | --stack NAME) [--function F]...",
		Short: "Show config pin, stack-deployed version, LIVE alias and newest version, with drift",
		Long: `status shows, per function, the version config.json pins, the version the stack last
deployed (its LiveVersion output), where the LIVE alias actually points (with weights), the
newest published version, unfinished CodeDeploy deployments, and every disagreement between
them. It exits 0 even with drift: verify is the gate.`,
		Example: `  golive status --env prd
  golive status --env prd --output json`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return o.check(cmd) },
		RunE:    func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	return cmd
}

func (o *statusOptions) run(ctx context.Context, g *globals) error {
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	rep, err := s.rel.Status(ctx, s.fns)
	if err != nil {
		return g.awsFailure(err)
	}
	if err := g.render(rep); err != nil {
		return failure{err: err}
	}
	return g.finish("status", rep, len(rep.Functions))
}

type verifyOptions struct {
	target
	allowRename bool
}

func verifyCmd(g *globals) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify (--env E | --stack NAME) [--function F]...",
		Short: "Pre-deploy gate: exit 1 when the next deploy would fail or drift",
		Long: `verify checks, before a deploy, that every pinned and weighted version exists, that the
LIVE alias is where the stack last put it (unless "rollout": "direct" re-records it), that
no canary would start from $LATEST, that no canary also changes the alias's provisioned
concurrency, that no split is left on a CodeDeploy alias, that no deployment is in flight and
that no function is renamed (a new name is a new function, without the old one's versions)
unless --allow-rename. It prints one line per problem and exits 1 on any.`,
		Example: `  golive verify --env prd && cdk deploy golive-demo-prd`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return o.check(cmd) },
		RunE:    func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	cmd.Flags().BoolVar(&o.allowRename, "allow-rename", false, "accept a function whose name differs from the one the stack deployed")
	return cmd
}

func (o *verifyOptions) run(ctx context.Context, g *globals) error {
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	s.rel.AllowRename = o.allowRename
	rep, err := s.rel.Verify(ctx, s.fns)
	if err != nil {
		return g.awsFailure(err)
	}
	if err := g.render(rep); err != nil {
		return failure{err: err}
	}
	if !rep.OK {
		fmt.Fprintf(g.app.Stderr, "golive: verify found %d problem(s) in %s\n", len(rep.Problems), s.env.Name)
		return errReported
	}
	return nil
}

type rollbackOptions struct {
	target
	to string
}

func rollbackCmd(g *globals) *cobra.Command {
	o := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback (--env E | --stack NAME) --function F [--to N]",
		Short: "Return LIVE to the previous (or given) version and record it in config.json",
		Long: `rollback returns LIVE to an earlier version and leaves config, alias and stack
consistent, so the next pipeline run converges instead of failing.

While a CodeDeploy deployment is in flight, it stops the deployment with auto-rollback:
CodeDeploy restores the alias, CloudFormation rolls the stack back, and config.json gets
the old pin back. Afterwards, it moves the alias directly (guarded by its RevisionId,
clearing any weighted split) and writes live_version N with "rollout": "direct", so the
next deploy records N in the stack without a CodeDeploy deployment. Either way config.json
records the version LIVE left as rolled_back, which publish --pin never pins again.

Without --to, the target is the highest published version below the alias's current one.`,
		Example: `  golive rollback --env prd --function worker
  golive rollback --env prd --function worker --to 41`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			if err := release.CheckRollbackTarget(o.to); err != nil {
				return usageError{err}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, true)
	cmd.Flags().StringVar(&o.to, "to", "", "version to return to (default: the highest published version below LIVE's)")
	return cmd
}

func (o *rollbackOptions) run(ctx context.Context, g *globals) error {
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	if s.raw != nil {
		if err := pinfile.CheckWritable(s.path); err != nil {
			return failure{err: fmt.Errorf("%w; nothing rolled back", err)}
		}
	}
	plan, err := s.rel.PlanRollback(ctx, s.fns[0], o.to)
	if err != nil {
		return g.awsFailure(err)
	}
	if s.raw == nil {
		// --stack: no config.json to keep in step; the app's code holds the version.
		if err := s.rel.Rollback(ctx, plan); err != nil {
			return g.awsFailure(err)
		}
		if err := g.render(plan); err != nil {
			return failure{err: err}
		}
		switch plan.Mode {
		case release.ModeAlias:
			fmt.Fprintf(g.app.Stderr, "golive: no config.json with --stack: before the next deploy, set %s's live version to %s in your app, with a direct rollout (no CodeDeploy deployment), so the stack records it\n",
				plan.Function, plan.To)
		case release.ModeStopDeployment:
			// CloudFormation rolls the stack back, but the app's code still pins the stopped
			// version: the next deploy would release it again.
			fmt.Fprintf(g.app.Stderr, "golive: no config.json with --stack: CloudFormation rolls the stack back to %s; before the next deploy, set %s's live version back to %s in your app, or that deploy releases the stopped version again\n",
				plan.To, plan.Function, plan.To)
		}
		return nil
	}
	// Check the config edit before touching AWS, so a bad edit never follows a rollback.
	if _, err := pinfile.Apply(s.raw, plan.Pin); err != nil {
		return failure{err: fmt.Errorf("config %s: %w", s.path, err)}
	}
	if err := s.rel.Rollback(ctx, plan); err != nil {
		return g.awsFailure(err)
	}
	// LIVE has moved: config must follow even if an interrupt arrived meanwhile.
	werr := pinfile.Write(context.WithoutCancel(ctx), s.path, s.raw, plan.Pin)
	plan.ConfigUpdated = werr == nil
	if err := g.render(plan); err != nil {
		return failure{err: err}
	}
	if werr != nil {
		return failure{err: fmt.Errorf("LIVE was rolled back to %s but %w; set envs.%s.lambda_functions.%s to %s by hand before the next deploy",
			plan.To, werr, s.env.Name, plan.Function, describePin(plan.Config))}
	}
	return nil
}

func describePin(c release.ConfigPin) string {
	s := fmt.Sprintf(`"live_version": %q`, c.LiveVersion)
	if c.LiveVersion == release.Latest {
		s = `"live_version": null`
	}
	if c.Rollout != "" {
		s += fmt.Sprintf(`, "rollout": %q`, c.Rollout)
	}
	if c.RolledBack != "" {
		s += fmt.Sprintf(`, "rolled_back": %q`, c.RolledBack)
	}
	return s
}

type pruneOptions struct {
	target
	keep   int
	dryRun bool
}

func pruneCmd(g *globals) *cobra.Command {
	o := &pruneOptions{}
	cmd := &cobra.Command{
		Use:   "prune (--env E | --stack NAME) [--function F]... --keep K [--dry-run]",
		Short: "Delete old versions nothing refers to, keeping the newest K",
		Long: `prune deletes published versions, never one that an alias routes to (target or weighted
split), that any environment's config pins or weights for the same function, that the stack
last deployed, that is newer than the newest of those (a release candidate, published and
not pinned or deployed yet), or that is among the newest K. It refuses to run while a
CodeDeploy deployment is in flight, and reports what it deleted (also when interrupted, and a
version whose delete answer was lost) and code storage used and freed against the account's
limit (75 GB by default).`,
		Example: `  golive prune --env prd --keep 5 --dry-run
  golive prune --env prd --keep 5`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			if o.keep < 0 {
				return usagef("--keep %d: want 0 or more", o.keep)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	f := cmd.Flags()
	f.IntVar(&o.keep, "keep", 0, "how many of the newest versions to keep besides referenced ones (required)")
	f.BoolVar(&o.dryRun, "dry-run", false, "list what would be deleted, delete nothing")
	_ = cmd.MarkFlagRequired("keep")
	return cmd
}

func (o *pruneOptions) run(ctx context.Context, g *globals) error {
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	rep, err := s.rel.Prune(ctx, s.fns, o.keep, o.dryRun)
	if err != nil {
		if errors.Is(err, release.ErrInFlight) {
			return failure{err: err}
		}
		return g.awsFailure(err)
	}
	if err := g.render(rep); err != nil {
		return failure{err: err}
	}
	return g.finish("prune", rep, len(rep.Functions))
}

func versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print golive's module version and commit",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			info, ok := debug.ReadBuildInfo()
			fmt.Fprintln(cmd.OutOrStdout(), versionString(info, ok))
			return nil
		},
	}
}

// versionString is "golive <module version> (<commit>)" from the build info the go command
// embeds: the module version for `go install ...@v1.2.3` ("(devel)" in a checkout), the
// commit from the VCS stamp of a checkout build, else from a pseudo-version.
func versionString(info *debug.BuildInfo, ok bool) string {
	if !ok || info == nil {
		return "golive (unknown) (unknown)"
	}
	version := info.Main.Version
	if version == "" {
		version = "(devel)"
	}
	commit, dirty := "", false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			commit = s.Value
		case "vcs.modified":
			dirty = s.Value == "true"
		}
	}
	if commit == "" {
		// v0.0.0-20260101120000-abcdef123456 (a pseudo-version names its commit last).
		if i := strings.LastIndexByte(version, '-'); i >= 0 && len(version)-i-1 == 12 {
			commit = version[i+1:]
		}
	}
	switch {
	case commit == "":
		commit = "unknown"
	case len(commit) > 12:
		commit = commit[:12]
	}
	if dirty {
		commit += "-dirty"
	}
	return fmt.Sprintf("golive %s (%s)", version, commit)
}
