package cli

import (
	"fmt"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/charmbracelet/bubbles/progress"
	tea "github.com/charmbracelet/bubbletea"

	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/watch"
)

// liveView redraws every function's release on a terminal with Bubble Tea: one block per
// function, its progress bar the share of traffic on the new version (bubbles/progress). Bubble
// Tea redraws only what changed and leaves the last frame on screen when it quits; it reads
// no keys here (the signal handler of main stops watch), so the terminal stays in its mode.
type liveView struct {
	prog *tea.Program
	done chan struct{}
	once sync.Once
}

func newLiveView(out *os.File, fns []watch.Function, dash *release.DashboardLink) *liveView {
	m := liveModel{dashboard: dash, order: make([]string, len(fns)), rels: map[string]watch.Release{}, bar: progress.New(progress.WithDefaultGradient(), progress.WithWidth(40), progress.WithoutPercentage())}
	for i, f := range fns {
		m.order[i] = f.Name
	}
	v := &liveView{prog: tea.NewProgram(m, tea.WithOutput(out), tea.WithInput(nil), tea.WithoutSignalHandler()), done: make(chan struct{})}
	go func() {
		defer close(v.done)
		_, _ = v.prog.Run()
	}()
	return v
}

func (v *liveView) show(r watch.Release) { v.prog.Send(r) }

func (v *liveView) close() {
	v.once.Do(func() {
		v.prog.Send(quitMsg{})
		<-v.done
	})
}

type quitMsg struct{}

type tickMsg time.Time

type liveModel struct {
	// dashboard is the stack's release dashboard, linked above the releases; nil for none.
	dashboard *release.DashboardLink
	order     []string
	rels      map[string]watch.Release
	bar       progress.Model
	quit      bool
}

func (m liveModel) Init() tea.Cmd { return tick() }

func tick() tea.Cmd { return tea.Tick(time.Second, func(t time.Time) tea.Msg { return tickMsg(t) }) }

func (m liveModel) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case watch.Release:
		m.rels[msg.Function] = msg
	case tickMsg:
		return m, tick() // redraw the elapsed times
	case quitMsg:
		m.quit = true
		return m, tea.Quit
	}
	return m, nil
}

func (m liveModel) View() string {
	var b strings.Builder
	if m.dashboard != nil {
		fmt.Fprintf(&b, "dashboard: %s\n\n", m.dashboard.URL)
	}
	for _, name := range m.order {
		r, ok := m.rels[name]
		if !ok {
			fmt.Fprintf(&b, "%s: waiting for a release to start\n\n", name)
			continue
		}
		if r.Status == watch.StatusNone {
			fmt.Fprintf(&b, "%s: no deployment\n\n", name)
			continue
		}
		fmt.Fprintf(&b, "%s  %s  %s\n", name, r.DeploymentID, statusWords(r))
		commit := ""
		if r.Commit != "" {
			commit = " (commit " + shortCommit(r.Commit) + ")"
		}
		fmt.Fprintf(&b, "  %s -> %s%s\n", dash(r.From), dash(r.To), commit)
		fmt.Fprintf(&b, "  %s %s%% on %s\n", m.bar.ViewAs(r.Share/100), percent(r.Share), dash(r.To))
		for _, e := range r.Events {
			fmt.Fprintf(&b, "  %-20s %s\n", e.Name, e.Status)
		}
		if r.Alarm != nil {
			fmt.Fprintf(&b, "  alarm %s: %s\n", r.Alarm.Name, r.Alarm.State)
		}
		elapsed := time.Duration(r.ElapsedSeconds) * time.Second
		if !r.Done() && r.Created != nil {
			elapsed = time.Since(*r.Created).Round(time.Second)
		}
		line := "  elapsed " + elapsed.String()
		if r.ExpectedEnd != nil {
			line += ", expected end " + r.ExpectedEnd.Local().Format("15:04:05")
		}
		b.WriteString(line + "\n")
		for _, reason := range r.Reasons {
			fmt.Fprintf(&b, "  why: %s\n", reason)
		}
		b.WriteString("\n")
	}
	return b.String()
}
