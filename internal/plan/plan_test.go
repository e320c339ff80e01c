package plan_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/golive-dev/golive/config"
	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/plan"
)

const week = 7 * 24 * time.Hour

// start is a Tuesday 14:20 UTC: a week earlier is the same hour of the week.
var start = time.Date(2026, 12, 8, 14, 20, 0, 0, time.UTC)

// history is a week of traffic before start, rate(t) requests a minute, read in one span.
func history(rate func(t time.Time) float64) *plan.History {
	from := start.Add(-week).Truncate(time.Hour)
	h := &plan.History{Counts: map[time.Time]float64{}, Start: from, Cycle: week, Depth: 1,
		Spans: []plan.Span{{From: from, To: start}}}
	for t := from; t.Before(start); t = t.Add(time.Minute) {
		if v := rate(t); v > 0 { // Lambda sends no datapoint for a minute without requests
			h.Counts[t] = v
		}
	}
	return h
}

func steady(perMinute float64) *plan.History {
	return history(func(time.Time) float64 { return perMinute })
}

func TestShifts(t *testing.T) {
	tests := []struct {
		name    string
		shift   plan.Shift
		steps   []plan.Step
		minutes int
	}{
		{"AllAtOnce", must(plan.Predefined("AllAtOnce")), []plan.Step{{Percent: 100}}, 0},
		{"Canary10Percent5Minutes", must(plan.Predefined("Canary10Percent5Minutes")), []plan.Step{{10, 5}, {100, 0}}, 5},
		{"Canary10Percent30Minutes", must(plan.Predefined("Canary10Percent30Minutes")), []plan.Step{{10, 30}, {100, 0}}, 30},
		{"Linear10PercentEvery3Minutes", must(plan.Predefined("Linear10PercentEvery3Minutes")),
			[]plan.Step{{10, 3}, {20, 3}, {30, 3}, {40, 3}, {50, 3}, {60, 3}, {70, 3}, {80, 3}, {90, 3}, {100, 0}}, 27},
		{"custom linear 30%", plan.Linear(30, 5), []plan.Step{{30, 5}, {60, 5}, {90, 5}, {100, 0}}, 15},
		{"custom linear 50%", plan.Linear(50, 7), []plan.Step{{50, 7}, {100, 0}}, 7},
		{"custom canary", plan.Canary(25, 12), []plan.Step{{25, 12}, {100, 0}}, 12},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !reflect.DeepEqual(tt.shift.Steps, tt.steps) {
				t.Errorf("steps %v, want %v", tt.shift.Steps, tt.steps)
			}
			if got := tt.shift.Minutes(); got != tt.minutes {
				t.Errorf("Minutes() = %d, want %d", got, tt.minutes)
			}
		})
	}
	if s, _ := plan.Predefined("Canary10Percent5Minutes"); s.Name != "CodeDeployDefault.LambdaCanary10Percent5Minutes" {
		t.Errorf("name %q", s.Name)
	}
	if _, ok := plan.Predefined("Canary99Percent1Minute"); ok {
		t.Error("an unknown type has a shift")
	}
}

// TestShiftMinutesAgreeWithLambdaRules: config refuses a custom shift by lambdarules'
// total, plan times it by its steps; both read CodeDeploy's linear shift alike.
func TestShiftMinutesAgreeWithLambdaRules(t *testing.T) {
	for _, c := range []struct{ percent, interval int }{{10, 1}, {10, 3}, {30, 5}, {33, 2}, {50, 7}, {1, 1}, {25, 60}} {
		if got, want := plan.Linear(c.percent, c.interval).Minutes(), lambdarules.ShiftMinutes(true, c.percent, c.interval); got != want {
			t.Errorf("linear %d%% every %d min: plan %d minutes, lambdarules %d", c.percent, c.interval, got, want)
		}
		if got, want := plan.Canary(c.percent, c.interval).Minutes(), lambdarules.ShiftMinutes(false, c.percent, c.interval); got != want {
			t.Errorf("canary %d%% for %d min: plan %d minutes, lambdarules %d", c.percent, c.interval, got, want)
		}
	}
}

// TestEveryConfigTypeHasAShift: config's list of predefined types and this package's table
// of their shifts are one fact in two places.
func TestEveryConfigTypeHasAShift(t *testing.T) {
	for _, typ := range config.DeploymentTypes() {
		if _, ok := plan.Predefined(typ); !ok {
			t.Errorf("config accepts deployment type %s, which plan has no shift for", typ)
		}
	}
}

func must(s plan.Shift, ok bool) plan.Shift {
	if !ok {
		panic("no such shift")
	}
	return s
}

