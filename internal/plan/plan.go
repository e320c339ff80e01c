// Package plan is the arithmetic of a release before it runs: the timeline CodeDeploy and
// the shipped hooks will follow (smoke test, each traffic shift, bake), the limits of
// CodeDeploy and Lambda checked against it, and the requests the new version can expect in
// each part of it, from the LIVE alias's own history of requests a minute. It is pure: no
// AWS and no clock, so every number is table-tested; internal/release reads CloudWatch and
// feeds it.
//
// The rules it predicts are the release verdict's (internal/hook, the construct's alarm):
//   - the rollback alarm judges a minute only when the new version served min_invocations
//     requests in it, so during a step that sends it share s of LIVE's traffic it can fire
//     only if requests a minute × s >= min_invocations;
//   - the bake judges the new version's requests from the deployment's start to the end of
//     the bake, and refuses the release with fewer than min_invocations.
package plan

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// Limits of AWS a release must fit in.
const (
	// MaxShift is the longest time between the first and the last traffic shift of a
	// Lambda deployment (CodeDeploy User Guide, "CodeDeploy quotas": "AWS Lambda deployment
	// run in hours", 50 = 48 hours of shifting plus one hour for each of two hooks).
	MaxShift = lambdarules.MaxShiftMinutes * time.Minute
	// MaxDeployment is that quota itself: the longest a Lambda deployment can run.
	MaxDeployment = 50 * time.Hour
	// HookLimit is how long CodeDeploy waits for a lifecycle hook to report before the
	// event fails (same quotas page: one hour for each of the two hooks).
	HookLimit = time.Hour
	// LambdaTimeout is the longest a Lambda invocation runs (Lambda Developer Guide,
	// "Lambda quotas": function timeout 900 seconds); each shipped hook runs in one.
	LambdaTimeout = hooksettings.HookTimeoutS * time.Second
	// JudgeTime is what the bake hook keeps after its wait to read the metrics and report
	// (hooksettings.MaxBakeMinutes leaves it one minute of the Lambda timeout).
	JudgeTime = time.Minute
)

// Step is one traffic increment of a shift: Percent of LIVE's traffic goes to the new
// version for Minutes, until the next increment. The last step is 100 % and lasts 0.
type Step struct {
	Percent float64 `json:"percent"`
	Minutes int     `json:"minutes"`
}

// Shift is how CodeDeploy moves the alias: its name and increments.
type Shift struct {
	// Name is the CodeDeploy deployment configuration
	// ("CodeDeployDefault.LambdaCanary10Percent5Minutes") or a custom shift in words.
	Name  string `json:"name"`
	Steps []Step `json:"steps"`
}

// Minutes is the time from the first traffic shift to the last.
func (s Shift) Minutes() int {
	n := 0
	for _, st := range s.Steps {
		n += st.Minutes
	}
	return n
}

// predefined are CodeDeploy's predefined Lambda deployment configurations (CodeDeploy User
// Guide, "Working with deployment configurations in CodeDeploy", "Predefined deployment
// configurations for an AWS Lambda compute platform"): a canary shifts its percent first
// and the rest after its minutes; a linear one shifts its percent every interval until all
// traffic is shifted. config's list of deployment types is tested against this table.
var predefined = map[string]struct {
	linear           bool
	percent, minutes int
}{
	"AllAtOnce":                     {false, 100, 0},
	"Canary10Percent5Minutes":       {false, 10, 5},
	"Canary10Percent10Minutes":      {false, 10, 10},
	"Canary10Percent15Minutes":      {false, 10, 15},
	"Canary10Percent30Minutes":      {false, 10, 30},
	"Linear10PercentEvery1Minute":   {true, 10, 1},
	"Linear10PercentEvery2Minutes":  {true, 10, 2},
	"Linear10PercentEvery3Minutes":  {true, 10, 3},
	"Linear10PercentEvery10Minutes": {true, 10, 10},
}

// Predefined is the shift of a predefined type, named as config.json names it
// ("Canary10Percent5Minutes"); ok is false for any other name.
func Predefined(typ string) (Shift, bool) {
	p, ok := predefined[typ]
	if !ok {
		return Shift{}, false
	}
	var s Shift
	switch {
	case p.percent == 100:
		s = Shift{Steps: []Step{{Percent: 100}}}
	case p.linear:
		s = Linear(p.percent, p.minutes)
	default:
		s = Canary(p.percent, p.minutes)
	}
	s.Name = "CodeDeployDefault.Lambda" + typ
	return s, true
}

