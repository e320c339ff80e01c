package watch_test

import (
	"context"
	"slices"
	"testing"

	"github.com/golive-dev/golive/internal/testkit/fakeaws"
	"github.com/golive-dev/golive/internal/watch"
)

// unused stands for the CodeDeploy reads these tests never make.
type unused struct{ watch.CodeDeployAPI }

// listing serves ListDeployments from fakeaws (ledger row of Deploys.ListDeployments); its
// other reads are unused.
type listing struct {
	*fakeaws.Deploys
	unused
}

// A deployment group adopted under a name of its own (Function.Group, from the stack's
// DeploymentGroup<Key> output) is where watch looks for the function's deployments; without
// Group, the group named after the function.
func TestRunningReadsTheFunctionsGroup(t *testing.T) {
	d := fakeaws.NewDeploys()
	d.Start("orders-App-1A2B", "orders-DeploymentGroup6D277AF0-1QX2", "d-1")
	d.Start("orders-App-1A2B", "orders-prd-cron", "d-2")
	r := &watch.Reader{CodeDeploy: listing{Deploys: d}, Application: "orders-App-1A2B"}
	for _, tt := range []struct {
		fn   watch.Function
		want []string
	}{
		{watch.Function{Name: "Worker", FunctionName: "orders-prd-worker", Group: "orders-DeploymentGroup6D277AF0-1QX2"}, []string{"d-1"}},
		{watch.Function{Name: "Cron", FunctionName: "orders-prd-cron"}, []string{"d-2"}},
	} {
		got, err := r.Running(context.Background(), tt.fn)
		if err != nil || !slices.Equal(got, tt.want) {
			t.Errorf("Running(%s) = %v, %v; want %v", tt.fn.Name, got, err, tt.want)
		}
	}
}
