package versionedfunction

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/stackoutputs"
)

// ReleaseDashboard is a CloudWatch dashboard of releases: per function, LIVE's invocations,
// errors and p99 duration split by the version that ran them, so the old and the new
// version sit side by side during a shift, with the rollback alarm's thresholds drawn on
// them.
//
// Nothing in it names a version: every graph is a SEARCH over Lambda's ExecutedVersion
// dimension, so a release (a new LiveVersion) changes nothing in the dashboard. For the
// same reason it shows no alarm-status widget: that widget lists alarms by ARN
// (CloudWatch API Reference, "Dashboard Body Structure and Syntax"; CDK's
// AlarmStatusWidget writes alarm ARNs), and the rollback alarm's name, hence its ARN,
// carries the version, so the widget would change with every release. The dashboard
// names the alarm's pattern and thresholds instead; golive status links the dashboard.
type ReleaseDashboard struct {
	constructs.Construct
	// Dashboard is the AWS::CloudWatch::Dashboard (id "Resource").
	Dashboard awscloudwatch.CfnDashboard

	name   string
	region string
	mu     sync.Mutex
	rows   []dashboardRow
}

// ReleaseDashboardProps configures a ReleaseDashboard.
type ReleaseDashboardProps struct {
	// DashboardName of the dashboard: letters, digits, "-" and "_". Default: the stack's
	// name and "-releases", the name golive status looks for: {project}-{env}-releases in golive's
	// own stacks.
	DashboardName string
}

// ReleaseDashboardID is the construct id of the stack's ReleaseDashboard, a child of the
// stack.
const ReleaseDashboardID = "GoliveReleaseDashboard"

// ReleaseDashboardOf returns the stack's release dashboard, declared with props on first
// use, with the stack output "ReleaseDashboard" naming it (golive status links to it):
// every pinned VersionedFunction of the stack adds itself to it unless its
// Props.DisableDashboard is set. To name it, call ReleaseDashboardOf with props before
// declaring the functions; props given once it exists must match it.
//
// A name that is not a dashboard name, or one that differs from the existing dashboard's,
// is a synth error, not a panic: a CDK error annotation on the dashboard's node
// (GoliveReleaseDashboard), which `cdk synth` and `cdk deploy` print with its path before
// failing. A differing name leaves the dashboard as declared and returns it; a bad name
// declares no dashboard and no output (see NewReleaseDashboard).
func ReleaseDashboardOf(scope constructs.Construct, props *ReleaseDashboardProps) *ReleaseDashboard {
	stack := awscdk.Stack_Of(scope)
	return scopeOf(stack).releaseDashboard(stack, props)
}

// releaseDashboard is ReleaseDashboardOf for the stack of this scope.
func (ss *stackScope) releaseDashboard(stack awscdk.Stack, props *ReleaseDashboardProps) *ReleaseDashboard {
	ss.mu.Lock()
	d := ss.dashboard
	ss.mu.Unlock()
	if d != nil {
		if props != nil && props.DashboardName != "" && props.DashboardName != d.name {
			reportError(d.Construct, fmt.Sprintf("DashboardName: got %q, but the stack's release dashboard was already declared as %q; "+
				"call ReleaseDashboardOf with its props before declaring the VersionedFunctions", props.DashboardName, d.name))
		}
		return d
	}
	d = NewReleaseDashboard(stack, ReleaseDashboardID, props)
	if d.Dashboard != nil {
		// What golive status reads to link the dashboard, with or without golive's config.
		awscdk.NewCfnOutput(stack, jsii.String(stackoutputs.DashboardOutputKey), &awscdk.CfnOutputProps{
			Value:       jsii.String(d.name),
			Description: jsii.String("CloudWatch dashboard of the stack's releases"),
		})
	}
	ss.mu.Lock()
	ss.dashboard = d
	ss.mu.Unlock()
	return d
}

