package versionedfunction_test

import (
	"crypto/sha256"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
	"github.com/golive-dev/golive/constructs/versionedfunction"
	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

func nodeFunction(scope constructs.Construct, id, name string) awslambda.Function {
	fp := &awslambda.FunctionProps{
		Runtime: awslambda.Runtime_NODEJS_24_X(),
		Handler: jsii.String("index.handler"),
		Code:    awslambda.Code_FromInline(jsii.String("exports.handler = async () => ({ ok: true });")),
	}
	if name != "" {
		fp.FunctionName = jsii.String(name)
	}
	return awslambda.NewFunction(scope, jsii.String(id), fp)
}

// A function of one's own, of any runtime and made by any construct, gets what an Entry
// function gets: the LIVE alias, CodeDeploy, the version-scoped alarm, the removal policy
// and the recorded output; and no AWS::Lambda::Version.
func TestOwnFunction(t *testing.T) {
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})

	// GIVEN a Node.js inline function pinned with a canary
	node := awscdk.NewStack(app, jsii.String("Node"), nil)
	nodeFn := nodeFunction(node, "Handler", "orders-node")
	versionedfunction.New(node, "Orders", &versionedfunction.Props{Function: nodeFn, LiveVersion: "4", Deployment: canary()})

	// GIVEN a Python function from a local directory and a container image function, the
	// first on $LATEST, the second pinned directly
	py := awscdk.NewStack(app, jsii.String("Python"), nil)
	pyFn := awslambda.NewFunction(py, jsii.String("Handler"), &awslambda.FunctionProps{
		FunctionName: jsii.String("report-py"),
		Runtime:      awslambda.Runtime_PYTHON_3_14(),
		Handler:      jsii.String("index.handler"),
		Code:         awslambda.Code_FromAsset(jsii.String("testdata/python"), nil),
	})
	versionedfunction.New(py, "Report", &versionedfunction.Props{Function: pyFn, FunctionName: "report-py"})
	img := awscdk.NewStack(app, jsii.String("Image"), nil)
	repo := awsecr.Repository_FromRepositoryName(img, jsii.String("Repo"), jsii.String("images"))
	imgFn := awslambda.NewDockerImageFunction(img, jsii.String("Handler"), &awslambda.DockerImageFunctionProps{
		FunctionName: jsii.String("resize-img"),
		Code:         awslambda.DockerImageCode_FromEcr(repo, &awslambda.EcrImageCodeProps{TagOrDigest: jsii.String("sha256:" + strings.Repeat("a", 64))}),
	})
	versionedfunction.New(img, "Resize", &versionedfunction.Props{Function: imgFn, LiveVersion: "2", Rollout: versionedfunction.RolloutDirect,
		Deployment: canary(), RemovalPolicy: awscdk.RemovalPolicy_DESTROY})

	// One synth for every assertion: Template_FromStack and Annotations_FromStack each
	// synthesize the whole app again.
	for _, stack := range []awscdk.Stack{node, py, img} {
		cdknag.NagSuppressions_AddStackSuppressions(stack, &nagSuppressions, nil)
	}
	awscdk.Aspects_Of(app).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
	asm := app.Synth(nil)

	tpl := synthcheck.Template(asm, node)
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{
		"Name": "LIVE", "FunctionVersion": "4", "FunctionName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Handler"))},
	})
	tpl.HasResource(jsii.String("AWS::Lambda::Alias"), map[string]any{
		"UpdatePolicy": map[string]any{"CodeDeployLambdaAliasUpdate": assertions.Match_AnyValue()},
	})
	tpl.HasResourceProperties(jsii.String("AWS::CodeDeploy::DeploymentGroup"), map[string]any{
		"DeploymentGroupName": "orders-node", "DeploymentConfigName": "CodeDeployDefault.LambdaCanary10Percent5Minutes",
	})
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
		"Metrics": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Id": "errors", "MetricStat": map[string]any{
			"Stat": "Sum", "Period": 60, "Metric": map[string]any{"MetricName": "Errors", "Namespace": "AWS/Lambda", "Dimensions": []any{
				map[string]any{"Name": "ExecutedVersion", "Value": "4"},
				map[string]any{"Name": "FunctionName", "Value": "orders-node"},
				map[string]any{"Name": "Resource", "Value": "orders-node:LIVE"},
			}}}})}),
	})
	tpl.HasResource(jsii.String("AWS::Lambda::Function"), map[string]any{
		"DeletionPolicy": "Retain", "Properties": map[string]any{"FunctionName": "orders-node", "Runtime": "nodejs24.x"},
	})
	tpl.HasResource(jsii.String("AWS::IAM::Role"), map[string]any{
		"DeletionPolicy": "Retain", "Properties": map[string]any{"AssumeRolePolicyDocument": assumedBy("lambda.amazonaws.com")},
	})
	tpl.HasOutput(jsii.String("LiveVersionOrders"), map[string]any{
		"Value": "orders-node:4", "Description": "Function and LIVE version recorded by the last deploy",
	})

	tpl = synthcheck.Template(asm, py)
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{"Name": "LIVE", "FunctionVersion": "$LATEST"})
	tpl.HasResource(jsii.String("AWS::Lambda::Function"), map[string]any{"DeletionPolicy": "Retain",
		"Properties": map[string]any{"FunctionName": "report-py", "Runtime": "python3.14"}})
	tpl.HasOutput(jsii.String("LiveVersionReport"), map[string]any{"Value": "report-py:$LATEST"})

	tpl = synthcheck.Template(asm, img)
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{"Name": "LIVE", "FunctionVersion": "2"})
	tpl.HasResource(jsii.String("AWS::Lambda::Alias"), map[string]any{"UpdatePolicy": assertions.Match_Absent()})
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(1))
	tpl.HasResource(jsii.String("AWS::Lambda::Function"), map[string]any{"DeletionPolicy": "Delete",
		"Properties": map[string]any{"FunctionName": "resize-img", "PackageType": "Image"}})
	tpl.HasOutput(jsii.String("LiveVersionResize"), map[string]any{"Value": "resize-img:2"})

	for _, stack := range []awscdk.Stack{node, py, img} {
		tpl := synthcheck.Template(asm, stack)
		tpl.ResourceCountIs(jsii.String("AWS::Lambda::Version"), jsii.Number(0))
		tpl.ResourceCountIs(jsii.String("AWS::Lambda::Function"), jsii.Number(1))
		for _, m := range synthcheck.NagFindings(asm, stack) {
			t.Errorf("%s: unsuppressed cdk-nag finding %s", *stack.StackName(), m)
		}
	}
	synthcheck.LintDir(t, out, 3, cfnLintAllowed)
}

