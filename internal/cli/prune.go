package cli

import (
	"context"
	"errors"

	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/internal/release"
)

type pruneOptions struct {
	target
	keep   int
	dryRun bool
}

func pruneCmd(g *globals) *cobra.Command {
	o := &pruneOptions{}
	cmd := &cobra.Command{
		Use:   "prune (--env E | --stack NAME [--pins FILE]) [--function F]... --keep K [--dry-run]",
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
	o.registerPins(cmd)
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
