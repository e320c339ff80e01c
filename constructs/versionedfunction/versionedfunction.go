// Package versionedfunction provides VersionedFunction: a Lambda function whose traffic
// only ever goes through a LIVE alias, pinned to a published version and moved by a
// CodeDeploy canary with version-scoped alarm rollback.
//
// The construct never declares an AWS::Lambda::Version (no fn.CurrentVersion(), no
// fn.AddAlias()): versions belong to the post-deploy CLI, so no stack update can fail with
// "version already exists" (aws/aws-cdk#28252) or delete a version that serves traffic.
package versionedfunction

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// AliasName is the alias clients and event sources call.
const AliasName = "LIVE"

// VersionedFunction is a Lambda function with a LIVE alias and, when pinned, a CodeDeploy
// deployment group and a rollback alarm. Its children are exported so that apps can wire
// them further; construct IDs ("Resource", "Live", "Deployment", "RollbackAlarm") are
// part of the public contract, since logical IDs derive from them.
type VersionedFunction struct {
	constructs.Construct
	// Function is the Lambda function (id "Resource").
	Function awslambda.Function
	// Alias is the LIVE alias (id "Live").
	Alias awslambda.Alias
	// DeploymentGroup is nil unless LIVE is pinned and Props.Deployment is set.
	DeploymentGroup awscodedeploy.LambdaDeploymentGroup
	// Alarm is the version-scoped rollback alarm, nil when no threshold is set.
	Alarm awscloudwatch.CfnAlarm
	// Alarms are every alarm the deployment group watches: Alarm and the extra ones.
	Alarms []interfacesawscloudwatch.IAlarmRef

	functionName string
	liveVersion  string
}

// New declares a VersionedFunction. It panics, naming the construct path, the bad value
// and what is allowed, when props are invalid (CDK's convention for synth-time errors).
func New(scope constructs.Construct, id string, props *Props) *VersionedFunction {
	c := constructs.NewConstruct(scope, jsii.String(id))
	if props == nil {
		props = &Props{}
	}
	if problems := validate(props); len(problems) > 0 {
		panic(fmt.Errorf("%s: %s", *c.Node().Path(), joinProblems(problems)))
	}
	v := &VersionedFunction{Construct: c, functionName: props.FunctionName, liveVersion: props.LiveVersion}

	v.Function = newFunction(scope, c, props)
	// The function (and its role, without which it could not run) outlive the stack by
	// default: a deleted function takes every published version with it. One aspect on this
	// construct covers both in two jsii round trips, where setting each takes three.
	policy := props.RemovalPolicy
	if policy == "" {
		policy = awscdk.RemovalPolicy_RETAIN
	}
	awscdk.RemovalPolicies_Of(c).Apply(policy, &awscdk.RemovalPolicyProps{ApplyToResourceTypes: &retainedTypes})

	v.Alias = awslambda.NewAlias(c, jsii.String("Live"), aliasProps(c, v.Function, props))

	if props.LiveVersion != "" && props.Deployment != nil {
		v.addDeployment(props)
	}
	return v
}

// FunctionName is the physical name of the function.
func (v *VersionedFunction) FunctionName() string { return v.functionName }

// LiveVersion is the version LIVE points at, or "$LATEST".
func (v *VersionedFunction) LiveVersion() string {
	if v.liveVersion == "" {
		return "$LATEST"
	}
	return v.liveVersion
}

// GrantInvoke lets grantee invoke the LIVE alias (never $LATEST or a bare version).
func (v *VersionedFunction) GrantInvoke(grantee awsiam.IGrantable) awsiam.Grant {
	return v.Alias.GrantInvoke(grantee)
}

// MetricErrors is the LIVE alias's Errors metric, all versions together.
func (v *VersionedFunction) MetricErrors(props *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return v.Alias.MetricErrors(props)
}

// MetricInvocations is the LIVE alias's Invocations metric, all versions together.
func (v *VersionedFunction) MetricInvocations(props *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	return v.Alias.MetricInvocations(props)
}

