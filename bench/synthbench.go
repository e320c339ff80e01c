package bench

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// SynthOptions chooses what the synth benchmark runs.
type SynthOptions struct {
	Ns    []int // functions per environment, ascending: 1, 10, 50
	Pairs int   // paired runs per figure
	// Validation lists the modes of aws-cdk-lib's built-in template validation to measure.
	Validation []bool
	PerEnv     bool // also the per-environment synth against the empty-app floor
	Scale      bool // also the largest prd stack that fits, and the refusal past it
}

// SynthRow is golive against the JS app and the Go-L2 app at one N and validation mode.
type SynthRow struct {
	N          int
	Validation bool
	// Samples taken in rounds golive, Go-L2, JS: the ratios are within each round.
	Golive, GoL2, JS []Sample
	// Templates are golive's, by stack name, from the row's last run.
	Templates map[string]Template
}

// PerEnvResult is one environment's synth against all three, above the empty-app floor.
type PerEnvResult struct {
	N          int
	Validation bool
	// Samples, taken in turns: all envs, prd alone, sbx alone, the empty app; golive then JS.
	GoAll, GoPrd, GoSbx, GoFloor []Sample
	JSAll, JSPrd, JSSbx, JSFloor []Sample
	// GoShare and JSShare are the medians, over the turns, of (prd - floor) / (all - floor);
	// GoSbxShare and JSSbxShare the same for sbx, an environment on $LATEST.
	GoShare, JSShare, GoSbxShare, JSSbxShare float64
	// PrdResourceShare and SbxResourceShare are each stack's share of the resources of all
	// three: what the time shares would be if synth cost only a constant per resource.
	PrdResourceShare, SbxResourceShare float64
}

// ScaleResult is what one prd stack holds per pinned function, and where the limits are.
type ScaleResult struct {
	PerFunctionResources, PerFunctionOutputs float64
	StackResources, StackOutputs             int            // the per-stack constant
	ByType                                   map[string]int // resources per type at the largest N
	LargestN                                 int
	MaxPinned                                int    // pinned functions that fit in 500 resources and 200 outputs
	AtMaxResources, AtMaxOutputs             int    // golive's prd template at MaxPinned
	AtMaxErr                                 string // a synth failure at MaxPinned, if any
	PastMaxRefusal                           string // golive's message one function past the limit
	PastMaxAccepted                          bool   // golive synthesized a template CloudFormation would refuse
	PastMaxResources, PastMaxOutputs         int
}

// SynthResult is the whole synth benchmark.
type SynthResult struct {
	Rows   []SynthRow
	PerEnv *PerEnvResult
	Scale  *ScaleResult
}

