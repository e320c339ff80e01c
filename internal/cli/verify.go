package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

type verifyOptions struct {
	target
	allowRename bool
	// app (a cloud assembly) or template (one template, compared with --stack) switch verify
	// to the check of the templates about to be deployed.
	app, template string
}

func verifyCmd(g *globals) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify (--env E | --stack NAME [--pins FILE]) [--function F]... | verify --app CDK_OUT | verify --template FILE --stack NAME",
		Short: "Pre-deploy gate: exit 1 when the next deploy would fail or drift",
		Long: `verify checks, before a deploy, that every pinned and weighted version exists, that the
LIVE alias is where the stack last put it (unless "rollout": "direct" re-records it), that
no canary would start from $LATEST, that no canary also changes the alias's provisioned
concurrency, that no split is left on a CodeDeploy alias, that the two versions of a canary or
of an additional_versions split have the same execution role and dead-letter config, that no
deployment is in flight, that the stack is neither changing (*_IN_PROGRESS) nor stuck after a
failed rollback (UPDATE_ROLLBACK_FAILED), and that no function is renamed (a new name is a new
function, without the old one's versions) unless --allow-rename. It prints one line per
problem and exits 1 on any.

--app (a cloud assembly directory, cdk.out after cdk synth) or --template FILE --stack NAME
instead compares each synthesized stack with the template CloudFormation last deployed for
it (GetTemplate) and refuses every change that drops traffic or loses versions, naming the
resource (logical ID, type) and why: a Lambda function replaced (a new logical ID for the
same FunctionName, or a new FunctionName or PackageType) or deleted; the alias deleted or
replaced (a new Name, FunctionName or logical ID); an AWS::Lambda::Version deleted without
DeletionPolicy Retain, or replaced without UpdateReplacePolicy Retain; a CodeDeploy
application or deployment group deleted or replaced; an event source mapping or permission
of an alias replaced; an alias routing to a version that does not exist. A stack not
deployed yet passes but for its pins. A CDK Pipelines stage is a nested assembly:
--app cdk.out/assembly-PIPELINE-STAGE.`,
		Example: `  golive verify --env prd && cdk deploy golive-demo-prd
  cdk synth && golive verify --app cdk.out && cdk deploy --all
  golive verify --template cdk.out/my-stack.template.json --stack my-stack`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			f := cmd.Flags()
			appSet, templateSet := f.Changed("app"), f.Changed("template")
			switch {
			case appSet && templateSet:
				return usagef("--app %q and --template %q: want one of them", o.app, o.template)
			case appSet && o.app == "":
				return usagef(`--app "": want a cloud assembly directory, such as cdk.out`)
			case templateSet && o.template == "":
				return usagef(`--template "": want a synthesized template file, such as cdk.out/my-stack.template.json`)
			case templateSet && (!f.Changed("stack") || o.stack == ""):
				return usagef("--template %s: want --stack NAME too, the deployed stack to compare it with", o.template)
			case appSet && f.Changed("stack"):
				return usagef("--app with --stack %q: --app checks every stack of the assembly under its own name; for one template use --template FILE --stack NAME", o.stack)
			case (appSet || templateSet) && f.Changed("env"):
				return usagef("--env with --app or --template: run the environment check and the template check as two verify commands")
			case (appSet || templateSet) && (f.Changed("function") || f.Changed("allow-rename") || f.Changed("pins")):
				return usagef("--function, --allow-rename and --pins apply to verify --env or --stack, not to the template check")
			case appSet || templateSet:
				return nil
			}
			return o.check(cmd)
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	o.registerPins(cmd)
	cmd.Flags().BoolVar(&o.allowRename, "allow-rename", false, "accept a function whose name differs from the one the stack deployed")
	cmd.Flags().StringVar(&o.app, "app", "", "cloud assembly directory (cdk.out): check each synthesized stack against the deployed one")
	cmd.Flags().StringVar(&o.template, "template", "", "one synthesized template to check against the deployed stack --stack")
	return cmd
}

func (o *verifyOptions) run(ctx context.Context, g *globals) error {
	if o.app != "" || o.template != "" {
		return o.verifyTemplates(ctx, g)
	}
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
		fmt.Fprintf(g.app.Stderr, "golive: verify found %d problem(s) in %s\n", len(rep.Problems), s.rel.Target.Name)
		return errReported
	}
	return nil
}
