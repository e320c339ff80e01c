package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/hooksettings"
)

// compare invokes the current version (the AppSpec's CurrentVersion, by its number: never
// the alias, which CodeDeploy is about to move, nor $LATEST) with event i and fails when its
// response differs from the target's, except at the ignored JSON Pointers. The target's
// response is already known good (no function error, expect met).
func (h *Handler) compare(ctx context.Context, rel release, s hooksettings.Smoke, i int, event, target []byte) error {
	out, err := h.Lambda.Invoke(ctx, &lambda.InvokeInput{
		FunctionName: aws.String(rel.function),
		Qualifier:    aws.String(rel.current),
		Payload:      event,
	})
	if cause := context.Cause(ctx); cause != nil && err != nil {
		err = fmt.Errorf("%w (%w)", cause, err)
	}
	if err != nil {
		return fmt.Errorf("smoke event %d: invoke the current version %s:%s to compare: %w", i+1, rel.function, rel.current, err)
	}
	if out.FunctionError != nil {
		return fmt.Errorf("smoke event %d: the current version %s:%s returned a function error (%s) where %s answered %s: the responses differ",
			i+1, rel.function, rel.current, *out.FunctionError, rel.target, excerpt(target))
	}
	path, cur, tgt, differ := Difference(out.Payload, target, s.Ignore)
	if !differ {
		return nil
	}
	where := "at " + path
	if path == "" {
		where = "as a whole"
	}
	return fmt.Errorf("smoke event %d: %s answers differently from the current version %s %s: current %s, target %s",
		i+1, rel.function+":"+rel.target, rel.current, where, cur, tgt)
}

// skipCompare says why a release has nothing to compare with: CodeDeploy's AppSpec names a
// current version for every Lambda deployment, so this is a release with none (the first) or
// to the version already live.
func skipCompare(rel release, log *slog.Logger) bool {
	switch {
	case rel.current == "":
		log.Info("smoke comparison skipped: no current version to compare with (a first release)", "target", rel.target)
		return true
	case rel.current == rel.target:
		log.Info("smoke comparison skipped: the current version is the target", "version", rel.target)
		return true
	}
	return false
}

// Difference compares two responses as JSON: the first JSON Pointer (RFC 6901) at which they
// differ, objects' keys in sorted order and arrays by index, skipping every pointer in ignore
// and what lies under it, with both values as JSON ("absent" where one side has none). A
// response that is not JSON is compared as bytes, at pointer "". differ is false when they
// are the same.
func Difference(a, b []byte, ignore []string) (path, av, bv string, differ bool) {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		if bytes.Equal(a, b) {
			return "", "", "", false
		}
		return "", excerpt(a), excerpt(b), true
	}
	p, xa, yb, ok := diff("", x, y, ignore)
	if !ok {
		return "", "", "", false
	}
	return p, show(xa), show(yb), true
}

// absent stands for a value one side does not have.
type absent struct{}

func show(v any) string {
	if _, ok := v.(absent); ok {
		return "absent"
	}
	b, _ := json.Marshal(v)
	return excerpt(b)
}

func ignored(path string, ignore []string) bool {
	for _, p := range ignore {
		if path == p || strings.HasPrefix(path, p+"/") {
			return true
		}
	}
	return false
}

// escape writes an object key as a JSON Pointer reference token (RFC 6901, section 3).
func escape(key string) string {
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

func diff(path string, x, y any, ignore []string) (string, any, any, bool) {
	if ignored(path, ignore) {
		return "", nil, nil, false
	}
	switch xv := x.(type) {
	case map[string]any:
		yv, ok := y.(map[string]any)
		if !ok {
			return path, x, y, true
		}
		keys := make([]string, 0, len(xv)+len(yv))
		for k := range xv {
			keys = append(keys, k)
		}
		for k := range yv {
			if _, ok := xv[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			p := path + "/" + escape(k)
			xe, xok := xv[k]
			ye, yok := yv[k]
			switch {
			case !xok && !ignored(p, ignore):
				return p, absent{}, ye, true
			case !yok && !ignored(p, ignore):
				return p, xe, absent{}, true
			case xok && yok:
				if dp, da, db, d := diff(p, xe, ye, ignore); d {
					return dp, da, db, true
				}
			}
		}
		return "", nil, nil, false
	case []any:
		yv, ok := y.([]any)
		if !ok {
			return path, x, y, true
		}
		for i := range max(len(xv), len(yv)) {
			p := path + "/" + strconv.Itoa(i)
			switch {
			case i >= len(xv) && !ignored(p, ignore):
				return p, absent{}, yv[i], true
			case i >= len(yv) && !ignored(p, ignore):
				return p, xv[i], absent{}, true
			case i < len(xv) && i < len(yv):
				if dp, da, db, d := diff(p, xv[i], yv[i], ignore); d {
					return dp, da, db, true
				}
			}
		}
		return "", nil, nil, false
	}
	// Scalars: JSON numbers decode as float64, so 1 and 1.0 are one value.
	if x != y {
		return path, x, y, true
	}
	return "", nil, nil, false
}
