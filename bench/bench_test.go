package bench_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/golive-dev/golive/bench"
	"github.com/golive-dev/golive/internal/testkit/moto"
)

// TestSynthBenchRuns checks that the benchmark code itself works, at N = 1 with one pair
// and validation off: the three apps synthesize, their resources compare equal, and the report
// and plot come out. It times nothing.
func TestSynthBenchRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("synthesizes two CDK apps")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(root, "node_modules", ".bin", "cdk")); err != nil {
		t.Fatal("the aws-cdk CLI is missing: run `make deps` (npm ci) first: ", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var log bytes.Buffer
	s, err := bench.NewSynth(ctx, root, t.TempDir(), "", &log)
	if err != nil {
		t.Fatal(err)
	}
	res, err := s.RunSynth(ctx, bench.SynthOptions{Ns: []int{1}, Pairs: 1, Validation: []bool{false}})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rows) != 1 {
		t.Fatalf("%d rows, want 1", len(res.Rows))
	}
	row := res.Rows[0]
	if len(row.Golive) != 1 || len(row.GoL2) != 1 || len(row.JS) != 1 || row.Golive[0].Wall <= 0 || row.GoL2[0].Wall <= 0 || row.JS[0].Wall <= 0 {
		t.Fatalf("samples: golive %v, go-l2 %v, js %v; want one positive wall time each", row.Golive, row.GoL2, row.JS)
	}
	if row.Golive[0].MaxRSSKB <= 0 {
		t.Errorf("golive peak memory = %d KiB, want > 0", row.Golive[0].MaxRSSKB)
	}
	prd, ok := row.Templates["bench-prd"]
	if !ok {
		t.Fatalf("no bench-prd template among %v", row.Templates)
	}
	for typ, want := range map[string]int{"AWS::Lambda::Function": 1, "AWS::Lambda::Alias": 1, "AWS::CodeDeploy::DeploymentGroup": 1, "AWS::CloudWatch::Alarm": 1} {
		if got := prd.Resources[typ]; got != want {
			t.Errorf("bench-prd has %d %s, want %d", got, typ, want)
		}
	}

	var md bytes.Buffer
	(&bench.Report{Date: time.Now(), Machine: bench.Machine(), Pairs: 1, Synth: res}).Markdown(&md)
	if !strings.Contains(md.String(), "| off | 1 |") || !strings.Contains(md.String(), "golive/Go-L2") {
		t.Errorf("report lacks the N = 1 row:\n%s", md.String())
	}
	png := filepath.Join(t.TempDir(), "synth.png")
	if err := res.Plot(png); err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(png); err != nil || fi.Size() == 0 {
		t.Errorf("plot: %v, %v", fi, err)
	}
}

