package release_test

import (
	"context"
	"strings"
	"testing"

	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/golive-dev/golive/internal/release"
)

// The stack's status is read: status says what an update in progress or a failed rollback
// means (and exits 0: it only reports), verify refuses the deploy it gates, and publish --pin
// refuses before publishing, since the pin's rollout is decided from outputs about to change.
// A plain publish goes ahead.
func TestStackStatusGates(t *testing.T) {
	const name = "p-prd-worker"
	tests := []struct {
		status cftypes.StackStatus
		// say is what status, verify and publish --pin say; "" when the stack is settled.
		say string
	}{
		{cftypes.StackStatusUpdateComplete, ""},
		{cftypes.StackStatusUpdateRollbackComplete, ""},
		{cftypes.StackStatusUpdateInProgress, "stack p-prd is UPDATE_IN_PROGRESS: CloudFormation is deploying it, its outputs still hold the versions from before this update"},
		{cftypes.StackStatusUpdateRollbackInProgress, "stack p-prd is UPDATE_ROLLBACK_IN_PROGRESS: CloudFormation is rolling back a failed update"},
		{cftypes.StackStatusUpdateRollbackFailed, "stack p-prd is UPDATE_ROLLBACK_FAILED: CloudFormation could not roll back a failed update, so the aliases may be on either side of it " +
			"and the stack takes no update until the rollback is continued (fix the cause, then aws cloudformation continue-update-rollback --stack-name p-prd)"},
		{cftypes.StackStatusUpdateCompleteCleanupInProgress, "stack p-prd is UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: CloudFormation is changing it"},
	}
	for _, tt := range tests {
		t.Run(string(tt.status), func(t *testing.T) {
			f := newFixture(t, `"worker": {"live_version": "2"}`, "worker")
			lf := f.published(name, 2)
			lf.SetAlias("LIVE", "2", nil)
			lf.UpdateCode()
			f.deployed(f.fn(t, "worker"), "2")
			f.stacks.SetStatus("p-prd", tt.status)
			ctx := context.Background()
			fns := []release.Function{f.fn(t, "worker")}

			st, err := f.env.Status(ctx, fns)
			if err != nil || st.StackStatus != string(tt.status) || !strings.Contains(st.StackNote, tt.say) || (tt.say == "") != (st.StackNote == "") {
				t.Errorf("status: %v, stack_status %q, note %q; want %q", err, st.StackStatus, st.StackNote, tt.say)
			}

			v, err := f.env.Verify(ctx, fns)
			if err != nil {
				t.Fatal(err)
			}
			if tt.say == "" {
				if !v.OK {
					t.Errorf("verify: %+v; want ok", v.Problems)
				}
			} else if v.OK || len(v.Problems) != 1 || v.Problems[0].Function != "" || !strings.Contains(v.Problems[0].Message, tt.say) {
				t.Errorf("verify: %+v; want one stack problem %q", v.Problems, tt.say)
			}

			_, err = f.env.Publish(ctx, fns, release.PublishOptions{Pin: true})
			if tt.say == "" {
				if err != nil {
					t.Errorf("publish --pin: %v", err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), "--pin: "+tt.say) || !strings.HasSuffix(err.Error(), "; nothing published") {
				t.Errorf("publish --pin: %v; want refused with %q", err, tt.say)
			}
			if n := f.lambda.Calls("PublishVersion"); n != 0 {
				t.Errorf("PublishVersion called %d times; want none", n)
			}
			rep, err := f.env.Publish(ctx, fns, release.PublishOptions{})
			if err != nil || rep.Functions[0].Status != release.StatusNew {
				t.Errorf("plain publish: %v, %+v; want it published", err, rep)
			}
		})
	}
}
