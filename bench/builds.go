package bench

import (
	"context"
	"fmt"
	"io"
	"os"
)

// Build is a prebuilt golive CDK app to compare with others: the product at another
// commit, or with a change applied in a scratch copy.
type Build struct{ Name, Path string }

// BuildRow is every build's samples at one N and validation mode, taken in rounds.
type BuildRow struct {
	N          int
	Validation bool
	Samples    [][]Sample // by build, in the order given
}

// CompareBuilds synthesizes with each build in turn (A B C … A B C …), pairs rounds after
// an unmeasured one, and fails unless every build declares the same resources as the first.
func (s *Synth) CompareBuilds(ctx context.Context, builds []Build, ns []int, pairs int, validation []bool) ([]BuildRow, error) {
	var rows []BuildRow
	for _, val := range validation {
		for _, n := range ns {
			cfg, err := s.WriteConfig(fmt.Sprintf("builds-%d", n), n, nil)
			if err != nil {
				return nil, err
			}
			outs := make([]string, len(builds))
			var runners []func() (Sample, error)
			for i, b := range builds {
				runners = append(runners, s.Runner(ctx, SynthRun{App: Golive, Binary: b.Path, Config: cfg, Validation: val}, &outs[i]))
			}
			if _, err := Rounds(ctx, 1, runners...); err != nil {
				return nil, err
			}
			ss, err := Rounds(ctx, pairs, runners...)
			if err != nil {
				return nil, err
			}
			first, err := ReadAssembly(outs[0])
			if err != nil {
				return nil, err
			}
			for i := 1; i < len(builds); i++ {
				t, err := ReadAssembly(outs[i])
				if err != nil {
					return nil, err
				}
				if err := SameResourcesAs(first, t, builds[i].Name); err != nil {
					return nil, fmt.Errorf("builds at N=%d: %w", n, err)
				}
			}
			for _, o := range outs {
				os.RemoveAll(o)
			}
			row := BuildRow{N: n, Validation: val, Samples: ss}
			rows = append(rows, row)
			fmt.Fprintf(s.Log, "builds N=%-3d validation=%-5v", n, val)
			for i, b := range builds {
				fmt.Fprintf(s.Log, "  %s %.2fs (%.2f), CPU %.2fs (%.2f)", b.Name, Median(ss[i]), RatioMedian(ss[i], ss[0]), MedianCPU(ss[i]), CPURatioMedian(ss[i], ss[0]))
			}
			fmt.Fprintln(s.Log)
		}
	}
	return rows, nil
}

// BuildsMarkdown writes each build's median and its ratio to the first build, median of
// the ratios within each round and their range.
func BuildsMarkdown(w io.Writer, builds []Build, rows []BuildRow) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("### Builds compared (`-builds`)\n\n`cdk synth -q` of 3 environments × N functions with each build in turn; "+
		"ratio: median of build/%s within each round, (lowest–highest) over the rounds; CPU: the same of the user and system time of "+
		"the synth's processes, which waiting for a CPU on a loaded machine does not inflate.\n\n| validation | N |", builds[0].Name)
	for _, b := range builds {
		p(" %s (s) |", b.Name)
	}
	for _, b := range builds[1:] {
		p(" %s/%s |", b.Name, builds[0].Name)
	}
	for _, b := range builds[1:] {
		p(" CPU %s/%s |", b.Name, builds[0].Name)
	}
	p("\n|---|---:|")
	for range len(builds)*3 - 2 {
		p("---:|")
	}
	p("\n")
	for _, r := range rows {
		p("| %s | %d |", onOff(r.Validation), r.N)
		for i := range builds {
			p(" %.2f |", Median(r.Samples[i]))
		}
		for i := 1; i < len(builds); i++ {
			p(" **%.2f** %s |", RatioMedian(r.Samples[i], r.Samples[0]), spread(r.Samples[i], r.Samples[0]))
		}
		for i := 1; i < len(builds); i++ {
			p(" %.2f |", CPURatioMedian(r.Samples[i], r.Samples[0]))
		}
		p("\n")
	}
	p("\n")
}