// nagSuppressions are the findings on what the construct declares, with their reasons.
var nagSuppressions = []*cdknag.NagPackSuppression{{
	Id: jsii.String("AwsSolutions-IAM4"),
	Reason: jsii.String("AWSLambdaBasicExecutionRole only lets a function write its own logs; " +
		"AWSCodeDeployRoleForLambdaLimited is AWS's policy for CodeDeploy's Lambda deployments"),
	AppliesTo: &[]any{
		"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole",
		"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSCodeDeployRoleForLambdaLimited",
	},
}}

// Every option of CDK's functions reaches an Entry function, with the grants CDK adds.
func TestFunctionOptions(t *testing.T) {
	out := t.TempDir()
	app := awscdk.NewApp(&awscdk.AppProps{Outdir: jsii.String(out)})
	// Environment-agnostic: the VPC takes its zones from Fn::GetAZs.
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2), NatGateways: jsii.Number(0),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{{Name: jsii.String("private"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
	role := awsiam.NewRole(stack, jsii.String("ExecutionRole"), &awsiam.RoleProps{RoleName: jsii.String("own-role"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil)})
	layer := awslambda.LayerVersion_FromLayerVersionArn(stack, jsii.String("Layer"), jsii.String("arn:aws:lambda:eu-west-1:111111111111:layer:shared:3"))
	dlq := awssqs.NewQueue(stack, jsii.String("Dlq"), &awssqs.QueueProps{EnforceSSL: jsii.Bool(true)})
	logs := awslogs.NewLogGroup(stack, jsii.String("Logs"), &awslogs.LogGroupProps{LogGroupName: jsii.String("/golive/options"), Retention: awslogs.RetentionDays_ONE_WEEK})

	// GIVEN functions with options, each also pinned or not
	versionedfunction.New(stack, "InVpc", &versionedfunction.Props{FunctionName: "in-vpc", Entry: entry,
		FunctionOptions: &awslambda.FunctionOptions{Vpc: vpc, VpcSubnets: &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED}}})
	versionedfunction.New(stack, "OwnRole", &versionedfunction.Props{Entry: entry, LiveVersion: "3", Deployment: canary(),
		FunctionOptions: &awslambda.FunctionOptions{FunctionName: jsii.String("own-role"), Role: role, Layers: &[]awslambda.ILayerVersion{layer},
			MemorySize: jsii.Number(512), Timeout: awscdk.Duration_Seconds(jsii.Number(30))}})
	versionedfunction.New(stack, "Async", &versionedfunction.Props{FunctionName: "async", Entry: entry,
		FunctionOptions: &awslambda.FunctionOptions{DeadLetterQueue: dlq, Tracing: awslambda.Tracing_ACTIVE, LogGroup: logs,
			ReservedConcurrentExecutions: jsii.Number(5), Architecture: awslambda.Architecture_X86_64()}})

	tpl := assertions.Template_FromStack(stack, nil)
	// THEN the VPC function runs in the subnets with a security group and the ENI policy
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"FunctionName": "in-vpc",
		"VpcConfig": map[string]any{
			"SecurityGroupIds": []any{map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^InVpcSecurityGroup")), "GroupId"}}},
			"SubnetIds":        assertions.Match_ArrayWith(&[]any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^VpcprivateSubnet1"))}}),
		},
	})
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
		"ManagedPolicyArns": assertions.Match_ArrayWith(&[]any{map[string]any{"Fn::Join": []any{"", assertions.Match_ArrayWith(&[]any{
			":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole"})}}}),
	})
	// THEN the function with a role of its own uses it, with the layer, memory and timeout,
	// and the rollback alarm's p99 fits the 30 s timeout
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"FunctionName": "own-role", "MemorySize": 512, "Timeout": 30, "Architectures": []any{"arm64"},
		"Role":   map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^ExecutionRole")), "Arn"}},
		"Layers": []any{"arn:aws:lambda:eu-west-1:111111111111:layer:shared:3"},
	})
	tpl.HasOutput(jsii.String("LiveVersionOwnRole"), map[string]any{"Value": "own-role:3"})
	// THEN the asynchronous function has its DLQ (and the grant to send to it), tracing,
	// log group, reserved concurrency and the x86_64 build
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
		"FunctionName":                 "async",
		"DeadLetterConfig":             map[string]any{"TargetArn": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Dlq")), "Arn"}}},
		"TracingConfig":                map[string]any{"Mode": "Active"},
		"LoggingConfig":                map[string]any{"LogGroup": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Logs"))}},
		"ReservedConcurrentExecutions": 5,
		"Architectures":                []any{"x86_64"},
	})
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
		"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Action": "sqs:SendMessage"}),
			assertions.Match_ObjectLike(&map[string]any{"Action": []any{"xray:PutTraceSegments", "xray:PutTelemetryRecords"}}),
		})},
	})
	_, amd64, err := versionedfunction.BuildGo(entry, versionedfunction.X86_64, nil)
	if err != nil {
		t.Fatal(err)
	}
	fns := *tpl.FindResources(jsii.String("AWS::Lambda::Function"), map[string]any{"Properties": map[string]any{"FunctionName": "async"}})
	for _, r := range fns {
		key := (*r)["Properties"].(map[string]any)["Code"].(map[string]any)["S3Key"]
		if want := s3Key(amd64); key != want {
			t.Errorf("async function code %v, want the x86_64 build %s", key, want)
		}
	}
	tpl.ResourceCountIs(jsii.String("AWS::Lambda::Version"), jsii.Number(0))
	app.Synth(nil)
	synthcheck.LintDir(t, out, 1, cfnLintAllowed)
}

