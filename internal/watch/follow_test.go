package watch_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/codedeploy"

	"github.com/golive-dev/golive/internal/testkit/codedeployfake"
	"github.com/golive-dev/golive/internal/watch"
)

// scriptedReads is the CodeDeploy wire fake's SDK client that counts the reads of each
// deployment and, before the read that script names, moves the deployment through its life.
type scriptedReads struct {
	*codedeploy.Client
	cd     *codedeployfake.Server
	mu     sync.Mutex
	reads  map[string]int
	script map[string]map[int]func(d *codedeployfake.Deployment)
}

func (s *scriptedReads) BatchGetDeployments(ctx context.Context, in *codedeploy.BatchGetDeploymentsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.BatchGetDeploymentsOutput, error) {
	s.mu.Lock()
	for _, id := range in.DeploymentIds {
		s.reads[id]++
		if f := s.script[id][s.reads[id]]; f != nil {
			s.cd.Update(id, f)
		}
	}
	s.mu.Unlock()
	return s.Client.BatchGetDeployments(ctx, in, optFns...)
}

func (s *scriptedReads) readsOf(id string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.reads[id]
}

// A release that has ended is not read again while watch follows another one to its end:
// the worker's deployment succeeds at the second poll, the cron's at the sixth, and the
// worker's is read at two polls, not at each of the six. Each deployment is also read once
// before the first poll, when Follow picks the newest running one.
func TestFollowReadsAnEndedReleaseNoMore(t *testing.T) {
	cd := codedeployfake.Start()
	t.Cleanup(cd.Close)
	for _, id := range []string{"d-WORKER", "d-CRON"} {
		group := map[string]string{"d-WORKER": "orders-prd-worker", "d-CRON": "orders-prd-cron"}[id]
		cd.AddDeployment(codedeployfake.Deployment{ID: id, ApplicationName: "orders-prd", DeploymentGroupName: group, Status: "InProgress"})
	}
	succeed := func(d *codedeployfake.Deployment) { d.Status, d.CompleteTime = "Succeeded", time.Now() }
	api := &scriptedReads{Client: cd.Client(), cd: cd, reads: map[string]int{}, script: map[string]map[int]func(*codedeployfake.Deployment){
		"d-WORKER": {3: succeed},
		"d-CRON":   {7: succeed},
	}}
	r := &watch.Reader{CodeDeploy: api, Application: "orders-prd"}
	fns := []watch.Function{{Name: "Worker", FunctionName: "orders-prd-worker"}, {Name: "Cron", FunctionName: "orders-prd-cron"}}
	var emitted []string
	rels, err := r.Follow(context.Background(), fns, watch.FollowOptions{Poll: time.Millisecond, Timeout: 10 * time.Second}, func(rel watch.Release) {
		emitted = append(emitted, rel.Function+" "+rel.Status)
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(rels) != 2 || rels[0].Status != "Succeeded" || rels[1].Status != "Succeeded" {
		t.Errorf("releases = %+v; want both Succeeded", rels)
	}
	if n := api.readsOf("d-CRON"); n != 7 {
		t.Errorf("the cron's deployment was read %d times; want 7, once to pick it and at each of the 6 polls", n)
	}
	if n := api.readsOf("d-WORKER"); n != 3 {
		t.Errorf("the worker's deployment was read %d times; want 3, once to pick it and at the 2 polls until it ended", n)
	}
	want := []string{"Worker InProgress", "Cron InProgress", "Worker Succeeded", "Cron Succeeded"}
	if len(emitted) != len(want) {
		t.Fatalf("emitted %v; want %v", emitted, want)
	}
	for i := range want {
		if emitted[i] != want[i] {
			t.Errorf("emitted %v; want %v", emitted, want)
			break
		}
	}
}
