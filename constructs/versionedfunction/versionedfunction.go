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

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/internal/contract"
)

// AliasName is the alias clients and event sources call.
const AliasName = contract.Alias

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
	// notify and cfnGroup are the release notifications (notify.go).
	notify   notifications
	cfnGroup awscodedeploy.CfnDeploymentGroup
}

// New declares a VersionedFunction. It panics, naming the construct path, the bad value
// and what is allowed, when props are invalid (CDK's convention for synth-time errors).
//
// Besides its own children it declares, at the stack's root, the stack output
// contract.OutputKey(id) holding contract.OutputValue(function name, LiveVersion()): what
// the golive CLI reads to find the stack's functions and the version the last deploy
// recorded, with or without golive's config (golive ... --stack NAME).
func New(scope constructs.Construct, id string, props *Props) *VersionedFunction {
	c := constructs.NewConstruct(scope, jsii.String(id))
	if props == nil {
		props = &Props{}
	}
	path := *c.Node().Path()
	fail := func(problems []string) { panic(fmt.Errorf("%s: %s", path, joinProblems(problems))) }
	facts, problems := readFacts(props)
	problems = append(problems, validate(props, facts)...)
	if len(problems) > 0 {
		fail(problems)
	}
	stack := awscdk.Stack_Of(c)
	if props.Function != nil {
		if problems := checkOwnFunction(stack, props.Function); len(problems) > 0 {
			fail(problems)
		}
		// CurrentVersion() may still be called after New: check again at synth.
		c.Node().AddValidation(&noVersionValidation{stack: stack, fn: props.Function})
	}
	ss := scopeOf(stack)
	outputKey := contract.OutputKey(id)
	if outputKey == contract.OutputKeyPrefix {
		fail([]string{fmt.Sprintf("id %q: has no letter or digit; want an id such as \"Orders\", which names the stack output %s<Id> the golive CLI reads", id, contract.OutputKeyPrefix)})
	}
	if other := ss.claim(ss.outputKeys, outputKey, path); other != "" {
		fail([]string{fmt.Sprintf("id %q: its stack output %s is already %s's; give the VersionedFunctions of one stack ids that differ in their letters and digits (the output key keeps only those)", id, outputKey, other)})
	}
	if !facts.nameIsToken {
		if other := ss.claim(ss.functionNames, facts.name, path); other != "" {
			fail([]string{fmt.Sprintf("FunctionName: got %q, already the name of %s; a function name is unique per account and region, so give each function of the stack its own", facts.name, other)})
		}
	}
	v := &VersionedFunction{Construct: c, functionName: facts.name, liveVersion: props.LiveVersion}

	policy := props.RemovalPolicy
	if policy == "" {
		policy = awscdk.RemovalPolicy_RETAIN
	}
	// The function (and its role, without which it could not run) outlive the stack by
	// default: a deleted function takes every published version with it. One aspect on this
	// construct covers both in two jsii round trips, where setting each takes three.
	policyProps := &awscdk.RemovalPolicyProps{ApplyToResourceTypes: &retainedTypes}
	if props.Function != nil {
		v.Function = props.Function
		awscdk.RemovalPolicies_Of(props.Function).Apply(policy, policyProps)
	} else {
		v.Function = newFunction(c, ss, props, facts.name, facts.arch)
		awscdk.RemovalPolicies_Of(c).Apply(policy, policyProps)
	}

	v.Alias = awslambda.NewAlias(c, jsii.String("Live"), aliasProps(c, v.Function, props))

	switch {
	case props.LiveVersion != "" && props.Deployment != nil:
		v.addDeployment(props)
	case props.Deployment != nil:
		awscdk.Annotations_Of(c).AddWarningV2(jsii.String("golive:deploymentOnLatest"), jsii.String(
			"Deployment is ignored while LIVE follows $LATEST: CodeDeploy shifts traffic only between published versions. "+
				"Publish a version and set LiveVersion (with Rollout direct for the first pin)"))
	}

	awscdk.NewCfnOutput(stack, jsii.String(outputKey), &awscdk.CfnOutputProps{
		Value:       jsii.String(contract.OutputValue(facts.name, v.LiveVersion())),
		Description: jsii.String("Function and LIVE version recorded by the last deploy"),
	})
	return v
}

// FunctionName is the physical name of the function.
func (v *VersionedFunction) FunctionName() string { return v.functionName }

// LiveVersion is the version LIVE points at, or "$LATEST".
func (v *VersionedFunction) LiveVersion() string {
	if v.liveVersion == "" {
		return contract.Latest
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
