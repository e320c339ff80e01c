package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/internal/pinfile"
	"github.com/golive-dev/golive/internal/release"
)

func publishCmd(g *globals) *cobra.Command {
	var (
		env, smoke, description string
		functions               []string
		pin                     bool
	)
	cmd := &cobra.Command{
		Use:   "publish --env E [--function F]... [--smoke FILE] [--description D] [--pin]",
		Short: "Publish $LATEST of each function as an immutable version",
		Long: `publish waits until $LATEST finished updating, reads its CodeSha256 and RevisionId once,
optionally smoke-invokes it with a payload (refusing on a function error), then publishes
exactly that code: if someone updates $LATEST meanwhile, the publish fails instead of
releasing code nobody tested. Lambda returns the existing version when $LATEST was not
updated since the last publish: that function is reported "unchanged".

--pin writes each new version into config.json (live_version), with "rollout": "direct"
where LIVE is still on $LATEST or was moved outside the stack, and clears a leftover
"direct" otherwise so the release goes through the CodeDeploy canary. The file is only
written when every function succeeded, atomically, changing nothing but those values.`,
		Example: `  golive publish --env prd
  golive publish --env prd --function worker --smoke smoke/worker.json --pin
  golive publish --env prd --output json > published.json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var payload []byte
			if cmd.Flags().Changed("smoke") {
				b, err := os.ReadFile(smoke)
				if err != nil {
					return failure{err: fmt.Errorf("--smoke: %w", err)}
				}
				if !json.Valid(b) {
					return failure{err: fmt.Errorf("--smoke %s: not a JSON payload", smoke)}
				}
				payload = b
			}
			s, err := g.open(cmd.Context(), env, functions)
			if err != nil {
				return err
			}
			rep, err := s.rel.Publish(cmd.Context(), s.fns, release.PublishOptions{
				Description: description, Smoke: payload, Pin: pin,
			})
			if err != nil {
				return g.awsFailure(err)
			}
			var writeErr error
			if pins := rep.Pins(); pin && !rep.Failed() && len(pins) > 0 {
				writeErr = s.writePins(cmd, pins...)
				rep.ConfigUpdated = writeErr == nil
			} else if pin && rep.Failed() && len(pins) > 0 {
				g.log.Warn("a function failed, so config.json is left unchanged", "config", s.path)
			}
			if err := g.render(rep); err != nil {
				return failure{err: err}
			}
			if writeErr != nil {
				return failure{err: writeErr}
			}
			var errs []string
			for _, f := range rep.Functions {
				if f.Error != "" {
					errs = append(errs, f.Error)
				}
			}
			return g.failedFunctions("publish", errs, len(rep.Functions))
		},
	}
	envFlags(cmd, &env, &functions)
	f := cmd.Flags()
	f.StringVar(&smoke, "smoke", "", "JSON payload file to invoke $LATEST with before publishing")
	f.StringVar(&description, "description", "", "description of the new versions")
	f.BoolVar(&pin, "pin", false, "write the new versions into config.json")
	return cmd
}

// failedFunctions turns per-function failures, already shown in the result, into exit 1 with
// one summary line on stderr.
func (g *globals) failedFunctions(what string, errs []string, total int) error {
	if len(errs) == 0 {
		return nil
	}
	fmt.Fprintf(g.app.Stderr, "golive: %s failed for %d of %d functions\n", what, len(errs), total)
	for _, e := range errs {
		if unreachable(e) {
			fmt.Fprintf(g.app.Stderr, "golive: cannot reach %s (check --endpoint-url, --region and the network)\n", g.where())
			break
		}
	}
	return errReported
}

// writePins applies pins to the config bytes read at the start and replaces the file, unless
// the run was interrupted meanwhile.
func (s *session) writePins(cmd *cobra.Command, pins ...pinfile.Pin) error {
	updated, err := pinfile.Apply(s.raw, pins...)
	if err != nil {
		return fmt.Errorf("config %s: %w", s.path, err)
	}
	if err := cmd.Context().Err(); err != nil {
		return fmt.Errorf("interrupted, config %s left unchanged: %w", s.path, err)
	}
	if err := pinfile.Write(s.path, s.raw, updated); err != nil {
		return err
	}
	return nil
}

func statusCmd(g *globals) *cobra.Command {
	var (
		env       string
		functions []string
	)
	cmd := &cobra.Command{
		Use:   "status --env E [--function F]...",
		Short: "Show config pin, stack-deployed version, LIVE alias and newest version, with drift",
		Long: `status shows, per function, the version config.json pins, the version the stack last
deployed (its LiveVersion output), where the LIVE alias actually points (with weights), the
newest published version, unfinished CodeDeploy deployments, and every disagreement between
them. It exits 0 even with drift: verify is the gate.`,
		Example: `  golive status --env prd
  golive status --env prd --output json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.open(cmd.Context(), env, functions)
			if err != nil {
				return err
			}
			rep, err := s.rel.Status(cmd.Context(), s.fns)
			if err != nil {
				return g.awsFailure(err)
			}
			if err := g.render(rep); err != nil {
				return failure{err: err}
			}
			var errs []string
			for _, f := range rep.Functions {
				if f.Error != "" {
					errs = append(errs, f.Error)
				}
			}
			return g.failedFunctions("status", errs, len(rep.Functions))
		},
	}
	envFlags(cmd, &env, &functions)
	return cmd
}

