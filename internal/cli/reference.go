package cli

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
)

// ReferencePath is where the CLI reference lives, relative to the repository's root;
// RefreshCommand rewrites it from the command tree.
const (
	ReferencePath  = "docs/cli.md"
	RefreshCommand = "go run ./internal/cli/gendoc"
)

// Reference writes the CLI reference of every command, generated from the command tree by
// cobra's doc package, so flags, defaults and help texts are documented where they are
// declared and the reference cannot drift from them.
func Reference(w io.Writer) error {
	a := &App{Stdout: io.Discard, Stderr: io.Discard}
	root := a.root(&globals{app: a})
	root.DisableAutoGenTag = true // a date in the file would make every regeneration a change

	var b bytes.Buffer
	fmt.Fprintf(&b, "# golive command reference\n\n")
	fmt.Fprintf(&b, "<!-- Generated from the command tree by `%s`; do not edit. -->\n\n", RefreshCommand)
	fmt.Fprintf(&b, "What each command does, in a user's words, with examples and its JSON output: [commands.md](commands.md).\n\n")
	for _, cmd := range commands(root) {
		if err := doc.GenMarkdownCustom(cmd, &b, anchor); err != nil {
			return fmt.Errorf("cli reference of %s: %w", cmd.CommandPath(), err)
		}
		b.WriteString("\n")
	}
	_, err := w.Write(bytes.TrimRight(b.Bytes(), "\n"))
	if err == nil {
		_, err = io.WriteString(w, "\n")
	}
	return err
}

// commands lists root and the commands under it that help shows, depth first.
func commands(root *cobra.Command) []*cobra.Command {
	out := []*cobra.Command{root}
	for _, c := range root.Commands() {
		if !c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			continue
		}
		out = append(out, commands(c)...)
	}
	return out
}

// anchor turns cobra's link to a per-command file (golive_publish.md) into a link to that
// command's heading in the one reference file (#golive-publish, GitHub's anchor for
// "## golive publish").
func anchor(file string) string {
	return "#" + strings.ReplaceAll(strings.TrimSuffix(file, ".md"), "_", "-")
}
