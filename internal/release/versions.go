package release

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// listVersions returns fn's published versions (not $LATEST) ordered by number. Numbers may
// repeat: moto reuses them after a delete.
func (e *Env) listVersions(ctx context.Context, name string) ([]types.FunctionConfiguration, error) {
	var vs []types.FunctionConfiguration
	in := &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(name), MaxItems: aws.Int32(50)}
	pages := lambda.NewListVersionsByFunctionPaginator(e.Lambda, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list versions of %s: %w", name, err)
		}
		for _, v := range out.Versions {
			if err := e.checkAccount(aws.ToString(v.FunctionArn)); err != nil {
				return nil, err
			}
			if _, ok := versionNumber(aws.ToString(v.Version)); ok {
				vs = append(vs, v)
			}
		}
	}
	sort.SliceStable(vs, func(i, j int) bool {
		a, _ := versionNumber(aws.ToString(vs[i].Version))
		b, _ := versionNumber(aws.ToString(vs[j].Version))
		return a < b
	})
	return vs, nil
}

// newest returns the highest version number, or "" when there is none.
func newest(vs []types.FunctionConfiguration) string {
	if len(vs) == 0 {
		return ""
	}
	return aws.ToString(vs[len(vs)-1].Version)
}

func hasVersion(vs []types.FunctionConfiguration, v string) bool {
	for _, x := range vs {
		if aws.ToString(x.Version) == v {
			return true
		}
	}
	return false
}

// alias is the LIVE alias as it is.
type alias struct {
	Version    string
	Weights    map[string]float64
	RevisionID string
}

// getAlias returns the function's alias named aliasName, or nil when it has no such alias
// (or does not exist).
func (e *Env) getAlias(ctx context.Context, name, aliasName string) (*alias, error) {
	out, err := e.Lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(name), Name: aws.String(aliasName)})
	if err != nil {
		if hasCode(err, "ResourceNotFoundException") {
			return nil, nil
		}
		return nil, fmt.Errorf("read alias %s of %s: %w", aliasName, name, err)
	}
	if err := e.checkAccount(aws.ToString(out.AliasArn)); err != nil {
		return nil, err
	}
	a := &alias{Version: aws.ToString(out.FunctionVersion), RevisionID: aws.ToString(out.RevisionId)}
	if out.RoutingConfig != nil && len(out.RoutingConfig.AdditionalVersionWeights) > 0 {
		a.Weights = out.RoutingConfig.AdditionalVersionWeights
	}
	return a, nil
}

// versionNumber parses a published version number; $LATEST and aliases are not numbers.
func versionNumber(v string) (int, bool) {
	n, err := strconv.Atoi(v)
	return n, err == nil && n > 0
}

// orLatest shows a config pin the way Lambda and the stack output name it.
func orLatest(v string) string {
	if v == "" {
		return Latest
	}
	return v
}

// weightsString renders {"6": 0.1} as "6=10%".
func weightsString(w map[string]float64) string {
	if len(w) == 0 {
		return "none"
	}
	return FormatWeights(w)
}

// FormatWeights writes an alias's routing weights as "VERSION=SHARE%" by version, comma
// separated ("8=10%"), the form status and verify print; "" for none.
func FormatWeights(w map[string]float64) string {
	keys := make([]string, 0, len(w))
	for k := range w {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + strconv.FormatFloat(w[k]*100, 'f', -1, 64) + "%"
	}
	return strings.Join(parts, ",")
}

// configWeights is fn's additional_versions as an alias routing map.
func configWeights(fn Function) map[string]float64 {
	if fn.Additional == nil {
		return nil
	}
	return map[string]float64{fn.Additional.Version: fn.Additional.Weight}
}

func sameWeights(a, b map[string]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if w, ok := b[k]; !ok || w != v {
			return false
		}
	}
	return true
}
