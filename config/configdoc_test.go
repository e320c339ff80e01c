package config_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/golive-dev/golive/config"
)

// TestConfigDocNamesEveryDeploymentType keeps the deployment.type row of docs/config.md (the
// config reference the README links) the list
// config accepts: its backquoted names, with {a,b} expanded.
func TestConfigDocNamesEveryDeploymentType(t *testing.T) {
	data, err := os.ReadFile("../docs/config.md")
	if err != nil {
		t.Fatal(err)
	}
	row := regexp.MustCompile("(?m)^\\| `deployment\\.type` \\|.*$").FindString(string(data))
	if row == "" {
		t.Fatal("docs/config.md has no deployment.type row")
	}
	cells := strings.Split(row, "|")
	var got []string
	for _, m := range regexp.MustCompile("`([A-Za-z0-9{},]+)`").FindAllStringSubmatch(cells[len(cells)-2], -1) {
		got = append(got, expand(m[1])...)
	}
	want := append([]string{config.DeploymentNone}, config.DeploymentTypes()...)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("docs/config.md's deployment.type row names %v\nconfig accepts %v", got, want)
	}
}

// expand expands one {a,b,...} group of s.
func expand(s string) []string {
	open, end := strings.IndexByte(s, '{'), strings.IndexByte(s, '}')
	if open < 0 || end < open {
		return []string{s}
	}
	var out []string
	for _, alt := range strings.Split(s[open+1:end], ",") {
		out = append(out, s[:open]+alt+s[end+1:])
	}
	return out
}