// MetricVersion is metricName of one version executed through LIVE, the scope of the
// rollback alarm: alias metrics alone mix old and new traffic during a canary
// (aws/aws-cdk#2231).
func (v *VersionedFunction) MetricVersion(metricName, version string, props *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	mp := &awscloudwatch.MetricProps{
		Namespace:     jsii.String("AWS/Lambda"),
		MetricName:    jsii.String(metricName),
		DimensionsMap: versionDimensions(v.functionName, version),
	}
	if props != nil {
		mp.Statistic, mp.Period, mp.Label, mp.Unit = props.Statistic, props.Period, props.Label, props.Unit
	}
	return awscloudwatch.NewMetric(mp)
}

func newFunction(parent, scope constructs.Construct, props *Props) awslambda.Function {
	fp := &awslambda.FunctionProps{
		FunctionName: jsii.String(props.FunctionName),
		Architecture: architecture(props.Architecture),
		MemorySize:   jsii.Number(float64(orDefault(props.MemoryMB, 128))),
		Timeout:      seconds(props.Timeout.Seconds()),
	}
	if props.Timeout == 0 {
		fp.Timeout = seconds(3)
	}
	if props.Description != "" {
		fp.Description = jsii.String(props.Description)
	}
	if len(props.Environment) > 0 {
		env := make(map[string]*string, len(props.Environment))
		for k, val := range props.Environment {
			env[k] = jsii.String(val)
		}
		fp.Environment = &env
	}
	if props.Image != nil {
		img := props.Image
		var repo awsecr.IRepository
		if img.Account == "" && img.Region == "" {
			repo = awsecr.Repository_FromRepositoryName(scope, jsii.String("Repository"), jsii.String(img.Repository))
		} else {
			arn := &awscdk.ArnComponents{Service: jsii.String("ecr"), Resource: jsii.String("repository"),
				ResourceName: jsii.String(img.Repository)}
			if img.Account != "" {
				arn.Account = jsii.String(img.Account)
			}
			if img.Region != "" {
				arn.Region = jsii.String(img.Region)
			}
			repo = awsecr.Repository_FromRepositoryAttributes(scope, jsii.String("Repository"), &awsecr.RepositoryAttributes{
				RepositoryName: jsii.String(img.Repository),
				RepositoryArn:  awscdk.Stack_Of(scope).FormatArn(arn),
			})
		}
		ref := img.Digest
		if ref == "" {
			ref = img.Tag
		}
		fp.Code = awslambda.Code_FromEcrImage(repo, &awslambda.EcrImageCodeProps{TagOrDigest: jsii.String(ref)})
		fp.Handler = jsii.String("FROM_IMAGE")
		fp.Runtime = statics().fromImage
	} else {
		dir, sha, err := BuildGo(props.Entry, props.Architecture)
		if err != nil {
			panic(fmt.Errorf("%s: %w", *scope.Node().Path(), err))
		}
		fp.Code = assetCode(parent, dir, sha)
		fp.Handler = jsii.String("bootstrap")
		fp.Runtime = statics().al2023
	}
	return awslambda.NewFunction(scope, jsii.String("Resource"), fp)
}

func aliasProps(scope constructs.Construct, fn awslambda.Function, props *Props) *awslambda.AliasProps {
	ap := &awslambda.AliasProps{AliasName: jsii.String(AliasName)}
	if props.LiveVersion == "" {
		ap.Version = fn.LatestVersion()
		return ap
	}
	ap.Version = awslambda.Version_FromVersionAttributes(scope, jsii.String("LiveVersion"),
		&awslambda.VersionAttributes{Lambda: fn, Version: jsii.String(props.LiveVersion)})
	if w := props.Additional; w != nil {
		extra := awslambda.Version_FromVersionAttributes(scope, jsii.String("AdditionalVersion"),
			&awslambda.VersionAttributes{Lambda: fn, Version: jsii.String(w.Version)})
		ap.AdditionalVersions = &[]*awslambda.VersionWeight{{Version: extra, Weight: jsii.Number(w.Weight)}}
	}
	if props.ProvisionedConcurrency > 0 {
		ap.ProvisionedConcurrentExecutions = jsii.Number(float64(props.ProvisionedConcurrency))
	}
	return ap
}

