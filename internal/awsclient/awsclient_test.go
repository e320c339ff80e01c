package awsclient_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"

	"github.com/golive-dev/golive/internal/awsclient"
)

func isolate(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func TestEndpointAndRegion(t *testing.T) {
	isolate(t)
	c, err := awsclient.New(context.Background(), awsclient.Options{Region: "eu-west-1", EndpointURL: "http://127.0.0.1:5000"})
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]struct {
		endpoint *string
		region   string
	}{
		"lambda":         {c.Lambda.Options().BaseEndpoint, c.Lambda.Options().Region},
		"cloudformation": {c.CloudFormation.Options().BaseEndpoint, c.CloudFormation.Options().Region},
		"codedeploy":     {c.CodeDeploy.Options().BaseEndpoint, c.CodeDeploy.Options().Region},
	} {
		if aws.ToString(o.endpoint) != "http://127.0.0.1:5000" || o.region != "eu-west-1" {
			t.Errorf("%s: endpoint %q region %q", name, aws.ToString(o.endpoint), o.region)
		}
	}
}

func TestNoEndpointKeepsAWS(t *testing.T) {
	isolate(t)
	c, err := awsclient.New(context.Background(), awsclient.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Lambda.Options().BaseEndpoint; e != nil {
		t.Errorf("endpoint %q; want AWS's", *e)
	}
}

func TestNoRegion(t *testing.T) {
	isolate(t)
	_, err := awsclient.New(context.Background(), awsclient.Options{})
	if err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Fatalf("error = %v", err)
	}
}

func TestUnknownProfile(t *testing.T) {
	isolate(t)
	_, err := awsclient.New(context.Background(), awsclient.Options{Region: "us-east-1", Profile: "nope"})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("error = %v", err)
	}
}

// The retry policy: 10 attempts, backoff capped, and no client-wide retry quota, which a
// storm of throttles would drain and then fail every retry with "retry quota exceeded".
func TestRetryer(t *testing.T) {
	r := awsclient.Retryer(0)()
	throttled := &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "Rate exceeded"}
	if r.MaxAttempts() != awsclient.DefaultMaxAttempts || !r.IsErrorRetryable(throttled) {
		t.Errorf("max attempts %d, throttle retryable %v", r.MaxAttempts(), r.IsErrorRetryable(throttled))
	}
	for i := range 1000 {
		if _, err := r.GetRetryToken(context.Background(), throttled); err != nil {
			t.Fatalf("retry %d refused: %v", i, err)
		}
	}
	for attempt := 1; attempt <= 10; attempt++ {
		if d, err := r.RetryDelay(attempt, throttled); err != nil || d > awsclient.DefaultMaxBackoff {
			t.Errorf("attempt %d: delay %s, %v; want at most %s", attempt, d, err, awsclient.DefaultMaxBackoff)
		}
	}
}

