package bench

import (
	"fmt"
	"image/color"
	"io"
	"maps"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"time"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
)

// Machine describes where the figures were taken.
func Machine() string {
	cpu := "unknown CPU"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				cpu = strings.TrimSpace(v)
				break
			}
		}
	}
	mem := ""
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kb int64
		fmt.Sscanf(strings.TrimPrefix(firstLine(string(b)), "MemTotal:"), "%d", &kb)
		mem = fmt.Sprintf(", %.0f GiB RAM", float64(kb)/1024/1024)
	}
	node, _ := exec.Command("node", "--version").Output()
	return fmt.Sprintf("%d × %s%s, %s, %s, Node %s", runtime.NumCPU(), cpu, mem, runtime.GOOS+"/"+runtime.GOARCH,
		runtime.Version(), strings.TrimSpace(string(node)))
}

// Report holds every section that ran; a nil section was skipped.
type Report struct {
	Date    time.Time
	Machine string
	Pairs   int
	// NodeOptions is the NODE_OPTIONS every synth of both apps ran with ("" for none).
	NodeOptions string
	Synth       *SynthResult
	Crossings   []CrossingsRow
	Publish     *PublishResult
	Suite       *SuiteResult
}

func onOff(v bool) string {
	if v {
		return "on"
	}
	return "off"
}

