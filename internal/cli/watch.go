package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/watch"
)

type watchOptions struct {
	target
	poll, startWait, timeout time.Duration
}

// Defaults of watch's waits: a poll every 5 s keeps a canary's steps visible within seconds
// at a few calls per function; a pipeline starts `cdk deploy` beside watch, and CloudFormation
// reaches the alias within minutes; a Linear10PercentEvery10Minutes release takes 90 minutes.
const (
	DefaultWatchPoll      = 5 * time.Second
	DefaultWatchStartWait = 5 * time.Minute
	DefaultWatchTimeout   = 2 * time.Hour
)

func watchCmd(g *globals) *cobra.Command {
	o := &watchOptions{}
	cmd := &cobra.Command{
		Use:   "watch (--env E | --stack NAME) [--function F]... [--poll D] [--start-wait D] [--timeout D]",
		Short: "Follow the CodeDeploy releases of LIVE until they end, and say why one failed",
		Long: `watch follows the CodeDeploy deployments of the environment's LIVE aliases until they
end. When none runs, it waits --start-wait for one to start (run it beside 'cdk deploy'),
then reports the latest finished one. Per function it shows the versions (from -> to), the
share of traffic on the new one, the lifecycle events with their status, the rollback
alarm's state, the elapsed time and the expected end; on a failure, the reason in words:
the alarm in ALARM with its state reason, CodeDeploy's error information and the hook's
own verdict line, read from the hook's log group by deployment id. When the deployed stack
names its release dashboard, watch links it above the releases (in JSON: "dashboard" on
every line).

On a terminal it redraws a live view with a progress bar per function; otherwise it
prints one line per change; --output json prints one JSON object per change (JSON lines).
Exit codes: 0 every release succeeded, 1 any failed, was stopped or rolled back (or the
wait timed out), 2 usage.`,
		Example: `  golive watch --env prd
  golive watch --env prd --function worker --output json`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			for _, d := range []struct {
				flag string
				v    time.Duration
			}{{"--poll", o.poll}, {"--start-wait", o.startWait}, {"--timeout", o.timeout}} {
				if d.v < 0 || (d.v == 0 && d.flag == "--poll") {
					return usagef("%s %s: want a positive duration such as 5s or 10m", d.flag, d.v)
				}
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	f := cmd.Flags()
	f.DurationVar(&o.poll, "poll", DefaultWatchPoll, "interval between two reads of the releases")
	f.DurationVar(&o.startWait, "start-wait", DefaultWatchStartWait, "how long to wait for a release to start when none runs")
	f.DurationVar(&o.timeout, "timeout", DefaultWatchTimeout, "bound on the whole wait (0: none)")
	return cmd
}

// reader builds the watch reader over the session's clients.
func (s *session) reader(g *globals) (*watch.Reader, []watch.Function, error) {
	c := s.clients
	if c.Releases == nil || c.Alarms == nil || c.Logs == nil {
		return nil, nil, failure{err: errors.New("no CodeDeploy, CloudWatch or CloudWatch Logs client")}
	}
	app := s.rel.Target.Application
	fns := make([]watch.Function, len(s.fns))
	for i, f := range s.fns {
		fns[i] = watch.Function{Name: f.Name, FunctionName: f.FunctionName, Alias: f.Alias, Group: f.DeploymentGroup}
	}
	return &watch.Reader{CodeDeploy: c.Releases, Lambda: c.Lambda, Alarms: c.Alarms, Logs: c.Logs, Application: app}, fns, nil
}

func (o *watchOptions) run(ctx context.Context, g *globals) error {
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	r, fns, err := s.reader(g)
	if err != nil {
		return err
	}
	// The stack's release dashboard graphs both versions side by side while the release
	// runs; watch links it as status does. Not reading it loses the link, not the release.
	dash, err := s.rel.Dashboard(ctx)
	if err != nil {
		g.log.Warn("no link to the release dashboard", "err", err)
	}
	view := g.watchView(fns, dash)
	defer view.close()
	fopts := watch.FollowOptions{Poll: o.poll, StartWait: o.startWait, Timeout: o.timeout}
	final, err := r.Follow(ctx, fns, fopts, view.show)
	view.close()
	switch {
	case errors.Is(err, watch.ErrTimeout):
		var running []string
		for _, rel := range final {
			if rel.DeploymentID != "" && !rel.Done() {
				running = append(running, fmt.Sprintf("%s (%s, %s)", rel.Function, rel.DeploymentID, rel.Status))
			}
		}
		what := "no release finished"
		if len(running) > 0 {
			what = "still running: " + strings.Join(running, ", ")
		}
		return failure{err: fmt.Errorf("watch timed out after %s (--timeout); %s", o.timeout, what)}
	case err != nil:
		return g.awsFailure(err)
	}
	var failed []string
	for _, rel := range final {
		if rel.Failed() {
			failed = append(failed, rel.Function)
		}
	}
	if len(failed) > 0 {
		fmt.Fprintf(g.app.Stderr, "golive: release failed for %s\n", strings.Join(failed, ", "))
		return errReported
	}
	return nil
}

// watchView shows releases as they change.
type watchView interface {
	show(watch.Release)
	close()
}

// watchView picks the view: JSON lines, a live view on a terminal, or a line per change;
// each links dash, the stack's release dashboard, when there is one.
func (g *globals) watchView(fns []watch.Function, dash *release.DashboardLink) watchView {
	if g.output == "json" {
		return &jsonLines{enc: json.NewEncoder(g.app.Stdout), dashboard: dash}
	}
	if f, ok := g.app.Stdout.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return newLiveView(f, fns, dash)
	}
	return &textLines{w: g.app.Stdout, dashboard: dash}
}

// jsonLines writes one JSON object per change, each with the release dashboard (null when
// the stack has none), so that a reader of any one line has the link.
type jsonLines struct {
	enc       *json.Encoder
	dashboard *release.DashboardLink
}

func (j *jsonLines) show(r watch.Release) {
	_ = j.enc.Encode(struct {
		watch.Release
		Dashboard *release.DashboardLink `json:"dashboard"`
	}{r, j.dashboard})
}
func (j *jsonLines) close() {}

// textLines writes one line per change, and the reasons of a failure below it; the release
// dashboard's link comes first, once.
type textLines struct {
	w         io.Writer
	dashboard *release.DashboardLink
	linked    bool
}

func (t *textLines) show(r watch.Release) {
	if t.dashboard != nil && !t.linked {
		fmt.Fprintf(t.w, "dashboard: %s\n", t.dashboard.URL)
		t.linked = true
	}
	fmt.Fprintln(t.w, releaseLine(r))
	for _, reason := range r.Reasons {
		fmt.Fprintf(t.w, "%s:   %s\n", r.Function, reason)
	}
}
func (t *textLines) close() {}

// releaseLine is a release in one line: function, deployment, status, versions and share,
// events, alarm, time.
func releaseLine(r watch.Release) string {
	if r.Status == watch.StatusNone {
		return r.Function + ": no deployment"
	}
	parts := []string{fmt.Sprintf("%s: %s %s", r.Function, r.DeploymentID, statusWords(r))}
	if r.From != "" || r.To != "" {
		v := fmt.Sprintf("%s -> %s", dash(r.From), dash(r.To))
		if r.Commit != "" {
			v += " (commit " + shortCommit(r.Commit) + ")"
		}
		parts = append(parts, fmt.Sprintf("%s, %s%% on %s", v, percent(r.Share), dash(r.To)))
	}
	if len(r.Events) > 0 {
		ev := make([]string, len(r.Events))
		for i, e := range r.Events {
			ev[i] = e.Name + " " + e.Status
		}
		parts = append(parts, strings.Join(ev, ", "))
	}
	if r.Alarm != nil {
		parts = append(parts, "alarm "+r.Alarm.State)
	}
	t := "elapsed " + (time.Duration(r.ElapsedSeconds) * time.Second).String()
	if r.ExpectedEnd != nil {
		t += ", expected end " + r.ExpectedEnd.Local().Format("15:04:05")
	}
	return strings.Join(append(parts, t), " | ")
}

func statusWords(r watch.Release) string {
	if r.RolledBack {
		return r.Status + ", rolled back"
	}
	return r.Status
}

func percent(p float64) string { return fmt.Sprintf("%g", float64(int(p*10+0.5))/10) }

func shortCommit(c string) string {
	if i := strings.IndexByte(c, ' '); i > 0 {
		return shortCommit(c[:i]) + c[i:]
	}
	if len(c) > 12 {
		return c[:12]
	}
	return c
}
