package cli_test

import (
	"strings"
	"testing"
)

// status links the release dashboard the deployed stack names in its output, in the table
// and as JSON, and shows none for a stack without one.
func TestStatusLinksDashboard(t *testing.T) {
	type statusWithDashboard struct {
		Dashboard *struct {
			Name string `json:"name"`
			URL  string `json:"url"`
		} `json:"dashboard"`
	}
	w := newWorld(t, cfg(`{ "live_version": "3" }`))
	w.releases("worker", 3)
	w.setAlias("worker", "3", nil)
	w.deployed(map[string]string{"LiveVersionWorker": "3"})

	out, _, code := w.run("status", "--env", "prd", "-o", "json")
	if d := jsonOut[statusWithDashboard](t, out).Dashboard; code != 0 || d != nil || !strings.Contains(out, `"dashboard": null`) {
		t.Errorf("exit %d, dashboard %+v; want 0 and null for a stack without one:\n%s", code, d, out)
	}
	out, _, _ = w.run("status", "--env", "prd")
	if strings.Contains(out, "dashboard") {
		t.Errorf("table mentions a dashboard the stack does not have:\n%s", out)
	}

	w = newWorld(t, cfg(`{ "live_version": "3" }`))
	w.releases("worker", 3)
	w.setAlias("worker", "3", nil)
	name := w.project + "-prd-releases"
	url := "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=" + name
	w.deployed(map[string]string{"LiveVersionWorker": "3", "ReleaseDashboard": name})
	out, _, code = w.run("status", "--env", "prd", "-o", "json")
	if d := jsonOut[statusWithDashboard](t, out).Dashboard; code != 0 || d == nil || d.Name != name || d.URL != url {
		t.Errorf("exit %d, dashboard %+v; want 0 and {%s %s}", code, d, name, url)
	}
	out, _, _ = w.run("status", "--env", "prd")
	if !strings.Contains(out, "\ndashboard: "+url+"\n") {
		t.Errorf("table lacks the dashboard's link %s:\n%s", url, out)
	}
}
