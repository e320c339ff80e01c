package release

import (
	"fmt"
	"strings"

	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
)

// What a stack's status means for a release. CloudFormation's statuses ("Stack status codes",
// CloudFormation User Guide) that golive acts on:
//   - any *_IN_PROGRESS: CloudFormation is changing the stack. The outputs golive reads the
//     deployed versions from change only when an update completes, so during
//     UPDATE_IN_PROGRESS they still hold the versions from before it, while the update may be
//     moving LIVE itself or through a CodeDeploy deployment. An update in progress is the one
//     CancelUpdateStack can cancel ("You can cancel only stacks that are in the
//     UPDATE_IN_PROGRESS state", its SDK doc comment), rolling the stack back.
//   - UPDATE_ROLLBACK_FAILED: "CloudFormation can't roll back all changes after a failed stack
//     update"; the stack takes no update until the rollback is continued
//     (ContinueUpdateRollback's SDK doc comment: continuing it returns the stack "to a working
//     state ... and then try to update the stack again"). Each LIVE alias is on either side of
//     the failed update.
//
// Per command: status says what the status means and exits 0; verify refuses both, since the
// deploy it gates would fail or act on outputs about to change; publish --pin refuses both
// before publishing, since the pin's rollout is decided from those outputs; rollback stops a
// deployment only during UPDATE_IN_PROGRESS, moves LIVE itself only when nothing is in
// progress, and warns at UPDATE_ROLLBACK_FAILED.

// inProgress reports whether CloudFormation is changing the stack.
func inProgress(status cftypes.StackStatus) bool {
	return strings.HasSuffix(string(status), "_IN_PROGRESS")
}

// stackMeaning says, in the user's words, what the status of stack name means for its
// releases; "" when it means nothing special (a finished create, update or rollback).
func stackMeaning(name string, status cftypes.StackStatus) string {
	switch {
	case status == cftypes.StackStatusUpdateInProgress:
		return fmt.Sprintf("stack %s is UPDATE_IN_PROGRESS: CloudFormation is deploying it, its outputs still hold the versions from before this update, "+
			"and a CodeDeploy deployment may be shifting an alias; wait for it (or golive rollback to stop a bad release)", name)
	case status == cftypes.StackStatusUpdateRollbackInProgress || status == cftypes.StackStatusUpdateRollbackCompleteCleanupInProgress:
		return fmt.Sprintf("stack %s is %s: CloudFormation is rolling back a failed update and returns the aliases to the versions its outputs hold; wait for it",
			name, status)
	case status == cftypes.StackStatusUpdateRollbackFailed:
		return fmt.Sprintf("stack %s is UPDATE_ROLLBACK_FAILED: CloudFormation could not roll back a failed update, so the aliases may be on either side of it "+
			"and the stack takes no update until the rollback is continued (fix the cause, then aws cloudformation continue-update-rollback --stack-name %s)",
			name, name)
	case inProgress(status):
		return fmt.Sprintf("stack %s is %s: CloudFormation is changing it; wait for it", name, status)
	}
	return ""
}

// refusal is why a deploy (verify) or a pin (publish --pin) must wait for the stack, ""
// when it need not.
func (s stack) refusal(name string) string {
	if s.status == cftypes.StackStatusUpdateRollbackFailed || inProgress(s.status) {
		return stackMeaning(name, s.status)
	}
	return ""
}