// A token LiveVersion (from a parameter, say) is CloudFormation's to resolve.
func TestTokenLiveVersion(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	param := awscdk.NewCfnParameter(stack, jsii.String("Version"), &awscdk.CfnParameterProps{Type: jsii.String("String")})
	versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: *param.ValueAsString(), Deployment: canary()})
	tpl := assertions.Template_FromStack(stack, nil)
	tpl.HasResourceProperties(jsii.String("AWS::Lambda::Alias"), map[string]any{"FunctionVersion": map[string]any{"Ref": "Version"}})
	tpl.HasOutput(jsii.String("LiveVersionFn"), map[string]any{"Value": map[string]any{"Fn::Join": []any{"", []any{"f:", map[string]any{"Ref": "Version"}}}}})
	tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::DeploymentGroup"), jsii.Number(1))
}

// A Deployment on a function that follows $LATEST does nothing: say so.
func TestDeploymentOnLatestWarns(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, Deployment: canary()})
	versionedfunction.New(stack, "Pinned", &versionedfunction.Props{FunctionName: "g", Entry: entry, LiveVersion: "1", Deployment: canary()})
	ann := assertions.Annotations_FromStack(stack)
	ann.HasWarning(jsii.String("/Test/Fn"), assertions.Match_StringLikeRegexp(jsii.String("Deployment is ignored while LIVE follows \\$LATEST")))
	ann.HasNoWarning(jsii.String("/Test/Pinned"), assertions.Match_AnyValue())
}