func (v *VersionedFunction) addDeployment(props *Props) {
	d := props.Deployment
	app, role := d.Application, d.Role
	if app == nil || role == nil {
		shared := SharedOf(v.Construct)
		if app == nil {
			app = shared.Application
		}
		if role == nil {
			role = shared.Role
		}
	}

	if d.Alarms.any() {
		v.Alarm = newRollbackAlarm(v.Construct, v.functionName, props.LiveVersion, d.Alarms)
		v.Alarms = append(v.Alarms, v.Alarm)
	}
	for i, name := range d.ExtraAlarmNames {
		v.Alarms = append(v.Alarms, awscloudwatch.Alarm_FromAlarmName(v.Construct, jsii.String("ExtraAlarm"+strconv.Itoa(i)), jsii.String(name)))
	}

	gp := &awscodedeploy.LambdaDeploymentGroupProps{
		Alias:               v.Alias,
		Application:         app,
		Role:                role,
		DeploymentConfig:    d.Config,
		DeploymentGroupName: jsii.String(v.functionName),
		AutoRollback: &awscodedeploy.AutoRollbackConfig{
			FailedDeployment:  jsii.Bool(!d.DisableRollbackOnFailure),
			StoppedDeployment: jsii.Bool(!d.DisableRollbackOnStop),
			DeploymentInAlarm: jsii.Bool(!d.DisableRollbackOnAlarm && len(v.Alarms) > 0),
		},
	}
	if len(v.Alarms) > 0 {
		alarms := slices.Clone(v.Alarms)
		gp.Alarms = &alarms
	}
	if d.PreTrafficHook != "" {
		gp.PreHook = awslambda.Function_FromFunctionName(v.Construct, jsii.String("PreTrafficHook"), jsii.String(d.PreTrafficHook))
	}
	if d.PostTrafficHook != "" {
		gp.PostHook = awslambda.Function_FromFunctionName(v.Construct, jsii.String("PostTrafficHook"), jsii.String(d.PostTrafficHook))
	}
	v.DeploymentGroup = awscodedeploy.NewLambdaDeploymentGroup(v.Construct, jsii.String("Deployment"), gp)

	if props.Rollout == RolloutDirect {
		// The group, its alarms and hooks stay declared, so the next canary needs no new
		// resources; only the alias leaves CodeDeploy's hands for this deploy, which lets
		// CloudFormation move it from $LATEST (the AppSpec cannot name $LATEST) or
		// re-record a version set by an emergency rollback.
		v.Alias.Node().DefaultChild().(awscdk.CfnResource).AddDeletionOverride(jsii.String("UpdatePolicy"))
	}
}

// retainedTypes are the resources Props.RemovalPolicy applies to.
var retainedTypes = []*string{jsii.String("AWS::Lambda::Function"), jsii.String("AWS::IAM::Role")}

var (
	versionRE      = regexp.MustCompile(`^[1-9][0-9]*$`)
	digestRE       = regexp.MustCompile(`^sha256:[0-9a-f]{64}$`)
	functionNameRE = regexp.MustCompile(`^[a-zA-Z0-9_-]{1,64}$`)
	hookRE         = regexp.MustCompile(`^CodeDeployHook_[a-zA-Z0-9_-]{1,49}$`)
)

