package watch

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// ErrTimeout means a release was still running when the wait's bound ran out.
var ErrTimeout = errors.New("timed out")

// FollowOptions bound a Follow.
type FollowOptions struct {
	// Poll is the interval between two reads.
	Poll time.Duration
	// StartWait is how long to wait for a deployment to start when none runs.
	StartWait time.Duration
	// Timeout bounds the whole wait; 0 means none.
	Timeout time.Duration
}

// Follow follows the deployments of fns until they end and calls emit with a function's
// release on every change. When none runs, it waits StartWait for one to start (a pipeline
// runs `cdk deploy` and golive watch side by side), and otherwise reports each function's
// latest release. A function that starts no deployment while others run is reported with
// status None. It returns every function's last release, and ErrTimeout (with the releases
// read so far) when Timeout ran out first.
func (r *Reader) Follow(ctx context.Context, fns []Function, o FollowOptions, emit func(Release)) ([]Release, error) {
	if o.Poll <= 0 {
		o.Poll = 5 * time.Second
	}
	if o.Timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, o.Timeout, ErrTimeout)
		defer cancel()
	}
	startBy := r.now().Add(o.StartWait)
	followed := make([]string, len(fns))
	last := make([]Release, len(fns))
	seen := make([]string, len(fns))
	for {
		any, done := false, true
		for i, fn := range fns {
			if followed[i] == "" {
				id, err := r.newestRunning(ctx, fn)
				if err != nil {
					return last, r.stopped(ctx, err)
				}
				followed[i] = id
			}
			if followed[i] == "" {
				continue
			}
			any = true
			if last[i].Done() {
				continue // ended: an ended deployment does not change, so it is not read again
			}
			rel, err := r.ReadID(ctx, fn, followed[i])
			if err != nil {
				return last, r.stopped(ctx, err)
			}
			last[i] = rel
			if k := key(rel); k != seen[i] {
				seen[i] = k
				emit(rel)
			}
			done = done && rel.Done()
		}
		switch {
		case any && done:
			for i, fn := range fns {
				if followed[i] == "" {
					last[i] = Release{Function: fn.Name, FunctionName: fn.FunctionName, Status: StatusNone, Events: []Event{}, Reasons: []string{}}
					emit(last[i])
				}
			}
			return last, nil
		case !any && !r.now().Before(startBy):
			for i, fn := range fns {
				rel, err := r.Latest(ctx, fn)
				if err != nil {
					return last, r.stopped(ctx, err)
				}
				last[i] = rel
				emit(rel)
			}
			return last, nil
		}
		t := time.NewTimer(o.Poll)
		select {
		case <-ctx.Done():
			t.Stop()
			return last, r.stopped(ctx, ctx.Err())
		case <-t.C:
		}
	}
}

// stopped turns the wait's own deadline into ErrTimeout.
func (r *Reader) stopped(ctx context.Context, err error) error {
	if errors.Is(context.Cause(ctx), ErrTimeout) {
		return ErrTimeout
	}
	return err
}

// newestRunning is the id of fn's newest unfinished deployment, "" when none runs.
func (r *Reader) newestRunning(ctx context.Context, fn Function) (string, error) {
	ids, err := r.Running(ctx, fn)
	if err != nil || len(ids) == 0 {
		return "", err
	}
	infos, err := r.deployments(ctx, ids)
	if err != nil {
		return "", err
	}
	var id string
	var newest time.Time
	for _, in := range infos {
		if t := aws.ToTime(in.CreateTime); id == "" || t.After(newest) {
			id, newest = aws.ToString(in.DeploymentId), t
		}
	}
	return id, nil
}

// key is what makes a release worth showing again: not its elapsed time.
func key(r Release) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s|%s|%s>%s|%.4g|", r.DeploymentID, r.Status, r.From, r.To, r.Share)
	for _, e := range r.Events {
		b.WriteString(e.Name + "=" + e.Status + ",")
	}
	if r.Alarm != nil {
		b.WriteString("|" + r.Alarm.State)
	}
	fmt.Fprintf(&b, "|%v|%d", r.RolledBack, len(r.Reasons))
	return b.String()
}
