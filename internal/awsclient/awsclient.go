// Package awsclient builds the AWS SDK clients golive uses, the way the AWS CLI does: the
// standard credential chain, an optional named profile, region and endpoint URL, and an
// optional role to assume in the target account (pipelines deploy to several accounts).
//
// Every call has a deadline (CallTimeout, retries included), so a hung endpoint fails the
// command with the call's name instead of hanging it, and throttling is retried the way
// Lambda's quotas need; see Retryer.
package awsclient

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch/schemas"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/middleware"
	"github.com/aws/smithy-go/transport/http/protocol/awsquery"
)

// Options select the account, region and endpoint.
type Options struct {
	// Region overrides AWS_REGION and the profile's region; empty keeps the SDK's choice.
	Region string
	// Profile is a named profile from the shared config files; empty uses AWS_PROFILE or default.
	Profile string
	// RoleARN, when set, is assumed through STS with the chain's credentials.
	RoleARN string
	// EndpointURL replaces every service's endpoint (a local emulator); empty uses AWS's.
	// AWS_ENDPOINT_URL is honoured by the SDK itself when this is empty.
	EndpointURL string
	// SessionName names the assumed-role session (CloudTrail shows it); see SessionName.
	SessionName string
	// CallTimeout bounds each call, its retries included; 0 means DefaultCallTimeout.
	CallTimeout time.Duration
	// MaxBackoff caps the delay between two attempts; 0 means DefaultMaxBackoff. Tests
	// shorten it to keep a throttle storm to seconds.
	MaxBackoff time.Duration
}

// Retry policy. Lambda's control plane allows 15 requests per second per account and Region
// across its APIs (GetFunction: 100) and answers more with 429 TooManyRequestsException ("Lambda
// quotas", https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); a
// pipeline publishing a hundred functions, with other tools calling the same account, meets it
// for tens of seconds. The SDK's standard retryer ("Retries and Timeouts",
// https://aws.github.io/aws-sdk-go-v2/docs/configuring-sdk/retries-timeouts/) gives up after 3
// attempts, and its client-wide retry token bucket (500 tokens; 5 per throttled retry, 14 per
// other retry in this SDK version) fails every further retry with "retry quota exceeded" once a storm has drained it, which is
// exactly when retrying matters. golive keeps the standard retryer's exponential backoff with
// full jitter, gives it DefaultMaxAttempts attempts capped at DefaultMaxBackoff each (several
// seconds of spread-out retries per call, well over a throttled second), and turns the retry
// quota off (ratelimit.None, as those docs show). Adaptive mode was not chosen: its
// client-side rate limiter slows every call of the client after a throttle, experimental by
// the SDK's own label (retry.AdaptiveMode), while golive's bounded concurrency already keeps its own rate low.
//
// A refused connection is not throttling: nothing listens at the address, which for AWS's
// endpoints means a wrong --endpoint-url, an emulator not started or a proxy down, and ten
// attempts only delay "cannot reach" by about 40 s. The SDK retries it (its
// RetryableConnectionError: "the service may not yet be running on the port"), so golive keeps
// RefusedMaxAttempts of those, the standard retryer's own default of 3: a blip still gets
// retried, a wrong address fails in seconds. The request never left the machine, so nothing
// is lost by stopping.
const (
	DefaultMaxAttempts = 10
	RefusedMaxAttempts = 3
	DefaultMaxBackoff  = 10 * time.Second
	// DefaultCallTimeout is above the worst case of those retries' backoff, so a call fails
	// on it only when AWS does not answer: a hung call fails the command within it.
	DefaultCallTimeout = 90 * time.Second
)

// CallTimeoutError is a call that did not finish within the call timeout.
type CallTimeoutError struct {
	Service, Operation string
	Timeout            time.Duration
	Err                error
}

func (e *CallTimeoutError) Error() string {
	return fmt.Sprintf("%s %s did not answer within %s (--call-timeout): %v", e.Service, e.Operation, e.Timeout, e.Err)
}

func (e *CallTimeoutError) Unwrap() error { return e.Err }

var errCallTimeout = errors.New("call timeout")

// callTimeout gives each operation a deadline of its own, around every attempt and backoff
// (the Initialize step runs once per call, before the retry loop of the Finalize step).
func callTimeout(d time.Duration) func(*middleware.Stack) error {
	return func(stack *middleware.Stack) error {
		return stack.Initialize.Add(middleware.InitializeMiddlewareFunc("GoliveCallTimeout",
			func(ctx context.Context, in middleware.InitializeInput, next middleware.InitializeHandler) (middleware.InitializeOutput, middleware.Metadata, error) {
				tctx, cancel := context.WithTimeoutCause(ctx, d, errCallTimeout)
				defer cancel()
				out, md, err := next.HandleInitialize(tctx, in)
				if err != nil && ctx.Err() == nil && errors.Is(context.Cause(tctx), errCallTimeout) {
					err = &CallTimeoutError{Service: awsmiddleware.GetServiceID(ctx), Operation: awsmiddleware.GetOperationName(ctx), Timeout: d, Err: err}
				}
				return out, md, err
			}), middleware.Before)
	}
}

// Retryer is golive's retry policy (see DefaultMaxAttempts), a new one per client as the SDK
// requires.
func Retryer(maxBackoff time.Duration) func() aws.Retryer {
	if maxBackoff <= 0 {
		maxBackoff = DefaultMaxBackoff
	}
	return func() aws.Retryer {
		return refusedBudget{retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = DefaultMaxAttempts
			o.MaxBackoff = maxBackoff
			o.RateLimiter = ratelimit.None
		})}
	}
}

// refusedBudget stops retrying a refused connection after RefusedMaxAttempts attempts, with
// the error the SDK gives when attempts run out (it still unwraps to the refusal).
type refusedBudget struct{ aws.RetryerV2 }

