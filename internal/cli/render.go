package cli

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// render writes a command's result to stdout as JSON (the documented shape, see docs/commands.md)
// or as a table for people.
func (g *globals) render(v any) error {
	w := g.app.Stdout
	if g.output == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(v)
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	switch r := v.(type) {
	case *release.PublishReport:
		publishTable(tw, r)
	case *release.StatusReport:
		statusTable(tw, r)
	case *release.VerifyReport:
		verifyTable(tw, r)
	case *release.RollbackPlan:
		rollbackTable(tw, r)
	case *release.PruneReport:
		pruneTable(tw, r)
	case *TemplateReport:
		templateTable(tw, r)
	default:
		return fmt.Errorf("no table for %T", v)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func publishTable(w io.Writer, r *release.PublishReport) {
	fmt.Fprintln(w, "FUNCTION\tVERSION\tSTATUS\tPREVIOUS\tPIN")
	for _, f := range r.Functions {
		pin := "-"
		if f.Pin != nil {
			pin = f.Pin.LiveVersion
			if f.Pin.Rollout != "" {
				pin += " (" + f.Pin.Rollout + ")"
			}
		}
		status := f.Status
		if f.Error != "" {
			status += ": " + f.Error
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", f.Function, dash(f.Version), status, dash(f.Previous), pin)
	}
	if r.Description != "" {
		fmt.Fprintf(w, "description of new versions: %s\n", r.Description)
	}
	if r.ConfigUpdated {
		fmt.Fprintln(w, "config updated: review and commit it; the next deploy releases the pinned versions")
	}
}

func statusTable(w io.Writer, r *release.StatusReport) {
	if r.StackNote != "" {
		fmt.Fprintf(w, "%s\n", r.StackNote)
	}
	fmt.Fprintln(w, "FUNCTION\tCONFIG\tSTACK\tALIAS\tCOMMIT\tNEWEST\tDRIFT")
	for _, f := range r.Functions {
		cfg := f.Config.LiveVersion
		if f.Config.Rollout == "direct" {
			cfg += " (direct)"
		}
		if len(f.Config.Additional) > 0 {
			cfg += " +" + release.FormatWeights(f.Config.Additional)
		}
		if f.Config.RolledBack != "" {
			cfg += " (rolled back from " + f.Config.RolledBack + ")"
		}
		stack := "-"
		if f.StackDeployed != nil {
			stack = *f.StackDeployed
		}
		alias := "-"
		if f.Alias != nil {
			alias = f.Alias.Version
			if len(f.Alias.Weights) > 0 {
				alias += " +" + release.FormatWeights(f.Alias.Weights)
			}
		}
		if f.AliasName != "" && f.AliasName != resourcenames.DefaultAlias {
			// The column is LIVE's unless the function's alias has another name.
			alias += " (" + f.AliasName + ")"
		}
		newest := "-"
		if f.Newest != nil {
			newest = *f.Newest
		}
		drift := "none"
		if len(f.Drift) > 0 {
			drift = strings.Join(f.Drift, "; ")
		}
		if f.Error != "" {
			drift = "error: " + f.Error
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", f.Function, cfg, stack, alias, dash(f.Commit), newest, drift)
	}
	if r.Dashboard != nil {
		fmt.Fprintf(w, "dashboard: %s\n", r.Dashboard.URL)
	}
}

func verifyTable(w io.Writer, r *release.VerifyReport) {
	for _, p := range r.Problems {
		if p.Function == "" {
			fmt.Fprintf(w, "%s: %s\n", r.Env, p.Message)
			continue
		}
		fmt.Fprintf(w, "%s/%s: %s\n", r.Env, p.Function, p.Message)
	}
	if r.OK {
		fmt.Fprintf(w, "ok: %s is ready to deploy\n", r.Env)
	}
}

func rollbackTable(w io.Writer, p *release.RollbackPlan) {
	switch p.Mode {
	case release.ModeStopDeployment:
		fmt.Fprintf(w, "%s: stopped CodeDeploy deployment %s with auto-rollback; CodeDeploy returns %s to %s and CloudFormation rolls the stack back\n",
			p.Function, strings.Join(p.Deployments, ", "), p.Alias, p.To)
		for _, s := range p.RolledBackWith {
			fmt.Fprintf(w, "%s: rolled back with it, by the same stack update (%s)\n", s.Function, s.Reason)
		}
	default:
		fmt.Fprintf(w, "%s: %s moved from %s to %s\n", p.Function, p.Alias, p.From, p.To)
	}
	if p.ConfigUpdated {
		fmt.Fprintf(w, "config updated: %s; commit it so the next deploy records it\n", describePin(p.Config))
	}
}

func pruneTable(w io.Writer, r *release.PruneReport) {
	verb := "DELETED"
	if r.DryRun {
		verb = "WOULD DELETE"
	}
	fmt.Fprintf(w, "FUNCTION\t%s\tKEPT\tFREED\n", verb)
	for _, f := range r.Functions {
		kept := make([]string, len(f.Kept))
		for i, k := range f.Kept {
			kept[i] = k.Version + " (" + strings.Join(k.Reasons, ", ") + ")"
		}
		deleted := dash(strings.Join(f.Deleted, ","))
		if f.Error != "" {
			deleted = "error: " + f.Error
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s\n", f.Function, deleted, dash(strings.Join(kept, "; ")), bytesize(f.FreedBytes))
	}
	freed := "freed"
	if r.DryRun {
		freed = "would free"
	}
	if r.Storage.UsedBytes != nil && r.Storage.LimitBytes != nil {
		fmt.Fprintf(w, "code storage: %s of %s used, %s %s\n",
			bytesize(*r.Storage.UsedBytes), bytesize(*r.Storage.LimitBytes), freed, bytesize(r.Storage.FreedBytes))
	} else {
		fmt.Fprintf(w, "code storage: account usage unknown (GetAccountSettings unavailable), %s %s\n", freed, bytesize(r.Storage.FreedBytes))
	}
}

func bytesize(n int64) string {
	// Binary units: Lambda's "75 GB" code storage limit is 75 GiB.
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
