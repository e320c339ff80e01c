package cli

import (
	"io"
)

// Check parses args (without the program name) with golive's own command tree, without
// running anything: an unknown command or flag, a bad flag value, a missing required flag
// or a stray argument is an error, as Run would report it with exit 2. Whoever writes
// golive command lines for later (the pipeline's steps) tests them with it, so a renamed
// flag fails a test rather than a pipeline run.
func Check(args []string) error {
	a := &App{Stdout: io.Discard, Stderr: io.Discard}
	g := &globals{app: a}
	root := a.root(g)
	cmd, rest, err := root.Find(args)
	if err != nil {
		return err
	}
	if err := cmd.ParseFlags(rest); err != nil {
		return err
	}
	if err := cmd.ValidateArgs(cmd.Flags().Args()); err != nil {
		return err
	}
	if cmd == root {
		return root.RunE(root, nil) // the "missing command" usage error
	}
	if err := cmd.ValidateRequiredFlags(); err != nil {
		return err
	}
	if err := cmd.ValidateFlagGroups(); err != nil {
		return err
	}
	// The root's hook checks the values of the global flags (--output, --concurrency), the
	// command's its own (an empty --env or --function, --env with --stack).
	if root.PersistentPreRunE != nil {
		if err := root.PersistentPreRunE(cmd, cmd.Flags().Args()); err != nil {
			return err
		}
	}
	if cmd.PreRunE != nil {
		return cmd.PreRunE(cmd, cmd.Flags().Args())
	}
	return nil
}
