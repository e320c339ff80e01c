package release

import (
	"context"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/plan"
)

// MetricsAPI reads the LIVE alias's request history; *cloudwatch.Client implements it, and
// it is also cloudwatch.GetMetricDataAPIClient, so the SDK's paginator reads every page.
type MetricsAPI interface {
	GetMetricData(ctx context.Context, params *cloudwatch.GetMetricDataInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.GetMetricDataOutput, error)
}

// Traffic windows plan accepts. CloudWatch keeps one-minute data for 15 days (CloudWatch
// API Reference, GetMetricData: "Data points with a period of 60 seconds (1-minute) are
// available for 15 days"), and the plan needs minutes: the alarm judges one at a time.
const (
	DefaultTrafficWindow = 7 * 24 * time.Hour
	MinTrafficWindow     = 24 * time.Hour
	MaxTrafficWindow     = 15 * 24 * time.Hour
)

// chartStep is the resolution of the last day's chart: 96 points, a terminal line's width.
const chartStep = 15 * time.Minute

// PlanReport is the result of plan, also written as JSON (docs/commands.md, "golive plan").
type PlanReport struct {
	Env string `json:"env"`
	// OK is false when a release cannot be judged or breaks a limit.
	OK bool `json:"ok"`
	// Start is when the plan assumes the deployment starts (now).
	Start time.Time `json:"start"`
	// TrafficWindowHours is how far back the alias's history was read.
	TrafficWindowHours float64        `json:"traffic_window_hours"`
	Functions          []FunctionPlan `json:"functions"`
}

// FunctionPlan is the plan of one function's next deploy.
type FunctionPlan struct {
	Function     string `json:"function"`
	FunctionName string `json:"function_name"`
	// Alias is the name of the function's alias, whose requests History counts.
	Alias string `json:"alias"`
	// From is the version the stack last deployed, To the version config pins.
	From string `json:"from"`
	To   string `json:"to"`
	// Release is "canary" (CodeDeploy moves LIVE), "direct" (CloudFormation does, at once)
	// or "none" (LIVE does not move).
	Release string `json:"release"`
	// Why says, in words, why there is no canary to plan; empty for a canary.
	Why     string   `json:"why,omitempty"`
	History *Traffic `json:"history,omitempty"`
	// Plan is the canary's timeline and evidence; nil without a canary.
	Plan  *plan.Result `json:"plan,omitempty"`
	Error string       `json:"error,omitempty"`

	err error
}

// Traffic is what was read of the alias's requests.
type Traffic struct {
	// Found is false when LIVE had no request in the window.
	Found bool `json:"found"`
	// Since is the start of the first quarter hour with requests in the window.
	Since *time.Time `json:"since,omitempty"`
	// Cycle is "week" or "day": the same hour of which the plan compares.
	Cycle string `json:"cycle"`
	// LastDay is requests a minute, averaged over each quarter hour of the last day,
	// oldest first, from LastDayStart.
	LastDayStart time.Time `json:"last_day_start"`
	LastDay      []float64 `json:"last_day_per_minute"`
}

// FunctionErrors are the functions that could not be planned.
func (r *PlanReport) FunctionErrors() []error {
	var errs []error
	for _, f := range r.Functions {
		if f.err != nil {
			errs = append(errs, f.err)
		}
	}
	return errs
}

// Plan says, for each function, how its next deploy moves LIVE and, for a canary, the
// timeline and whether the new version can meet the evidence rule (min_invocations).
func (e *Env) Plan(ctx context.Context, fns []Function) (*PlanReport, error) {
	st, err := e.Status(ctx, fns)
	if err != nil {
		return nil, err
	}
	now := time.Now().UTC().Truncate(time.Minute)
	rep := &PlanReport{Env: e.Target.Name, Start: now, TrafficWindowHours: e.trafficWindow().Hours(), Functions: make([]FunctionPlan, len(fns))}
	ctx, timedOut, done := giveUpOnTimeout(ctx)
	defer done()
	group := e.group()
	hooks := &stackHooks{}
	for i := range fns {
		group.Go(func() error {
			rep.Functions[i] = e.planFunction(ctx, fns[i], st.Functions[i], now, true, hooks)
			timedOut(rep.Functions[i].err)
			return nil
		})
	}
	_ = group.Wait() // each function's error is in its result
	rep.OK = true
	for _, f := range rep.Functions {
		if f.err != nil || (f.Plan != nil && len(f.Plan.Problems) > 0) {
			rep.OK = false
		}
	}
	return rep, nil
}

func (e *Env) trafficWindow() time.Duration {
	if e.TrafficWindow > 0 {
		return e.TrafficWindow
	}
	return DefaultTrafficWindow
}

