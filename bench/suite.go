package bench

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"
)

// SuiteResult is the project's own test and set-up time.
type SuiteResult struct {
	// Test is `go test -count=1 ./...` with warm build caches (test results not cached).
	Test Sample
	// Setup is the README's two commands in a fresh clone of HEAD, nil when not measured.
	Setup *SetupResult
}

// SetupResult is the cold time of `make synth` and `make test` in a fresh clone.
type SetupResult struct {
	Synth, Test Sample
	Commit      string
}

// RunSuite times the test suite with warm caches and, when setup is set, the README's
// commands in a fresh clone.
func RunSuite(ctx context.Context, root, work string, setup bool, log io.Writer) (*SuiteResult, error) {
	res := &SuiteResult{}
	var err error
	res.Test, err = Time(ctx, Cmd{Dir: root, Args: []string{"go", "test", "-count=1", "./..."}})
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "go test -count=1 ./...: %.1fs\n", res.Test.Wall.Seconds())
	if !setup {
		return res, nil
	}
	clone := filepath.Join(work, "clone")
	if out, err := Output(ctx, Cmd{Dir: work, Args: []string{"git", "clone", "--quiet", "--no-hardlinks", root, clone}}); err != nil {
		return nil, fmt.Errorf("git clone: %w\n%s", err, out)
	}
	commit, _ := Output(ctx, Cmd{Dir: clone, Args: []string{"git", "rev-parse", "--short", "HEAD"}})
	// An empty build cache and no node_modules; the module and npm download caches stay:
	// this machine reaches the registries, but fetching everything again measures the
	// network, not the project.
	env := []string{"GOCACHE=" + filepath.Join(work, "gocache"), "CI=true"}
	s := &SetupResult{Commit: firstLine(commit)}
	if s.Synth, err = Time(ctx, Cmd{Dir: clone, Env: env, Args: []string{"make", "synth"}}); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "fresh clone: make synth %.1fs\n", s.Synth.Wall.Seconds())
	if s.Test, err = Time(ctx, Cmd{Dir: clone, Env: env, Args: []string{"make", "test"}}); err != nil {
		return nil, err
	}
	fmt.Fprintf(log, "fresh clone: make test %.1fs\n", s.Test.Wall.Seconds())
	res.Setup = s
	os.RemoveAll(filepath.Join(work, "gocache"))
	return res, nil
}

// Markdown writes the suite table.
func (r *SuiteResult) Markdown(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("### Tests and set-up\n\n| what | wall | peak memory (MiB) |\n|---|---:|---:|\n")
	p("| `go test -count=1 ./...`, warm build cache (what `make test` runs) | %s | %.0f |\n", round(r.Test.Wall), float64(r.Test.MaxRSSKB)/1024)
	if s := r.Setup; s != nil {
		p("| fresh clone of %s, empty `GOCACHE`, no `node_modules`: `make synth` | %s | %.0f |\n", s.Commit, round(s.Synth.Wall), float64(s.Synth.MaxRSSKB)/1024)
		p("| then `make test` | %s | %.0f |\n", round(s.Test.Wall), float64(s.Test.MaxRSSKB)/1024)
		p("\nThe fresh clone keeps this machine's Go module and npm download caches: a truly new machine also downloads them.\n")
	}
	p("\n")
}

func round(d time.Duration) string { return d.Round(100 * time.Millisecond).String() }
