package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Envs are the environments every generated config declares, as in config/config.json:
// LIVE follows $LATEST in sbx and tst and is pinned, with a canary and alarms, in prd.
var Envs = []string{"sbx", "tst", "prd"}

// Accounts are the generated configs' accounts, by environment.
var Accounts = map[string]string{"sbx": "111111111111", "tst": "222222222222", "prd": "333333333333"}

// Synth holds what the synth benchmarks share: the prebuilt apps and handler, and the
// generated configs.
type Synth struct {
	Root   string // repository root: cdk.json (feature flags), node_modules, functions/
	Work   string // scratch directory
	Golive string // prebuilt cmd/app binary
	Empty  string // prebuilt empty Go CDK app: the floor every synth pays
	GoL2   string // prebuilt Go CDK app on CDK's own L2s (goapp): what a Go team writes without golive
	// AssetDir and AssetHash are the handler built exactly as golive builds it, for the JS app.
	AssetDir, AssetHash string
	Log                 io.Writer
	n                   int // counts synth output directories
}

// NewSynth builds the golive app, the Go-L2 app, the empty Go app and the worker handler
// into work.
// Building is not timed: the benchmark compares synth, not compilation. A non-empty
// goliveApp is a prebuilt app to measure instead (an older build, to compare changes).
func NewSynth(ctx context.Context, root, work, goliveApp string, log io.Writer) (*Synth, error) {
	s := &Synth{Root: root, Work: work, Log: log,
		Golive: filepath.Join(work, "golive-app"), Empty: filepath.Join(work, "empty-app"),
		GoL2: filepath.Join(work, "go-l2-app"), AssetDir: filepath.Join(work, "asset")}
	builds := []Cmd{
		{Dir: root, Args: []string{"go", "build", "-o", s.Golive, "./cmd/app"}},
		{Dir: filepath.Join(root, "bench"), Args: []string{"go", "build", "-o", s.Empty, "./emptyapp"}},
		{Dir: filepath.Join(root, "bench"), Args: []string{"go", "build", "-o", s.GoL2, "./goapp"}},
		// The flags of the construct's Go build, so both apps package the same bytes.
		{Dir: filepath.Join(root, "functions", "worker"), Env: []string{"CGO_ENABLED=0", "GOOS=linux", "GOARCH=arm64"},
			Args: []string{"go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-buildid=", "-tags=lambda.norpc",
				"-o", filepath.Join(s.AssetDir, "bootstrap"), "."}},
	}
	if goliveApp != "" {
		s.Golive, builds = goliveApp, builds[1:]
	}
	for _, c := range builds {
		if out, err := Output(ctx, c); err != nil {
			return nil, fmt.Errorf("%s: %w\n%s", strings.Join(c.Args, " "), err, out)
		}
	}
	b, err := os.ReadFile(filepath.Join(s.AssetDir, "bootstrap"))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(b)
	s.AssetHash = hex.EncodeToString(sum[:])
	return s, nil
}

// App is one side of a comparison.
type App string

const (
	Golive App = "golive"
	JS     App = "js"
	// GoL2 is the Go app on CDK's own L2 constructs (goapp).
	GoL2 App = "go-l2"
	// EmptyGo and EmptyJS synthesize one empty stack: the fixed cost of a synth.
	EmptyGo App = "empty-go"
	EmptyJS App = "empty-js"
)

// SynthRun is one `cdk synth` to time.
type SynthRun struct {
	App        App
	Config     string // generated config.json
	Env        string // "" for every environment
	Validation bool   // aws-cdk-lib's built-in template validation (CDK_VALIDATION)
	Binary     string // a prebuilt Go CDK app to run instead of App's (a build to compare)
}

// Run times one `cdk synth -q` of r with the real CLI from node_modules, and returns
// the sample and the cloud assembly directory.
func (s *Synth) Run(ctx context.Context, r SynthRun) (Sample, string, error) {
	s.n++
	out := filepath.Join(s.Work, "out", fmt.Sprintf("%04d-%s", s.n, r.App))
	if err := os.RemoveAll(out); err != nil {
		return Sample{}, "", err
	}
	var app string
	switch r.App {
	case Golive:
		app = s.Golive
	case JS:
		app = "node " + filepath.Join(s.Root, "bench", "jsapp", "app.js")
	case GoL2:
		app = s.GoL2
	case EmptyGo:
		app = s.Empty
	case EmptyJS:
		app = "node " + filepath.Join(s.Root, "bench", "jsapp", "empty.js")
	}
	if r.Binary != "" {
		app = r.Binary
	}
	args := []string{filepath.Join(s.Root, "node_modules", ".bin", "cdk"), "synth", "--quiet", "--no-notices",
		"--app", app, "--output", out}
	if r.Config != "" {
		args = append(args, "--context", "config="+r.Config)
	}
	if r.Env != "" {
		args = append(args, "--context", "env="+r.Env)
	}
	env := []string{
		"CDK_VALIDATION=" + strconv.FormatBool(r.Validation),
		"CDK_DISABLE_CLI_TELEMETRY=true",
		"JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20",
		"JSII_DEPRECATED=quiet",
		"BENCH_ASSET_DIR=" + s.AssetDir,
		"BENCH_ASSET_HASH=" + s.AssetHash,
	}
	// The repository root: cdk.json's feature flags apply to both apps alike, and
	// function entries are relative to it.
	smp, err := Time(ctx, Cmd{Dir: s.Root, Env: env, Args: args})
	return smp, out, err
}

