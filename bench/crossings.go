package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/golive-dev/golive/internal/testkit/jsiicount"
)

// CrossingsExtra is how many functions the larger of the two counted configs adds: a
// cost per function that grows with the stack shows up as a larger difference.
const CrossingsExtra = 4

// CrossingsRow is what one function costs an app in jsii round trips (requests from Go
// to the kernel and callbacks back), counted from the kernel's log (package jsiicount) as
// the difference between a one-environment config of 1 + CrossingsExtra functions and one
// of 1, divided by CrossingsExtra: the stack's fixed costs (the app, the stack, the shared
// CodeDeploy pair, the dashboard) cancel out, everything a function adds, up to and
// including synth, stays.
type CrossingsRow struct {
	App App
	// Pinned is per function pinned with a canary and an alarm (the prd stack), Latest per
	// function following $LATEST (the sbx stack).
	Pinned, Latest float64
	// PinnedCalls are the calls that make up Pinned, most frequent first ("COUNT CALL", the
	// count over CrossingsExtra functions).
	PinnedCalls []string
}

// CountCrossings counts the round trips of golive's app and the Go-L2 app per pinned and
// per $LATEST function.
func (s *Synth) CountCrossings(ctx context.Context) ([]CrossingsRow, error) {
	var rows []CrossingsRow
	for _, app := range []App{Golive, GoL2} {
		row := CrossingsRow{App: app}
		for _, env := range []string{"prd", "sbx"} {
			var counts [2]jsiicount.Counts
			for i, n := range []int{1, 1 + CrossingsExtra} {
				cfg, err := s.WriteConfig(fmt.Sprintf("crossings-%s-%d", env, n), n, []string{env})
				if err != nil {
					return nil, err
				}
				if counts[i], err = s.Crossings(ctx, app, cfg); err != nil {
					return nil, err
				}
			}
			d := counts[1].Sub(counts[0])
			per := float64(d.Total()) / CrossingsExtra
			if env == "prd" {
				row.Pinned, row.PinnedCalls = per, d.Top(0)
			} else {
				row.Latest = per
			}
		}
		rows = append(rows, row)
		fmt.Fprintf(s.Log, "crossings %-6s %.1f per pinned function, %.1f per $LATEST function\n", app, row.Pinned, row.Latest)
	}
	return rows, nil
}

// Crossings runs app (Golive or GoL2) once on config, without the CDK CLI (which only
// hands the app its context and output directory, as here), and counts its round trips.
func (s *Synth) Crossings(ctx context.Context, app App, config string) (jsiicount.Counts, error) {
	bin := map[App]string{Golive: s.Golive, GoL2: s.GoL2}[app]
	if bin == "" {
		return jsiicount.Counts{}, fmt.Errorf("crossings: no binary for app %q", app)
	}
	s.n++
	out := filepath.Join(s.Work, "out", fmt.Sprintf("%04d-%s-crossings", s.n, app))
	defer os.RemoveAll(out)
	ctxJSON, err := json.Marshal(map[string]string{"config": config})
	if err != nil {
		return jsiicount.Counts{}, err
	}
	cmd := exec.CommandContext(ctx, bin)
	cmd.Dir = s.Root
	cmd.Env = append(os.Environ(), jsiicount.Env, "CDK_CONTEXT_JSON="+string(ctxJSON), "CDK_OUTDIR="+out,
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20", "JSII_DEPRECATED=quiet",
		"BENCH_ASSET_DIR="+s.AssetDir, "BENCH_ASSET_HASH="+s.AssetHash)
	// The kernel's log is megabytes: counted as it streams, keeping only its tail for an error.
	pr, pw := io.Pipe()
	var tailBuf bytes.Buffer
	cmd.Stderr = io.MultiWriter(pw, &tailWriter{buf: &tailBuf, max: 4000})
	if err := cmd.Start(); err != nil {
		return jsiicount.Counts{}, err
	}
	type result struct {
		c   jsiicount.Counts
		err error
	}
	done := make(chan result, 1)
	go func() {
		c, err := jsiicount.Parse(pr)
		io.Copy(io.Discard, pr)
		done <- result{c, err}
	}()
	werr := cmd.Wait()
	pw.Close()
	res := <-done
	if werr != nil {
		return jsiicount.Counts{}, fmt.Errorf("crossings: %s on %s: %w\n%s", app, config, werr, tailBuf.String())
	}
	return res.c, res.err
}

// tailWriter keeps the last max bytes written.
type tailWriter struct {
	buf *bytes.Buffer
	max int
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.buf.Write(p)
	if over := t.buf.Len() - t.max; over > 0 {
		t.buf.Next(over)
	}
	return len(p), nil
}

// CrossingsMarkdown writes the round trips per function of each app, and the calls that
// make up golive's per pinned function.
func CrossingsMarkdown(w io.Writer, rows []CrossingsRow) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("### jsii round trips per function\n\nRequests from Go to the jsii kernel and callbacks back, counted in the kernel's log "+
		"(`JSII_DEBUG=1`, package `internal/testkit/jsiicount`): one environment of %d functions less one of 1, divided by %d, "+
		"construction and synth alike.\n\n| app | per pinned function (canary, alarm) | per `$LATEST` function |\n|---|---:|---:|\n",
		1+CrossingsExtra, CrossingsExtra)
	for _, r := range rows {
		p("| %s | **%.1f** | %.1f |\n", r.App, r.Pinned, r.Latest)
	}
	for _, r := range rows {
		if r.App == Golive && len(r.PinnedCalls) > 0 {
			p("\ngolive's calls for %d pinned functions: ", CrossingsExtra)
			for i, c := range r.PinnedCalls {
				if i > 0 {
					p(", ")
				}
				p("`%s`", c)
			}
			p(".\n")
		}
	}
	p("\n")
}