func verifyCmd(g *globals) *cobra.Command {
	var (
		env         string
		functions   []string
		allowRename bool
	)
	cmd := &cobra.Command{
		Use:   "verify --env E [--function F]...",
		Short: "Pre-deploy gate: exit 1 when the next deploy would fail or drift",
		Long: `verify checks, before a deploy, that every pinned and weighted version exists, that the
LIVE alias is where the stack last put it (unless "rollout": "direct" re-records it), that
no canary would start from $LATEST, that no split is left on a CodeDeploy alias, that no
deployment is in flight and that no function is renamed (a new name is a new function, without
the old one's versions) unless --allow-rename. It prints one line per problem and exits 1 on any.`,
		Example: `  golive verify --env prd && cdk deploy golive-demo-prd`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.open(cmd.Context(), env, functions)
			if err != nil {
				return err
			}
			s.rel.AllowRename = allowRename
			rep, err := s.rel.Verify(cmd.Context(), s.fns)
			if err != nil {
				return g.awsFailure(err)
			}
			if err := g.render(rep); err != nil {
				return failure{err: err}
			}
			if !rep.OK {
				fmt.Fprintf(g.app.Stderr, "golive: verify found %d problem(s) in %s\n", len(rep.Problems), env)
				return errReported
			}
			return nil
		},
	}
	envFlags(cmd, &env, &functions)
	cmd.Flags().BoolVar(&allowRename, "allow-rename", false, "accept a function whose name differs from the one the stack deployed")
	return cmd
}