// A refused connection (nothing listens there: a wrong --endpoint-url, an emulator not
// started) is retried RefusedMaxAttempts times, not DefaultMaxAttempts, and still unwraps to
// the refusal so that the CLI can say it cannot reach the endpoint.
func TestRefusedConnectionFailsFast(t *testing.T) {
	isolate(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	c, err := awsclient.New(context.Background(), awsclient.Options{Region: "us-east-1", EndpointURL: closed, MaxBackoff: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Lambda.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{FunctionName: aws.String("f")})
	var attempts *retry.MaxAttemptsError
	if !errors.As(err, &attempts) || attempts.Attempt != awsclient.RefusedMaxAttempts || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Fatalf("error = %v; want %d attempts, then the refusal", err, awsclient.RefusedMaxAttempts)
	}

	// Throttling keeps every attempt.
	r := awsclient.Retryer(0)()
	throttled := &smithy.GenericAPIError{Code: "TooManyRequestsException", Message: "Rate exceeded"}
	if _, err := r.RetryDelay(awsclient.RefusedMaxAttempts, throttled); err != nil {
		t.Errorf("throttle after %d attempts: %v; want another retry", awsclient.RefusedMaxAttempts, err)
	}
}

// STS refuses a RoleSessionName outside 2 to 64 characters of [\w+=,.@-]: every --role-arn run
// on a long stack name or a stack ARN failed before its first call.
func TestSessionName(t *testing.T) {
	valid := regexp.MustCompile(`^[\w+=,.@-]{2,64}$`)
	long := strings.Repeat("s", 128) // CloudFormation's longest stack name
	tests := []struct{ what, want string }{
		{"prd", "golive-prd"},
		{"shop-orders", "golive-shop-orders"},
		{"arn:aws:cloudformation:eu-west-1:123456789012:stack/shop-orders/9a8b7c6d-1234-11ee-be56-0242ac120002", "golive-shop-orders"},
		{long, "golive-" + long[:57]},
		{"a b:c/d", "golive-a-b-c-d"},
		{"héllo", "golive-h--llo"},
	}
	for _, tt := range tests {
		got := awsclient.SessionName(tt.what)
		if got != tt.want || !valid.MatchString(got) {
			t.Errorf("SessionName(%q) = %q; want %q, matching %s", tt.what, got, tt.want, valid)
		}
	}
}

// TestCloudWatchSpeaksQuery: golive's CloudWatch client sends the query protocol
// (form-encoded Action and Version, list members as NAME.member.N) and reads its XML
// answer, whatever the endpoint, not the SDK's default RPC v2 CBOR.
func TestCloudWatchSpeaksQuery(t *testing.T) {
	isolate(t)
	var got struct {
		path, contentType string
		form              url.Values
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got.path, got.contentType = r.URL.Path, r.Header.Get("Content-Type")
		if err := r.ParseForm(); err != nil {
			t.Error(err)
		}
		got.form = r.PostForm
		w.Header().Set("Content-Type", "text/xml")
		// The shape of DescribeAlarms' answer in the CloudWatch API Reference, DescribeAlarms.
		_, _ = io.WriteString(w, `<DescribeAlarmsResponse xmlns="http://monitoring.amazonaws.com/doc/2010-08-01/">
<DescribeAlarmsResult><MetricAlarms><member><AlarmName>a</AlarmName><StateValue>ALARM</StateValue><StateReason>Threshold Crossed</StateReason></member></MetricAlarms></DescribeAlarmsResult>
<ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DescribeAlarmsResponse>`)
	}))
	defer srv.Close()
	for name, endpoint := range map[string]string{"emulator": srv.URL, "AWS": ""} {
		t.Run(name, func(t *testing.T) {
			c, err := awsclient.New(context.Background(), awsclient.Options{Region: "us-east-1", EndpointURL: endpoint})
			if err != nil {
				t.Fatal(err)
			}
			// Without --endpoint-url the client would go to AWS; the test sends it here to
			// see what it says there.
			out, err := c.CloudWatch.DescribeAlarms(context.Background(), &cloudwatch.DescribeAlarmsInput{AlarmNames: []string{"a"}},
				func(o *cloudwatch.Options) { o.BaseEndpoint = aws.String(srv.URL) })
			if err != nil {
				t.Fatal(err)
			}
			if got.path != "/" || got.contentType != "application/x-www-form-urlencoded" || got.form.Get("Action") != "DescribeAlarms" ||
				got.form.Get("Version") != "2010-08-01" || got.form.Get("AlarmNames.member.1") != "a" {
				t.Errorf("request %s %q %v; want the query protocol: POST / form-encoded, Action DescribeAlarms, Version 2010-08-01, AlarmNames.member.1 a",
					got.path, got.contentType, got.form)
			}
			if len(out.MetricAlarms) != 1 || aws.ToString(out.MetricAlarms[0].StateReason) != "Threshold Crossed" || out.MetricAlarms[0].StateValue != "ALARM" {
				t.Errorf("answer %+v; want alarm a in ALARM, Threshold Crossed", out.MetricAlarms)
			}
		})
	}
}
