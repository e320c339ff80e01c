package cli_test

import (
	"regexp"
	"runtime/debug"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/cli"
)

func TestVersionString(t *testing.T) {
	setting := func(kv ...string) []debug.BuildSetting {
		var s []debug.BuildSetting
		for i := 0; i < len(kv); i += 2 {
			s = append(s, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
		}
		return s
	}
	tests := []struct {
		name string
		info *debug.BuildInfo
		want string
	}{
		{"go install of a tag", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.0"}}, "golive v1.4.0 (unknown)"},
		{"go install of a commit", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261201120000-abcdef123456"}},
			"golive v0.0.0-20261201120000-abcdef123456 (abcdef123456)"},
		{"checkout build", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: setting("vcs.revision", "0123456789abcdef0123456789abcdef01234567", "vcs.modified", "false")}, "golive (devel) (0123456789ab)"},
		{"dirty checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: setting("vcs.revision", "0123456789abcdef", "vcs.modified", "true")}, "golive (devel) (0123456789ab-dirty)"},
		{"tagged checkout build", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.1-0.20261201120000-abcdef123456+dirty"},
			Settings: setting("vcs.revision", "abcdef1234567890")}, "golive v1.4.1-0.20261201120000-abcdef123456+dirty (abcdef123456)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := cli.VersionString(tt.info, true); got != tt.want {
				t.Errorf("got %q; want %q", got, tt.want)
			}
		})
	}
	if got := cli.VersionString(nil, false); got != "golive (unknown) (unknown)" {
		t.Errorf("without build info: %q", got)
	}
}

// The command itself prints the test binary's own build info in that shape.
func TestVersionCommand(t *testing.T) {
	var out, errb strings.Builder
	if code := cli.Run(t.Context(), []string{"version"}, &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if !regexp.MustCompile(`^golive \S+ \(\S+\)\n$`).MatchString(out.String()) {
		t.Errorf("stdout %q; want golive <module version> (<commit>)", out.String())
	}
}
