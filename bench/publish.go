package bench

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/testkit/moto"
)

// PublishOptions chooses what the publish benchmark runs.
type PublishOptions struct {
	Functions int // functions in prd
	Pairs     int
}

// PublishResult is `golive publish` against the seeds' AWS CLI loop.
type PublishResult struct {
	Functions   int
	Golive, CLI []Sample
	// Calls per function, counted at the emulator: every request either client sent.
	GoliveCalls, CLICalls float64
	// Operations lists the requests of one run by method and path pattern.
	GoliveOps, CLIOps map[string]int
	// Published is how many new versions each golive run made (must equal Functions).
	Published []int
}

// counter is a reverse proxy in front of moto_server that counts every request, so both
// clients are measured the same way, at the emulator.
type counter struct {
	mu    sync.Mutex
	total int
	ops   map[string]int
}

func (c *counter) reset() map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	ops := c.ops
	c.ops, c.total = map[string]int{}, 0
	return ops
}

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		c.total++
		c.ops[r.Method+" "+opPath(r.URL.Path)]++
		c.mu.Unlock()
		h.ServeHTTP(w, r)
	})
}

// opPath replaces function names in a Lambda REST path by {name}, so operations group.
func opPath(p string) string {
	parts := strings.Split(p, "/")
	for i := range parts {
		if i > 0 && parts[i-1] == "functions" {
			parts[i] = "{name}"
		}
	}
	return strings.Join(parts, "/")
}

