package cli

import (
	"fmt"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"
)

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
