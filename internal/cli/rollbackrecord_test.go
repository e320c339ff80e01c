package cli_test

import (
	"context"
	"os"
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Without config.json, rollback records on the alias (its description) the version it moved
// LIVE away from; moto stores alias descriptions, so the record is read back by the next
// command: prune does not keep the rolled-back version as a release candidate.
func TestStackRollbackRecordOnMoto(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": "3" }`))
	w.releases("worker", 3)
	w.setAlias("worker", "3", nil)
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":3"})
	if err := os.Remove(w.cfgPath); err != nil {
		t.Fatal(err)
	}
	stack := w.project + "-prd"
	if _, _, code := w.run("rollback", "--stack", stack, "--function", "Worker"); code != 0 || w.aliasVersion("worker") != "2" {
		t.Fatalf("rollback: exit %d, LIVE on %s", code, w.aliasVersion("worker"))
	}
	a, err := w.lambda.GetAlias(context.Background(), &lambda.GetAliasInput{FunctionName: aws.String(w.name("worker")), Name: aws.String("LIVE")})
	if err != nil || aws.ToString(a.Description) != "golive: rolled back from version 3" {
		t.Fatalf("alias description %q, %v; want the rollback record", aws.ToString(a.Description), err)
	}
	out, _, code := w.run("status", "--stack", stack, "-o", "json")
	if st := jsonOut[statusJSON](t, out); code != 0 || st.Functions[0].Config.RolledBack != "3" {
		t.Errorf("status: exit %d, %+v; want rolled_back 3", code, st.Functions[0].Config)
	}
	// The stack still records 3 until the next deploy; once that deploy records 2, version 3
	// is newer than everything referenced, and only the record says it is no candidate.
	if _, err := w.cfn.DeleteStack(context.Background(), &cloudformation.DeleteStackInput{StackName: aws.String(stack)}); err != nil {
		t.Fatal(err)
	}
	w.deployed(map[string]string{"LiveVersionWorker": w.name("worker") + ":2"})
	out, _, code = w.run("prune", "--stack", stack, "--keep", "0", "-o", "json")
	if p := jsonOut[pruneJSON](t, out); code != 0 || !slices.Equal(p.Functions[0].Deleted, []string{"1", "3"}) {
		t.Errorf("prune: exit %d, %+v; want 1 and the rolled-back 3 deleted", code, p)
	}
}