func TestEvaluate(t *testing.T) {
	canary := must(plan.Predefined("Canary10Percent5Minutes"))
	issue := plan.Release{Shift: canary, Smoke: time.Minute, BakeMinutes: 3, MinInvocations: 10, Alarm: true}
	// Two minutes in three at 300 requests, one idle: the median minute is busy, the p10 idle.
	bursty := history(func(t time.Time) float64 {
		if t.Minute()%3 == 0 {
			return 0
		}
		return 300
	})
	tests := []struct {
		name     string
		release  plan.Release
		history  *plan.History
		problems []string // each a substring of one problem, in order
		notes    []string
		window   *plan.Expected
	}{
		{
			name: "1 request a minute: neither alarm nor bake can judge", release: issue, history: steady(1),
			problems: []string{
				"the alarm cannot fire during step 1 (10% for 5 min): the new version can expect 0.1 requests a minute (median of this hour of the week; 0.1 at p10), fewer than min_invocations 10; no share short of 100% reaches it: LIVE gets 1 requests a minute in all",
				"the bake will refuse the release: it counts the new version's requests from the deployment's start to the end of the 3-minute bake, and can expect 3.5 (median of this hour of the week; 3.5 at p10), fewer than min_invocations 10; a bake of 10 minutes would (\"bake\": {\"minutes\": 10}); or min_invocations 3 fits",
			},
			window: &plan.Expected{Median: 3.5, P10: 3.5},
		},
		{
			name: "300 requests a minute: both can judge", release: issue, history: steady(300),
			window: &plan.Expected{Median: 1050, P10: 1050},
		},
		{
			name: "no history with a bake: the bake will refuse", release: issue, history: nil,
			problems: []string{"no traffic history, so the bake will refuse the release: it wants at least 10 requests"},
			notes:    []string{"no traffic history"},
		},
		{
			name: "no history without a bake: said, not an error", release: plan.Release{Shift: canary, MinInvocations: 10, Alarm: true}, history: &plan.History{},
			notes: []string{"no traffic history: LIVE had no requests in the window read"},
		},
		{
			name: "no history, alias named: the words name it", release: plan.Release{Alias: "live", Shift: canary, BakeMinutes: 3, MinInvocations: 10, Alarm: true}, history: &plan.History{},
			problems: []string{"end of the 3-minute bake, and live had none in the window read"},
			notes:    []string{"no traffic history: live had no requests in the window read"},
		},
		{
			name: "min_invocations 0: nothing to reach", release: plan.Release{Shift: canary, BakeMinutes: 3, Alarm: true}, history: steady(1),
			notes:  []string{"min_invocations is 0"},
			window: &plan.Expected{Median: 3.5, P10: 3.5},
		},
		{
			name: "20 a minute: the alarm cannot fire at 10%, min_invocations 2 fits", release: issue, history: steady(20),
			problems: []string{"the alarm cannot fire during step 1 (10% for 5 min): the new version can expect 2 requests a minute (median of this hour of the week; 2 at p10), fewer than min_invocations 10; min_invocations 2 fits; or a first step of 50% would reach it (custom canary_percent 50)"},
			window:   &plan.Expected{Median: 70, P10: 70},
		},
		{
			name: "5 a minute: no canary share reaches 10 a minute", release: issue, history: steady(5),
			problems: []string{"0.5 requests a minute (median of this hour of the week; 0.5 at p10), fewer than min_invocations 10; no share short of 100% reaches it: LIVE gets 5 requests a minute in all"},
			window:   &plan.Expected{Median: 17.5, P10: 17.5},
		},
		{
			name: "busy median, idle p10: notes, not problems", release: issue, history: bursty,
			notes:  []string{"in a quiet hour (p10) the alarm could not fire during step 1", "in a quiet hour (p10) the bake would count 0 requests"},
			window: &plan.Expected{Median: 1050, P10: 0},
		},
		{
			name: "the hour of the week counts: busy all week but quiet at this hour", release: issue,
			history: history(func(t time.Time) float64 {
				if t.Weekday() == start.Weekday() && t.Hour() == start.Hour() {
					return 1
				}
				return 300
			}),
			problems: []string{"the alarm cannot fire", "the bake will refuse the release"},
		},
		{
			name: "no bake needed to judge: AllAtOnce without a bake has no alarm step", release: plan.Release{Shift: must(plan.Predefined("AllAtOnce")), MinInvocations: 10, Alarm: true},
			history: steady(1),
		},
		{
			name:     "a custom linear shift longer than CodeDeploy's 48 hours",
			release:  plan.Release{Shift: plan.Linear(10, 2880)},
			history:  steady(300),
			problems: []string{"the traffic shift lasts 432 h, more than 48 h (CodeDeploy User Guide, \"CodeDeploy quotas\"", "the deployment at worst lasts 432 h, more than 50 h"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := plan.Evaluate(tt.release, start, tt.history)
			if len(got.Problems) != len(tt.problems) {
				t.Fatalf("problems:\n%s\nwant %d", strings.Join(got.Problems, "\n"), len(tt.problems))
			}
			for i, want := range tt.problems {
				if !strings.Contains(got.Problems[i], want) {
					t.Errorf("problem %d:\n%s\nwant it to contain\n%s", i, got.Problems[i], want)
				}
			}
			for _, want := range tt.notes {
				if !strings.Contains(strings.Join(got.Notes, "\n"), want) {
					t.Errorf("notes:\n%s\nwant one containing %q", strings.Join(got.Notes, "\n"), want)
				}
			}
			if tt.window != nil && (got.BakeWindow == nil || got.BakeWindow.Median != tt.window.Median || got.BakeWindow.P10 != tt.window.P10) {
				t.Errorf("bake window %+v, want %+v", got.BakeWindow, tt.window)
			}
		})
	}
}

