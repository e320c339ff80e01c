package config

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Error is one problem in a config file. Path is where the user fixes it, in the dotted
// form users read in their editor ("envs.prd.lambda_functions.worker.live_version"), so
// that a reviewer can find the line without knowing how the file is merged.
type Error struct {
	// Path is the field's dotted path, "" for a problem of the whole file.
	Path string
	// Message names the bad value and what is allowed.
	Message string
}

func (e Error) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// Errors are all the problems found in one file. Parse reports every problem at once,
// because a pipeline run per fix is slow; they are sorted so that the output is stable
// across runs and diffable in CI logs.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// normalize sorts by path, then message, and drops exact duplicates: the same merged
// check can be reached from several places.
func (es Errors) normalize() Errors {
	slices.SortFunc(es, func(a, b Error) int {
		return cmp.Or(cmp.Compare(a.Path, b.Path), cmp.Compare(a.Message, b.Message))
	})
	return slices.Compact(es)
}

// SyntaxError is a file that is not JSON at all. Line and Column (1-based, in runes) are
// where an editor should put the cursor.
type SyntaxError struct {
	Line, Column int
	// Offset is the byte offset of the error in the input.
	Offset int64
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Msg)
}

// NotFoundError is a lookup of an env or function the config does not define. It lists
// what exists, since the usual cause is a typo on a command line.
type NotFoundError struct {
	// Kind is "env" or "function".
	Kind string
	// Name is the env or function asked for.
	Name string
	// Known are the names the config defines.
	Known []string
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("unknown %s %q; want one of: %s", e.Kind, e.Name, strings.Join(e.Known, ", "))
}

// fileError puts the file name in front of every line, like a compiler does, so that
// `cdk synth` output says which file to open.
type fileError struct {
	file string
	err  error
}

func (e *fileError) Error() string {
	var se *SyntaxError
	if errors.As(e.err, &se) {
		return fmt.Sprintf("%s:%d:%d: %s", e.file, se.Line, se.Column, se.Msg)
	}
	var es Errors
	if errors.As(e.err, &es) {
		lines := make([]string, len(es))
		for i, x := range es {
			lines[i] = e.file + ": " + x.Error()
		}
		return strings.Join(lines, "\n")
	}
	return e.file + ": " + e.err.Error()
}

func (e *fileError) Unwrap() error { return e.err }