// Application without Role (or Role without Application): the group makes the other one
// itself, and the stack's shared pair is not declared for nothing.
func TestPartialCodeDeploySettings(t *testing.T) {
	app := awscdk.NewApp(nil)
	tests := []struct {
		name          string
		mut           func(stack awscdk.Stack, d *versionedfunction.Deployment)
		apps, cdRoles int
	}{
		{"Application", func(stack awscdk.Stack, d *versionedfunction.Deployment) {
			d.Application = awscodedeploy.NewLambdaApplication(stack, jsii.String("Own"), nil)
		}, 1, 1},
		{"Role", func(stack awscdk.Stack, d *versionedfunction.Deployment) {
			d.Role = awsiam.Role_FromRoleName(stack, jsii.String("Own"), jsii.String("codedeploy-role"), nil)
		}, 1, 0},
	}
	var stacks []awscdk.Stack
	for _, tt := range tests {
		stack := awscdk.NewStack(app, jsii.String(tt.name), nil)
		d := canary()
		tt.mut(stack, d)
		versionedfunction.New(stack, "Fn", &versionedfunction.Props{FunctionName: "f", Entry: entry, LiveVersion: "1", Deployment: d})
		stacks = append(stacks, stack)
	}
	for i, tt := range tests {
		stack := stacks[i]
		tpl := assertions.Template_FromStack(stack, nil)
		tpl.ResourceCountIs(jsii.String("AWS::CodeDeploy::Application"), jsii.Number(float64(tt.apps)))
		roles := *tpl.FindResources(jsii.String("AWS::IAM::Role"), map[string]any{"Properties": map[string]any{"AssumeRolePolicyDocument": assumedBy("codedeploy.amazonaws.com")}})
		if len(roles) != tt.cdRoles {
			t.Errorf("%s only: %d CodeDeploy roles, want %d", tt.name, len(roles), tt.cdRoles)
		}
		if stack.Node().TryFindChild(jsii.String(versionedfunction.SharedID)) != nil {
			t.Errorf("%s only: the stack's shared CodeDeploy pair was declared", tt.name)
		}
	}
}

// s3Key is the asset key CDK gives a custom asset hash: the hash hashed once more.
func s3Key(sha string) string { return fmt.Sprintf("%x.zip", sha256.Sum256([]byte(sha))) }

