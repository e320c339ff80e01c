package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

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
concurrency, that no split is left on a CodeDeploy alias, that the two versions of a canary or
of an additional_versions split have the same execution role and dead-letter config, that no
deployment is in flight, that the stack is neither changing (*_IN_PROGRESS) nor stuck after a
failed rollback (UPDATE_ROLLBACK_FAILED), and that no function is renamed (a new name is a new
function, without the old one's versions) unless --allow-rename. It prints one line per
problem and exits 1 on any.`,
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