// RunSynth runs the synth benchmark. It fails only when a synth fails or the two apps'
// templates differ in their resources: the figures themselves are never judged.
func (s *Synth) RunSynth(ctx context.Context, o SynthOptions) (*SynthResult, error) {
	res := &SynthResult{}
	configs := map[int]string{}
	for _, n := range o.Ns {
		p, err := s.WriteConfig(fmt.Sprintf("config-%d", n), n, nil)
		if err != nil {
			return nil, err
		}
		configs[n] = p
	}
	for _, val := range o.Validation {
		for _, n := range o.Ns {
			row := SynthRow{N: n, Validation: val}
			var gOut, lOut, jOut string
			runners := []func() (Sample, error){
				s.Runner(ctx, SynthRun{App: Golive, Config: configs[n], Validation: val}, &gOut),
				s.Runner(ctx, SynthRun{App: GoL2, Config: configs[n], Validation: val}, &lOut),
				s.Runner(ctx, SynthRun{App: JS, Config: configs[n], Validation: val}, &jOut),
			}
			// One unmeasured round warms the page cache and the handler's build record.
			if _, err := Rounds(ctx, 1, runners...); err != nil {
				return nil, err
			}
			ss, err := Rounds(ctx, o.Pairs, runners...)
			if err != nil {
				return nil, err
			}
			row.Golive, row.GoL2, row.JS = ss[0], ss[1], ss[2]
			gt, err := ReadAssembly(gOut)
			if err != nil {
				return nil, err
			}
			jt, err := ReadAssembly(jOut)
			if err != nil {
				return nil, err
			}
			lt, err := ReadAssembly(lOut)
			if err != nil {
				return nil, err
			}
			if err := SameResources(gt, jt); err != nil {
				return nil, fmt.Errorf("synth at N=%d: %w", n, err)
			}
			if err := SameResourcesAs(gt, lt, "the Go-L2 app"); err != nil {
				return nil, fmt.Errorf("synth at N=%d: %w", n, err)
			}
			if len(gt) != len(Envs) {
				return nil, fmt.Errorf("synth at N=%d: %d stacks synthesized, want %d", n, len(gt), len(Envs))
			}
			row.Templates = gt
			os.RemoveAll(gOut)
			os.RemoveAll(lOut)
			os.RemoveAll(jOut)
			res.Rows = append(res.Rows, row)
			fmt.Fprintf(s.Log, "synth N=%-3d validation=%-5v golive %.2fs  go-l2 %.2fs  js %.2fs  golive/go-l2 %.2f  golive/js %.2f\n",
				n, val, Median(row.Golive), Median(row.GoL2), Median(row.JS), RatioMedian(row.Golive, row.GoL2), RatioMedian(row.Golive, row.JS))
		}
	}
	last := o.Ns[len(o.Ns)-1]
	if o.PerEnv {
		pe, err := s.perEnv(ctx, configs[last], last, o.Pairs)
		if err != nil {
			return nil, err
		}
		res.PerEnv = pe
	}
	if o.Scale {
		sc, err := s.scale(ctx, res.Rows)
		if err != nil {
			return nil, err
		}
		res.Scale = sc
	}
	return res, nil
}

// perEnv times, in turns, all environments, prd alone and the empty app, for golive and
// for the JS app, with validation on: the path of `cdk deploy` per environment.
func (s *Synth) perEnv(ctx context.Context, config string, n, pairs int) (*PerEnvResult, error) {
	pe := &PerEnvResult{N: n, Validation: true}
	runs := []struct {
		r   SynthRun
		dst *[]Sample
	}{
		{SynthRun{App: Golive, Config: config, Validation: true}, &pe.GoAll},
		{SynthRun{App: JS, Config: config, Validation: true}, &pe.JSAll},
		{SynthRun{App: Golive, Config: config, Env: "prd", Validation: true}, &pe.GoPrd},
		{SynthRun{App: JS, Config: config, Env: "prd", Validation: true}, &pe.JSPrd},
		{SynthRun{App: Golive, Config: config, Env: "sbx", Validation: true}, &pe.GoSbx},
		{SynthRun{App: JS, Config: config, Env: "sbx", Validation: true}, &pe.JSSbx},
		{SynthRun{App: EmptyGo, Validation: true}, &pe.GoFloor},
		{SynthRun{App: EmptyJS, Validation: true}, &pe.JSFloor},
	}
	for i := range pairs + 1 {
		for _, r := range runs {
			smp, out, err := s.Run(ctx, r.r)
			if err != nil {
				return nil, err
			}
			if i == 0 && r.r.Config != "" {
				ts, err := ReadAssembly(out)
				if err != nil {
					return nil, err
				}
				switch {
				case r.r.Env != "" && len(ts) != 1:
					return nil, fmt.Errorf("%s -c env=%s synthesized %d stacks, want 1", r.r.App, r.r.Env, len(ts))
				case r.r.Env == "" && r.r.App == Golive:
					pe.PrdResourceShare, pe.SbxResourceShare = resourceShare(ts, "prd"), resourceShare(ts, "sbx")
				}
			}
			os.RemoveAll(out)
			if i > 0 { // the first round only warms up
				*r.dst = append(*r.dst, smp)
			}
		}
	}
	pe.GoShare, pe.JSShare = shares(pe.GoPrd, pe.GoAll, pe.GoFloor), shares(pe.JSPrd, pe.JSAll, pe.JSFloor)
	pe.GoSbxShare, pe.JSSbxShare = shares(pe.GoSbx, pe.GoAll, pe.GoFloor), shares(pe.JSSbx, pe.JSAll, pe.JSFloor)
	fmt.Fprintf(s.Log, "per-env N=%d: golive prd/all above floor %.2f, sbx %.2f (floor %.2fs); js %.2f, %.2f (floor %.2fs)\n",
		n, pe.GoShare, pe.GoSbxShare, Median(pe.GoFloor), pe.JSShare, pe.JSSbxShare, Median(pe.JSFloor))
	return pe, nil
}