// Runner returns a closure timing r, for Pairs. Each run's assembly replaces the last's.
func (s *Synth) Runner(ctx context.Context, r SynthRun, last *string) func() (Sample, error) {
	return func() (Sample, error) {
		smp, out, err := s.Run(ctx, r)
		if last != nil && err == nil {
			if *last != "" {
				os.RemoveAll(*last)
			}
			*last = out
		}
		return smp, err
	}
}

// WriteConfig writes a config with n functions defined once and used by every
// environment, pinned (version 7, canary, three alarm thresholds) in prd, like
// config/config.json at scale. envs limits the environments (nil: Envs).
func (s *Synth) WriteConfig(name string, n int, envs []string) (string, error) {
	if envs == nil {
		envs = Envs
	}
	fns := map[string]any{}
	for i := range n {
		fns[fmt.Sprintf("f%03d", i)] = map[string]any{
			"entry": "functions/worker", "memory_mb": 256, "timeout_s": 10,
			"deployment": map[string]any{
				"type":   "Canary10Percent5Minutes",
				"alarms": map[string]any{"error_rate_percent": 1, "p99_duration_ms": 2000},
			},
		}
	}
	envMap := map[string]any{}
	for _, e := range envs {
		pins := map[string]any{}
		for k := range fns {
			if e == "prd" {
				pins[k] = map[string]any{"live_version": "7"}
			} else {
				pins[k] = map[string]any{"live_version": nil}
			}
		}
		envMap[e] = map[string]any{"account": Accounts[e], "region": "us-east-1", "lambda_functions": pins}
	}
	// Environments in a fixed order: encoding/json sorts map keys, so build the object by hand.
	var envJSON []string
	for _, e := range envs {
		b, _ := json.Marshal(envMap[e])
		envJSON = append(envJSON, strconv.Quote(e)+":"+string(b))
	}
	fb, _ := json.Marshal(fns)
	doc := fmt.Sprintf(`{"project":"bench","lambda_functions":%s,"envs":{%s}}`, fb, strings.Join(envJSON, ","))
	path := filepath.Join(s.Work, name+".json")
	return path, os.WriteFile(path, []byte(doc), 0o644)
}

// Template is what the benchmark reads back from one synthesized template.
type Template struct {
	Stack     string
	Resources map[string]int // count per resource type
	Outputs   int
	AssetKeys []string // S3 keys of the function code, to check both apps package the same bytes
}

// Total is the template's resource count.
func (t Template) Total() int {
	n := 0
	for _, c := range t.Resources {
		n += c
	}
	return n
}

// ReadAssembly reads every template of a cloud assembly, by stack name.
func ReadAssembly(dir string) (map[string]Template, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.template.json"))
	if err != nil {
		return nil, err
	}
	out := map[string]Template{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var doc struct {
			Resources map[string]struct {
				Type       string
				Properties struct {
					Code struct{ S3Key any }
				}
			}
			Outputs map[string]any
		}
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		t := Template{Stack: strings.TrimSuffix(filepath.Base(f), ".template.json"), Resources: map[string]int{}, Outputs: len(doc.Outputs)}
		keys := map[string]bool{}
		for _, r := range doc.Resources {
			t.Resources[r.Type]++
			if k, ok := r.Properties.Code.S3Key.(string); ok && r.Type == "AWS::Lambda::Function" {
				keys[k] = true
			}
		}
		t.AssetKeys = slices.Sorted(maps.Keys(keys))
		out[t.Stack] = t
	}
	return out, nil
}

// SameResources fails unless both assemblies hold the same stacks with equal resource
// counts per type, equal output counts and the same function code.
func SameResources(golive, js map[string]Template) error {
	return SameResourcesAs(golive, js, "the JS app")
}

// SameResourcesAs is SameResources against the assembly of the app named other.
func SameResourcesAs(golive, js map[string]Template, other string) error {
	var problems []string
	for _, name := range slices.Sorted(maps.Keys(golive)) {
		g := golive[name]
		j, ok := js[name]
		if !ok {
			problems = append(problems, name+": missing from "+other+"'s assembly")
			continue
		}
		for _, typ := range slices.Sorted(maps.Keys(mergeKeys(g.Resources, j.Resources))) {
			if g.Resources[typ] != j.Resources[typ] {
				problems = append(problems, fmt.Sprintf("%s: %d %s in golive's template, %d in %s's", name, g.Resources[typ], typ, j.Resources[typ], other))
			}
		}
		if g.Outputs != j.Outputs {
			problems = append(problems, fmt.Sprintf("%s: %d outputs in golive's template, %d in %s's", name, g.Outputs, j.Outputs, other))
		}
		if !slices.Equal(g.AssetKeys, j.AssetKeys) {
			problems = append(problems, fmt.Sprintf("%s: function code %v in golive's template, %v in %s's", name, g.AssetKeys, j.AssetKeys, other))
		}
	}
	for name := range js {
		if _, ok := golive[name]; !ok {
			problems = append(problems, name+": missing from golive's assembly")
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("golive and %s declare different resources:\n  %s", other, strings.Join(problems, "\n  "))
	}
	return nil
}

func mergeKeys(a, b map[string]int) map[string]int {
	m := maps.Clone(a)
	for k := range b {
		m[k] = 0
	}
	return m
}