func rollbackCmd(g *globals) *cobra.Command {
	var env, function, to string
	cmd := &cobra.Command{
		Use:   "rollback --env E --function F [--to N]",
		Short: "Return LIVE to the previous (or given) version and record it in config.json",
		Long: `rollback returns LIVE to an earlier version and leaves config, alias and stack
consistent, so the next pipeline run converges instead of failing.

While a CodeDeploy deployment is in flight, it stops the deployment with auto-rollback:
CodeDeploy restores the alias, CloudFormation rolls the stack back, and config.json gets
the old pin back. Afterwards, it moves the alias directly (guarded by its RevisionId,
clearing any weighted split) and writes live_version N with "rollout": "direct", so the
next deploy records N in the stack without a CodeDeploy deployment.

Without --to, the target is the highest published version below the alias's current one.`,
		Example: `  golive rollback --env prd --function worker
  golive rollback --env prd --function worker --to 41`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := g.open(cmd.Context(), env, []string{function})
			if err != nil {
				return err
			}
			plan, err := s.rel.PlanRollback(cmd.Context(), s.fns[0], to)
			if err != nil {
				return g.awsFailure(err)
			}
			// Check the config edit before touching AWS, so a bad edit never follows a rollback.
			updated, err := pinfile.Apply(s.raw, plan.Pin)
			if err != nil {
				return failure{err: fmt.Errorf("config %s: %w", s.path, err)}
			}
			if err := s.rel.Rollback(cmd.Context(), plan); err != nil {
				return g.awsFailure(err)
			}
			werr := pinfile.Write(s.path, s.raw, updated)
			plan.ConfigUpdated = werr == nil
			if err := g.render(plan); err != nil {
				return failure{err: err}
			}
			if werr != nil {
				return failure{err: fmt.Errorf("LIVE was rolled back to %s but %w; set envs.%s.lambda_functions.%s to %s by hand before the next deploy",
					plan.To, werr, env, function, describePin(plan.Config))}
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&env, "env", "", "environment in the config (required)")
	f.StringVar(&function, "function", "", "function key in the config (required)")
	f.StringVar(&to, "to", "", "version to return to (default: the highest published version below LIVE's)")
	_ = cmd.MarkFlagRequired("env")
	_ = cmd.MarkFlagRequired("function")
	return cmd
}

func describePin(c release.ConfigPin) string {
	s := fmt.Sprintf(`"live_version": %q`, c.LiveVersion)
	if c.LiveVersion == release.Latest {
		s = `"live_version": null`
	}
	if c.Rollout != "" {
		s += fmt.Sprintf(`, "rollout": %q`, c.Rollout)
	}
	return s
}

func pruneCmd(g *globals) *cobra.Command {
	var (
		env       string
		functions []string
		keep      int
		dryRun    bool
	)
	cmd := &cobra.Command{
		Use:   "prune --env E --keep K [--dry-run]",
		Short: "Delete old versions nothing refers to, keeping the newest K",
		Long: `prune deletes published versions, never one that an alias routes to (target or weighted
split), that any environment's config pins or weights for the same function, that the stack
last deployed, or that is among the newest K. It refuses to run while a CodeDeploy
deployment is in flight, and reports code storage used and freed against the account's
limit (75 GB by default).`,
		Example: `  golive prune --env prd --keep 5 --dry-run
  golive prune --env prd --keep 5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if keep < 0 {
				return usagef("--keep %d: want 0 or more", keep)
			}
			s, err := g.open(cmd.Context(), env, functions)
			if err != nil {
				return err
			}
			rep, err := s.rel.Prune(cmd.Context(), s.fns, keep, dryRun)
			if err != nil {
				if errors.Is(err, release.ErrInFlight) {
					return failure{err: err}
				}
				return g.awsFailure(err)
			}
			if err := g.render(rep); err != nil {
				return failure{err: err}
			}
			var errs []string
			for _, f := range rep.Functions {
				if f.Error != "" {
					errs = append(errs, f.Error)
				}
			}
			return g.failedFunctions("prune", errs, len(rep.Functions))
		},
	}
	envFlags(cmd, &env, &functions)
	f := cmd.Flags()
	f.IntVar(&keep, "keep", 0, "how many of the newest versions to keep besides referenced ones (required)")
	f.BoolVar(&dryRun, "dry-run", false, "list what would be deleted, delete nothing")
	_ = cmd.MarkFlagRequired("keep")
	return cmd
}

// envFlags registers the flags that choose what a command acts on: --env (required) and
// --function (repeatable; default: every function of the env).
func envFlags(cmd *cobra.Command, env *string, functions *[]string) {
	cmd.Flags().StringVar(env, "env", "", "environment in the config (required)")
	cmd.Flags().StringSliceVar(functions, "function", nil, "function key in the config (repeatable; default: all)")
	_ = cmd.MarkFlagRequired("env")
}
