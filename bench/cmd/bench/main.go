// Command bench measures golive on this machine and writes bench/results/latest.md and
// bench/results/synth.png: synth against a plain JavaScript CDK app, one environment's
// synth, the size of one stack, jsii round trips per function, publish against the AWS CLI
// loop, and the test suite.
// It prints figures and exits 0 whatever they are; it fails only when a measurement
// cannot be taken (a synth fails, the two apps' resources differ).
//
//	make bench                        everything (several minutes)
//	make bench BENCH_FLAGS=-quick     1 pair, N = 1 and 10, no fresh-clone set-up
//	cd bench && go run ./cmd/bench    everything, from the bench module's own directory
//	cd bench && go run ./cmd/bench -only crossings    jsii round trips per function only (seconds)
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/golive-dev/golive/bench"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "1 pair, N = 1 and 10, 10 functions to publish, no fresh-clone set-up")
	pairs := fs.Int("pairs", 5, "paired runs per figure")
	ns := fs.String("n", "1,10,50", "functions per environment, comma-separated")
	sections := fs.String("only", "synth,perenv,scale,crossings,publish,suite,setup", "sections to run, comma-separated")
	publishN := fs.Int("publish-functions", 50, "functions to publish")
	out := fs.String("out", "bench/results", "directory for latest.md and synth.png")
	readme := fs.String("readme", "bench/README.md", "file whose results:begin/end block gets the tables (not with -quick; \"\" for none)")
	goliveApp := fs.String("golive-app", "", "a prebuilt golive CDK app to measure instead of building ./cmd/app (to compare builds)")
	buildList := fs.String("builds", "", "prebuilt golive CDK apps to compare side by side, NAME=PATH,... (the first is the reference); only this section runs, with -n, -pairs and -validation")
	validation := fs.String("validation", "on,off", "aws-cdk-lib validation modes to measure: on, off or both")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if *quick {
		*readme = ""
		*pairs, *ns, *publishN = 1, "1,10", 10
		*sections = strings.ReplaceAll(*sections, "setup", "")
	}
	var vals []bool
	for _, v := range strings.Split(*validation, ",") {
		switch strings.TrimSpace(v) {
		case "on":
			vals = append(vals, true)
		case "off":
			vals = append(vals, false)
		default:
			fmt.Fprintf(stderr, "bench: -validation: got %q; want on, off or on,off\n", v)
			return 2
		}
	}
	var builds []bench.Build
	if *buildList != "" {
		for _, nv := range strings.Split(*buildList, ",") {
			name, path, ok := strings.Cut(nv, "=")
			if !ok || name == "" || path == "" {
				fmt.Fprintf(stderr, "bench: -builds: got %q; want NAME=PATH of a prebuilt golive app\n", nv)
				return 2
			}
			abs, err := filepath.Abs(path)
			if err != nil {
				fmt.Fprintln(stderr, "bench: -builds:", err)
				return 2
			}
			builds = append(builds, bench.Build{Name: name, Path: abs})
		}
		if len(builds) < 2 {
			fmt.Fprintln(stderr, "bench: -builds: want at least two builds to compare")
			return 2
		}
		*sections, *readme, *goliveApp = "builds", "", builds[0].Path
	}
	want := map[string]bool{}
	for _, s := range strings.Split(*sections, ",") {
		want[strings.TrimSpace(s)] = true
	}
	var nList []int
	for _, s := range strings.Split(*ns, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n < 1 {
			fmt.Fprintf(stderr, "bench: -n: got %q; want positive integers such as 1,10,50\n", s)
			return 2
		}
		nList = append(nList, n)
	}

	root, err := repoRoot()
	if err != nil {
		fmt.Fprintln(stderr, "bench: run from the repository root (where cdk.json is) or bench/:", err)
		return 2
	}
	// -out and -readme are relative to the repository root.
	if err := os.Chdir(root); err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 2
	}
	work, err := os.MkdirTemp("", "golive-bench-")
	if err != nil {
		fmt.Fprintln(stderr, "bench:", err)
		return 1
	}
	defer os.RemoveAll(work)

	rep := &bench.Report{Date: time.Now(), Machine: bench.Machine(), Pairs: *pairs, NodeOptions: os.Getenv("NODE_OPTIONS")}
	fail := func(err error) int { fmt.Fprintln(stderr, "bench:", err); return 1 }
	var s *bench.Synth
	if want["synth"] || want["perenv"] || want["scale"] || want["crossings"] || want["publish"] || want["builds"] {
		fmt.Fprintln(stderr, "building the golive app, an empty app and the handler (not timed)...")
		if s, err = bench.NewSynth(ctx, root, work, *goliveApp, stderr); err != nil {
			return fail(err)
		}
	}
	if want["builds"] {
		rows, err := s.CompareBuilds(ctx, builds, nList, *pairs, vals)
		if err != nil {
			return fail(err)
		}
		var md bytes.Buffer
		bench.BuildsMarkdown(&md, builds, rows)
		stdout.Write(md.Bytes())
		return 0
	}
	if want["synth"] {
		if rep.Synth, err = s.RunSynth(ctx, bench.SynthOptions{Ns: nList, Pairs: *pairs, Validation: vals,
			PerEnv: want["perenv"], Scale: want["scale"] && len(nList) > 1}); err != nil {
			return fail(err)
		}
	}
	if want["crossings"] {
		if rep.Crossings, err = s.CountCrossings(ctx); err != nil {
			return fail(err)
		}
	}
	if want["publish"] {
		golive := filepath.Join(work, "golive")
		if o, err := bench.Output(ctx, bench.Cmd{Dir: root, Args: []string{"go", "build", "-o", golive, "./cmd/golive"}}); err != nil {
			return fail(fmt.Errorf("go build ./cmd/golive: %w\n%s", err, o))
		}
		publishPairs := min(*pairs, 3) // the AWS CLI loop takes a minute a run
		rep.Publish, err = bench.RunPublish(ctx, root, work, golive, bench.PublishOptions{Functions: *publishN, Pairs: publishPairs}, stderr)
		if err != nil {
			return fail(err)
		}
	}
	if want["suite"] {
		if rep.Suite, err = bench.RunSuite(ctx, root, work, want["setup"], stderr); err != nil {
			return fail(err)
		}
	}

	var md bytes.Buffer
	rep.Markdown(&md)
	stdout.Write(md.Bytes())
	if err := os.MkdirAll(*out, 0o755); err != nil {
		return fail(err)
	}
	if err := os.WriteFile(filepath.Join(*out, "latest.md"), md.Bytes(), 0o644); err != nil {
		return fail(err)
	}
	if rep.Synth != nil && len(rep.Synth.Rows) > 0 {
		if err := rep.Synth.Plot(filepath.Join(*out, "synth.png")); err != nil {
			return fail(err)
		}
	}
	fmt.Fprintf(stderr, "wrote %s\n", filepath.Join(*out, "latest.md"))
	if *readme != "" {
		if err := bench.ReplaceBlock(*readme, md.String()); err != nil {
			return fail(err)
		}
		fmt.Fprintf(stderr, "updated %s\n", *readme)
	}
	return 0
}

// repoRoot is the directory holding cdk.json: the current one (make bench) or its parent
// (go run ./cmd/bench in bench/, this module's directory).
func repoRoot() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for _, dir := range []string{wd, filepath.Dir(wd)} {
		if _, err = os.Stat(filepath.Join(dir, "cdk.json")); err == nil {
			return dir, nil
		}
	}
	return "", err
}