// Every refused input, one row per rule: the message names the construct path, the field,
// the bad value and what is allowed.
func TestRefusals(t *testing.T) {
	p := func(mut func(p *versionedfunction.Props)) func(awscdk.Stack) []*versionedfunction.Props {
		return func(awscdk.Stack) []*versionedfunction.Props {
			props := &versionedfunction.Props{FunctionName: "f", Entry: entry}
			mut(props)
			return []*versionedfunction.Props{props}
		}
	}
	own := func(name string, mut func(stack awscdk.Stack, fn awslambda.Function, p *versionedfunction.Props)) func(awscdk.Stack) []*versionedfunction.Props {
		return func(stack awscdk.Stack) []*versionedfunction.Props {
			fn := nodeFunction(stack, "Handler", name)
			props := &versionedfunction.Props{Function: fn}
			mut(stack, fn, props)
			return []*versionedfunction.Props{props}
		}
	}
	pinned := func(p *versionedfunction.Props) { p.LiveVersion, p.Deployment = "2", canary() }
	tests := []struct {
		name  string
		props func(awscdk.Stack) []*versionedfunction.Props
		want  string
	}{
		{"own function without a name", own("", func(awscdk.Stack, awslambda.Function, *versionedfunction.Props) {}),
			"Function: Test/Handler has no explicit FunctionName; set FunctionName in its props: the golive CLI finds functions by name, and a name CloudFormation generates changes"},
		{"own function and Entry", own("n", func(_ awscdk.Stack, _ awslambda.Function, p *versionedfunction.Props) { p.Entry = entry }),
			"Entry and Function: both set; set exactly one of Entry, Image and Function"},
		{"own function and MemorySize", own("n", func(_ awscdk.Stack, _ awslambda.Function, p *versionedfunction.Props) {
			p.MemorySize = jsii.Number(256)
		}),
			"MemorySize: set with Function; set it in the function's own props"},
		{"own function and FunctionOptions", own("n", func(_ awscdk.Stack, _ awslambda.Function, p *versionedfunction.Props) {
			p.FunctionOptions = &awslambda.FunctionOptions{}
		}), "FunctionOptions: set with Function"},
		{"own function, other name", own("n", func(_ awscdk.Stack, _ awslambda.Function, p *versionedfunction.Props) { p.FunctionName = "m" }),
			`FunctionName: got "m", but Function's FunctionName is "n"; leave it empty or set the same name`},
		{"own function with CurrentVersion", own("n", func(_ awscdk.Stack, fn awslambda.Function, _ *versionedfunction.Props) { fn.CurrentVersion() }),
			"Function: Test/Handler has an AWS::Lambda::Version (Test/Handler/CurrentVersion/Resource); want a function without one"},
		{"own function with a Version elsewhere", own("n", func(stack awscdk.Stack, fn awslambda.Function, _ *versionedfunction.Props) {
			awslambda.NewVersion(constructs.NewConstruct(stack, jsii.String("Elsewhere")), jsii.String("V1"), &awslambda.VersionProps{Lambda: fn})
		}), "Function: Test/Handler has an AWS::Lambda::Version (Test/Elsewhere/V1/Resource)"},
		{"own function in another stack", func(stack awscdk.Stack) []*versionedfunction.Props {
			other := awscdk.NewStack(awscdk.App_Of(stack), jsii.String("Other"), nil)
			return []*versionedfunction.Props{{Function: nodeFunction(other, "Handler", "n")}}
		}, "Function: Other/Handler is in stack Other, not in this construct's stack Test; declare both in one stack"},
		{"option also set in Props", p(func(p *versionedfunction.Props) {
			p.MemorySize, p.FunctionOptions = jsii.Number(256), &awslambda.FunctionOptions{MemorySize: jsii.Number(512)}
		}), "MemorySize and FunctionOptions.MemorySize: both set; set one of them"},
		{"name in both", p(func(p *versionedfunction.Props) {
			p.FunctionOptions = &awslambda.FunctionOptions{FunctionName: jsii.String("g")}
		}), "FunctionName and FunctionOptions.FunctionName: both set"},
		{"no name", p(func(p *versionedfunction.Props) { p.FunctionName = "" }), `FunctionName: got ""; want a Lambda function name of 1 to 64 letters`},
		{"environment key", p(func(p *versionedfunction.Props) { p.Environment = map[string]string{"1-BAD": "x"} }),
			`Environment: key "1-BAD"; want a variable name of at least 2 letters, digits and "_", starting with a letter, and not one Lambda reserves`},
		{"options environment key", p(func(p *versionedfunction.Props) {
			p.FunctionOptions = &awslambda.FunctionOptions{Environment: &map[string]*string{"A-B": jsii.String("x")}}
		}), `FunctionOptions.Environment: key "A-B"; want a variable name`},
		{"error rate above 100", p(func(p *versionedfunction.Props) { pinned(p); p.Deployment.Thresholds.ErrorRatePercent = ptr(150) }),
			"Deployment.Thresholds.ErrorRatePercent: got 150; want a number greater than 0 and at most 100"},
		{"p99 above the timeout", p(func(p *versionedfunction.Props) { pinned(p); p.Deployment.Thresholds.P99Duration = ms(5000) }),
			"Deployment.Thresholds.P99Duration: got 5 seconds, above the function's timeout of 3 s; want at most the timeout"},
		{"p99 above the options timeout", p(func(p *versionedfunction.Props) {
			pinned(p)
			p.Deployment.Thresholds.P99Duration = ms(12000)
			p.FunctionOptions = &awslambda.FunctionOptions{Timeout: awscdk.Duration_Seconds(jsii.Number(10))}
		}), "Deployment.Thresholds.P99Duration: got 12 seconds, above the function's timeout of 10 s"},
		{"p99 above the own function's timeout", own("n", func(_ awscdk.Stack, _ awslambda.Function, p *versionedfunction.Props) {
			pinned(p)
			p.Deployment.Thresholds.P99Duration = ms(3500)
		}), "Deployment.Thresholds.P99Duration: got 3 seconds 500 millis, above the function's timeout of 3 s"},
		{"nil alarm", p(func(p *versionedfunction.Props) {
			pinned(p)
			p.Deployment.Alarms = []awscloudwatch.IAlarm{nil}
		}),
			`Deployment.Alarms[0]: nil; want an awscloudwatch.IAlarm`},
		{"removal policy", p(func(p *versionedfunction.Props) { p.RemovalPolicy = "keep" }),
			`RemovalPolicy: got "keep"; want RemovalPolicy_RETAIN ("RETAIN"), RemovalPolicy_DESTROY ("DESTROY") or RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE`},
		{"snapshot removal policy", p(func(p *versionedfunction.Props) { p.RemovalPolicy = awscdk.RemovalPolicy_SNAPSHOT }), `RemovalPolicy: got "SNAPSHOT"`},
		{"build without entry", p(func(p *versionedfunction.Props) {
			p.Entry, p.Image, p.Build = "", &versionedfunction.Image{Repository: "r", Digest: "sha256:" + strings.Repeat("a", 64)}, &versionedfunction.Build{}
		}), "Build: set without Entry; it adjusts the Go build of an Entry function only"},
		{"build env", p(func(p *versionedfunction.Props) {
			p.Build = &versionedfunction.Build{Env: map[string]string{"CGO_ENABLED": "1"}}
		}),
			"Build.Env: got CGO_ENABLED; GOOS, GOARCH (from Architecture) and CGO_ENABLED=0 are fixed"},
		{"entry not main", p(func(p *versionedfunction.Props) { p.Entry = "../../config" }),
			`package config, not a main package; want the directory of a Go main package (package main)`},
		{"same function name twice", func(awscdk.Stack) []*versionedfunction.Props {
			return []*versionedfunction.Props{{FunctionName: "f", Entry: entry}, {FunctionName: "f", Entry: entry}}
		}, `Test/Fn1: FunctionName: got "f", already the name of Test/Fn0; a function name is unique per account and region`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			app := awscdk.NewApp(nil)
			stack := awscdk.NewStack(app, jsii.String("Test"), nil)
			for i, p := range tt.props(stack) {
				versionedfunction.New(stack, fmt.Sprintf("Fn%d", i), p)
			}
			err := strings.Join(synthcheck.Errors(stack), "; ")
			if err == "" {
				t.Fatalf("New accepted invalid props; want a synth error containing %q", tt.want)
			}
			if !strings.Contains(err, tt.want) || !strings.Contains(err, "Test/Fn") {
				t.Errorf("synth errors = %q\nwant one containing %q at the construct path Test/Fn…", err, tt.want)
			}
		})
	}
}

