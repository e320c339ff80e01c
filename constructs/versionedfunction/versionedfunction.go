// Package versionedfunction provides VersionedFunction: a Lambda function whose traffic
// only ever goes through a LIVE alias (DefaultAliasName, or the name Props.AliasName gives),
// pinned to a published version and moved by a CodeDeploy canary with version-scoped alarm
// rollback.
//
// The construct never declares an AWS::Lambda::Version (no fn.CurrentVersion(), no
// fn.AddAlias()): versions belong to the post-deploy CLI, so no stack update can fail with
// "version already exists" (aws/aws-cdk#28252) or delete a version that serves traffic.
package versionedfunction

import (
	"fmt"
	"maps"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/stackoutputs"
)

// DefaultAliasName is the name of the alias clients and event sources call when
// Props.AliasName is empty: the alias golive's CLI moves and finds by its name.
const DefaultAliasName = "LIVE"

// VersionedFunction is a Lambda function with a LIVE alias and, when pinned, a CodeDeploy
// deployment group and a rollback alarm. Its children are exported so that apps can wire
// them further; construct IDs ("Resource", "Live", "Deployment", "RollbackAlarm") are
// part of the public contract, since logical IDs derive from them.
type VersionedFunction struct {
	constructs.Construct
	// Function is the Lambda function (id "Resource"), or Props.Function; nil when New
	// refused the props of an Entry or Image function.
	Function awslambda.Function
	// Alias is the LIVE alias, named Props.AliasName (id "Live" whatever its name); nil when
	// New refused the props.
	Alias awslambda.Alias
	// DeploymentGroup is nil unless LIVE is pinned and Props.Deployment is set.
	DeploymentGroup awscodedeploy.LambdaDeploymentGroup
	// Alarm is the version-scoped rollback alarm, nil when no threshold is set.
	Alarm awscloudwatch.Alarm
	// Alarms are every alarm the deployment group watches: Alarm, then Deployment.Alarms
	// and those added by AddAlarm.
	Alarms []interfacesawscloudwatch.IAlarmRef

	functionName string
	aliasName    string
	liveVersion  string
	// path and id are the construct's path and id; ss is its stack's scope.
	path, id string
	ss       *stackScope
	// notify and cfnGroup are the release notifications (notify.go).
	notify   notifications
	cfnGroup awscodedeploy.CfnDeploymentGroup
	// preHook and postHook record a hook of either side, which a deployment runs once;
	// importedRole, a Deployment.Role that may not take the hooks' invoke grants.
	preHook, postHook, importedRole bool
	// release is what the release dashboard shows of the function (dashboard.go).
	release releaseFacts
	// refused is set when New reported props it could not declare, or the deployment group
	// could not be declared: the errors are reported, and the methods change nothing.
	refused bool
	// ownFunction is set for a Props.Function, which the synth checks look at again.
	ownFunction bool
}

