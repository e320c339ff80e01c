// Package docs_test checks the documentation a newcomer reads: every relative link resolves,
// the README stays short and keeps the commands CI runs, and its quick start for an app of
// one's own is the example go test runs, and every golive invocation shown uses flags the
// command has.
package docs_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"
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
			if strings.Contains(m[1], "://") || strings.HasPrefix(m[1], "mailto:") {
				continue
			}
			target, frag, _ := strings.Cut(m[1], "#")
			path := filepath.Join("..", f)
			if target != "" {
				path = filepath.Join("..", filepath.Dir(f), filepath.FromSlash(target))
			}
			if _, err := os.Stat(path); err != nil {
				t.Errorf("%s: link to %s: no such file or directory", f, m[1])
				continue
			}
			if frag != "" && strings.HasSuffix(path, ".md") && !anchors(t, path)[frag] {
				t.Errorf("%s: link to %s: no heading with that anchor in %s", f, m[1], path)
			}
		}
	}
}

// heading is a markdown heading outside code blocks.
var heading = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)

// anchors are the anchors GitHub gives the headings of the markdown file at path: lower case,
// spaces to hyphens, punctuation other than hyphens and underscores dropped.
func anchors(t *testing.T, path string) map[string]bool {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, m := range heading.FindAllStringSubmatch(regexp.MustCompile("(?s)```.*?```").ReplaceAllString(string(data), ""), -1) {
		out[slug(m[1])] = true
	}
	return out
}

func slug(h string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestSlug(t *testing.T) {
	for h, want := range map[string]string{
		"`golive publish`":                              "golive-publish",
		"The stack's status":                            "the-stacks-status",
		"config/config.json":                            "configconfigjson",
		"Faults, retries, timeouts and concurrent runs": "faults-retries-timeouts-and-concurrent-runs",
	} {
		if got := slug(h); got != want {
			t.Errorf("slug(%q) = %q, want %q", h, got, want)
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

// TestREADMEQuickStartIsRunExample keeps the README's quick start for an app of one's own
// from going stale: its main.go, from the stack to the construct's props, is what
// ExampleNew_pinsFile runs (go test checks that example's output), with the paths of the
// package's test data in place of the app's.
func TestREADMEQuickStartIsRunExample(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	example, err := os.ReadFile(filepath.Join("..", "constructs", "versionedfunction", "example_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	snippet := regexp.MustCompile("(?s)```go\npackage main\n.*?```").Find(readme)
	if snippet == nil {
		t.Fatal("README.md has no ```go block holding a whole main package")
	}
	body := regexp.MustCompile(`(?s)\nfunc ExampleNew_pinsFile\(\) \{\n.*?\n\}\n`).Find(example)
	if body == nil {
		t.Fatal("example_test.go has no ExampleNew_pinsFile")
	}
	got := quickStartLines(string(snippet))
	if len(got) < 10 {
		t.Fatalf("README's main.go has %d lines from the stack to the props' end, want the whole construct call: %q", len(got), got)
	}
	r := strings.NewReplacer(`"pins.json"`, `"testdata/pins.json"`, `"functions/orders"`, `"../../functions/worker"`)
	want := quickStartLines(string(body))
	for i, line := range got {
		if line = r.Replace(line); i >= len(want) || want[i] != line {
			t.Errorf("README's main.go line %q is not ExampleNew_pinsFile's (want the example's lines in order: %q)", line, want)
			return
		}
	}
}

// quickStartLines are the lines of code from the stack's declaration to the construct's
// Deployment, spaces collapsed (gofmt aligns the comments differently) and trailing comments
// kept.
func quickStartLines(code string) []string {
	var lines []string
	on := false
	for _, l := range strings.Split(code, "\n") {
		l = strings.Join(strings.Fields(l), " ")
		if strings.Contains(l, "awscdk.NewStack(") {
			on = true
		}
		if on {
			lines = append(lines, l)
		}
		if on && strings.HasPrefix(l, "Thresholds:") {
			break
		}
	}
	return lines
}

// TestCLIInvocationsMatchCommandTree holds every `golive COMMAND --flag` the README and
// docs/ show to the command tree: each command has a section in docs/cli.md (generated
// from the tree, and checked fresh by internal/cli) and each flag is among its options or
// the global ones.
func TestCLIInvocationsMatchCommandTree(t *testing.T) {
	ref, err := os.ReadFile("cli.md")
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string]string{}
	for _, s := range regexp.MustCompile(`(?m)^## golive `).Split(string(ref), -1)[1:] {
		name, body, _ := strings.Cut(s, "\n")
		sections[strings.TrimSpace(name)] = body
	}
	if len(sections) < 5 {
		t.Fatalf("docs/cli.md has %d command sections, want one per command", len(sections))
	}
	// An invocation: golive, a lowercase command, then flags and values up to the end of the
	// code span or line, a comment or a pipe.
	invocation := regexp.MustCompile("golive ([a-z]+)((?: +[^ `|#\n]+)*)")
	flag := regexp.MustCompile(`(?:^| )--([a-z][a-z-]*)`)
	checked := 0
	for _, f := range markdownFiles(t) {
		if f == filepath.Join("docs", "cli.md") || f == "CHANGELOG.md" {
			continue
		}
		data, err := os.ReadFile(filepath.Join("..", f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range invocation.FindAllStringSubmatch(string(data), -1) {
			section, ok := sections[m[1]]
			if !ok {
				continue // prose ("golive reads ..."), not a command
			}
			for _, fl := range flag.FindAllStringSubmatch(m[2], -1) {
				checked++
				if !strings.Contains(section, "--"+fl[1]+" ") && !strings.Contains(section, "--"+fl[1]+"\n") {
					t.Errorf("%s: %q: golive %s has no flag --%s (docs/cli.md)", f, strings.TrimSpace(m[0]), m[1], fl[1])
				}
			}
		}
	}
	if checked < 20 {
		t.Errorf("checked %d flags of golive invocations in the docs, want the docs' examples found", checked)
	}
}