// planFunction plans fn's next deploy; history is read for every function that exists when
// all is set (plan shows it), else only for a canary (verify). hooks holds, with --stack,
// the stack's hook settings.
func (e *Env) planFunction(ctx context.Context, fn Function, s FunctionStatus, now time.Time, all bool, hooks *stackHooks) FunctionPlan {
	p := FunctionPlan{Function: fn.Name, FunctionName: fn.FunctionName, Alias: AliasOf(fn), To: orLatest(fn.LiveVersion), Release: "none"}
	if s.StackDeployed != nil {
		p.From = *s.StackDeployed
	}
	if s.Error != "" {
		p.err, p.Error = s.err, s.Error
		return p
	}
	r, why, err := e.release(ctx, fn, s, hooks)
	if err != nil {
		p.err, p.Error = err, e.errorText(ctx, err)
		return p
	}
	switch {
	case why != "":
		p.Why = why
	case r == nil:
		p.Release, p.Why = "direct", fmt.Sprintf("CloudFormation moves %s from %s to %s at once: no canary, no hooks, no alarm", p.Alias, p.From, p.To)
	default:
		p.Release = "canary"
	}
	// verify reads the history only where a rule needs it: a release whose alarm or bake
	// min_invocations guards; plan shows it for every function.
	if !s.exists || (!all && (r == nil || r.MinInvocations == 0 || (!r.Alarm && r.BakeMinutes == 0))) {
		if r != nil {
			res := plan.Evaluate(*r, now, nil)
			res.Notes = []string{}
			p.Plan = &res
		}
		return p
	}
	var total float64
	if r != nil {
		total = plan.Evaluate(*r, now, nil).TotalMinutes
	}
	h, tr, err := e.history(ctx, fn.FunctionName, p.Alias, now, total)
	if err != nil {
		p.err, p.Error = err, e.errorText(ctx, err)
		return p
	}
	p.History = tr
	if r != nil {
		res := plan.Evaluate(*r, now, h)
		p.Plan = &res
	}
	return p
}

// release is what fn's next deploy runs through CodeDeploy; nil with why empty is a move
// without CodeDeploy, and why says why nothing is planned. With --stack it is read from
// the deployed stack (deployedRelease), else from config.json.
func (e *Env) release(ctx context.Context, fn Function, s FunctionStatus, hooks *stackHooks) (*plan.Release, string, error) {
	to := orLatest(fn.LiveVersion)
	switch {
	case !s.exists:
		return nil, fmt.Sprintf("function %s does not exist yet", fn.FunctionName), nil
	case s.StackDeployed == nil:
		return nil, "not deployed yet: the first deploy creates " + AliasOf(fn), nil
	case *s.StackDeployed == to:
		why := fmt.Sprintf("%s stays on %s", AliasOf(fn), to)
		if e.Target.StackOnly && !e.Target.PinsFile {
			why += " (the stack's own pin; give the next pins with --pins to plan their release)"
		}
		return nil, why, nil
	case !fn.UsesCodeDeploy() || fn.Rollout == RolloutDirect:
		return nil, "", nil
	case *s.StackDeployed == Latest:
		return nil, "a canary from $LATEST cannot run (verify says why)", nil
	case e.Target.StackOnly:
		return e.deployedRelease(ctx, fn, *s.StackDeployed, to, hooks)
	}
	d := fn.Deployment
	r := &plan.Release{Alias: AliasOf(fn), MinInvocations: d.MinInvocations, Alarm: d.Alarm, PreHook: d.PreHook, PostHook: d.PostHook}
	switch {
	case d.Custom != nil && d.Custom.Linear:
		r.Shift = plan.Linear(d.Custom.Percent, d.Custom.IntervalMinutes)
	case d.Custom != nil:
		r.Shift = plan.Canary(d.Custom.Percent, d.Custom.IntervalMinutes)
	default:
		shift, ok := plan.Predefined(d.Type)
		if !ok {
			return nil, "", fmt.Errorf("deployment type %q is not one golive knows", d.Type)
		}
		r.Shift = shift
	}
	r.Smoke = time.Duration(d.SmokeTimeoutS) * time.Second
	r.BakeMinutes = d.BakeMinutes
	return r, "", nil
}

