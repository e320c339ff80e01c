package cli

import (
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/watch"
)

// TestLiveViewLinksDashboard: the live view shows the release dashboard's link above the
// releases, and nothing of the kind when the stack has none.
func TestLiveViewLinksDashboard(t *testing.T) {
	url := "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#dashboards:name=shop-prd-releases"
	tests := []struct {
		name string
		dash *release.DashboardLink
		want string
	}{
		{"with a dashboard", &release.DashboardLink{Name: "shop-prd-releases", URL: url}, "dashboard: " + url + "\n\nworker: no deployment\n"},
		{"without one", nil, "worker: no deployment\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := liveModel{dashboard: tt.dash, order: []string{"worker"}, rels: map[string]watch.Release{"worker": {Function: "worker", Status: watch.StatusNone}}}
			if got := m.View(); !strings.HasPrefix(got, tt.want) {
				t.Errorf("view:\n%s\nwant it to start:\n%s", got, tt.want)
			}
		})
	}
}
