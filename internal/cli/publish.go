package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/internal/pinfile"
	"github.com/golive-dev/golive/internal/readlimit"
	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/versiondesc"
)

type publishOptions struct {
	target
	smoke, description string
	descriptionSet     bool
	pin                bool
}

func publishCmd(g *globals) *cobra.Command {
	o := &publishOptions{}
	cmd := &cobra.Command{
		Use:   "publish (--env E | --stack NAME [--pins FILE]) [--function F]... [--smoke FILE] [--description D] [--pin]",
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
the command that finishes the job.

Each new version's description records the commit it was built from, "commit SHA" (with
" (dirty)" when the git work tree had changes): --description replaces it; otherwise the
commit comes from GOLIVE_SOURCE_COMMIT, then CodeBuild's CODEBUILD_RESOLVED_SOURCE_VERSION,
then 'git rev-parse HEAD' when golive runs in a git work tree. status and history show it.`,
		Example: `  golive publish --env prd
  golive publish --env prd --function worker --smoke smoke/worker.json --pin
  golive publish --env prd --output json > published.json`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			o.descriptionSet = cmd.Flags().Changed("description")
			if o.pin && o.stack != "" && o.pins == "" {
				return usagef("--pin with --stack: --pin writes config.json, and --stack runs without it; add --pins FILE (a pins file) or set the version in your app instead")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	o.registerPins(cmd)
	f := cmd.Flags()
	f.StringVar(&o.smoke, "smoke", "", "JSON payload file to invoke $LATEST with before publishing")
	f.StringVar(&o.description, "description", "", "description of the new versions (default: the source commit, from "+
		versiondesc.SourceCommitEnv+", "+versiondesc.CodeBuildSourceVersionEnv+" or git)")
	f.BoolVar(&o.pin, "pin", false, "write the new versions into config.json")
	return cmd
}

// maxSmokeEventBytes is Lambda's limit on a synchronous invocation's request payload: 6 MB
// (Lambda Developer Guide, Lambda quotas, "Invocation payload (request and response)"), which
// Lambda's RequestEntityTooLargeException states as 6291456 bytes. A larger --smoke file could
// never be invoked, so it is refused unread.
const maxSmokeEventBytes = 6 << 20

func (o *publishOptions) run(ctx context.Context, g *globals) error {
	var payload []byte
	if o.smoke != "" {
		b, err := readlimit.File(ctx, o.smoke, maxSmokeEventBytes)
		if err != nil {
			return failure{err: fmt.Errorf("--smoke: %w", err)}
		}
		if !json.Valid(b) {
			return failure{err: fmt.Errorf("--smoke %s: not JSON; want a file holding one JSON value, the event to invoke $LATEST with", o.smoke)}
		}
		payload = b
	}
	var flag *string
	if o.descriptionSet {
		flag = &o.description
	}
	desc, from, err := versionDescription(ctx, flag, g.app.getenv, g.app.Dir)
	if err != nil {
		return err
	}
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	if desc != "" {
		g.log.Info("version description", "description", desc, "from", from)
	}
	if o.pin {
		// Before anything is published: a version nobody can pin is a release half done.
		if err := pinfile.CheckWritable(s.path); err != nil {
			return failure{err: fmt.Errorf("--pin: %w; nothing published", err)}
		}
	}
	po := release.PublishOptions{Description: desc, Smoke: payload, Pin: o.pin, Rerun: func(redo []string) string {
		args := []string{"publish", "--env", o.env}
		if o.stack != "" {
			args = []string{"publish", "--stack", o.stack}
		}
		if len(redo) < len(s.rel.Target.Functions) || len(o.functions) > 0 {
			args = append(args, "--function", strings.Join(redo, ","))
		}
		if o.smoke != "" {
			args = append(args, "--smoke", o.smoke)
		}
		if o.description != "" {
			args = append(args, "--description", o.description)
		}
		if o.pins != "" {
			args = append(args, "--pins", o.pins)
		}
		if o.pin {
			args = append(args, "--pin")
		}
		return g.command(args...)
	}}
	if o.pin {
		po.WritePins = func(ctx context.Context, pins ...pinfile.Pin) error {
			if ctx.Err() != nil {
				return fmt.Errorf("config %s left unchanged: %w", s.path, context.Cause(ctx))
			}
			return s.writePins(ctx, pins...)
		}
	}
	rep, err := s.rel.Publish(ctx, s.fns, po)
	if err != nil {
		return g.awsFailure(err)
	}
	writeErr := rep.PinError
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
	if err := s.layout.Write(ctx, s.path, s.raw, pins...); err != nil {
		if errors.Is(err, pinfile.ErrChanged) {
			return fmt.Errorf("config not written: %w (another golive run, or an edit, since this one read it)", err)
		}
		return fmt.Errorf("config not written: %w", err)
	}
	return nil
}
