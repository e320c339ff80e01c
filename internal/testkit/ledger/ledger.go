// Package ledger reads docs/aws-behaviour.md, the ledger of every AWS behaviour golive relies
// on: one table row per behaviour, with its source, the code that relies on it and the test
// or fake that reproduces it. Its tests keep the ledger honest against the repository: every
// file, symbol and test a row names exists, every AWS operation golive calls has a row, and
// every operation a fake serves is named by a row, so a fake answers as its row says.
//
// It is test tooling, beside the fakes it checks; nothing in the product imports it.
package ledger

import (
	"fmt"
	"os"
	"regexp"
	"strings"
)

// Path is the ledger's place in the repository.
const Path = "docs/aws-behaviour.md"

// Header is the header every ledger table carries, cell by cell.
var Header = []string{"ID", "Behaviour", "Source", "Relied on in", "Reproduced by"}

// Row is one behaviour.
type Row struct {
	ID, Behaviour, Source, Code, Reproduced string
	// Line is the row's line in the file, from 1.
	Line int
}

// Ledger is the parsed file.
type Ledger struct {
	Rows []Row
	// Text is the whole file.
	Text string
}

// Load reads and parses the ledger at path.
func Load(path string) (*Ledger, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(string(b))
}

// Parse reads every table whose header is Header. A table row with another number of cells
// is an error: a stray "|" inside a cell would shift every later cell.
func Parse(text string) (*Ledger, error) {
	l := &Ledger{Text: text}
	lines := strings.Split(text, "\n")
	inTable := false
	for i, line := range lines {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "|") {
			inTable = false
			continue
		}
		cells := splitRow(line)
		switch {
		case equal(cells, Header):
			inTable = true
			continue
		case !inTable:
			continue
		case isSeparator(cells):
			continue
		}
		if len(cells) != len(Header) {
			return nil, fmt.Errorf("%s:%d: %d cells; want %d (%s): is there a \"|\" inside a cell? write it as \\|",
				Path, i+1, len(cells), len(Header), strings.Join(Header, ", "))
		}
		l.Rows = append(l.Rows, Row{ID: cells[0], Behaviour: cells[1], Source: cells[2], Code: cells[3], Reproduced: cells[4], Line: i + 1})
	}
	if len(l.Rows) == 0 {
		return nil, fmt.Errorf("%s: no table with the header | %s |", Path, strings.Join(Header, " | "))
	}
	return l, nil
}

// splitRow splits "| a | b \| c |" into ["a", "b | c"].
func splitRow(line string) []string {
	line = strings.TrimSuffix(strings.TrimPrefix(line, "|"), "|")
	var cells []string
	var cur strings.Builder
	for i := 0; i < len(line); i++ {
		switch {
		case line[i] == '\\' && i+1 < len(line) && line[i+1] == '|':
			cur.WriteByte('|')
			i++
		case line[i] == '|':
			cells = append(cells, strings.TrimSpace(cur.String()))
			cur.Reset()
		default:
			cur.WriteByte(line[i])
		}
	}
	return append(cells, strings.TrimSpace(cur.String()))
}

func equal(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

var separatorRe = regexp.MustCompile(`^:?-{3,}:?$`)

func isSeparator(cells []string) bool {
	for _, c := range cells {
		if !separatorRe.MatchString(c) {
			return false
		}
	}
	return true
}

var codeSpanRe = regexp.MustCompile("`([^`]+)`")

// Spans are the code spans (`…`) of a cell, in order.
func Spans(cell string) []string {
	var out []string
	for _, m := range codeSpanRe.FindAllStringSubmatch(cell, -1) {
		out = append(out, m[1])
	}
	return out
}

// Reference kinds a code span may be.
const (
	// KindFile is a repository path, "internal/hook/hook.go", optionally with a declared
	// symbol after a colon: "internal/hook/hook.go:Handler.Handle" (a method as
	// Type.Method), or a directory ending in "/".
	KindFile = "file"
	// KindTest is a test function, "TestHook", optionally with a subtest name after "/"
	// that must appear as a string in the test's file.
	KindTest = "test"
	// KindCheck is a check of scripts/aws-check.sh, "aws-check:NAME".
	KindCheck = "check"
)

// Ref is a code span that names something in the repository.
type Ref struct {
	Kind string
	// Path and Symbol for KindFile; Symbol is the test (and Sub its subtest) for KindTest;
	// Symbol is the check's name for KindCheck.
	Path, Symbol, Sub string
	Span              string
}

var (
	fileRe  = regexp.MustCompile(`^([\w.-]+/)*[\w.-]+\.(go|sh|md|json|yaml|yml)(:[A-Za-z_][\w.]*)?$|^([\w.-]+/)+$|^Makefile(:[\w-]+)?$`)
	testRe  = regexp.MustCompile(`^(Test\w*)(/.+)?$`)
	checkRe = regexp.MustCompile(`^aws-check:([a-z0-9_]+)$`)
)

// Refs are the spans of cell that name a file, a symbol, a test or a check; other spans
// (an API name, a JSON fragment) are left alone.
func Refs(cell string) []Ref {
	var refs []Ref
	for _, s := range Spans(cell) {
		switch {
		case checkRe.MatchString(s):
			refs = append(refs, Ref{Kind: KindCheck, Symbol: checkRe.FindStringSubmatch(s)[1], Span: s})
		case testRe.MatchString(s):
			m := testRe.FindStringSubmatch(s)
			refs = append(refs, Ref{Kind: KindTest, Symbol: m[1], Sub: strings.TrimPrefix(m[2], "/"), Span: s})
		case fileRe.MatchString(s):
			path, sym, _ := strings.Cut(s, ":")
			refs = append(refs, Ref{Kind: KindFile, Path: path, Symbol: sym, Span: s})
		}
	}
	return refs
}