// NewReleaseDashboard declares a release dashboard of one's own, for functions added with
// AddFunction (from any stack of the same account and region: the graphs search metrics by
// function name). A DashboardName that is not a dashboard name is a synth error (a CDK error
// annotation on the construct's node, not a panic), and the ReleaseDashboard returned then
// declares nothing: its Dashboard is nil and AddFunction changes nothing.
func NewReleaseDashboard(scope constructs.Construct, id string, props *ReleaseDashboardProps) *ReleaseDashboard {
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	name := ""
	if props != nil {
		name = props.DashboardName
	}
	if name == "" {
		name = resourcenames.DashboardName(*stack.StackName())
	}
	d := &ReleaseDashboard{Construct: c, name: name, region: *stack.Region()}
	if !*awscdk.Token_IsUnresolved(jsii.String(name)) && !dashboardNameRe(name) {
		reportError(c, fmt.Sprintf("DashboardName: got %q; want 1 to 255 letters, digits, \"-\" and \"_\" (CloudWatch's rule for dashboard names)", name))
		return d
	}
	// The body is written at synth from every function added by then, in one piece.
	d.Dashboard = awscloudwatch.NewCfnDashboard(c, jsii.String("Resource"), &awscloudwatch.CfnDashboardProps{
		DashboardName: jsii.String(name),
		DashboardBody: awscdk.Lazy_String(&dashboardBody{d}, nil),
	})
	return d
}

// DashboardName is the dashboard's name.
func (d *ReleaseDashboard) DashboardName() string { return d.name }

