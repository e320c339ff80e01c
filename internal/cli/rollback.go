package cli

import (
	"context"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/internal/pinfile"
	"github.com/golive-dev/golive/internal/release"
)

type rollbackOptions struct {
	target
	to string
}

func rollbackCmd(g *globals) *cobra.Command {
	o := &rollbackOptions{}
	cmd := &cobra.Command{
		Use:   "rollback (--env E | --stack NAME [--pins FILE]) --function F [--to N]",
		Short: "Return LIVE to the previous (or given) version and record it in config.json",
		Long: `rollback returns LIVE to an earlier version and leaves config, alias and stack
consistent, so the next pipeline run converges instead of failing.

While a CodeDeploy deployment is in flight, it stops the deployment with auto-rollback:
CodeDeploy restores the alias, CloudFormation rolls the stack back, and config.json gets
the old pin back. Afterwards, it moves the alias directly (guarded by its RevisionId,
clearing any weighted split) and writes live_version N with "rollout": "direct", so the
next deploy records N in the stack without a CodeDeploy deployment. Either way config.json
records the version LIVE left as rolled_back, which publish --pin never pins again.

It reads each deployment in flight first and never stops CodeDeploy's own rollback
deployment (creator codeDeployRollback or CloudFormationRollback); it stops a deployment only
while the stack is UPDATE_IN_PROGRESS, and names the other functions of that stack update,
which CloudFormation rolls back with it. It moves the alias itself only when no stack
operation is in progress.

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
	o.registerPins(cmd)
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
	defer o.warn(g, plan, s.raw != nil)
	if s.raw == nil {
		// --stack: no config.json to keep in step; the app's code holds the version.
		if err := s.rel.Rollback(ctx, plan, release.RollbackOptions{}); err != nil {
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
	if _, err := s.layout.Apply(s.raw, plan.Pin); err != nil {
		return failure{err: fmt.Errorf("config %s: %w", s.path, err)}
	}
	write := func(ctx context.Context, pin pinfile.Pin) error { return s.layout.Write(ctx, s.path, s.raw, pin) }
	if err := s.rel.Rollback(ctx, plan, release.RollbackOptions{WritePin: write}); err != nil {
		return g.awsFailure(err)
	}
	if err := g.render(plan); err != nil {
		return failure{err: err}
	}
	if plan.PinError != nil {
		return failure{err: fmt.Errorf("%s was rolled back to %s but %w; set envs.%s.lambda_functions.%s to %s by hand before the next deploy",
			plan.Alias, plan.To, plan.PinError, s.rel.Target.Name, plan.Function, describePin(plan.Config))}
	}
	return nil
}

// warn says on stderr, after the result, what the rollback means beyond the function: the
// stack's state, and the other functions CloudFormation rolls back with it, whose pins
// config.json (or the app) still holds.
func (o *rollbackOptions) warn(g *globals, plan *release.RollbackPlan, withConfig bool) {
	if plan.Warning != "" {
		fmt.Fprintf(g.app.Stderr, "golive: %s\n", plan.Warning)
	}
	if len(plan.RolledBackWith) == 0 {
		return
	}
	var names []string
	for _, s := range plan.RolledBackWith {
		names = append(names, s.Function)
	}
	where := "your app"
	if withConfig {
		where = "config.json"
	}
	fmt.Fprintf(g.app.Stderr, "golive: CloudFormation rolls back the whole stack update, so %s also return to the versions the stack recorded; "+
		"%s still pins what this update released for them: set those back too, or the next deploy releases them again\n",
		strings.Join(names, ", "), where)
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