// New declares a VersionedFunction. Invalid props are synth errors, not panics: each
// problem, naming the field, the bad value and what is allowed, is a CDK error annotation
// on the construct's node, which `cdk synth` and `cdk deploy` print with the construct's
// path before failing. The VersionedFunction returned then declares
// nothing (no function, alias, deployment group or stack output): its Function is
// Props.Function (nil for an Entry or Image), Alias and DeploymentGroup are nil, and its
// methods change nothing (GrantInvoke grants nothing, the Metric methods name no function),
// so the rest of the app still builds and every error is reported in one synth.
//
// Besides its own children it declares, at the stack's root, the stack output
// "LiveVersion" followed by id's letters and digits, each word capitalized (id "order-api":
// "LiveVersionOrderApi"), holding "FUNCTION:VERSION" (e.g. "shop-orders:7", or
// "shop-orders:$LATEST"): what the golive CLI reads to find the stack's functions and the
// version the last deploy recorded, with or without golive's config
// (golive ... --stack NAME). The ids of one stack's VersionedFunctions must therefore
// differ in their letters and digits.
func New(scope constructs.Construct, id string, props *Props) *VersionedFunction {
	c := constructs.NewConstruct(scope, jsii.String(id))
	if props == nil {
		props = &Props{}
	}
	// Declared on the stack itself (the usual case), the construct's stack and path are
	// known without asking jsii.
	stack, onStack := scope.(awscdk.Stack)
	if !onStack {
		stack = awscdk.Stack_Of(c)
	}
	// Before validating: the stack's scope remembers what validation reads through jsii.
	ss := scopeOf(stack)
	var path string
	if onStack {
		path = ss.childPath(id)
	} else {
		path = *c.Node().Path()
	}
	v := &VersionedFunction{Construct: c, Function: props.Function, aliasName: aliasNameOf(props), liveVersion: props.LiveVersion, path: path, id: nodeID(id), ss: ss}
	// refused reports problems at the construct's path and returns v declaring nothing.
	refused := func(problems []string) *VersionedFunction {
		for _, p := range problems {
			v.refuse(p)
		}
		v.refused = true
		return v
	}
	facts, problems := readFacts(props, ss)
	v.functionName = facts.name
	problems = append(problems, validate(props, facts, ss)...)
	if len(problems) > 0 {
		return refused(problems)
	}
	if props.Function != nil {
		if problems := checkOwnFunction(stack, props.Function); len(problems) > 0 {
			return refused(problems)
		}
	}
	outputKey := stackoutputs.OutputKey(id)
	if outputKey == stackoutputs.OutputKeyPrefix {
		return refused([]string{fmt.Sprintf("id %q: has no letter or digit; want an id such as \"Orders\", which names the stack output %s<Id> the golive CLI reads", id, stackoutputs.OutputKeyPrefix)})
	}
	if other := ss.claim(ss.outputKeys, outputKey, path); other != "" {
		return refused([]string{fmt.Sprintf("id %q: its stack output %s is already %s's; give the VersionedFunctions of one stack ids that differ in their letters and digits (the output key keeps only those)", id, outputKey, other)})
	}
	if !facts.nameIsToken {
		if other := ss.claim(ss.functionNames, facts.name, path); other != "" {
			return refused([]string{fmt.Sprintf("FunctionName: got %q, already the name of %s; a function name is unique per account and region, so give each function of the stack its own", facts.name, other)})
		}
		if other := ss.appNames(c).claim(ss.stackFacts(), facts.name, path); other != "" {
			reportError(c, fmt.Sprintf("FunctionName: got %q, already the name of %s in another stack of this app deploying to the same account and region; "+
				"a function name is unique per account and region, so give each stack's function its own name (e.g. with the environment in it)", facts.name, other))
		}
	}
	// The build comes last of the checks and before anything is declared: a handler that
	// does not build is refused like a bad prop.
	var code buildOutput
	if props.Function == nil && props.Image == nil {
		var err error
		if code.dir, code.sha, err = buildGo(props.Entry, facts.arch, props.Build); err != nil {
			return refused([]string{err.Error()})
		}
	}

	policy := props.RemovalPolicy
	if policy == "" {
		policy = awscdk.RemovalPolicy_RETAIN
	}
	// The function (and its role, without which it could not run) outlive the stack by
	// default: a deleted function takes every published version with it. One aspect on this
	// construct covers both in two jsii round trips, where setting each takes three.
	policyProps := &awscdk.RemovalPolicyProps{ApplyToResourceTypes: &retainedTypes}
	if props.Function != nil {
		v.ownFunction = true
		awscdk.RemovalPolicies_Of(props.Function).Apply(policy, policyProps)
	} else {
		v.Function = newFunction(c, ss, props, facts.name, facts.arch, code)
		awscdk.RemovalPolicies_Of(c).Apply(policy, policyProps)
	}

	v.Alias = awslambda.NewAlias(c, jsii.String("Live"), aliasProps(c, v.Function, props))

	switch {
	case props.LiveVersion != "" && props.Deployment != nil:
		v.addDeployment(props, ss)
	case props.LiveVersion != "":
		reportWarning(c, "golive:pinnedWithoutDeployment", fmt.Sprintf(
			"%s is pinned to version %s without a Deployment: CloudFormation moves the alias at once, with no canary, no alarm and no rollback. "+
				"Set Props.Deployment to release through CodeDeploy", v.aliasName, props.LiveVersion))
	case props.Deployment != nil:
		reportWarning(c, "golive:deploymentOnLatest",
			"Deployment is ignored while LIVE follows $LATEST: CodeDeploy shifts traffic only between published versions. "+
				"Publish a version and set LiveVersion (with Rollout direct for the first pin)")
	}

	v.adopt(props.Adopt, ss)

	v.release = releaseFactsOf(facts.name, v.aliasName, props.Deployment, ss)
	if props.LiveVersion != "" && !props.DisableDashboard {
		ss.releaseDashboard(stack, nil).AddFunction(v)
	}
	ss.aliases.add(v)

	awscdk.NewCfnOutput(stack, jsii.String(outputKey), &awscdk.CfnOutputProps{
		Value:       jsii.String(stackoutputs.OutputValue(facts.name, v.LiveVersion())),
		Description: jsii.String("Function and LIVE version recorded by the last deploy"),
	})
	// An alias of another name is recorded too, so that golive --stack moves that one: a
	// stack without the output (every stack deployed before it existed) has its alias
	// named LIVE, which keeps the templates of those stacks as they were.
	if v.aliasName != DefaultAliasName {
		awscdk.NewCfnOutput(stack, jsii.String(stackoutputs.AliasOutputKey(id)), &awscdk.CfnOutputProps{
			Value:       jsii.String(v.aliasName),
			Description: jsii.String("Name of the alias golive moves for " + facts.name),
		})
	}
	return v
}

