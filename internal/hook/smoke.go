package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/hooksettings"
)

// smoke invokes the target version itself (Qualifier), never the alias, which still
// serves the old version, and never $LATEST.
func (h *Handler) smoke(ctx context.Context, rel release, s hooksettings.Smoke, log *slog.Logger) error {
	if len(s.Events) == 0 {
		return errors.New("smoke test has no events")
	}
	compare := s.Compare && !skipCompare(rel, log)
	timeout := time.Duration(s.TimeoutS) * time.Second
	if timeout <= 0 {
		timeout = hooksettings.DefaultSmokeTimeoutS * time.Second
	}
	ctx, cancel := context.WithTimeoutCause(ctx, timeout, fmt.Errorf("smoke test took longer than its %s (timeout_s)", timeout))
	defer cancel()
	for i, ev := range s.Events {
		out, err := h.Lambda.Invoke(ctx, &lambda.InvokeInput{
			FunctionName: aws.String(rel.function),
			Qualifier:    aws.String(rel.target),
			Payload:      ev,
		})
		if cause := context.Cause(ctx); cause != nil && err != nil {
			err = fmt.Errorf("%w (%w)", cause, err)
		}
		if err != nil {
			return fmt.Errorf("smoke event %d: invoke %s:%s: %w", i+1, rel.function, rel.target, err)
		}
		if out.FunctionError != nil {
			return fmt.Errorf("smoke event %d: %s:%s returned a function error (%s): %s", i+1, rel.function, rel.target, *out.FunctionError, excerpt(out.Payload))
		}
		if len(s.Expect) > 0 {
			var got, want any
			if err := json.Unmarshal(out.Payload, &got); err != nil {
				return fmt.Errorf("smoke event %d: %s:%s answered %s, not JSON; want a response containing %s", i+1, rel.function, rel.target, excerpt(out.Payload), s.Expect)
			}
			if err := json.Unmarshal(s.Expect, &want); err != nil {
				return fmt.Errorf("smoke expect: %w", err)
			}
			if !contains(got, want) {
				return fmt.Errorf("smoke event %d: %s:%s answered %s; want a response containing %s", i+1, rel.function, rel.target, excerpt(out.Payload), s.Expect)
			}
		}
		if compare {
			if err := h.compare(ctx, rel, s, i, ev, out.Payload); err != nil {
				return err
			}
		}
	}
	return nil
}

// contains reports whether got holds want: every key of an object, recursively; any
// other value equal (JSON numbers compare as float64).
func contains(got, want any) bool {
	wm, ok := want.(map[string]any)
	if !ok {
		b1, _ := json.Marshal(got)
		b2, _ := json.Marshal(want)
		return bytes.Equal(b1, b2)
	}
	gm, ok := got.(map[string]any)
	if !ok {
		return false
	}
	for k, wv := range wm {
		gv, ok := gm[k]
		if !ok || !contains(gv, wv) {
			return false
		}
	}
	return true
}
