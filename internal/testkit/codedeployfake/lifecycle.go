package codedeployfake

import "context"

// putLifecycleEventHookExecutionStatus answers PutLifecycleEventHookExecutionStatus and
// keeps each accepted report. Sources: the SDK's doc comment of
// codedeploy.Client.PutLifecycleEventHookExecutionStatus (Lambda hooks are
// BeforeAllowTraffic and AfterAllowTraffic; "only Succeeded and Failed can be passed
// successfully in your API call"; the response is {lifecycleEventHookExecutionId}) and the
// API Reference's Errors, each HTTP 400:
//   - DeploymentIdRequiredException, DeploymentDoesNotExistException: as GetDeployment;
//   - UnsupportedActionForDeploymentTypeException ("A call was submitted that is not
//     supported for the specified deployment type"): a deployment on the Server platform,
//     which has no such hooks;
//   - InvalidLifecycleEventHookExecutionStatusException: a status other than Succeeded or
//     Failed;
//   - InvalidLifecycleEventHookExecutionIdException ("A lifecycle event hook is invalid"):
//     an execution id the deployment did not start;
//   - LifecycleEventAlreadyCompletedException ("An attempt to return the status of an
//     already completed lifecycle event occurred"): a second report for the same execution.
//
// InvalidDeploymentIdException is not answered: the id's format is not documented.
func (s *Server) putLifecycleEventHookExecutionStatus(_ context.Context, body []byte) (any, error) {
	var in struct {
		DeploymentID                  string `json:"deploymentId"`
		LifecycleEventHookExecutionID string `json:"lifecycleEventHookExecutionId"`
		Status                        string `json:"status"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	d, err := s.deployment(in.DeploymentID)
	if err != nil {
		return nil, err
	}
	if d.ComputePlatform == "Server" {
		return nil, clientError("UnsupportedActionForDeploymentTypeException", "Deployment %s is on the Server compute platform, which has no lifecycle event hook executions.", d.ID)
	}
	if in.Status != "Succeeded" && in.Status != "Failed" {
		return nil, clientError("InvalidLifecycleEventHookExecutionStatusException", "Status %q is not valid: want Succeeded or Failed.", in.Status)
	}
	var hook *HookExecution
	for _, h := range d.Hooks {
		if h.ID == in.LifecycleEventHookExecutionID {
			hook = h
		}
	}
	if hook == nil {
		return nil, clientError("InvalidLifecycleEventHookExecutionIdException", "Lifecycle event hook execution %q is not one of deployment %s.", in.LifecycleEventHookExecutionID, d.ID)
	}
	if hook.Status != "Pending" {
		return nil, clientError("LifecycleEventAlreadyCompletedException", "The lifecycle event of hook execution %s is already %s.", hook.ID, hook.Status)
	}
	hook.Status = in.Status
	s.reports = append(s.reports, LifecycleReport{DeploymentID: d.ID, ExecutionID: hook.ID, LifecycleEvent: hook.LifecycleEvent, Status: in.Status})
	return map[string]string{"lifecycleEventHookExecutionId": hook.ID}, nil
}
