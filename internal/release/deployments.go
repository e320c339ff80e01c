package release

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
)

// inFlightStatuses are the CodeDeploy statuses of a deployment that has not finished.
var inFlightStatuses = []cdtypes.DeploymentStatus{
	cdtypes.DeploymentStatusCreated, cdtypes.DeploymentStatusQueued, cdtypes.DeploymentStatusInProgress,
	cdtypes.DeploymentStatusBaking, cdtypes.DeploymentStatusReady,
}

// inFlight returns the ids of unfinished deployments of fn's deployment group (named after
// the physical function, or as the stack records an adopted one) in the target's application.
func (e *Env) inFlight(ctx context.Context, fn Function) ([]string, error) {
	var ids []string
	if e.application() == "" {
		return nil, nil // a stack without CodeDeploy
	}
	in := &codedeploy.ListDeploymentsInput{
		ApplicationName:     aws.String(e.application()),
		DeploymentGroupName: aws.String(fn.GroupName()),
		IncludeOnlyStatuses: inFlightStatuses,
	}
	pages := codedeploy.NewListDeploymentsPaginator(e.Deploys, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			if hasCode(err, "ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException") {
				return nil, nil
			}
			return nil, fmt.Errorf("list deployments of %s: %w", fn.FunctionName, err)
		}
		ids = append(ids, out.Deployments...)
	}
	return ids, nil
}
