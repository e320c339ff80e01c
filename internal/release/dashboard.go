package release

import (
	"context"
	"strings"

	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/stackoutputs"
)

// DashboardLink is the stack's release dashboard in the CloudWatch console.
type DashboardLink struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// dashboard is the release dashboard the deployed stack declares (its output
// stackoutputs.DashboardOutputKey), or nil: no stack yet, or one without a pinned function or
// with the dashboard turned off.
func (s stack) dashboard() *DashboardLink {
	name := s.outputs[stackoutputs.DashboardOutputKey]
	if name == "" {
		return nil
	}
	return &DashboardLink{Name: name, URL: resourcenames.DashboardURL(s.region, name)}
}

// arnRegion is the region of an ARN (arn:PARTITION:SERVICE:REGION:...), or "".
func arnRegion(arn string) string {
	parts := strings.SplitN(arn, ":", 5)
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// Dashboard is the release dashboard of the environment's deployed stack, as golive status
// shows it: nil when the stack does not exist or declares none.
func (e *Env) Dashboard(ctx context.Context) (*DashboardLink, error) {
	st, err := e.readStack(ctx)
	if err != nil {
		return nil, err
	}
	return st.dashboard(), nil
}