// Canary shifts percent, then the rest after minutes (CodeDeploy API Reference,
// TimeBasedCanary: "shifted in two increments").
func Canary(percent, minutes int) Shift {
	return Shift{
		Name:  fmt.Sprintf("custom canary: %d%% for %d min, then 100%%", percent, minutes),
		Steps: []Step{{Percent: float64(percent), Minutes: minutes}, {Percent: 100}},
	}
}

// Linear shifts percent at the start of each increment, every minutes, until all traffic
// is shifted (CodeDeploy API Reference, TimeBasedLinear: linearPercentage is shifted "at
// the start of each increment"): 10 % every minute is at 100 % after 9 minutes.
func Linear(percent, minutes int) Shift {
	s := Shift{Name: fmt.Sprintf("custom linear: %d%% more every %d min", percent, minutes)}
	for p := percent; p < 100; p += percent {
		s.Steps = append(s.Steps, Step{Percent: float64(p), Minutes: minutes})
	}
	s.Steps = append(s.Steps, Step{Percent: 100})
	return s
}

// Release is what a deploy that moves LIVE will run.
type Release struct {
	// Alias is the name of the alias the release moves, which the plan's words name; ""
	// is LIVE.
	Alias string
	Shift Shift
	// Smoke is the shipped pre-traffic hook's budget for all its events; 0 without one.
	Smoke time.Duration
	// PreHook and PostHook are traffic hooks of the app's own, which CodeDeploy may wait
	// for up to HookLimit each.
	PreHook, PostHook bool
	// BakeMinutes is the shipped post-traffic hook's wait; 0 without a bake.
	BakeMinutes int
	// MinInvocations is alarms.min_invocations; 0 turns the evidence rule off.
	MinInvocations int
	// Alarm is set when a threshold (error rate, p99 duration) that min_invocations guards
	// rolls the deployment back.
	Alarm bool
}

func (r Release) alias() string { return resourcenames.AliasOr(r.Alias) }

// Phase is one part of the timeline.
type Phase struct {
	// Kind is "smoke", "pre-traffic hook", "shift", "bake" or "post-traffic hook".
	Kind string `json:"kind"`
	// Percent of LIVE's traffic on the new version during the phase.
	Percent float64 `json:"percent"`
	// Start and Minutes, from the deployment's start, at worst.
	Start   float64 `json:"start_minute"`
	Minutes float64 `json:"minutes"`
	// Expected requests of the new version during the phase, from history; nil without.
	Expected *Expected `json:"expected,omitempty"`
}

// Expected is a number of requests at the median and at the 10th percentile of the
// alias's traffic in the same hour of the week (or day).
type Expected struct {
	Median float64 `json:"median"`
	P10    float64 `json:"p10"`
	// PerMinute is Median and P10 a minute (for a phase).
	PerMinute *Rate `json:"per_minute,omitempty"`
}

// Rate is requests a minute.
type Rate struct {
	Median float64 `json:"median"`
	P10    float64 `json:"p10"`
}

// Limit is one limit of AWS checked against the timeline.
type Limit struct {
	What    string  `json:"what"`
	Minutes float64 `json:"minutes"`
	Max     float64 `json:"max_minutes"`
	OK      bool    `json:"ok"`
	Source  string  `json:"source"`
}

// Result is the plan of one release.
type Result struct {
	Shift    Shift   `json:"shift"`
	Timeline []Phase `json:"timeline"`
	// TotalMinutes is the worst case from the deployment's start to its end.
	TotalMinutes float64 `json:"total_minutes"`
	Limits       []Limit `json:"limits"`
	// MinInvocations is the evidence rule checked.
	MinInvocations int `json:"min_invocations"`
	// BakeWindow is what the bake will count: the new version's requests from the
	// deployment's start to the end of the bake; nil without a bake or history.
	BakeWindow *Expected `json:"bake_window,omitempty"`
	// Problems make the release fail or go unjudged: each says why, in numbers, and what
	// would do.
	Problems []string `json:"problems"`
	// Notes are worth knowing but do not fail the plan.
	Notes []string `json:"notes"`
}