// RunPublish starts moto_server behind a counting proxy, creates the functions, and times
// in turns `golive publish --env prd` and a shell loop of `aws lambda wait
// function-updated` + `aws lambda publish-version` per function, updating every
// function's code before each run so that each run publishes new versions.
func RunPublish(ctx context.Context, root, work, golive string, o PublishOptions, log io.Writer) (*PublishResult, error) {
	// The generated config's prd account: golive publishes only in the environment's account.
	srv, err := moto.StartInAccount(ctx, Accounts["prd"])
	if err != nil {
		return nil, err
	}
	defer srv.Close()
	target, _ := url.Parse(srv.URL)
	cnt := &counter{ops: map[string]int{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	proxy := &http.Server{Handler: cnt.wrap(httputil.NewSingleHostReverseProxy(target))}
	go proxy.Serve(ln)
	defer proxy.Close()
	endpoint := "http://" + ln.Addr().String()

	credEnv := []string{"AWS_ACCESS_KEY_ID=bench", "AWS_SECRET_ACCESS_KEY=bench", "AWS_DEFAULT_REGION=us-east-1",
		"AWS_REGION=us-east-1", "AWS_PAGER=", "AWS_EC2_METADATA_DISABLED=true"}
	for _, kv := range credEnv {
		k, v, _ := strings.Cut(kv, "=")
		os.Setenv(k, v)
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"))
	if err != nil {
		return nil, err
	}
	lc := lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	ic := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
	role, err := ic.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("bench"),
		AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	if err != nil {
		return nil, fmt.Errorf("moto: create role: %w", err)
	}

	s := &Synth{Work: work}
	cfgPath, err := s.WriteConfig("publish", o.Functions, []string{"prd"})
	if err != nil {
		return nil, err
	}
	names := make([]string, o.Functions)
	rev := 0
	code := func() []byte {
		rev++
		var buf bytes.Buffer
		z := zip.NewWriter(&buf)
		f, _ := z.Create("bootstrap")
		fmt.Fprintf(f, "#!/bin/sh\necho build %d\n", rev)
		z.Close()
		return buf.Bytes()
	}
	for i := range names {
		names[i] = fmt.Sprintf("bench-prd-f%03d", i)
		if _, err := lc.CreateFunction(ctx, &lambda.CreateFunctionInput{
			FunctionName: aws.String(names[i]), Runtime: ltypes.RuntimeProvidedal2023, Handler: aws.String("bootstrap"),
			Role: role.Role.Arn, Code: &ltypes.FunctionCode{ZipFile: code()},
		}); err != nil {
			return nil, fmt.Errorf("moto: create function: %w", err)
		}
	}
	update := func() error {
		zip := code()
		for _, n := range names {
			if _, err := lc.UpdateFunctionCode(ctx, &lambda.UpdateFunctionCodeInput{FunctionName: aws.String(n), ZipFile: zip}); err != nil {
				return fmt.Errorf("moto: update code: %w", err)
			}
		}
		cnt.reset()
		return nil
	}

	var loop strings.Builder
	loop.WriteString("set -e\nfor f in")
	for _, n := range names {
		loop.WriteString(" " + n)
	}
	loop.WriteString("; do\n  aws --endpoint-url \"$EP\" lambda wait function-updated --function-name \"$f\"\n" +
		"  aws --endpoint-url \"$EP\" lambda publish-version --function-name \"$f\" >/dev/null\ndone\n")
	script := filepath.Join(work, "publish-loop.sh")
	if err := os.WriteFile(script, []byte(loop.String()), 0o755); err != nil {
		return nil, err
	}

	res := &PublishResult{Functions: o.Functions}
	var goCalls, cliCalls []float64
	jsonOut := filepath.Join(work, "publish-result.json")
	g := func() (Sample, error) {
		if err := update(); err != nil {
			return Sample{}, err
		}
		smp, err := Time(ctx, Cmd{Dir: root, Env: credEnv, Args: []string{"sh", "-c",
			golive + " publish --env prd --config " + cfgPath + " --endpoint-url " + endpoint + " --output json > " + jsonOut}})
		if err != nil {
			return smp, err
		}
		b, _ := os.ReadFile(jsonOut)
		res.Published = append(res.Published, strings.Count(string(b), `"status": "new"`)+strings.Count(string(b), `"status":"new"`))
		ops := cnt.reset()
		goCalls = append(goCalls, float64(sum(ops))/float64(o.Functions))
		res.GoliveOps = ops
		return smp, nil
	}
	c := func() (Sample, error) {
		if err := update(); err != nil {
			return Sample{}, err
		}
		smp, err := Time(ctx, Cmd{Dir: root, Env: append(credEnv, "EP="+endpoint), Args: []string{"sh", script}})
		if err != nil {
			return smp, err
		}
		ops := cnt.reset()
		cliCalls = append(cliCalls, float64(sum(ops))/float64(o.Functions))
		res.CLIOps = ops
		return smp, nil
	}
	if res.Golive, res.CLI, err = Pairs(ctx, o.Pairs, g, c); err != nil {
		return nil, err
	}
	res.GoliveCalls, res.CLICalls = median(goCalls), median(cliCalls)
	fmt.Fprintf(log, "publish %d functions: golive %.2fs (%.1f calls/function), AWS CLI loop %.2fs (%.1f calls/function), %.1f× faster\n",
		o.Functions, Median(res.Golive), res.GoliveCalls, Median(res.CLI), res.CLICalls, RatioMedian(res.CLI, res.Golive))
	return res, nil
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

// Markdown writes the publish table.
func (r *PublishResult) Markdown(w io.Writer) {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("### Publish: `golive publish` against the AWS CLI loop\n\n")
	p("%d functions in `moto_server` with new code; every request counted at a proxy in front of the emulator. "+
		"The seeds' way: a shell loop of `aws lambda wait function-updated` + `aws lambda publish-version` per function (AWS CLI v1).\n\n", r.Functions)
	p("| client | wall (s) | calls per function | peak memory (MiB) |\n|---|---:|---:|---:|\n")
	p("| `golive publish --env prd` | %.2f | %.1f | %.0f |\n", Median(r.Golive), r.GoliveCalls, MaxRSSMB(r.Golive))
	p("| AWS CLI loop | %.2f | %.1f | %.0f |\n\n", Median(r.CLI), r.CLICalls, MaxRSSMB(r.CLI))
	p("golive is **%.1f×** faster (median of CLI/golive within each pair). New versions per golive run: %v.\n\n",
		RatioMedian(r.CLI, r.Golive), r.Published)
	p("Requests of one run: golive %s; AWS CLI %s.\n\n", ops(r.GoliveOps), ops(r.CLIOps))
}

func ops(m map[string]int) string {
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		parts = append(parts, fmt.Sprintf("`%s` × %d", k, m[k]))
	}
	return strings.Join(parts, ", ")
}