// TestPublishBenchRuns checks that the publish benchmark works with one function and one
// pair: golive publishes a new version in moto_server, and both clients' calls are counted.
func TestPublishBenchRuns(t *testing.T) {
	if testing.Short() {
		t.Skip("starts moto_server and runs the AWS CLI")
	}
	for _, tool := range []string{moto.Binary, "aws"} {
		if _, err := exec.LookPath(tool); err != nil {
			// As the other tool-backed tests: skip on a laptop, fail under CI=true.
			if os.Getenv("CI") != "true" {
				t.Skipf("%s is not installed", tool)
			}
			t.Fatalf("%s is not installed: %v", tool, err)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	work := t.TempDir()
	golive := filepath.Join(work, "golive")
	build := exec.CommandContext(ctx, "go", "build", "-o", golive, "./cmd/golive")
	build.Dir = root // the product's module, as make bench builds it
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/golive: %v\n%s", err, out)
	}
	var log bytes.Buffer
	res, err := bench.RunPublish(ctx, root, work, golive, bench.PublishOptions{Functions: 1, Pairs: 1}, &log)
	if err != nil {
		t.Fatalf("%v\n%s", err, log.String())
	}
	if !slices.Equal(res.Published, []int{1}) {
		t.Errorf("new versions per golive run = %v, want [1]", res.Published)
	}
	if res.GoliveCalls <= 0 || res.CLICalls <= 0 || len(res.Golive) != 1 || len(res.CLI) != 1 {
		t.Errorf("result %+v; want one timed run and counted calls for each client", res)
	}
}

// TestSameResourcesReportsDifferences keeps the equality check honest: a benchmark whose
// apps declare different resources must fail, not print a ratio.
func TestSameResourcesReportsDifferences(t *testing.T) {
	golive := map[string]bench.Template{"s": {Stack: "s", Resources: map[string]int{"AWS::Lambda::Function": 2}, Outputs: 2}}
	tests := []struct {
		name string
		js   map[string]bench.Template
		want string
	}{
		{"equal", map[string]bench.Template{"s": {Stack: "s", Resources: map[string]int{"AWS::Lambda::Function": 2}, Outputs: 2}}, ""},
		{"count", map[string]bench.Template{"s": {Stack: "s", Resources: map[string]int{"AWS::Lambda::Function": 1}, Outputs: 2}}, "2 AWS::Lambda::Function in golive's template, 1 in the JS app's"},
		{"type", map[string]bench.Template{"s": {Stack: "s", Resources: map[string]int{"AWS::Lambda::Function": 2, "AWS::Logs::LogGroup": 2}, Outputs: 2}}, "0 AWS::Logs::LogGroup"},
		{"outputs", map[string]bench.Template{"s": {Stack: "s", Resources: map[string]int{"AWS::Lambda::Function": 2}, Outputs: 1}}, "2 outputs in golive's template, 1"},
		{"stack", map[string]bench.Template{}, "s: missing from the JS app's assembly"},
		{"extra stack", map[string]bench.Template{"s": golive["s"], "t": {Stack: "t"}}, "t: missing from golive's assembly"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := bench.SameResources(golive, tt.js)
			if tt.want == "" && err != nil {
				t.Fatalf("SameResources: %v, want nil", err)
			}
			if tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)) {
				t.Fatalf("SameResources: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	// The Go-L2 app's differences are reported under its name.
	err := bench.SameResourcesAs(golive, tests[1].js, "the Go-L2 app")
	if want := "2 AWS::Lambda::Function in golive's template, 1 in the Go-L2 app's"; err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("SameResourcesAs: %v, want an error containing %q", err, want)
	}
}

// MaxCrossingsPerPinnedFunction bounds the jsii round trips (requests and callbacks) golive's
// app spends on one more function pinned with a canary and a rollback alarm, construction
// and synth together. A Go CDK app pays a relay round trip for each; see bench/README.md,
// "jsii round trips", for where they go. Raise it only with the figure in that README.
const MaxCrossingsPerPinnedFunction = 20

// TestCrossingsPerPinnedFunction keeps the jsii round trips per pinned function within
// MaxCrossingsPerPinnedFunction, and below the Go app on CDK's own L2s: a change that adds a
// round trip per function, or one that grows with the stack (a check comparing every
// function with every other), fails here rather than slowing synth unseen.
func TestCrossingsPerPinnedFunction(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the golive and Go-L2 apps")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	var log bytes.Buffer
	s, err := bench.NewSynth(ctx, root, t.TempDir(), "", &log)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := s.CountCrossings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	per := map[bench.App]bench.CrossingsRow{}
	for _, r := range rows {
		per[r.App] = r
	}
	golive, l2 := per[bench.Golive], per[bench.GoL2]
	if golive.Pinned > MaxCrossingsPerPinnedFunction {
		t.Errorf("golive: %.1f jsii round trips per pinned function, want at most %d; its calls for %d functions: %q",
			golive.Pinned, MaxCrossingsPerPinnedFunction, bench.CrossingsExtra, golive.PinnedCalls)
	}
	if golive.Pinned >= l2.Pinned {
		t.Errorf("golive: %.1f jsii round trips per pinned function, the Go-L2 app %.1f; want fewer", golive.Pinned, l2.Pinned)
	}
	// The count itself must be real: a pinned function creates at least its function,
	// alias, deployment group and alarm.
	if golive.Pinned < 4 || l2.Pinned < 4 {
		t.Errorf("per pinned function: golive %.1f, Go-L2 %.1f; want at least 4 each (function, alias, group, alarm)", golive.Pinned, l2.Pinned)
	}
	t.Logf("per pinned function: golive %.1f, Go-L2 %.1f; per $LATEST function: golive %.1f, Go-L2 %.1f",
		golive.Pinned, l2.Pinned, golive.Latest, l2.Latest)
}
