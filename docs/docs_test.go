// Package docs_test checks the documentation a newcomer reads: every relative link resolves,
// and the README stays short and keeps the commands CI runs.
package docs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// markdownFiles are the README and every page of docs/, relative to the repository's root.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	for i, f := range files {
		files[i] = filepath.Join("docs", f)
	}
	return append([]string{"README.md", "CHANGELOG.md", filepath.Join("bench", "README.md")}, files...)
}

// link is a markdown link or image target: [text](target) or ![alt](target).
var link = regexp.MustCompile(`\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)

// fence is a fenced code block or an inline code span, whose brackets are code, not links.
var fence = regexp.MustCompile("(?s)```.*?```|`[^`\n]*`")

func TestRelativeLinksResolve(t *testing.T) {
	for _, f := range markdownFiles(t) {
		data, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		text := fence.ReplaceAllString(string(data), "")
		for _, m := range link.FindAllStringSubmatch(text, -1) {
			target := m[1]
			if strings.Contains(target, "://") || strings.HasPrefix(target, "mailto:") || strings.HasPrefix(target, "#") {
				continue
			}
			target, _, _ = strings.Cut(target, "#")
			path := filepath.Join("..", filepath.Dir(f), filepath.FromSlash(target))
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: link to %s: no such file or directory", f, m[1])
			}
		}
	}
}

// TestLinkCheckSeesBrokenLinks keeps the link check able to fail: a link to a missing file
// is found, one in a code block is not a link.
func TestLinkCheckSeesBrokenLinks(t *testing.T) {
	text := fence.ReplaceAllString("see [a](missing.md#x) and [b](https://example.com) `[c](d)`\n```go\nm[k](v)\n```\n", "")
	var got []string
	for _, m := range link.FindAllStringSubmatch(text, -1) {
		got = append(got, m[1])
	}
	if strings.Join(got, ",") != "missing.md#x,https://example.com" {
		t.Errorf("links found: %q", got)
	}
}

// TestREADMEIsShort holds the README to what a newcomer reads in ten minutes, with the two
// set-up commands CI runs (.ci/run calls make synth and make test).
func TestREADMEIsShort(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(data)
	if n := strings.Count(readme, "\n"); n > 330 {
		t.Errorf("README.md has %d lines, want at most 330: move reference material into docs/", n)
	}
	for _, want := range []string{"make synth", "make test", "moto_server", "cfn-lint", "pip install"} {
		if !strings.Contains(readme, want) {
			t.Errorf("README.md does not mention %q", want)
		}
	}
}