// TestTimeline: smoke, each step, bake, and the worst-case total, as CodeDeploy will run them.
func TestTimeline(t *testing.T) {
	r := plan.Release{Shift: must(plan.Predefined("Canary10Percent5Minutes")), Smoke: time.Minute, BakeMinutes: 3, MinInvocations: 10, Alarm: true}
	got := plan.Evaluate(r, start, steady(300))
	type phase struct {
		kind                    string
		percent, start, minutes float64
		median                  float64
	}
	var phases []phase
	for _, p := range got.Timeline {
		ph := phase{kind: p.Kind, percent: p.Percent, start: p.Start, minutes: p.Minutes}
		if p.Expected != nil {
			ph.median = p.Expected.Median
		}
		phases = append(phases, ph)
	}
	want := []phase{
		{"smoke", 0, 0, 1, 0},
		{"shift", 10, 1, 5, 150}, // 300 a minute × 10 % × 5 minutes
		{"shift", 100, 6, 0, 0},  // the last shift is instant
		{"bake", 100, 6, 4, 900}, // 3 minutes of waiting at 100 %, and one to judge
	}
	if !reflect.DeepEqual(phases, want) {
		t.Errorf("timeline %+v\nwant %+v", phases, want)
	}
	if got.TotalMinutes != 10 {
		t.Errorf("total %v minutes, want 10", got.TotalMinutes)
	}
	for _, l := range got.Limits {
		if !l.OK || l.Source == "" {
			t.Errorf("limit %+v: want ok with a source", l)
		}
	}
	if pm := got.Timeline[1].Expected.PerMinute; pm == nil || pm.Median != 30 {
		t.Errorf("per minute in the canary %+v, want 30", pm)
	}

	// An app's own hooks may take CodeDeploy's hour each.
	own := plan.Evaluate(plan.Release{Shift: r.Shift, PreHook: true, PostHook: true}, start, nil)
	if own.TotalMinutes != 125 {
		t.Errorf("total with the app's own hooks %v minutes, want 60 + 5 + 60", own.TotalMinutes)
	}
}

// TestSamples: the same hour of each cycle back, only where read and after the history's
// start; an hour never seen falls back to all the history.
func TestSamples(t *testing.T) {
	from := start.Add(-14 * 24 * time.Hour).Truncate(time.Hour)
	h := &plan.History{Counts: map[time.Time]float64{}, Start: from, Cycle: week, Depth: 2,
		Spans: []plan.Span{{From: from, To: start}}}
	for t := from; t.Before(start); t = t.Add(time.Minute) {
		switch {
		case t.Before(start.Add(-week)) && t.Hour() == start.Hour():
			h.Counts[t] = 1 // two weeks ago, this hour
		case t.Hour() == start.Hour():
			h.Counts[t] = 5 // a week ago, this hour
		default:
			h.Counts[t] = 1000
		}
	}
	s := h.Samples(start)
	if len(s) != 120 {
		t.Fatalf("%d samples, want 60 minutes × 2 weeks", len(s))
	}
	if r := h.RateAt(start); r.Median != 1 || r.P10 != 1 {
		t.Errorf("rate %+v: want the nearest-rank median of 60 ones and 60 fives, 1", r)
	}

	young := &plan.History{Counts: map[time.Time]float64{}, Start: start.Add(-2 * time.Hour), Cycle: week, Depth: 1,
		Spans: []plan.Span{{From: start.Add(-2 * time.Hour), To: start}}}
	for t := young.Start; t.Before(start); t = t.Add(time.Minute) {
		young.Counts[t] = 7
	}
	if len(young.Samples(start)) != 0 {
		t.Error("a history of two hours has samples a week back")
	}
	if r := young.RateAt(start); r.Median != 7 {
		t.Errorf("rate %+v, want the fallback to all history, 7", r)
	}
	got := plan.Evaluate(plan.Release{Shift: plan.Canary(10, 5), BakeMinutes: 3, MinInvocations: 10, Alarm: true}, start, young)
	if !strings.Contains(strings.Join(got.Notes, "\n"), "no history yet for the hour(s) of the week") {
		t.Errorf("notes %q: want the fallback said", got.Notes)
	}
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		values []float64
		p      float64
		want   float64
	}{
		{nil, 50, 0},
		{[]float64{4}, 10, 4},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 10, 1},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 50, 5},
		{[]float64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}, 100, 10},
		{[]float64{0, 0, 300}, 50, 0},
	}
	for _, tt := range tests {
		if got := plan.Percentile(tt.values, tt.p); got != tt.want {
			t.Errorf("Percentile(%v, %v) = %v, want %v", tt.values, tt.p, got, tt.want)
		}
	}
}