// Evaluate plans r starting at start over history h (nil or empty: no traffic history).
func Evaluate(r Release, start time.Time, h *History) Result {
	res := Result{Shift: r.Shift, MinInvocations: r.MinInvocations, Problems: []string{}, Notes: []string{}}
	at := 0.0
	add := func(p Phase) *Phase {
		p.Start = at
		at += p.Minutes
		res.Timeline = append(res.Timeline, p)
		return &res.Timeline[len(res.Timeline)-1]
	}
	switch {
	case r.PreHook:
		add(Phase{Kind: "pre-traffic hook", Minutes: HookLimit.Minutes()})
	case r.Smoke > 0:
		add(Phase{Kind: "smoke", Minutes: r.Smoke.Minutes()})
	}
	shiftStart := at
	var shiftIdx []int
	for _, st := range r.Shift.Steps {
		add(Phase{Kind: "shift", Percent: st.Percent, Minutes: float64(st.Minutes)})
		shiftIdx = append(shiftIdx, len(res.Timeline)-1)
	}
	bakeIdx := -1
	switch {
	case r.BakeMinutes > 0:
		add(Phase{Kind: "bake", Percent: 100, Minutes: float64(r.BakeMinutes) + JudgeTime.Minutes()})
		bakeIdx = len(res.Timeline) - 1
	case r.PostHook:
		add(Phase{Kind: "post-traffic hook", Percent: 100, Minutes: HookLimit.Minutes()})
	}
	res.TotalMinutes = at
	res.Limits = limits(r, res.TotalMinutes)
	for _, l := range res.Limits {
		if !l.OK {
			res.Problems = append(res.Problems, fmt.Sprintf("%s lasts %s, more than %s (%s)", l.What, minutes(l.Minutes), minutes(l.Max), l.Source))
		}
	}

	if !h.Known() {
		res.Notes = append(res.Notes, "no traffic history: "+r.alias()+" had no requests in the window read")
		if r.BakeMinutes > 0 && r.MinInvocations > 0 {
			res.Problems = append(res.Problems, fmt.Sprintf(
				"no traffic history, so the bake will refuse the release: it wants at least %d requests of the new version (min_invocations) from the deployment's start to the end of the %d-minute bake, and %s had none in the window read; "+
					"send it traffic first, or set min_invocations 0 to release it unjudged", r.MinInvocations, r.BakeMinutes, r.alias()))
		}
		return res
	}

	// The shift starts once the smoke test is done: each minute of it meets the traffic of
	// its own hour.
	origin := start.Add(time.Duration(shiftStart * float64(time.Minute)))
	offset := 0
	var inShift Expected
	for i, st := range r.Shift.Steps {
		ph := &res.Timeline[shiftIdx[i]]
		if st.Minutes == 0 {
			continue
		}
		e := h.expect(origin, offset, st.Minutes, st.Percent/100)
		ph.Expected = &e
		inShift.Median += e.Median
		inShift.P10 += e.P10
		offset += st.Minutes
	}
	if h.fellBack(origin, offset+r.BakeMinutes) {
		res.Notes = append(res.Notes, "no history yet for the hour(s) of the "+h.cycleName()+" this release runs in: expected requests are from all the history read")
	}
	if r.BakeMinutes > 0 {
		bake := h.expect(origin, offset, r.BakeMinutes, 1)
		res.Timeline[bakeIdx].Expected = &bake
		w := Expected{Median: inShift.Median + bake.Median, P10: inShift.P10 + bake.P10}
		res.BakeWindow = &w
	}
	if r.MinInvocations <= 0 {
		res.Notes = append(res.Notes, "min_invocations is 0: thresholds judge any minute, however few its requests")
		return res
	}
	min := float64(r.MinInvocations)
	if r.Alarm {
		res.alarmChecks(r, h, origin, shiftIdx, min)
	}
	if r.BakeMinutes > 0 {
		res.bakeChecks(r, h, origin, offset, inShift, min)
	}
	return res
}