// AddFunction adds v's row of graphs. A function that follows $LATEST has no versions to
// tell apart and is left out, as is one New refused.
func (d *ReleaseDashboard) AddFunction(v *VersionedFunction) {
	if v.liveVersion == "" || v.Alias == nil || d.Dashboard == nil {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, r := range d.rows {
		if r.facts.name == v.functionName {
			return
		}
	}
	d.rows = append(d.rows, dashboardRow{title: v.id, facts: v.release})
}

// releaseFacts are what a function's row shows besides its metrics.
type releaseFacts struct {
	name, alias string
	// alarm is false without a rollback alarm; the thresholds are nil where unset.
	alarm            bool
	errorRatePercent *float64
	p99DurationMs    *float64
	minInvocations   int
}

func releaseFactsOf(functionName, aliasName string, d *Deployment, ss *stackScope) releaseFacts {
	f := releaseFacts{name: functionName, alias: aliasName}
	if d != nil && d.Thresholds.any() {
		a := d.Thresholds.alarms(ss)
		f.alarm = true
		f.errorRatePercent, f.p99DurationMs = a.ErrorRatePercent, a.P99DurationMs
		f.minInvocations = a.minInvocations()
	}
	return f
}

type dashboardRow struct {
	title string
	facts releaseFacts
}

type dashboardBody struct{ d *ReleaseDashboard }

// Produce is called once, at synth.
func (b *dashboardBody) Produce() *string {
	b.d.mu.Lock()
	defer b.d.mu.Unlock()
	return jsii.String(b.d.body())
}

// The dashboard body's JSON (CloudWatch API Reference, "Dashboard Body Structure and
// Syntax"): a 24-column grid of widgets with type, x, y, width, height and properties.
type widget struct {
	Type       string `json:"type"`
	X          int    `json:"x"`
	Y          int    `json:"y"`
	Width      int    `json:"width"`
	Height     int    `json:"height"`
	Properties any    `json:"properties"`
}

type textProps struct {
	Markdown string `json:"markdown"`
}

type metricProps struct {
	Title       string         `json:"title"`
	Region      string         `json:"region"`
	View        string         `json:"view"`
	Stacked     bool           `json:"stacked"`
	Period      int            `json:"period"`
	Stat        string         `json:"stat"`
	Metrics     [][]any        `json:"metrics"`
	Annotations *annotations   `json:"annotations,omitempty"`
	YAxis       map[string]any `json:"yAxis"`
}

type annotations struct {
	Horizontal []horizontal `json:"horizontal"`
}

type horizontal struct {
	Label string  `json:"label"`
	Value float64 `json:"value"`
}

type expression struct {
	Expression string `json:"expression"`
	ID         string `json:"id"`
	Label      string `json:"label"`
}

// dashboardPeriod is the rollback alarm's period: a graph point is one minute the alarm
// judges.
const dashboardPeriod = 60

func (d *ReleaseDashboard) body() string {
	// The rows' alias, named where they share one (LIVE without rows); ALIAS where they differ.
	alias := DefaultAliasName
	for i, r := range d.rows {
		if i == 0 {
			alias = r.facts.alias
		} else if r.facts.alias != alias {
			alias = "ALIAS"
			break
		}
	}
	widgets := []widget{{Type: "text", Width: 24, Height: 2, Properties: textProps{Markdown: "## Releases\n" +
		alias + "'s traffic by the version that ran it (one line per version: during a shift, the old and the new side by side). " +
		"Each release has its own rollback alarm, `FUNCTION-" + alias + "-vVERSION-rollback`, which judges only the new version, " +
		"only in minutes with enough invocations; `golive watch` follows it live."}}}
	y := 2
	for _, r := range d.rows {
		f := r.facts
		metric := func(x int, title, metricName, stat string, line *horizontal) widget {
			p := metricProps{
				Title: r.title + ": " + title, Region: d.region, View: "timeSeries", Period: dashboardPeriod, Stat: stat,
				Metrics: [][]any{{expression{Expression: versionSearch(f.name, f.alias, metricName, stat), ID: strings.ToLower(metricName),
					Label: "v${PROP('Dim.ExecutedVersion')}"}}},
				YAxis: map[string]any{"left": map[string]any{"min": 0}},
			}
			if line != nil {
				p.Annotations = &annotations{Horizontal: []horizontal{*line}}
			}
			return widget{Type: "metric", X: x, Y: y, Width: 6, Height: 6, Properties: p}
		}
		var minLine, p99Line *horizontal
		if f.alarm && f.minInvocations > 0 {
			minLine = &horizontal{Label: "alarm judges from " + strconv.Itoa(f.minInvocations) + " a minute", Value: float64(f.minInvocations)}
		}
		if f.p99DurationMs != nil {
			p99Line = &horizontal{Label: "rollback above " + num(*f.p99DurationMs) + " ms", Value: *f.p99DurationMs}
		}
		widgets = append(widgets,
			metric(0, "invocations by version", "Invocations", "Sum", minLine),
			metric(6, "errors by version", "Errors", "Sum", nil),
			metric(12, "p99 duration by version (ms)", "Duration", "p99", p99Line),
			widget{Type: "text", X: 18, Y: y, Width: 6, Height: 6, Properties: textProps{Markdown: alarmText(r.title, f)}},
		)
		y += 6
	}
	out, err := json.Marshal(map[string]any{"widgets": widgets})
	if err != nil {
		panic(err) // only strings and numbers: cannot fail
	}
	return string(out)
}

// versionSearch finds metricName of every version run through the function's alias: the
// metrics with exactly the dimensions FunctionName, Resource (FUNCTION:ALIAS) and
// ExecutedVersion, whichever versions exist (CloudWatch User Guide, "CloudWatch search
// expression syntax"; Lambda publishes ExecutedVersion with the alias's Resource, Lambda
// Developer Guide, "Types of metrics for Lambda functions").
func versionSearch(functionName, aliasName, metricName, stat string) string {
	return fmt.Sprintf(`SEARCH('{AWS/Lambda,ExecutedVersion,FunctionName,Resource} FunctionName="%s" Resource="%s:%s" MetricName="%s"', '%s', %d)`,
		functionName, functionName, aliasName, metricName, stat, dashboardPeriod)
}

func alarmText(title string, f releaseFacts) string {
	if !f.alarm {
		return "### " + title + ": no rollback alarm\nThe deployment sets no error-rate or p99 threshold."
	}
	var rules []string
	if f.errorRatePercent != nil {
		rules = append(rules, "error rate above "+num(*f.errorRatePercent)+" %")
	}
	if f.p99DurationMs != nil {
		rules = append(rules, "p99 duration above "+num(*f.p99DurationMs)+" ms")
	}
	evidence := ""
	if f.minInvocations > 0 {
		evidence = ", in a minute with at least " + strconv.Itoa(f.minInvocations) + " invocations of it"
	}
	return "### " + title + ": rollback alarm\n`" + f.name + "-" + f.alias + "-vVERSION-rollback` rolls the release back on the new version's " +
		strings.Join(rules, " or ") + evidence + "."
}

func dashboardNameRe(s string) bool {
	if s == "" || len(s) > 255 {
		return false
	}
	for _, r := range s {
		if !('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