// resourceShare is env's stack's share of the resources of every stack in ts.
func resourceShare(ts map[string]Template, env string) float64 {
	var one, all int
	for name, t := range ts {
		all += t.Total()
		if strings.HasSuffix(name, "-"+env) {
			one += t.Total()
		}
	}
	if all == 0 {
		return 0
	}
	return float64(one) / float64(all)
}

// shares is the median over the turns of (one - floor) / (all - floor).
func shares(one, all, floor []Sample) float64 {
	var r []float64
	for i := range one {
		if d := all[i].Wall - floor[i].Wall; d > 0 {
			r = append(r, float64(one[i].Wall-floor[i].Wall)/float64(d))
		}
	}
	return median(r)
}

// scale derives resources and outputs per pinned function from the prd templates of the
// synth rows, then synthesizes prd at the largest N that fits CloudFormation's quotas and
// one past it, where golive must refuse with a clear message.
func (s *Synth) scale(ctx context.Context, rows []SynthRow) (*ScaleResult, error) {
	var first, last *SynthRow
	for i := range rows {
		if first == nil || rows[i].N < first.N {
			first = &rows[i]
		}
		if last == nil || rows[i].N > last.N {
			last = &rows[i]
		}
	}
	if first == nil || first.N == last.N {
		return nil, fmt.Errorf("the scale figures need two values of N")
	}
	prd := func(r *SynthRow) Template { return r.Templates["bench-prd"] }
	f, l := prd(first), prd(last)
	dn := float64(last.N - first.N)
	sc := &ScaleResult{
		PerFunctionResources: float64(l.Total()-f.Total()) / dn,
		PerFunctionOutputs:   float64(l.Outputs-f.Outputs) / dn,
		ByType:               l.Resources,
		LargestN:             last.N,
	}
	sc.StackResources = f.Total() - int(sc.PerFunctionResources)*first.N
	sc.StackOutputs = f.Outputs - int(sc.PerFunctionOutputs)*first.N
	sc.MaxPinned = 200 / max(1, int(sc.PerFunctionOutputs))
	if sc.PerFunctionResources > 0 {
		sc.MaxPinned = min(sc.MaxPinned, int(float64(500-sc.StackResources)/sc.PerFunctionResources))
	}
	for _, n := range []int{sc.MaxPinned, sc.MaxPinned + 1} {
		cfg, err := s.WriteConfig(fmt.Sprintf("scale-%d", n), n, []string{"prd"})
		if err != nil {
			return nil, err
		}
		_, out, err := s.Run(ctx, SynthRun{App: Golive, Config: cfg, Env: "prd"})
		var t Template
		if err == nil {
			ts, rerr := ReadAssembly(out)
			if rerr != nil {
				return nil, rerr
			}
			t = ts["bench-prd"]
		}
		os.RemoveAll(out)
		if n == sc.MaxPinned {
			if err != nil {
				sc.AtMaxErr = firstLine(err.Error())
			}
			sc.AtMaxResources, sc.AtMaxOutputs = t.Total(), t.Outputs
			continue
		}
		if err != nil {
			sc.PastMaxRefusal = refusal(err.Error())
		} else {
			sc.PastMaxAccepted = true
			sc.PastMaxResources, sc.PastMaxOutputs = t.Total(), t.Outputs
		}
	}
	fmt.Fprintf(s.Log, "scale: %.1f resources and %.1f outputs per pinned function, %d per stack; %d pinned fit\n",
		sc.PerFunctionResources, sc.PerFunctionOutputs, sc.StackResources, sc.MaxPinned)
	return sc, nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(s, "\n")
	return s
}

// refusal picks golive's own message out of the CLI's output.
func refusal(out string) string {
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(strings.TrimSpace(line), "golive:") {
			return strings.TrimSpace(line)
		}
	}
	return firstLine(out)
}