// Markdown writes the tables a user can compare.
func (r *Report) Markdown(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("Measured %s on %s; %d paired runs per figure (A B A B …), medians.\n\n", r.Date.Format("2006-01-02"), r.Machine, r.Pairs)
	if s := r.Synth; s != nil && len(s.Rows) > 0 {
		p("### Synth: golive app against a Go app on CDK's L2s and a plain JavaScript CDK app\n\n")
		p("`cdk synth -q` of 3 environments × N functions (pinned with a canary and alarms in prd, `$LATEST` in sbx and tst), " +
			"the Go apps prebuilt (no compile time). Go-L2 (`bench/goapp`) is what a Go team writes without golive: `Function`, " +
			"`Alias`, `LambdaDeploymentGroup` and an `Alarm` on a `MathExpression`, CDK's own L2s; the JS app (`bench/jsapp/app.js`) " +
			"declares the same in JavaScript. All three run on the same aws-cdk-lib and declare the same resources " +
			"(resource counts per type, outputs and function code checked equal in every template). Runs in rounds golive, Go-L2, JS; " +
			"ratio: median of golive/other within each round, (lowest–highest) over the rounds.\n\n")
		p("| validation | N | golive (s) | Go-L2 (s) | JS (s) | golive/Go-L2 | golive/JS | golive peak (MiB) | Go-L2 peak (MiB) | JS peak (MiB) |\n")
		p("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
		for _, row := range s.Rows {
			p("| %s | %d | %.2f | %.2f | %.2f | **%.2f** %s | **%.2f** %s | %.0f | %.0f | %.0f |\n", onOff(row.Validation), row.N,
				Median(row.Golive), Median(row.GoL2), Median(row.JS),
				RatioMedian(row.Golive, row.GoL2), spread(row.Golive, row.GoL2), RatioMedian(row.Golive, row.JS), spread(row.Golive, row.JS),
				MaxRSSMB(row.Golive), MaxRSSMB(row.GoL2), MaxRSSMB(row.JS))
		}
		nodeOptions := "unset"
		if r.NodeOptions != "" {
			nodeOptions = "`" + r.NodeOptions + "`"
		}
		p("\nAll apps run with the same Node flags and environment (NODE_OPTIONS %s); golive's on stock jsii-runtime-go.\n", nodeOptions)
		p("\nCost of each added function (slope between the smallest and largest N, per function declared, i.e. per N × 3 environments):\n\n")
		p("| validation | golive (ms/function) | Go-L2 (ms/function) | JS (ms/function) |\n|---|---:|---:|---:|\n")
		for _, val := range []bool{true, false} {
			g, l, j, ok := slope(s.Rows, val)
			if ok {
				p("| %s | %.1f | %.1f | %.1f |\n", onOff(val), g, l, j)
			}
		}
		p("\n")
	}
	if pe := r.Synth.perEnvOrNil(); pe != nil {
		p("### Synth of one environment (`cdk synth -c env=prd`)\n\n")
		p("N = %d functions per environment, validation on. The floor is an app with one empty stack (CLI start, Node, jsii, aws-cdk-lib, "+
			"the validator's start); share = (one env − floor) / (all envs − floor), median over the turns. The stacks differ in size: "+
			"prd pins its functions (5 resources each: function, role, alias, deployment group, alarm) where sbx and tst follow $LATEST "+
			"(3 each), and only prd loads the CodeDeploy and CloudWatch modules. So prd holds %.2f of all resources and sbx %.2f: "+
			"were synth a constant cost per resource, those would be their shares.\n\n", pe.N, pe.PrdResourceShare, pe.SbxResourceShare)
		p("| app | all envs (s) | prd only (s) | sbx only (s) | empty app floor (s) | prd share above floor | sbx share above floor |\n|---|---:|---:|---:|---:|---:|---:|\n")
		p("| golive | %.2f | %.2f | %.2f | %.2f | **%.2f** | **%.2f** |\n", Median(pe.GoAll), Median(pe.GoPrd), Median(pe.GoSbx), Median(pe.GoFloor), pe.GoShare, pe.GoSbxShare)
		p("| JS | %.2f | %.2f | %.2f | %.2f | %.2f | %.2f |\n", Median(pe.JSAll), Median(pe.JSPrd), Median(pe.JSSbx), Median(pe.JSFloor), pe.JSShare, pe.JSSbxShare)
		p("| resource share | | | | | %.2f | %.2f |\n\n", pe.PrdResourceShare, pe.SbxResourceShare)
	}
	if sc := r.Synth.scaleOrNil(); sc != nil {
		p("### Scale of one stack\n\n")
		p("From golive's prd templates (CloudFormation allows 500 resources and 200 outputs per template):\n\n")
		p("| per pinned function | per stack | pinned functions that fit |\n|---|---|---:|\n")
		p("| %.1f resources, %.1f outputs | %d resources, %d outputs | **%d** |\n\n",
			sc.PerFunctionResources, sc.PerFunctionOutputs, sc.StackResources, sc.StackOutputs, sc.MaxPinned)
		var types []string
		for _, t := range slices.Sorted(maps.Keys(sc.ByType)) {
			types = append(types, fmt.Sprintf("%s %d", t, sc.ByType[t]))
		}
		p("Resources of the prd stack at N = %d: %s.\n\n", sc.LargestN, strings.Join(types, ", "))
		if sc.AtMaxErr != "" {
			p("- At %d pinned functions: synth failed: `%s`\n", sc.MaxPinned, sc.AtMaxErr)
		} else {
			p("- At %d pinned functions: synth succeeds, %d resources and %d outputs.\n", sc.MaxPinned, sc.AtMaxResources, sc.AtMaxOutputs)
		}
		if sc.PastMaxAccepted {
			p("- At %d: **synth accepted a template CloudFormation refuses** (%d resources, %d outputs).\n\n", sc.MaxPinned+1, sc.PastMaxResources, sc.PastMaxOutputs)
		} else {
			p("- At %d: synth refuses: `%s`\n\n", sc.MaxPinned+1, sc.PastMaxRefusal)
		}
	}
	if len(r.Crossings) > 0 {
		CrossingsMarkdown(w, r.Crossings)
	}
	if pub := r.Publish; pub != nil {
		pub.Markdown(w)
	}
	if su := r.Suite; su != nil {
		su.Markdown(w)
	}
}

func (s *SynthResult) perEnvOrNil() *PerEnvResult {
	if s == nil {
		return nil
	}
	return s.PerEnv
}

func (s *SynthResult) scaleOrNil() *ScaleResult {
	if s == nil {
		return nil
	}
	return s.Scale
}

// slope is the cost of one more function, in ms, between the smallest and largest N.
func slope(rows []SynthRow, val bool) (golive, gol2, js float64, ok bool) {
	var lo, hi *SynthRow
	for i := range rows {
		r := &rows[i]
		if r.Validation != val {
			continue
		}
		if lo == nil || r.N < lo.N {
			lo = r
		}
		if hi == nil || r.N > hi.N {
			hi = r
		}
	}
	if lo == nil || lo.N == hi.N {
		return 0, 0, 0, false
	}
	fns := float64((hi.N - lo.N) * len(Envs))
	per := func(lo, hi []Sample) float64 { return (Median(hi) - Median(lo)) * 1000 / fns }
	return per(lo.Golive, hi.Golive), per(lo.GoL2, hi.GoL2), per(lo.JS, hi.JS), true
}

// spread is the range of a[i]/b[i] over the pairs, "(lo–hi)", or "" for a single pair.
func spread(a, b []Sample) string {
	var r []float64
	for i := range a {
		if i < len(b) && b[i].Wall > 0 {
			r = append(r, a[i].Wall.Seconds()/b[i].Wall.Seconds())
		}
	}
	if len(r) < 2 {
		return ""
	}
	return fmt.Sprintf("(%.2f–%.2f)", slices.Min(r), slices.Max(r))
}

// Plot draws synth time against N for golive, the Go-L2 app and the JS app, one line per validation mode.
func (s *SynthResult) Plot(path string) error {
	p := plot.New()
	p.Title.Text = "cdk synth of 3 environments × N functions"
	p.X.Label.Text = "N (functions per environment)"
	p.Y.Label.Text = "median wall time (s)"
	p.Y.Min = 0
	p.Legend.Top, p.Legend.Left = true, true
	p.Add(plotter.NewGrid())
	styles := []struct {
		app   App
		val   bool
		color color.Color
		dash  bool
	}{
		{Golive, true, color.RGBA{R: 0, G: 114, B: 178, A: 255}, false},
		{GoL2, true, color.RGBA{R: 0, G: 158, B: 115, A: 255}, false},
		{JS, true, color.RGBA{R: 230, G: 159, B: 0, A: 255}, false},
		{Golive, false, color.RGBA{R: 0, G: 114, B: 178, A: 255}, true},
		{GoL2, false, color.RGBA{R: 0, G: 158, B: 115, A: 255}, true},
		{JS, false, color.RGBA{R: 230, G: 159, B: 0, A: 255}, true},
	}
	for _, st := range styles {
		var pts plotter.XYs
		for _, row := range s.Rows {
			if row.Validation != st.val {
				continue
			}
			ss := map[App][]Sample{Golive: row.Golive, GoL2: row.GoL2, JS: row.JS}[st.app]
			pts = append(pts, plotter.XY{X: float64(row.N), Y: Median(ss)})
		}
		if len(pts) == 0 {
			continue
		}
		line, points, err := plotter.NewLinePoints(pts)
		if err != nil {
			return err
		}
		line.Color, points.Color = st.color, st.color
		line.Width = vg.Points(2)
		if st.dash {
			line.Dashes = []vg.Length{vg.Points(6), vg.Points(3)}
		}
		name := map[App]string{Golive: "golive", GoL2: "Go app on CDK L2s", JS: "JavaScript app"}[st.app]
		p.Add(line, points)
		p.Legend.Add(fmt.Sprintf("%s, validation %s", name, onOff(st.val)), line, points)
	}
	// Headroom above the highest line for the legend.
	p.Y.Max *= 1.45
	return p.Save(7*vg.Inch, 4*vg.Inch, path)
}

// Markers of the block of a README that ReplaceBlock rewrites.
const (
	BlockBegin = "<!-- results:begin (written by make bench) -->"
	BlockEnd   = "<!-- results:end -->"
)

// ReplaceBlock puts text between BlockBegin and BlockEnd in the file at path, headings
// moved one level down so that they nest under the README's own.
func ReplaceBlock(path, text string) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	s := string(b)
	i, j := strings.Index(s, BlockBegin), strings.Index(s, BlockEnd)
	if i < 0 || j < i {
		return fmt.Errorf("%s: no %q ... %q block to write the results into", path, BlockBegin, BlockEnd)
	}
	text = strings.ReplaceAll(text, "\n### ", "\n#### ")
	if strings.HasPrefix(text, "### ") {
		text = "#" + text
	}
	s = s[:i+len(BlockBegin)] + "\n" + text + s[j:]
	return os.WriteFile(path, []byte(s), 0o644)
}