// aliasNameOf is the alias's name: Props.AliasName, else DefaultAliasName.
func aliasNameOf(p *Props) string {
	if p.AliasName == "" {
		return DefaultAliasName
	}
	return p.AliasName
}

// AliasName is the name of the function's alias, Props.AliasName or DefaultAliasName.
func (v *VersionedFunction) AliasName() string { return v.aliasName }

// FunctionName is the physical name of the function.
func (v *VersionedFunction) FunctionName() string { return v.functionName }

// LiveVersion is the version LIVE points at, or "$LATEST".
func (v *VersionedFunction) LiveVersion() string {
	if v.liveVersion == "" {
		return resourcenames.Latest
	}
	return v.liveVersion
}

// GrantInvoke lets grantee invoke the LIVE alias (never $LATEST or a bare version). On a
// VersionedFunction New refused, it grants nothing (a dropped grant).
func (v *VersionedFunction) GrantInvoke(grantee awsiam.IGrantable) awsiam.Grant {
	if v.Alias == nil {
		return awsiam.Grant_Drop(grantee, jsii.String("invoke "+v.path+", which has errors"))
	}
	return v.Alias.GrantInvoke(grantee)
}

// MetricErrors is the LIVE alias's Errors metric, all versions together. On a
// VersionedFunction New refused, it is a metric of no function.
func (v *VersionedFunction) MetricErrors(props *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	if v.Alias == nil {
		return refusedMetric("Errors", props)
	}
	return v.Alias.MetricErrors(props)
}

// MetricInvocations is the LIVE alias's Invocations metric, all versions together. On a
// VersionedFunction New refused, it is a metric of no function.
func (v *VersionedFunction) MetricInvocations(props *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	if v.Alias == nil {
		return refusedMetric("Invocations", props)
	}
	return v.Alias.MetricInvocations(props)
}

// refusedMetric is metricName of AWS/Lambda without dimensions: what the Metric methods of
// a VersionedFunction New refused return, so that an app building alarms or dashboards on
// it still synthesizes to its errors (a metric declares no resource).
func refusedMetric(metricName string, props *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	mp := &awscloudwatch.MetricProps{}
	if props != nil {
		copyFields(mp, props)
	}
	mp.Namespace, mp.MetricName, mp.DimensionsMap = jsii.String("AWS/Lambda"), jsii.String(metricName), nil
	return awscloudwatch.NewMetric(mp)
}

// MetricVersion is metricName of one version executed through LIVE, the scope of the
// rollback alarm: alias metrics alone mix old and new traffic during a canary
// (aws/aws-cdk#2231). Every option of props applies (statistic, period, label, unit,
// color, account, region, ...); its DimensionsMap adds dimensions, while FunctionName,
// Resource and ExecutedVersion stay those of the version. On a VersionedFunction New
// refused, it is a metric of no function.
func (v *VersionedFunction) MetricVersion(metricName, version string, props *awscloudwatch.MetricOptions) awscloudwatch.Metric {
	if v.Alias == nil {
		return refusedMetric(metricName, props)
	}
	mp := &awscloudwatch.MetricProps{}
	if props != nil {
		copyFields(mp, props)
	}
	dims := map[string]*string{}
	if props != nil && props.DimensionsMap != nil {
		maps.Copy(dims, *props.DimensionsMap)
	}
	maps.Copy(dims, *versionDimensions(v.functionName, v.aliasName, version))
	mp.Namespace, mp.MetricName, mp.DimensionsMap = jsii.String("AWS/Lambda"), jsii.String(metricName), &dims
	return awscloudwatch.NewMetric(mp)
}