func validate(p *Props) []string {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	if !functionNameRE.MatchString(p.FunctionName) {
		add("FunctionName: got %q; want 1 to 64 letters, digits, hyphens or underscores", p.FunctionName)
	}
	switch {
	case p.Entry == "" && p.Image == nil:
		add("Entry or Image: neither is set; set Entry to a Go main package directory or Image to an ECR image by digest")
	case p.Entry != "" && p.Image != nil:
		add("Entry and Image: both are set (%q, %q); set exactly one", p.Entry, p.Image.Repository)
	case p.Image != nil && p.Image.Digest != "" && p.Image.Tag != "":
		add("Image: both Digest and Tag are set (%q, %q); set exactly one", p.Image.Digest, p.Image.Tag)
	case p.Image != nil && p.Image.Tag != "" && p.LiveVersion != "":
		add("Image.Tag: got %q with LiveVersion %q; a pinned function takes its image by digest, so the promoted bytes are the tested ones", p.Image.Tag, p.LiveVersion)
	case p.Image != nil && p.Image.Tag == "" && !digestRE.MatchString(p.Image.Digest):
		add("Image.Digest: got %q; want \"sha256:\" and 64 lowercase hex digits", p.Image.Digest)
	}
	if p.Architecture != "" && p.Architecture != Arm64 && p.Architecture != X86_64 {
		add("Architecture: got %q; want %q or %q", p.Architecture, Arm64, X86_64)
	}
	if p.MemoryMB != 0 && (p.MemoryMB < 128 || p.MemoryMB > 10240) {
		add("MemoryMB: got %d; want 128 to 10240", p.MemoryMB)
	}
	if s := p.Timeout.Seconds(); p.Timeout != 0 && (s < 1 || s > 900 || s != float64(int(s))) {
		add("Timeout: got %s; want whole seconds from 1s to 900s", p.Timeout)
	}
	if p.LiveVersion != "" && !versionRE.MatchString(p.LiveVersion) {
		add("LiveVersion: got %q; want \"\" ($LATEST) or a positive integer version such as \"7\"", p.LiveVersion)
	}
	switch p.Rollout {
	case "", RolloutDirect:
	case RolloutCanary:
		if p.Deployment == nil {
			add("Rollout: got %q without Deployment; a canary needs a Deployment (or use %q)", p.Rollout, RolloutDirect)
		}
	default:
		add("Rollout: got %q; want %q or %q", p.Rollout, RolloutCanary, RolloutDirect)
	}
	if p.Rollout != "" && p.LiveVersion == "" {
		add("Rollout: got %q while LIVE follows $LATEST; a rollout applies only to a pinned LiveVersion", p.Rollout)
	}
	if w := p.Additional; w != nil {
		switch {
		case p.LiveVersion == "":
			add("Additional: set while LIVE follows $LATEST; a weighted version needs a pinned LiveVersion")
		case !versionRE.MatchString(w.Version):
			add("Additional.Version: got %q; want a positive integer version such as \"6\"", w.Version)
		case w.Version == p.LiveVersion:
			add("Additional.Version: got %q, the LiveVersion itself; want another version", w.Version)
		}
		if !(w.Weight > 0 && w.Weight < 1) {
			add("Additional.Weight: got %g; want more than 0 and less than 1", w.Weight)
		}
		if p.Deployment != nil && p.LiveVersion != "" {
			add("Additional: set together with Deployment; an alias left split makes CodeDeploy deployments fail, so drop Deployment (deployment type None)")
		}
	}
	if p.ProvisionedConcurrency < 0 || (p.ProvisionedConcurrency > 0 && p.LiveVersion == "") {
		add("ProvisionedConcurrency: got %d; want 0, or a positive count with a pinned LiveVersion (Lambda refuses it on $LATEST)", p.ProvisionedConcurrency)
	}
	if d := p.Deployment; d != nil {
		if d.Config == nil {
			add("Deployment.Config: not set; want a Lambda deployment config such as LambdaDeploymentConfig_CANARY_10PERCENT_5MINUTES()")
		}
		for _, h := range []struct{ field, name string }{{"PreTrafficHook", d.PreTrafficHook}, {"PostTrafficHook", d.PostTrafficHook}} {
			if h.name != "" && !hookRE.MatchString(h.name) {
				add("Deployment.%s: got %q; want a function name starting with CodeDeployHook_ (the managed CodeDeploy policy invokes only those)", h.field, h.name)
			}
		}
		for _, t := range []struct {
			field string
			v     *float64
		}{{"ErrorRatePercent", d.Alarms.ErrorRatePercent}, {"Throttles", d.Alarms.Throttles}, {"P99DurationMs", d.Alarms.P99DurationMs}} {
			if t.v != nil && *t.v <= 0 {
				add("Deployment.Alarms.%s: got %g; want a positive threshold", t.field, *t.v)
			}
		}
	}
	return problems
}

func joinProblems(problems []string) string {
	s := problems[0]
	for _, p := range problems[1:] {
		s += "; " + p
	}
	return s
}

func orDefault(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}