// Two VersionedFunctions whose output keys collide are refused: the CLI reads one output
// per function. Keys keep only letters and digits, so "order-api" and "OrderApi" collide
// even in different scopes.
func TestOutputKeysCollide(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	versionedfunction.New(stack, "order-api", &versionedfunction.Props{FunctionName: "a", Entry: entry})
	versionedfunction.New(constructs.NewConstruct(stack, jsii.String("Nested")), "OrderApi", &versionedfunction.Props{FunctionName: "b", Entry: entry})
	err := strings.Join(synthcheck.Errors(stack), "; ")
	want := `Test/Nested/OrderApi: id "OrderApi": its stack output LiveVersionOrderApi is already Test/order-api's; give the VersionedFunctions of one stack ids that differ`
	if !strings.Contains(err, want) {
		t.Errorf("synth errors = %q, want one containing %q", err, want)
	}
	// An id without a letter or digit names no function.
	versionedfunction.New(stack, "--", &versionedfunction.Props{FunctionName: "c", Entry: entry})
	err = strings.Join(synthcheck.Errors(stack), "; ")
	if want := `Test/--: id "--": has no letter or digit; want an id such as "Orders"`; !strings.Contains(err, want) {
		t.Errorf("synth errors = %q, want one containing %q", err, want)
	}
}