// history reads the alias's Invocations (namespace AWS/Lambda, dimensions FunctionName and
// Resource NAME:ALIAS: the alias's own requests, whichever version served them; Lambda
// Developer Guide, "Using CloudWatch metrics with Lambda", dimensions): the window in
// quarter hours, for when the history starts and the last day's chart, and the hours a
// release of total minutes starting at now would run in, a cycle (week or day) back and
// further, a minute at a time. Fetching only those hours keeps a week of one-minute data
// (10,080 points a function) off the wire.
func (e *Env) history(ctx context.Context, name, aliasName string, now time.Time, total float64) (*plan.History, *Traffic, error) {
	w := e.trafficWindow()
	cycle := 7 * 24 * time.Hour
	if w < cycle {
		cycle = 24 * time.Hour
	}
	tr := &Traffic{Cycle: "week", LastDay: []float64{}}
	if cycle < 7*24*time.Hour {
		tr.Cycle = "day"
	}
	end := now.Truncate(chartStep)
	quarters, err := e.invocations(ctx, name, aliasName, end.Add(-w).Truncate(chartStep), end, chartStep)
	if err != nil {
		return nil, nil, err
	}
	h := &plan.History{Counts: map[time.Time]float64{}, Cycle: cycle, Depth: int(w / cycle)}
	for t := end.Add(-w).Truncate(chartStep); t.Before(end); t = t.Add(chartStep) {
		if quarters[t] > 0 {
			h.Start = t
			since := t
			tr.Since, tr.Found = &since, true
			break
		}
	}
	tr.LastDayStart = end.Add(-24 * time.Hour)
	for t := tr.LastDayStart; t.Before(end); t = t.Add(chartStep) {
		tr.LastDay = append(tr.LastDay, quarters[t]/chartStep.Minutes())
	}
	if !tr.Found {
		return nil, tr, nil
	}
	// The hours the release runs in, with room for the longest bake the advice may suggest.
	from := now.Truncate(time.Hour)
	to := now.Add(time.Duration(total+hooksettings.MaxBakeMinutes) * time.Minute).Truncate(time.Hour).Add(time.Hour)
	if to.Sub(from) > cycle {
		to = from.Add(cycle)
	}
	for k := 1; k <= h.Depth; k++ {
		back := time.Duration(k) * cycle
		span := plan.Span{From: from.Add(-back), To: to.Add(-back)}
		if span.To.After(now) {
			span.To = now
		}
		if !span.From.Before(span.To) {
			continue
		}
		minutes, err := e.invocations(ctx, name, aliasName, span.From, span.To, time.Minute)
		if err != nil {
			return nil, nil, err
		}
		for t, v := range minutes {
			h.Counts[t] = v
		}
		h.Spans = append(h.Spans, span)
	}
	return h, tr, nil
}

// invocations is the alias's Sum of Invocations per period in [from, to), by period start.
// CloudWatch answers only periods with data: Lambda sends Invocations for a minute with
// requests and nothing otherwise (CloudWatch User Guide, "AWS Lambda metrics": "only sends
// these metrics to CloudWatch if they have a nonzero value").
func (e *Env) invocations(ctx context.Context, name, aliasName string, from, to time.Time, period time.Duration) (map[time.Time]float64, error) {
	in := &cloudwatch.GetMetricDataInput{
		StartTime: aws.Time(from), EndTime: aws.Time(to),
		ScanBy: cwtypes.ScanByTimestampAscending,
		MetricDataQueries: []cwtypes.MetricDataQuery{{
			Id: aws.String("invocations"),
			MetricStat: &cwtypes.MetricStat{
				Metric: &cwtypes.Metric{
					Namespace: aws.String("AWS/Lambda"), MetricName: aws.String("Invocations"),
					Dimensions: []cwtypes.Dimension{
						{Name: aws.String("FunctionName"), Value: aws.String(name)},
						{Name: aws.String("Resource"), Value: aws.String(name + ":" + aliasName)},
					},
				},
				Period: aws.Int32(int32(period / time.Second)), Stat: aws.String("Sum"),
			},
		}},
	}
	out := map[time.Time]float64{}
	for p := cloudwatch.NewGetMetricDataPaginator(e.Metrics, in); p.HasMorePages(); {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the requests of %s:%s from CloudWatch: %w", name, aliasName, err)
		}
		for _, r := range page.MetricDataResults {
			for i, ts := range r.Timestamps {
				if i < len(r.Values) {
					out[ts.UTC().Truncate(period)] += r.Values[i]
				}
			}
		}
	}
	return out, nil
}

// releaseProblems are verify's findings of plan: for each function whose next deploy runs a
// canary, whether the verdict can judge it (min_invocations) and whether it fits AWS's
// limits. Without a metrics client (a caller that gives none) there is nothing to read.
func (e *Env) releaseProblems(ctx context.Context, fns []Function, st *StatusReport) []Problem {
	if e.Metrics == nil {
		return nil
	}
	now := time.Now().UTC().Truncate(time.Minute)
	plans := make([]FunctionPlan, len(fns))
	ctx, timedOut, done := giveUpOnTimeout(ctx)
	defer done()
	group := e.group()
	hooks := &stackHooks{}
	for i := range fns {
		group.Go(func() error {
			s := st.Functions[i]
			if s.Error != "" || len(s.Deployments) > 0 {
				return nil // already a problem of its own
			}
			plans[i] = e.planFunction(ctx, fns[i], s, now, false, hooks)
			timedOut(plans[i].err)
			return nil
		})
	}
	_ = group.Wait() // each function's error is in its result
	var out []Problem
	for i, p := range plans {
		if p.Error != "" {
			out = append(out, Problem{Function: fns[i].Name, Message: "cannot plan the release: " + p.Error})
		}
		if p.Plan == nil {
			continue
		}
		for _, msg := range p.Plan.Problems {
			out = append(out, Problem{Function: fns[i].Name, Message: fmt.Sprintf("release %s to %s: %s", p.From, p.To, msg)})
		}
	}
	return out
}
