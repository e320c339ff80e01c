package cli

import (
	"context"

	"github.com/spf13/cobra"
)

type statusOptions struct{ target }

func statusCmd(g *globals) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status (--env E | --stack NAME) [--function F]...",
		Short: "Show config pin, stack-deployed version, LIVE alias and newest version, with drift",
		Long: `status shows, per function, the version config.json pins, the version the stack last
deployed (its LiveVersion output), where the LIVE alias actually points (with weights), the
newest published version, unfinished CodeDeploy deployments, and every disagreement between
them, and what the stack's status means for a release (an update in progress, a failed
rollback). It exits 0 even with drift: verify is the gate.`,
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
