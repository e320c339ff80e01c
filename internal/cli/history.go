package cli

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/golive-dev/golive/internal/watch"
)

type historyOptions struct {
	target
	limit int
}

// HistoryReport is the result of history, also written as JSON (docs/commands.md, "golive history").
type HistoryReport struct {
	Functions []FunctionHistory `json:"functions"`
}

// FunctionHistory is one function's releases, newest first.
type FunctionHistory struct {
	Function string          `json:"function"`
	Releases []watch.Release `json:"releases"`
	Error    string          `json:"error,omitempty"`
}

func historyCmd(g *globals) *cobra.Command {
	o := &historyOptions{}
	cmd := &cobra.Command{
		Use:   "history (--env E | --stack NAME) [--function F]... [--limit N]",
		Short: "List past releases per function, newest first, with the cause of each rollback",
		Long: `history lists, per function and newest first, the CodeDeploy deployments of LIVE: deployment
id, start, end, duration, status, the versions (from -> to), the commit of the target
version (from its description, see publish) and, for a release that failed or was rolled
back, its cause in words.`,
		Example: `  golive history --env prd
  golive history --env prd --function worker --limit 3 --output json`,
		Args: cobra.NoArgs,
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := o.check(cmd); err != nil {
				return err
			}
			if o.limit < 1 {
				return usagef("--limit %d: want 1 or more", o.limit)
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, _ []string) error { return o.run(cmd.Context(), g) },
	}
	o.register(cmd, false)
	cmd.Flags().IntVar(&o.limit, "limit", 10, "releases per function")
	return cmd
}

func (o *historyOptions) run(ctx context.Context, g *globals) error {
	s, err := g.open(ctx, o.target)
	if err != nil {
		return err
	}
	r, fns, err := s.reader(g)
	if err != nil {
		return err
	}
	rep := &HistoryReport{Functions: make([]FunctionHistory, len(fns))}
	failed := 0
	for i, fn := range fns {
		h := FunctionHistory{Function: fn.Name, Releases: []watch.Release{}}
		infos, err := r.Recent(ctx, fn, o.limit)
		for _, info := range infos {
			if err != nil {
				break
			}
			var rel watch.Release
			rel, err = r.Read(ctx, fn, info)
			h.Releases = append(h.Releases, rel)
		}
		if err != nil {
			h.Error = err.Error()
			failed++
			if unreachable(err) {
				return g.awsFailure(err)
			}
		}
		rep.Functions[i] = h
	}
	if g.output == "json" {
		if err := g.render(rep); err != nil {
			return failure{err: err}
		}
	} else {
		historyTable(g, rep)
	}
	if failed > 0 {
		fmt.Fprintf(g.app.Stderr, "golive: history failed for %d of %d functions\n", failed, len(fns))
		return errReported
	}
	return nil
}

func historyTable(g *globals, rep *HistoryReport) {
	tw := tabwriter.NewWriter(g.app.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "FUNCTION\tDEPLOYMENT\tSTART\tEND\tDURATION\tSTATUS\tFROM -> TO\tCOMMIT\tCAUSE")
	at := func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04:05Z")
	}
	for _, h := range rep.Functions {
		if h.Error != "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\terror: %s\t-\t-\t-\n", h.Function, h.Error)
		}
		if len(h.Releases) == 0 && h.Error == "" {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\tno deployment\t-\t-\t-\n", h.Function)
		}
		for _, r := range h.Releases {
			duration := "-"
			if r.Completed != nil {
				duration = (time.Duration(r.ElapsedSeconds) * time.Second).String()
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s -> %s\t%s\t%s\n", h.Function, r.DeploymentID, at(r.Created), at(r.Completed), duration,
				statusWords(r), dash(r.From), dash(r.To), dash(shortCommit(r.Commit)), dash(strings.Join(r.Reasons, "; ")))
		}
	}
	_ = tw.Flush()
}
