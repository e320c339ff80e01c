package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigateway"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2integrations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdaeventsources"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
)

// ShopStackProps configures the example stack.
type ShopStackProps struct {
	awscdk.StackProps
	// OrdersVersion and NotifyVersion are the versions LIVE serves; "" follows $LATEST.
	OrdersVersion, NotifyVersion string
	// Rollout of the pinned functions. Default: a canary. RolloutDirect for the deploy that
	// first pins a function (CodeDeploy cannot shift traffic away from $LATEST).
	Rollout versionedfunction.Rollout
}

// ShopStack is a Go function fed by SQS and a Node.js function behind an HTTP API, both
// reached only through their LIVE aliases.
type ShopStack struct {
	awscdk.Stack
	Orders, Notify *versionedfunction.VersionedFunction
	Queue          awssqs.Queue
	API            awsapigatewayv2.HttpApi
}

// NewShopStack declares the example stack.
func NewShopStack(scope constructs.Construct, id string, props *ShopStackProps) *ShopStack {
	stack := awscdk.NewStack(scope, jsii.String(id), &props.StackProps)
	s := &ShopStack{Stack: stack}

	// A Go main package, built locally by the construct.
	s.Orders = versionedfunction.New(stack, "Orders", &versionedfunction.Props{
		FunctionName: "shop-orders",
		Entry:        "functions/orders",
		Timeout:      awscdk.Duration_Seconds(jsii.Number(10)),
		LiveVersion:  props.OrdersVersion,
		Rollout:      rollout(props.OrdersVersion, props.Rollout),
		Deployment:   canary(props.OrdersVersion),
	})
	// A function of one's own: any runtime, any construct that makes an awslambda.Function.
	notify := awslambda.NewFunction(stack, jsii.String("NotifyFunction"), &awslambda.FunctionProps{
		FunctionName: jsii.String("shop-notify"),
		Runtime:      awslambda.Runtime_NODEJS_24_X(),
		Handler:      jsii.String("index.handler"),
		Code:         awslambda.Code_FromAsset(jsii.String("functions/notify"), nil),
	})
	s.Notify = versionedfunction.New(stack, "Notify", &versionedfunction.Props{
		Function:    notify,
		LiveVersion: props.NotifyVersion,
		Rollout:     rollout(props.NotifyVersion, props.Rollout),
		Deployment:  canary(props.NotifyVersion),
	})

	// Event sources and integrations go on LIVE, never on the function: a new $LATEST
	// then serves nothing until a deploy moves LIVE to its published version.
	dlq := awssqs.NewQueue(stack, jsii.String("OrdersDeadLetters"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
	s.Queue = awssqs.NewQueue(stack, jsii.String("OrdersQueue"), &awssqs.QueueProps{
		EnforceSSL:        jsii.Bool(true),
		VisibilityTimeout: awscdk.Duration_Seconds(jsii.Number(60)),
		DeadLetterQueue:   &awssqs.DeadLetterQueue{Queue: dlq, MaxReceiveCount: jsii.Number(3)},
	})
	s.Orders.Alias.AddEventSource(awslambdaeventsources.NewSqsEventSource(s.Queue, &awslambdaeventsources.SqsEventSourceProps{
		ReportBatchItemFailures: jsii.Bool(true),
	}))

	s.API = awsapigatewayv2.NewHttpApi(stack, jsii.String("Api"), &awsapigatewayv2.HttpApiProps{CreateDefaultStage: jsii.Bool(false)})
	accessLogs := awslogs.NewLogGroup(stack, jsii.String("ApiAccessLogs"), &awslogs.LogGroupProps{Retention: awslogs.RetentionDays_ONE_MONTH})
	awsapigatewayv2.NewHttpStage(stack, jsii.String("ApiStage"), &awsapigatewayv2.HttpStageProps{
		HttpApi:           s.API,
		StageName:         jsii.String("$default"),
		AutoDeploy:        jsii.Bool(true),
		AccessLogSettings: &accessLogSettings{awsapigatewayv2.NewLogGroupLogDestination(accessLogs)},
	})
	s.API.AddRoutes(&awsapigatewayv2.AddRoutesOptions{
		Path:        jsii.String("/notify"),
		Methods:     &[]awsapigatewayv2.HttpMethod{awsapigatewayv2.HttpMethod_POST},
		Integration: awsapigatewayv2integrations.NewHttpLambdaIntegration(jsii.String("Notify"), s.Notify.Alias, nil),
	})
	return s
}

// canary shifts 10 % of LIVE's traffic to a new version for 5 minutes, rolled back when
// that version's error rate or p99 duration breaches. A function on $LATEST has nothing to
// shift between (the construct warns about a Deployment there).
func canary(liveVersion string) *versionedfunction.Deployment {
	if liveVersion == "" {
		return nil
	}
	return &versionedfunction.Deployment{
		Config:     awscodedeploy.LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES(),
		Thresholds: versionedfunction.Thresholds{ErrorRatePercent: jsii.Number(1), P99Duration: awscdk.Duration_Seconds(jsii.Number(2))},
	}
}

func rollout(liveVersion string, r versionedfunction.Rollout) versionedfunction.Rollout {
	if liveVersion == "" {
		return ""
	}
	return r
}

// accessLogSettings sends a stage's access logs to dest in API Gateway's default format.
type accessLogSettings struct {
	dest awsapigatewayv2.IAccessLogDestination
}

func (a *accessLogSettings) Destination() awsapigatewayv2.IAccessLogDestination { return a.dest }
func (a *accessLogSettings) Format() awsapigateway.AccessLogFormat              { return nil }
