package cli_test

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	ltypes "github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/awsclient"
	"github.com/golive-dev/golive/internal/cli"
	"github.com/golive-dev/golive/internal/testkit/moto"
	"github.com/golive-dev/golive/internal/testkit/mototest"
)

var srv *moto.Server

func TestMain(m *testing.M) {
	// Never reach real AWS: fixed test credentials, no profile, no instance metadata.
	for k, v := range map[string]string{
		"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing", "AWS_REGION": "us-east-1",
		"AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": os.DevNull, "AWS_SHARED_CREDENTIALS_FILE": os.DevNull,
	} {
		os.Setenv(k, v)
	}
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE"} {
		os.Unsetenv(k)
	}
	os.Exit(mototest.Main(m, &srv))
}

const roleARN = "arn:aws:iam::123456789012:role/golive-test"

var (
	roleOnce sync.Once
	projects atomic.Int32
)

// world is one test's project in moto: functions, alias, stack and a config.json.
type world struct {
	t       *testing.T
	project string
	cfgPath string
	lambda  *lambda.Client
	cfn     *cloudformation.Client
	cd      *codedeploy.Client
	codeRev int
	// alias is the name of the functions' alias that setAlias and aliasVersion use; "" is LIVE.
	alias string
}

func (w *world) aliasName() string {
	if w.alias == "" {
		return "LIVE"
	}
	return w.alias
}