func (r refusedBudget) RetryDelay(attempt int, err error) (time.Duration, error) {
	if attempt >= RefusedMaxAttempts && errors.Is(err, syscall.ECONNREFUSED) {
		return 0, &retry.MaxAttemptsError{Attempt: attempt, Err: err}
	}
	return r.RetryerV2.RetryDelay(attempt, err)
}

// SessionName is the assumed-role session name for a run of golive on what (an environment,
// a stack name or a stack ARN): "golive-" and what, in the characters STS accepts and within
// its length. AssumeRole's RoleSessionName allows "upper- and lower-case alphanumeric
// characters with no spaces ... underscores or any of the following characters: +=,.@-" (its
// SDK doc comment), 2 to 64 of them (AWS STS API reference, AssumeRole); a stack name may be
// 128 characters and an ARN carries ':' and '/', which STS refuses, failing every --role-arn
// run. A stack ARN is named by its stack name; any other character becomes '-'.
func SessionName(what string) string {
	if a, err := arn.Parse(what); err == nil {
		// arn:aws:cloudformation:REGION:ACCOUNT:stack/NAME/ID
		if parts := strings.Split(a.Resource, "/"); len(parts) >= 2 && parts[1] != "" {
			what = parts[1]
		}
	}
	name := []byte("golive-" + what)
	for i, c := range name {
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9', strings.IndexByte("_+=,.@-", c) >= 0:
		default:
			name[i] = '-'
		}
	}
	if len(name) > maxSessionName {
		name = name[:maxSessionName]
	}
	return string(name)
}

// maxSessionName is RoleSessionName's maximum length (AWS STS API reference, AssumeRole).
const maxSessionName = 64

// Clients are the service clients golive calls.
type Clients struct {
	Lambda         *lambda.Client
	CloudFormation *cloudformation.Client
	CodeDeploy     *codedeploy.Client
	CloudWatch     *cloudwatch.Client
	Logs           *cloudwatchlogs.Client
	// Region is the region the clients were built for.
	Region string
}

// New loads the SDK configuration and builds the clients.
func New(ctx context.Context, o Options) (*Clients, error) {
	timeout := o.CallTimeout
	if timeout <= 0 {
		timeout = DefaultCallTimeout
	}
	loads := []func(*awsconfig.LoadOptions) error{
		awsconfig.WithRetryer(Retryer(o.MaxBackoff)),
		awsconfig.WithAPIOptions([]func(*middleware.Stack) error{callTimeout(timeout)}),
	}
	if o.Region != "" {
		loads = append(loads, awsconfig.WithRegion(o.Region))
	}
	if o.Profile != "" {
		loads = append(loads, awsconfig.WithSharedConfigProfile(o.Profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("no AWS region: set --region, the environment's region in config.json, or AWS_REGION")
	}
	if o.RoleARN != "" {
		stsClient := sts.NewFromConfig(cfg, func(so *sts.Options) {
			if e := endpoint(o); e != nil {
				so.BaseEndpoint = e
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, o.RoleARN,
			func(ao *stscreds.AssumeRoleOptions) {
				if o.SessionName != "" {
					ao.RoleSessionName = o.SessionName
				}
			}))
	}
	return &Clients{
		Lambda: lambda.NewFromConfig(cfg, func(lo *lambda.Options) {
			if e := endpoint(o); e != nil {
				lo.BaseEndpoint = e
			}
		}),
		CloudFormation: cloudformation.NewFromConfig(cfg, func(co *cloudformation.Options) {
			if e := endpoint(o); e != nil {
				co.BaseEndpoint = e
			}
		}),
		CodeDeploy: codedeploy.NewFromConfig(cfg, func(do *codedeploy.Options) {
			if e := endpoint(o); e != nil {
				do.BaseEndpoint = e
			}
		}),
		CloudWatch: cloudwatch.NewFromConfig(cfg, QueryProtocol, func(wo *cloudwatch.Options) {
			if e := endpoint(o); e != nil {
				wo.BaseEndpoint = e
			}
		}),
		Logs: cloudwatchlogs.NewFromConfig(cfg, func(lo *cloudwatchlogs.Options) {
			if e := endpoint(o); e != nil {
				lo.BaseEndpoint = e
			}
		}),
		Region: cfg.Region,
	}, nil
}

// QueryProtocol makes a CloudWatch client speak the awsQuery protocol (form-encoded
// Action=OP&Version=2010-08-01, XML answers) instead of the SDK's default, Smithy RPC v2 CBOR
// (service/cloudwatch's api_client.go: options.Protocol = rpcv2.NewCBOR(...)); Options.Protocol
// is the SDK's own override, and smithy-go's awsquery package its implementation.
//
// Always, not only with --endpoint-url: CloudWatch serves the query protocol, the one its API
// reference documents ("Making API Requests": query requests with Action and Version; "Common
// Parameters"), and the one AWS SDKs and CLIs used before JSON 1.0 and RPC v2 CBOR were
// added beside it (CloudWatch User Guide, "FAQs on CloudWatch supported protocols"; the
// cloudwatch module's CHANGELOG, v1.53.0). moto_server, the emulator golive's tests run
// against, serves only the query protocol, so one protocol everywhere means the wire golive
// speaks to AWS is the wire its tests prove. CBOR's gain is smaller messages, which golive's few
// reads (GetMetricData over a traffic window, DescribeAlarms of one alarm per function) do not
// need.
func QueryProtocol(o *cloudwatch.Options) {
	o.Protocol = awsquery.New(schemas.GraniteServiceVersion20100801)
}

func endpoint(o Options) *string {
	if o.EndpointURL == "" {
		return nil
	}
	return aws.String(o.EndpointURL)
}