// alarmChecks says, for each step short of 100 %, whether the new version can reach
// min_invocations in a minute, so that the alarm can judge it at all.
func (res *Result) alarmChecks(r Release, h *History, origin time.Time, shiftIdx []int, min float64) {
	offset := 0
	for i, st := range r.Shift.Steps {
		if st.Percent >= 100 || st.Minutes == 0 {
			offset += st.Minutes
			continue
		}
		e := res.Timeline[shiftIdx[i]].Expected
		pm := e.PerMinute
		all := h.expect(origin, offset, st.Minutes, 1).PerMinute
		offset += st.Minutes
		step := fmt.Sprintf("step %d (%s%% for %d min)", i+1, num(st.Percent), st.Minutes)
		if pm.Median < min {
			advice := []string{}
			if fits := math.Floor(pm.Median); fits >= 1 {
				advice = append(advice, fmt.Sprintf("min_invocations %s fits", num(fits)))
			}
			if all.Median > 0 {
				if pct := math.Ceil(100 * min / all.Median); pct <= 99 {
					advice = append(advice, fmt.Sprintf("a first step of %s%% would reach it (custom canary_percent %s)", num(pct), num(pct)))
				} else {
					advice = append(advice, fmt.Sprintf("no share short of 100%% reaches it: %s gets %s requests a minute in all", r.alias(), num(all.Median)))
				}
			}
			if len(advice) == 0 {
				advice = append(advice, "no min_invocations above 0 fits")
			}
			res.Problems = append(res.Problems, fmt.Sprintf(
				"the alarm cannot fire during %s: the new version can expect %s requests a minute (median of this hour of the %s; %s at p10), fewer than min_invocations %d; %s",
				step, num(pm.Median), h.cycleName(), num(pm.P10), r.MinInvocations, strings.Join(advice, "; or ")))
			continue
		}
		if pm.P10 < min {
			res.Notes = append(res.Notes, fmt.Sprintf("in a quiet hour (p10) the alarm could not fire during %s: %s requests a minute, fewer than min_invocations %d",
				step, num(pm.P10), r.MinInvocations))
		}
	}
}

// bakeChecks says whether the bake's window reaches min_invocations and, when not, which
// bake (up to hooksettings.MaxBakeMinutes) or which min_invocations would.
func (res *Result) bakeChecks(r Release, h *History, origin time.Time, bakeOffset int, inShift Expected, min float64) {
	w := res.BakeWindow
	if w.Median >= min {
		if w.P10 < min {
			res.Notes = append(res.Notes, fmt.Sprintf("in a quiet hour (p10) the bake would count %s requests, fewer than min_invocations %d, and refuse the release",
				num(w.P10), r.MinInvocations))
		}
		return
	}
	var advice []string
	suffice := 0
	for b := 1; b <= hooksettings.MaxBakeMinutes; b++ {
		if inShift.Median+h.expect(origin, bakeOffset, b, 1).Median >= min {
			suffice = b
			break
		}
	}
	if suffice > 0 {
		advice = append(advice, fmt.Sprintf(`a bake of %d minutes would ("bake": {"minutes": %d})`, suffice, suffice))
	} else {
		most := inShift.Median + h.expect(origin, bakeOffset, hooksettings.MaxBakeMinutes, 1).Median
		advice = append(advice, fmt.Sprintf("even the longest bake, %d minutes, would count %s", hooksettings.MaxBakeMinutes, num(most)))
	}
	if fits := math.Floor(w.Median); fits >= 1 {
		advice = append(advice, fmt.Sprintf("min_invocations %s fits", num(fits)))
	} else {
		advice = append(advice, "no min_invocations above 0 fits")
	}
	res.Problems = append(res.Problems, fmt.Sprintf(
		"the bake will refuse the release: it counts the new version's requests from the deployment's start to the end of the %d-minute bake, and can expect %s (median of this hour of the %s; %s at p10), fewer than min_invocations %d; %s",
		r.BakeMinutes, num(w.Median), h.cycleName(), num(w.P10), r.MinInvocations, strings.Join(advice, "; or ")))
}

func limits(r Release, total float64) []Limit {
	const quotas = `CodeDeploy User Guide, "CodeDeploy quotas"`
	ls := []Limit{{
		What: "the traffic shift", Minutes: float64(r.Shift.Minutes()), Max: MaxShift.Minutes(),
		Source: quotas + ": 48 hours between the first and the last traffic shift",
	}}
	if r.Smoke > 0 && !r.PreHook {
		ls = append(ls, Limit{
			What: "the smoke test", Minutes: r.Smoke.Minutes(), Max: LambdaTimeout.Minutes(),
			Source: `the hook runs in one Lambda invocation, at most 15 minutes (Lambda Developer Guide, "Lambda quotas"); CodeDeploy waits an hour for it (` + quotas + ")",
		})
	}
	if r.BakeMinutes > 0 {
		ls = append(ls, Limit{
			What: "the bake", Minutes: float64(r.BakeMinutes) + JudgeTime.Minutes(), Max: LambdaTimeout.Minutes(),
			Source: `the hook waits and judges in one Lambda invocation, at most 15 minutes (Lambda Developer Guide, "Lambda quotas")`,
		})
	}
	ls = append(ls, Limit{
		What: "the deployment at worst", Minutes: total, Max: MaxDeployment.Minutes(),
		Source: quotas + `: "AWS Lambda deployment run in hours", 50`,
	})
	for i := range ls {
		ls[i].OK = ls[i].Minutes <= ls[i].Max
	}
	return ls
}