// CurrentVersion() called after New is still refused, at synth.
func TestVersionAddedAfterNewFailsSynth(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	fn := nodeFunction(stack, "Handler", "n")
	versionedfunction.New(stack, "Fn", &versionedfunction.Props{Function: fn})
	fn.CurrentVersion()
	app.Synth(nil)
	err := strings.Join(synthcheck.Errors(stack), "; ")
	if want := "Test/Fn: Function: Test/Handler has an AWS::Lambda::Version (Test/Handler/CurrentVersion/Resource)"; !strings.Contains(err, want) {
		t.Errorf("synth errors = %q, want one containing %q", err, want)
	}
}

// A function of one's own gets the shipped smoke and bake hooks like an Entry function:
// the hooks target its name, the smoke hook may invoke its versions, the alias names both.
func TestOwnFunctionGetsHooks(t *testing.T) {
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	fn := nodeFunction(stack, "Handler", "orders-node")
	d := canary()
	d.Smoke, d.Bake = smoke(), &versionedfunction.Bake{Wait: minutes(5)}
	versionedfunction.New(stack, "Orders", &versionedfunction.Props{Function: fn, LiveVersion: "4", Deployment: d})
	tpl := assertions.Template_FromStack(stack, nil)

	for _, phase := range []string{hooksettings.HookPhaseSmoke, hooksettings.HookPhaseBake} {
		hooks := *tpl.FindResources(jsii.String("AWS::Lambda::Function"), map[string]any{"Properties": map[string]any{
			"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{hooksettings.HookPhaseEnv: phase})},
		}})
		if len(hooks) != 1 {
			t.Fatalf("%d %s hooks, want 1", len(hooks), phase)
		}
		for _, h := range hooks {
			var env []string
			for k, v := range (*h)["Properties"].(map[string]any)["Environment"].(map[string]any)["Variables"].(map[string]any) {
				env = append(env, k+"="+v.(string))
			}
			targets, err := hooksettings.ParseHookTargets(env)
			if err != nil {
				t.Fatal(err)
			}
			if o, ok := targets["orders-node"]; !ok || o.Function != "orders-node" {
				t.Errorf("%s hook targets %+v, want orders-node", phase, targets)
			}
		}
	}
	tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
		assertions.Match_ObjectLike(&map[string]any{"Action": "lambda:InvokeFunction", "Effect": "Allow", "Resource": map[string]any{"Fn::Join": []any{"", []any{
			map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Handler")), "Arn"}}, ":*"}}}}),
	})}})
	tpl.HasResource(jsii.String("AWS::Lambda::Alias"), map[string]any{"UpdatePolicy": map[string]any{"CodeDeployLambdaAliasUpdate": map[string]any{
		"BeforeAllowTrafficHook": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^CodeDeploySmokeHook"))},
		"AfterAllowTrafficHook":  map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^CodeDeployBakeHook"))},
		"ApplicationName":        assertions.Match_AnyValue(), "DeploymentGroupName": assertions.Match_AnyValue(),
	}}})
	tpl.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{"AlarmName": versionedfunction.RollbackAlarmName("orders-node", versionedfunction.DefaultAliasName, "4")})
}

// cfnLintAllowed are the cfn-lint warnings left on purpose.
var cfnLintAllowed = map[string]string{
	"W3005": "aws-cdk-lib's Function adds DependsOn on its role next to the Fn::GetAtt of the same role",
}
