package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/guptarohit/asciigraph"
	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/internal/plan"
	"github.com/golive-dev/golive/internal/release"
)

type planOptions struct {
	target
	window window
	chart  string
}

func planCmd(g *globals) *cobra.Command {
	o := &planOptions{window: window(release.DefaultTrafficWindow)}
	cmd := &cobra.Command{
		Use:   "plan (--env E | --stack NAME [--pins FILE]) [--function F]... [--traffic-window 7d]",
		Short: "Show how the next deploy will release each function, and whether it can be judged",
		Long: `plan shows, for every function whose next deploy moves LIVE through CodeDeploy, the release
as it will run: the smoke test, each traffic shift with its share and length, the bake, the
worst-case total and AWS's limits checked against it. From the LIVE alias's own requests
(CloudWatch, over --traffic-window) it says how many requests the new version can expect in
each step and in the bake's window, at the median and the 10th percentile of the same hour of
the week, whether the rollback alarm can fire in each canary step (it judges a minute only
with min_invocations requests of the new version) and whether the bake reaches
min_invocations. When not, it says in numbers what would (a longer bake, a lower
min_invocations, a larger first step) and exits 1.

With --stack (no config.json) the release is read from the deployed stack: each function's
CodeDeploy deployment group and its deployment configuration, the shipped smoke and bake
hooks' settings and the rollback alarm's min_invocations; the next pins come from --pins
(without it LIVE stays where the stack put it, and there is no release to plan).

On a terminal each function's last day of traffic is drawn as a chart; otherwise it is
summed up in a table. --output json writes one JSON document.`,
		Example: `  golive plan --env prd
  golive plan --env prd --function worker --traffic-window 14d --output json
  golive plan --stack orders-prd --pins pins.json`,
		Args:    cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error { return o.checkPlan(cmd) },
		RunE:    func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	o.registerPins(cmd)
	cmd.Flags().Var(&o.window, "traffic-window", "how far back to read LIVE's requests: 1d to 15d, or a duration such as 36h")
	cmd.Flags().StringVar(&o.chart, "chart", "auto", "draw the last day's traffic: auto (on a terminal), always or never")
	return cmd
}

func (o *planOptions) checkPlan(cmd *cobra.Command) error {
	if err := o.check(cmd); err != nil {
		return err
	}
	if w := time.Duration(o.window); w < release.MinTrafficWindow || w > release.MaxTrafficWindow {
		return usagef("--traffic-window %s: want 1d to 15d (CloudWatch keeps one-minute data for 15 days, and the plan compares the same hour a day or a week back)", o.window.String())
	}
	if !slices.Contains([]string{"auto", "always", "never"}, o.chart) {
		return usagef("--chart %q: want auto, always or never", o.chart)
	}
	return nil
}

func (o *planOptions) run(ctx context.Context, g *globals) error {
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	s.rel.TrafficWindow = time.Duration(o.window)
	rep, err := s.rel.Plan(ctx, s.fns)
	if err != nil {
		return g.awsFailure(err)
	}
	if g.output == "json" {
		err = g.render(rep)
	} else {
		chart := o.chart == "always" || (o.chart == "auto" && isTerminal(g.app.Stdout))
		err = planTable(g.app.Stdout, rep, chart)
	}
	if err != nil {
		return failure{err: err}
	}
	if errs := rep.FunctionErrors(); len(errs) > 0 {
		return g.finish("plan", rep, len(rep.Functions))
	}
	if !rep.OK {
		n := 0
		for _, f := range rep.Functions {
			if f.Plan != nil {
				n += len(f.Plan.Problems)
			}
		}
		fmt.Fprintf(g.app.Stderr, "golive: plan found %d problem(s) in %s\n", n, rep.Env)
		return errReported
	}
	return nil
}

// isTerminal reports whether w is a character device (a terminal), not a pipe or a file.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// window is --traffic-window: a Go duration, or whole days as "7d".
type window time.Duration

func (w *window) String() string {
	d := time.Duration(*w)
	if d%(24*time.Hour) == 0 {
		return strconv.Itoa(int(d/(24*time.Hour))) + "d"
	}
	return d.String()
}

func (w *window) Set(s string) error {
	if n, ok := strings.CutSuffix(s, "d"); ok {
		days, err := strconv.Atoi(n)
		if err != nil {
			return fmt.Errorf("want whole days such as 7d, or a duration such as 36h")
		}
		*w = window(time.Duration(days) * 24 * time.Hour)
		return nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return fmt.Errorf("want whole days such as 7d, or a duration such as 36h")
	}
	*w = window(d)
	return nil
}

func (w *window) Type() string { return "window" }

func planTable(w io.Writer, r *release.PlanReport, chart bool) error {
	var b strings.Builder
	var summary [][]string
	// The summary's alias: the one its functions share, else each function's own.
	alias := ""
	for i, f := range r.Functions {
		if !chart && f.History != nil && f.History.Found {
			switch alias {
			case "":
				alias = f.Alias + "'s"
			case f.Alias + "'s":
			default:
				alias = "Each alias's"
			}
		}
		if i > 0 {
			b.WriteString("\n")
		}
		planFunction(&b, r, f, chart)
		if !chart && f.History != nil && f.History.Found {
			summary = append(summary, trafficRow(f))
		}
	}
	if len(summary) > 0 {
		b.WriteString("\n" + alias + " requests a minute over the last 24 h, by quarter hour:\n")
		tw := tabwriter.NewWriter(&b, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "FUNCTION\tMIN\tMEDIAN\tMAX\tLAST HOUR")
		for _, row := range summary {
			fmt.Fprintln(tw, strings.Join(row, "\t"))
		}
		if err := tw.Flush(); err != nil {
			return err
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func planFunction(b *strings.Builder, r *release.PlanReport, f release.FunctionPlan, chart bool) {
	fmt.Fprintf(b, "%s/%s (%s): ", r.Env, f.Function, f.FunctionName)
	switch {
	case f.Error != "":
		fmt.Fprintf(b, "error: %s\n", f.Error)
		return
	case f.Plan == nil:
		fmt.Fprintf(b, "%s\n", f.Why)
	default:
		fmt.Fprintf(b, "release %s to %s through %s\n", f.From, f.To, f.Plan.Shift.Name)
		timeline(b, f.Plan)
	}
	switch {
	case f.History == nil:
	case !f.History.Found:
		fmt.Fprintf(b, "  no traffic history: %s had no requests in the last %s\n", f.Alias, hours(r.TrafficWindowHours))
	case chart:
		b.WriteString(lastDayChart(f.Alias, f.History))
	}
	if f.Plan != nil {
		for _, p := range f.Plan.Problems {
			fmt.Fprintf(b, "  problem: %s\n", p)
		}
		for _, n := range f.Plan.Notes {
			fmt.Fprintf(b, "  note: %s\n", n)
		}
	}
}

func timeline(b *strings.Builder, p *plan.Result) {
	tw := tabwriter.NewWriter(b, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "  PHASE\tTRAFFIC\tSTART\tLENGTH\tNEW VERSION'S REQUESTS (MEDIAN / P10)")
	for _, ph := range p.Timeline {
		length := "instant"
		if ph.Minutes > 0 {
			length = clock(ph.Minutes)
		}
		expected := "-"
		if e := ph.Expected; e != nil {
			expected = count(e.Median) + " / " + count(e.P10)
			if e.PerMinute != nil && ph.Kind == "shift" {
				expected += " (" + count(e.PerMinute.Median) + " / " + count(e.PerMinute.P10) + " a minute)"
			}
		}
		fmt.Fprintf(tw, "  %s\t%s%%\t+%s\t%s\t%s\n", ph.Kind, count(ph.Percent), clock(ph.Start), length, expected)
	}
	_ = tw.Flush()
	fmt.Fprintf(b, "  worst case %s;", clock(p.TotalMinutes))
	for _, l := range p.Limits {
		verdict := "ok"
		if !l.OK {
			verdict = "OVER"
		}
		fmt.Fprintf(b, " %s %s of %s %s;", l.What, clock(l.Minutes), clock(l.Max), verdict)
	}
	b.WriteString("\n")
	if w := p.BakeWindow; w != nil {
		fmt.Fprintf(b, "  the bake counts %s / %s requests of the new version (median / p10); it wants %d (min_invocations)\n",
			count(w.Median), count(w.P10), p.MinInvocations)
	}
}

// lastDayChart draws the last day's requests a minute. asciigraph (a small, dependency-free
// and maintained library) labels the y axis with values, which a bare sparkline of block
// characters cannot: the peak and the trough are read off the chart, not guessed.
func lastDayChart(alias string, t *release.Traffic) string {
	data := t.LastDay
	if len(data) < 2 {
		return ""
	}
	g := asciigraph.Plot(data,
		asciigraph.Height(5), asciigraph.Width(72), asciigraph.Precision(1),
		asciigraph.LowerBound(0),
		asciigraph.Caption(fmt.Sprintf("%s's requests a minute, %s to %s UTC, by quarter hour", alias,
			t.LastDayStart.Format("Jan 2 15:04"), t.LastDayStart.Add(24*time.Hour).Format("Jan 2 15:04"))))
	var b strings.Builder
	for _, line := range strings.Split(g, "\n") {
		b.WriteString("  " + line + "\n")
	}
	return b.String()
}

func trafficRow(f release.FunctionPlan) []string {
	s := slices.Clone(f.History.LastDay)
	last := 0.0
	for _, v := range s[max(0, len(s)-4):] {
		last += v / 4
	}
	slices.Sort(s)
	return []string{f.Function, count(s[0]), count(plan.Percentile(s, 50)), count(s[len(s)-1]), count(last)}
}

func count(f float64) string {
	if f == float64(int64(f)) {
		return strconv.FormatInt(int64(f), 10)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

// clock writes minutes as 1h30m, 5m, 30s.
func clock(m float64) string {
	d := time.Duration(m * float64(time.Minute)).Round(time.Second)
	s := d.String()
	s = strings.TrimSuffix(s, "0s")
	if strings.HasSuffix(s, "h0m") {
		s = strings.TrimSuffix(s, "0m")
	}
	if s == "" {
		return "0m"
	}
	return s
}

func hours(h float64) string {
	if int(h)%24 == 0 {
		return strconv.Itoa(int(h)/24) + " days"
	}
	return strconv.FormatFloat(h, 'f', -1, 64) + " hours"
}