// History is the LIVE alias's requests a minute, as CloudWatch reports them: Lambda sends
// Invocations only for a minute with requests, so a minute without a datapoint inside a
// span read had none.
type History struct {
	// Counts are requests by minute (its start, UTC).
	Counts map[time.Time]float64
	// Spans are the ranges read at one-minute resolution.
	Spans []Span
	// Start is the first minute the alias was seen serving anything: minutes before it are
	// not zeros but unknown (the function may not have existed).
	Start time.Time
	// Cycle is the period whose same hour is compared: a week, or a day.
	Cycle time.Duration
	// Depth is how many cycles back the spans reach.
	Depth int

	rates map[time.Time]Rate // by hour: every minute of an hour has the same samples
}

// Span is a range [From, To).
type Span struct{ From, To time.Time }

// Known reports whether there is any history at all.
func (h *History) Known() bool { return h != nil && !h.Start.IsZero() }

func (h *History) cycleName() string {
	if h.Cycle < 7*24*time.Hour {
		return "day"
	}
	return "week"
}

// covered reports whether minute t was read and the alias existed then.
func (h *History) covered(t time.Time) bool {
	if t.Before(h.Start) {
		return false
	}
	for _, s := range h.Spans {
		if !t.Before(s.From) && t.Before(s.To) {
			return true
		}
	}
	return false
}

// Samples are the requests a minute in the same hour as t, one cycle back, two cycles
// back, … (60 a cycle read).
func (h *History) Samples(t time.Time) []float64 {
	hour := t.UTC().Truncate(time.Hour)
	var out []float64
	for k := 1; k <= h.Depth; k++ {
		from := hour.Add(-time.Duration(k) * h.Cycle)
		for m := range 60 {
			mt := from.Add(time.Duration(m) * time.Minute)
			if h.covered(mt) {
				out = append(out, h.Counts[mt])
			}
		}
	}
	return out
}

// all is every minute read since Start: the fallback for an hour not seen yet.
func (h *History) all() []float64 {
	var out []float64
	for _, s := range h.Spans {
		for t := s.From; t.Before(s.To); t = t.Add(time.Minute) {
			if h.covered(t) {
				out = append(out, h.Counts[t])
			}
		}
	}
	return out
}

// RateAt is the requests a minute to expect at t: the median and the 10th percentile of
// the same hour's samples, else of all the history.
func (h *History) RateAt(t time.Time) Rate {
	hour := t.UTC().Truncate(time.Hour)
	if r, ok := h.rates[hour]; ok {
		return r
	}
	s := h.Samples(t)
	if len(s) == 0 {
		s = h.all()
	}
	slices.Sort(s)
	r := Rate{Median: Percentile(s, 50), P10: Percentile(s, 10)}
	if h.rates == nil {
		h.rates = map[time.Time]Rate{}
	}
	h.rates[hour] = r
	return r
}

func (h *History) fellBack(origin time.Time, n int) bool {
	for m := 0; m < n; m += 60 {
		if len(h.Samples(origin.Add(time.Duration(m)*time.Minute))) == 0 {
			return true
		}
	}
	return n > 0 && len(h.Samples(origin.Add(time.Duration(n-1)*time.Minute))) == 0
}

// expect sums, over n minutes starting offset minutes after origin, the requests a minute
// of each minute's hour times share.
func (h *History) expect(origin time.Time, offset, n int, share float64) Expected {
	var e Expected
	for m := range n {
		r := h.RateAt(origin.Add(time.Duration(offset+m) * time.Minute))
		e.Median += r.Median * share
		e.P10 += r.P10 * share
	}
	if n > 0 {
		e.PerMinute = &Rate{Median: e.Median / float64(n), P10: e.P10 / float64(n)}
	}
	return e
}

// Percentile is the nearest-rank p-th percentile of sorted values (0 when empty): the
// smallest value with at least p % of the values at or below it.
func Percentile(sorted []float64, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

// num writes a count for people: whole numbers plain, others with up to two decimals.
func num(f float64) string {
	return strconv.FormatFloat(math.Round(f*100)/100, 'f', -1, 64)
}

// minutes writes a duration in minutes for people.
func minutes(m float64) string {
	if m >= 120 {
		return num(m/60) + " h"
	}
	return num(m) + " min"
}