// newWorld writes config.json from a template in which PROJECT stands for a project name
// unique to the test (so tests share one moto_server without reset).
func newWorld(t *testing.T, configTemplate string) *world {
	t.Helper()
	mototest.Need(t, srv)
	ctx := context.Background()
	cfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion("us-east-1"))
	if err != nil {
		t.Fatal(err)
	}
	w := &world{
		t:       t,
		project: fmt.Sprintf("proj%d", projects.Add(1)),
		lambda:  lambda.NewFromConfig(cfg, func(o *lambda.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		cfn:     cloudformation.NewFromConfig(cfg, func(o *cloudformation.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
		cd:      codedeploy.NewFromConfig(cfg, func(o *codedeploy.Options) { o.BaseEndpoint = aws.String(srv.URL) }),
	}
	roleOnce.Do(func() {
		// moto's CreateFunction wants a role that exists in its IAM.
		c := iam.NewFromConfig(cfg, func(o *iam.Options) { o.BaseEndpoint = aws.String(srv.URL) })
		_, err = c.CreateRole(ctx, &iam.CreateRoleInput{RoleName: aws.String("golive-test"), AssumeRolePolicyDocument: aws.String(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}`)})
	})
	if err != nil {
		t.Fatalf("create role: %v", err)
	}
	dir := filepath.Join(t.TempDir(), "config")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	w.cfgPath = filepath.Join(dir, "config.json")
	w.writeConfig(strings.ReplaceAll(configTemplate, "PROJECT", w.project))
	return w
}

func (w *world) writeConfig(s string) {
	w.t.Helper()
	if err := os.WriteFile(w.cfgPath, []byte(s), 0o644); err != nil {
		w.t.Fatal(err)
	}
}

func (w *world) readConfig() string {
	w.t.Helper()
	b, err := os.ReadFile(w.cfgPath)
	if err != nil {
		w.t.Fatal(err)
	}
	return string(b)
}

// name is the physical name of function fn in prd.
func (w *world) name(fn string) string { return w.project + "-prd-" + fn }

func (w *world) zip() []byte {
	w.codeRev++
	var buf bytes.Buffer
	z := zip.NewWriter(&buf)
	f, _ := z.Create("bootstrap")
	fmt.Fprintf(f, "#!/bin/sh\necho build %d\n", w.codeRev)
	z.Close()
	return buf.Bytes()
}

func (w *world) createFunction(fn string) {
	w.t.Helper()
	_, err := w.lambda.CreateFunction(context.Background(), &lambda.CreateFunctionInput{
		FunctionName: aws.String(w.name(fn)),
		Runtime:      ltypes.RuntimeProvidedal2023,
		Handler:      aws.String("bootstrap"),
		Role:         aws.String(roleARN),
		Code:         &ltypes.FunctionCode{ZipFile: w.zip()},
	})
	if err != nil {
		w.t.Fatalf("create function: %v", err)
	}
}

func (w *world) updateCode(fn string) {
	w.t.Helper()
	_, err := w.lambda.UpdateFunctionCode(context.Background(), &lambda.UpdateFunctionCodeInput{
		FunctionName: aws.String(w.name(fn)), ZipFile: w.zip(),
	})
	if err != nil {
		w.t.Fatalf("update code: %v", err)
	}
}

// releases creates fn with n versions, each with new code.
func (w *world) releases(fn string, n int) {
	w.t.Helper()
	w.createFunction(fn)
	for i := range n {
		if i > 0 {
			w.updateCode(fn)
		}
		if _, err := w.lambda.PublishVersion(context.Background(), &lambda.PublishVersionInput{FunctionName: aws.String(w.name(fn))}); err != nil {
			w.t.Fatal(err)
		}
	}
}

func (w *world) versions(fn string) []string {
	w.t.Helper()
	out, err := w.lambda.ListVersionsByFunction(context.Background(), &lambda.ListVersionsByFunctionInput{FunctionName: aws.String(w.name(fn))})
	if err != nil {
		w.t.Fatal(err)
	}
	var vs []string
	for _, v := range out.Versions {
		if aws.ToString(v.Version) != "$LATEST" {
			vs = append(vs, aws.ToString(v.Version))
		}
	}
	return vs
}

func (w *world) setAlias(fn, version string, weights map[string]float64) {
	w.t.Helper()
	ctx := context.Background()
	var rc *ltypes.AliasRoutingConfiguration
	if weights != nil {
		rc = &ltypes.AliasRoutingConfiguration{AdditionalVersionWeights: weights}
	}
	_, err := w.lambda.UpdateAlias(ctx, &lambda.UpdateAliasInput{
		FunctionName: aws.String(w.name(fn)), Name: aws.String(w.aliasName()), FunctionVersion: aws.String(version), RoutingConfig: rc,
	})
	if err != nil {
		_, err = w.lambda.CreateAlias(ctx, &lambda.CreateAliasInput{
			FunctionName: aws.String(w.name(fn)), Name: aws.String(w.aliasName()), FunctionVersion: aws.String(version), RoutingConfig: rc,
		})
	}
	if err != nil {
		w.t.Fatalf("alias: %v", err)
	}
}

func (w *world) aliasVersion(fn string) string {
	w.t.Helper()
	out, err := w.lambda.GetAlias(context.Background(), &lambda.GetAliasInput{FunctionName: aws.String(w.name(fn)), Name: aws.String(w.aliasName())})
	if err != nil {
		w.t.Fatal(err)
	}
	return aws.ToString(out.FunctionVersion)
}

// deployed creates the prd stack with LiveVersion outputs, as the CDK app's stack has.
// moto's CloudFormation skips Lambda aliases, so the stack holds only a placeholder resource.
func (w *world) deployed(outputs map[string]string) {
	w.t.Helper()
	outs := map[string]any{}
	for k, v := range outputs {
		outs[k] = map[string]string{"Value": v}
	}
	tpl, _ := json.Marshal(map[string]any{
		"Resources": map[string]any{"Placeholder": map[string]string{"Type": "AWS::CloudFormation::WaitConditionHandle"}},
		"Outputs":   outs,
	})
	_, err := w.cfn.CreateStack(context.Background(), &cloudformation.CreateStackInput{
		StackName: aws.String(w.project + "-prd"), TemplateBody: aws.String(string(tpl)),
	})
	if err != nil {
		w.t.Fatalf("create stack: %v", err)
	}
	out, err := w.cfn.DescribeStacks(context.Background(), &cloudformation.DescribeStacksInput{StackName: aws.String(w.project + "-prd")})
	if err != nil || out.Stacks[0].StackStatus != cftypes.StackStatusCreateComplete {
		w.t.Fatalf("stack: %v %+v", err, out)
	}
}

// deploymentInFlight starts a CodeDeploy deployment of fn; moto leaves it "Created" forever.
func (w *world) deploymentInFlight(fn string) string {
	w.t.Helper()
	ctx := context.Background()
	app := aws.String(w.project + "-prd")
	if _, err := w.cd.CreateApplication(ctx, &codedeploy.CreateApplicationInput{ApplicationName: app, ComputePlatform: cdtypes.ComputePlatformLambda}); err != nil {
		w.t.Fatal(err)
	}
	_, err := w.cd.CreateDeploymentGroup(ctx, &codedeploy.CreateDeploymentGroupInput{
		ApplicationName: app, DeploymentGroupName: aws.String(w.name(fn)),
		ServiceRoleArn:       aws.String(roleARN),
		DeploymentConfigName: aws.String("CodeDeployDefault.LambdaCanary10Percent5Minutes"),
	})
	if err != nil {
		w.t.Fatal(err)
	}
	out, err := w.cd.CreateDeployment(ctx, &codedeploy.CreateDeploymentInput{
		ApplicationName: app, DeploymentGroupName: aws.String(w.name(fn)),
		Revision: &cdtypes.RevisionLocation{
			RevisionType:   cdtypes.RevisionLocationTypeAppSpecContent,
			AppSpecContent: &cdtypes.AppSpecContent{Content: aws.String(`{"version":0.0,"Resources":[]}`)},
		},
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return aws.ToString(out.DeploymentId)
}

// run runs golive with the global flags after the command name, as users write them.
func (w *world) run(args ...string) (stdout, stderr string, code int) {
	return w.runCtx(context.Background(), args...)
}

func (w *world) runCtx(ctx context.Context, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	args = append(args, "--config", w.cfgPath, "--endpoint-url", srv.URL)
	code = testApp(&out, &errb).Run(ctx, args)
	w.t.Logf("golive %s -> %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errb.String())
	return out.String(), errb.String(), code
}

// testApp is golive over the real SDK with the retry backoff shortened, so that retries
// (of throttles, of a refused connection) take milliseconds.
func testApp(stdout, stderr io.Writer) *cli.App {
	return &cli.App{Stdout: stdout, Stderr: stderr, NewClients: func(ctx context.Context, o awsclient.Options) (cli.Clients, error) {
		o.MaxBackoff = 20 * time.Millisecond
		return cli.SDKClients(ctx, o)
	}}
}

// jsonOut decodes a JSON result.
func jsonOut[T any](t *testing.T, s string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, s)
	}
	return v
}

// oneFunction is a config with a worker function whose prd settings are WORKER.
const oneFunction = `{
  "project": "PROJECT",
  "lambda_functions": {
    "worker": {
      "entry": "functions/worker",
      "deployment": { "type": "Canary10Percent5Minutes" }
    }
  },
  "envs": {
    "prd": {
      "account": "123456789012",
      "region": "us-east-1",
      "lambda_functions": { "worker": WORKER }
    }
  }
}
`

// cfg fills oneFunction's worker settings, leaving the project for newWorld.
func cfg(worker string) string { return strings.Replace(oneFunction, "WORKER", worker, 1) }