// AddAlarm makes the deployment group also roll back when alarm fires, like CDK's
// LambdaDeploymentGroup.AddAlarm. A call on a function without a deployment group (LIVE
// follows $LATEST, or Props.Deployment is nil), with nil, or past the alarm limit changes
// nothing and is a synth error at the construct's path.
func (v *VersionedFunction) AddAlarm(alarm awscloudwatch.IAlarm) {
	if !v.canDeploy("AddAlarm") {
		return
	}
	if alarm == nil {
		v.refuse("AddAlarm: nil; want an awscloudwatch.IAlarm, e.g. Alarm_FromAlarmName")
		return
	}
	if len(v.Alarms) >= lambdarules.MaxAlarms {
		v.refuse(fmt.Sprintf("AddAlarm: the deployment group already watches %d alarms; want %s", len(v.Alarms), lambdarules.Alarms.Allowed))
		return
	}
	v.DeploymentGroup.AddAlarm(alarm)
	v.Alarms = append(v.Alarms, alarm)
}

// AddPreHook sets the pre-traffic hook of one's own, as Deployment.PreHook does. It is a
// synth error when the function has no deployment group or already has a pre-traffic hook
// (Deployment.PreHook, or the shipped smoke test).
func (v *VersionedFunction) AddPreHook(hook awslambda.IFunction) {
	v.addHook("AddPreHook", "pre-traffic", &v.preHook, hook)
}

// AddPostHook sets the post-traffic hook of one's own, as Deployment.PostHook does. It is
// a synth error when the function has no deployment group or already has a post-traffic hook
// (Deployment.PostHook, or the shipped bake).
func (v *VersionedFunction) AddPostHook(hook awslambda.IFunction) {
	v.addHook("AddPostHook", "post-traffic", &v.postHook, hook)
}

func (v *VersionedFunction) addHook(method, side string, set *bool, hook awslambda.IFunction) {
	if !v.canDeploy(method) {
		return
	}
	switch {
	case hook == nil:
		v.refuse(fmt.Sprintf("%s: nil; want an awslambda.IFunction, e.g. Function_FromFunctionName", method))
		return
	case *set:
		v.refuse(fmt.Sprintf("%s: the deployment already runs a %s hook, and CodeDeploy runs one per side: drop one of the two", method, side))
		return
	}
	if p := hookProblem(method, hook); p != "" {
		v.refuse(p)
		return
	}
	if set == &v.preHook {
		v.DeploymentGroup.AddPreHook(hook)
	} else {
		v.DeploymentGroup.AddPostHook(hook)
	}
	*set = true
	dependOnHookGrants(v.Alias, v.DeploymentGroup.Role(), hook)
	v.warnHookName(method, hook)
}

// canDeploy reports whether the function has a deployment group, and records a synth
// error naming method when it has none, unless the construct already has errors that say
// why.
func (v *VersionedFunction) canDeploy(method string) bool {
	if v.refused {
		return false
	}
	if v.DeploymentGroup == nil {
		v.refuse(method + ": the function has no deployment group; want a pinned LiveVersion and a Props.Deployment")
		return false
	}
	return true
}

// refuse records msg as a synth error at the construct's path (synthchecks.go says why an
// error annotation rather than a panic); the refused call changes nothing.
func (v *VersionedFunction) refuse(msg string) {
	reportError(v.Construct, msg)
}

func aliasProps(scope constructs.Construct, fn awslambda.Function, props *Props) *awslambda.AliasProps {
	ap := &awslambda.AliasProps{AliasName: jsii.String(aliasNameOf(props))}
	if props.LiveVersion == "" {
		ap.Version = fn.LatestVersion()
		return ap
	}
	ap.Version = awslambda.Version_FromVersionAttributes(scope, jsii.String("LiveVersion"),
		&awslambda.VersionAttributes{Lambda: fn, Version: jsii.String(props.LiveVersion)})
	if w := props.Additional; w != nil {
		extra := awslambda.Version_FromVersionAttributes(scope, jsii.String("AdditionalVersion"),
			&awslambda.VersionAttributes{Lambda: fn, Version: jsii.String(w.Version)})
		ap.AdditionalVersions = &[]*awslambda.VersionWeight{{Version: extra, Weight: w.Weight}}
	}
	if pc := props.ProvisionedConcurrentExecutions; pc != nil && *pc > 0 {
		ap.ProvisionedConcurrentExecutions = pc
	}
	return ap
}
