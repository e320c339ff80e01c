// Package watch reads the CodeDeploy releases of an environment's LIVE aliases: where each
// one stands (versions, the share of traffic on the new one, lifecycle events, the rollback
// alarm, elapsed time and expected end) and, when one fails, why in words (the alarm's state
// reason, CodeDeploy's error information, the hook's own verdict line). golive watch follows
// the running ones; golive history lists the past ones.
//
// It talks to AWS through the small interfaces below, the SDK's own signatures, so the SDK
// clients satisfy them. Its tests drive the real SDK clients against the CodeDeploy wire
// fake (internal/testkit/codedeployfake: deployments, targets and their lifecycle, scripted
// through a release's life) and moto (Lambda aliases and versions, CloudWatch alarms, the
// hook's log group), which are the authorities for what those services answer.
package watch

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	cwtypes "github.com/aws/aws-sdk-go-v2/service/cloudwatch/types"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/smithy-go"
	"go.yaml.in/yaml/v3"

	"github.com/golive-dev/golive/internal/resourcenames"
	"github.com/golive-dev/golive/internal/versiondesc"
)

// CodeDeployAPI lists the CodeDeploy calls watch and history make; *codedeploy.Client
// implements it.
type CodeDeployAPI interface {
	ListDeployments(ctx context.Context, params *codedeploy.ListDeploymentsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentsOutput, error)
	BatchGetDeployments(ctx context.Context, params *codedeploy.BatchGetDeploymentsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.BatchGetDeploymentsOutput, error)
	ListDeploymentTargets(ctx context.Context, params *codedeploy.ListDeploymentTargetsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.ListDeploymentTargetsOutput, error)
	BatchGetDeploymentTargets(ctx context.Context, params *codedeploy.BatchGetDeploymentTargetsInput, optFns ...func(*codedeploy.Options)) (*codedeploy.BatchGetDeploymentTargetsOutput, error)
	GetDeploymentConfig(ctx context.Context, params *codedeploy.GetDeploymentConfigInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetDeploymentConfigOutput, error)
	GetApplicationRevision(ctx context.Context, params *codedeploy.GetApplicationRevisionInput, optFns ...func(*codedeploy.Options)) (*codedeploy.GetApplicationRevisionOutput, error)
}

// LambdaAPI reads LIVE's weights and a version's description; *lambda.Client implements it.
type LambdaAPI interface {
	GetAlias(ctx context.Context, params *lambda.GetAliasInput, optFns ...func(*lambda.Options)) (*lambda.GetAliasOutput, error)
	GetFunctionConfiguration(ctx context.Context, params *lambda.GetFunctionConfigurationInput, optFns ...func(*lambda.Options)) (*lambda.GetFunctionConfigurationOutput, error)
}

// AlarmAPI reads the rollback alarm; *cloudwatch.Client implements it.
type AlarmAPI interface {
	DescribeAlarms(ctx context.Context, params *cloudwatch.DescribeAlarmsInput, optFns ...func(*cloudwatch.Options)) (*cloudwatch.DescribeAlarmsOutput, error)
}

// LogsAPI reads the hooks' verdict lines; *cloudwatchlogs.Client implements it.
type LogsAPI interface {
	FilterLogEvents(ctx context.Context, params *cloudwatchlogs.FilterLogEventsInput, optFns ...func(*cloudwatchlogs.Options)) (*cloudwatchlogs.FilterLogEventsOutput, error)
}

// Function is one function whose LIVE alias is released through CodeDeploy: its deployment
// group is named after the physical function, in the environment's application (as the
// service stacks and the construct name them; release.Env.inFlight reads them the same way).
type Function struct {
	// Name is the function's key in config.json (or its construct id with --stack).
	Name string
	// FunctionName is the physical Lambda name, also the deployment group's name unless
	// Group says otherwise.
	FunctionName string
	// Alias is the name of the alias its deployments shift; "" is LIVE.
	Alias string
	// Group is the deployment group's name when it is not FunctionName (a group adopted with
	// its own name); "" otherwise.
	Group string
}

func (f Function) alias() string { return resourcenames.AliasOr(f.Alias) }

// group is the name of f's deployment group.
func (f Function) group() string {
	if f.Group != "" {
		return f.Group
	}
	return f.FunctionName
}

// Reader reads the releases of one environment.
type Reader struct {
	CodeDeploy  CodeDeployAPI
	Lambda      LambdaAPI
	Alarms      AlarmAPI
	Logs        LogsAPI
	Application string
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

func (r *Reader) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

// Release is one CodeDeploy deployment of a function's LIVE alias as golive reads it, also
// written as JSON (docs/commands.md, "golive watch" and "golive history").
type Release struct {
	Function     string `json:"function"`
	FunctionName string `json:"function_name"`
	// Alias is the name of the alias the deployment shifts.
	Alias string `json:"alias"`
	// DeploymentID is "" when the function has no deployment at all.
	DeploymentID string `json:"deployment_id"`
	// Status is CodeDeploy's (Created, Queued, InProgress, Baking, Ready, Succeeded, Failed,
	// Stopped), or "None" when the function has no deployment.
	Status string `json:"status"`
	// Creator is user, CloudFormation, codeDeployRollback, ... as CodeDeploy says.
	Creator string `json:"creator,omitempty"`
	// From and To are the versions LIVE shifts from and to ("" until CodeDeploy names them).
	From string `json:"from"`
	To   string `json:"to"`
	// Commit is the source commit of To, from its description (golive publish writes it).
	Commit string `json:"commit,omitempty"`
	// Share is the percentage of LIVE's traffic on To, from the alias's weights.
	Share float64 `json:"share"`
	// Events are the lifecycle events of the target (BeforeAllowTraffic, AllowTraffic,
	// AfterAllowTraffic) with their status.
	Events []Event `json:"events"`
	// Alarm is the release's rollback alarm, nil when it has none (or it cannot be read).
	Alarm *Alarm `json:"alarm,omitempty"`
	// Config is the deployment configuration's name.
	Config    string     `json:"deployment_config,omitempty"`
	Created   *time.Time `json:"created,omitempty"`
	Completed *time.Time `json:"completed,omitempty"`
	// ElapsedSeconds runs from Created to Completed (or now).
	ElapsedSeconds float64 `json:"elapsed_seconds"`
	// ExpectedEnd is when the traffic shift should be over by the deployment configuration,
	// absent when unknown or over.
	ExpectedEnd *time.Time `json:"expected_end,omitempty"`
	// RolledBack is set when CodeDeploy rolled the release back (or is rolling it back).
	RolledBack bool `json:"rolled_back"`
	// Reasons say in words why the release failed: the alarm in ALARM with its state reason,
	// CodeDeploy's error information and rollback message, the hook's verdict. Empty when it
	// did not fail.
	Reasons []string `json:"reasons"`

	shift *shift
}

// Event is one lifecycle event of a deployment's target.
type Event struct {
	Name   string `json:"name"`
	Status string `json:"status"`
}

// Alarm is a CloudWatch alarm's state.
type Alarm struct {
	Name   string `json:"name"`
	State  string `json:"state"`
	Reason string `json:"reason,omitempty"`
}

// Terminal statuses: CodeDeploy does nothing more with a deployment in one of them
// (CodeDeploy API Reference, DeploymentInfo, status).
var terminal = []string{string(cdtypes.DeploymentStatusSucceeded), string(cdtypes.DeploymentStatusFailed), string(cdtypes.DeploymentStatusStopped)}

// Done reports whether the release has ended (or there is none).
func (r *Release) Done() bool { return r.Status == StatusNone || slices.Contains(terminal, r.Status) }

// Failed reports whether the release ended badly: failed, stopped or rolled back.
func (r *Release) Failed() bool {
	return r.Status == string(cdtypes.DeploymentStatusFailed) || r.Status == string(cdtypes.DeploymentStatusStopped) || r.RolledBack
}

// StatusNone is the status of a function without any deployment.
const StatusNone = "None"

// inFlight are the statuses of a deployment that has not ended.
var inFlight = []cdtypes.DeploymentStatus{
	cdtypes.DeploymentStatusCreated, cdtypes.DeploymentStatusQueued, cdtypes.DeploymentStatusInProgress,
	cdtypes.DeploymentStatusBaking, cdtypes.DeploymentStatusReady,
}

// Running returns the ids of fn's deployments that have not ended.
func (r *Reader) Running(ctx context.Context, fn Function) ([]string, error) {
	return r.list(ctx, fn, inFlight)
}

// list returns the ids of fn's deployments with the statuses (all when none), following
// NextToken. A group or application that does not exist has none, and so has a stack
// without a CodeDeploy application (Application ""), which is not asked: "If it is not
// specified, then deploymentGroupName must not be specified" (the SDK's doc comment of
// ListDeploymentsInput.ApplicationName).
func (r *Reader) list(ctx context.Context, fn Function, statuses []cdtypes.DeploymentStatus) ([]string, error) {
	if r.Application == "" {
		return nil, nil
	}
	in := &codedeploy.ListDeploymentsInput{
		ApplicationName: aws.String(r.Application), DeploymentGroupName: aws.String(fn.group()), IncludeOnlyStatuses: statuses,
	}
	var ids []string
	for {
		out, err := r.CodeDeploy.ListDeployments(ctx, in)
		if err != nil {
			if hasCode(err, "ApplicationDoesNotExistException", "DeploymentGroupDoesNotExistException") {
				return nil, nil
			}
			return nil, fmt.Errorf("list deployments of %s: %w", fn.FunctionName, err)
		}
		ids = append(ids, out.Deployments...)
		if aws.ToString(out.NextToken) == "" {
			return ids, nil
		}
		in.NextToken = out.NextToken
	}
}

// maxBatch is BatchGetDeployments' and BatchGetDeploymentTargets' limit ("The maximum number
// of deployments that can be returned is 25", the SDK's doc comments).
const maxBatch = 25

// deployments reads ids in batches of maxBatch.
func (r *Reader) deployments(ctx context.Context, ids []string) ([]cdtypes.DeploymentInfo, error) {
	var infos []cdtypes.DeploymentInfo
	for chunk := range slices.Chunk(ids, maxBatch) {
		out, err := r.CodeDeploy.BatchGetDeployments(ctx, &codedeploy.BatchGetDeploymentsInput{DeploymentIds: chunk})
		if err != nil {
			return nil, fmt.Errorf("read deployments %s: %w", strings.Join(chunk, ", "), err)
		}
		infos = append(infos, out.DeploymentsInfo...)
	}
	return infos, nil
}

// Recent returns fn's newest deployments, newest first, at most limit (0: all). ListDeployments
// documents no order, so every id is read and sorted by its create time.
func (r *Reader) Recent(ctx context.Context, fn Function, limit int) ([]cdtypes.DeploymentInfo, error) {
	ids, err := r.list(ctx, fn, nil)
	if err != nil {
		return nil, err
	}
	infos, err := r.deployments(ctx, ids)
	if err != nil {
		return nil, err
	}
	sort.SliceStable(infos, func(i, j int) bool {
		return aws.ToTime(infos[i].CreateTime).After(aws.ToTime(infos[j].CreateTime))
	})
	if limit > 0 && len(infos) > limit {
		infos = infos[:limit]
	}
	return infos, nil
}

// Latest returns fn's newest deployment, or a release with status None when it has none.
func (r *Reader) Latest(ctx context.Context, fn Function) (Release, error) {
	infos, err := r.Recent(ctx, fn, 1)
	if err != nil {
		return Release{}, err
	}
	if len(infos) == 0 {
		return Release{Function: fn.Name, FunctionName: fn.FunctionName, Alias: fn.alias(), Status: StatusNone, Events: []Event{}, Reasons: []string{}}, nil
	}
	return r.Read(ctx, fn, infos[0])
}

// ReadID reads one deployment of fn by id.
func (r *Reader) ReadID(ctx context.Context, fn Function, id string) (Release, error) {
	infos, err := r.deployments(ctx, []string{id})
	if err != nil {
		return Release{}, err
	}
	if len(infos) == 0 {
		return Release{}, fmt.Errorf("deployment %s of %s not found", id, fn.FunctionName)
	}
	return r.Read(ctx, fn, infos[0])
}

// Read completes what info says of a deployment with its target, the alias, the alarm, the
// configuration's expected end and, for a failure, the reasons.
func (r *Reader) Read(ctx context.Context, fn Function, info cdtypes.DeploymentInfo) (Release, error) {
	rel := Release{
		Function: fn.Name, FunctionName: fn.FunctionName, Alias: fn.alias(),
		DeploymentID: aws.ToString(info.DeploymentId), Status: string(info.Status), Creator: string(info.Creator),
		Config: aws.ToString(info.DeploymentConfigName), Created: info.CreateTime, Completed: info.CompleteTime,
		Events: []Event{}, Reasons: []string{},
	}
	end := r.now()
	if rel.Completed != nil {
		end = *rel.Completed
	}
	if rel.Created != nil {
		rel.ElapsedSeconds = end.Sub(*rel.Created).Round(time.Second).Seconds()
	}
	if err := r.readTarget(ctx, &rel, info); err != nil {
		return rel, err
	}
	if rel.To != "" {
		if err := r.readShare(ctx, &rel); err != nil {
			return rel, err
		}
		rel.Commit = r.commit(ctx, fn.FunctionName, rel.To)
		rel.Alarm = r.alarm(ctx, resourcenames.RollbackAlarmName(fn.FunctionName, rel.Alias, rel.To))
	}
	if !rel.Done() {
		rel.ExpectedEnd = r.expectedEnd(ctx, &rel)
	}
	ri := info.RollbackInfo
	rel.RolledBack = ri != nil && aws.ToString(ri.RollbackDeploymentId) != ""
	if rel.Failed() {
		rel.Reasons = r.reasons(ctx, &rel, info)
	}
	return rel, nil
}

// readTarget reads the deployment's target: versions and lifecycle events. Its target id is
// not documented beyond "the names of Lambda functions" (BatchGetDeploymentTargets,
// TargetIds), so the ids ListDeploymentTargets returns are used as they are. A target comes
// back as a LambdaTarget ("Lambda: Information about Lambda functions targets") or as a
// CloudFormationTarget, which the SDK's doc comment of types.DeploymentTarget says "is used
// for all deployments initiated by a CloudFormation stack update", as every golive
// deployment is; which of the two AWS answers for such a Lambda deployment is not proven,
// so both are read. A CloudFormationTarget names no versions: they come from the
// deployment's AppSpec. A target of any other type is an error naming its type.
func (r *Reader) readTarget(ctx context.Context, rel *Release, info cdtypes.DeploymentInfo) error {
	var ids []string
	in := &codedeploy.ListDeploymentTargetsInput{DeploymentId: aws.String(rel.DeploymentID)}
	for {
		out, err := r.CodeDeploy.ListDeploymentTargets(ctx, in)
		if err != nil {
			if hasCode(err, "DeploymentNotStartedException") {
				return nil // no targets before the deployment starts
			}
			return fmt.Errorf("list the targets of deployment %s: %w", rel.DeploymentID, err)
		}
		ids = append(ids, out.TargetIds...)
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	for chunk := range slices.Chunk(ids, maxBatch) {
		out, err := r.CodeDeploy.BatchGetDeploymentTargets(ctx, &codedeploy.BatchGetDeploymentTargetsInput{
			DeploymentId: aws.String(rel.DeploymentID), TargetIds: chunk,
		})
		if err != nil {
			return fmt.Errorf("read the targets of deployment %s: %w", rel.DeploymentID, err)
		}
		for _, t := range out.DeploymentTargets {
			var events []cdtypes.LifecycleEvent
			switch {
			case t.LambdaTarget != nil:
				if fi := t.LambdaTarget.LambdaFunctionInfo; fi != nil {
					rel.From, rel.To = aws.ToString(fi.CurrentVersion), aws.ToString(fi.TargetVersion)
				}
				events = t.LambdaTarget.LifecycleEvents
			case t.CloudFormationTarget != nil:
				rel.From, rel.To = appSpecVersions(r.appSpec(ctx, info))
				events = t.CloudFormationTarget.LifecycleEvents
			default:
				return fmt.Errorf("deployment %s: a target of type %q, neither LambdaTarget nor CloudFormationTarget, which golive watch does not read",
					rel.DeploymentID, string(t.DeploymentTargetType))
			}
			for _, e := range events {
				rel.Events = append(rel.Events, Event{Name: aws.ToString(e.LifecycleEventName), Status: string(e.Status)})
			}
			if start := allowTrafficStart(events); start != nil {
				rel.shift = &shift{start: *start}
			}
		}
	}
	return nil
}

func allowTrafficStart(events []cdtypes.LifecycleEvent) *time.Time {
	for _, e := range events {
		if aws.ToString(e.LifecycleEventName) == "AllowTraffic" && e.StartTime != nil {
			return e.StartTime
		}
	}
	return nil
}

// readShare reads the share of LIVE's traffic on the target version from the alias itself:
// CodeDeploy shifts a Lambda deployment's traffic by updating the alias's routing
// configuration, whose AdditionalVersionWeights are fractions from 0.0 to 1.0 (Lambda API
// Reference, AliasRoutingConfiguration).
func (r *Reader) readShare(ctx context.Context, rel *Release) error {
	if rel.Status == string(cdtypes.DeploymentStatusSucceeded) && !rel.RolledBack {
		rel.Share = 100
		return nil
	}
	out, err := r.Lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(rel.FunctionName), Name: aws.String(rel.Alias)})
	if err != nil {
		if hasCode(err, "ResourceNotFoundException") {
			return nil
		}
		return fmt.Errorf("read alias %s of %s: %w", rel.Alias, rel.FunctionName, err)
	}
	var weights map[string]float64
	if out.RoutingConfig != nil {
		weights = out.RoutingConfig.AdditionalVersionWeights
	}
	switch w, ok := weights[rel.To]; {
	case ok:
		rel.Share = w * 100
	case aws.ToString(out.FunctionVersion) == rel.To:
		rel.Share = 100
	}
	return nil
}

// commit reads the source commit of version v from its description; "" when unknown.
func (r *Reader) commit(ctx context.Context, name, v string) string {
	out, err := r.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name), Qualifier: aws.String(v)})
	if err != nil {
		return ""
	}
	c, dirty, ok := versiondesc.ParseCommitDescription(aws.ToString(out.Description))
	if !ok {
		return ""
	}
	if dirty {
		c += " (dirty)"
	}
	return c
}

// alarm reads one alarm; nil when it does not exist or cannot be read (watch shows what it
// can; the alarm is a detail of the release, not its state).
func (r *Reader) alarm(ctx context.Context, name string) *Alarm {
	out, err := r.Alarms.DescribeAlarms(ctx, &cloudwatch.DescribeAlarmsInput{
		AlarmNames: []string{name}, AlarmTypes: []cwtypes.AlarmType{cwtypes.AlarmTypeMetricAlarm},
	})
	if err != nil || len(out.MetricAlarms) == 0 {
		return nil
	}
	a := out.MetricAlarms[0]
	return &Alarm{Name: aws.ToString(a.AlarmName), State: string(a.StateValue), Reason: aws.ToString(a.StateReason)}
}

// reasons are why a release failed, in words, most telling first.
func (r *Reader) reasons(ctx context.Context, rel *Release, info cdtypes.DeploymentInfo) []string {
	reasons := []string{}
	if a := rel.Alarm; a != nil && a.State == string(cwtypes.StateValueAlarm) {
		reasons = append(reasons, fmt.Sprintf("alarm %s is in ALARM: %s", a.Name, a.Reason))
	}
	if e := info.ErrorInformation; e != nil {
		reasons = append(reasons, fmt.Sprintf("CodeDeploy %s: %s", e.Code, aws.ToString(e.Message)))
	}
	reasons = append(reasons, r.verdicts(ctx, rel, info)...)
	if ri := info.RollbackInfo; ri != nil && aws.ToString(ri.RollbackMessage) != "" {
		reasons = append(reasons, "rollback: "+aws.ToString(ri.RollbackMessage))
	}
	return reasons
}

// appSpec is the content of the deployment's AppSpec, "" when it cannot be read. It comes
// from GetApplicationRevision: GetDeployment (and so BatchGetDeployments) never carries its
// content (the SDK's doc comment of GetDeployment).
func (r *Reader) appSpec(ctx context.Context, info cdtypes.DeploymentInfo) string {
	if info.Revision == nil {
		return ""
	}
	out, err := r.CodeDeploy.GetApplicationRevision(ctx, &codedeploy.GetApplicationRevisionInput{
		ApplicationName: info.ApplicationName, Revision: info.Revision,
	})
	if err != nil || out.Revision == nil {
		return ""
	}
	rev := out.Revision
	if rev.AppSpecContent != nil && rev.AppSpecContent.Content != nil {
		return *rev.AppSpecContent.Content
	}
	// CodeDeploy serves a CloudFormation deployment's AppSpec in the string member, which the
	// SDK marks deprecated (internal/hook reads it the same way).
	//lint:ignore SA1019 CodeDeploy serves a CloudFormation deployment's AppSpec there
	if s := rev.String_; s != nil && s.Content != nil {
		return *s.Content
	}
	return ""
}

// appSpecVersions are the CurrentVersion and TargetVersion of the AppSpec's
// AWS::Lambda::Function resource ("" when it names none): CodeDeploy User Guide, "AppSpec
// 'resources' section for AWS Lambda deployments". The AppSpec may be JSON or YAML (YAML
// reads both), its keys in either case, its versions strings or numbers (as internal/hook
// reads them).
func appSpecVersions(content string) (current, target string) {
	var doc map[string]any
	if yaml.Unmarshal([]byte(content), &doc) != nil {
		return "", ""
	}
	resources, _ := field(doc, "resources").([]any)
	for _, res := range resources {
		m, _ := res.(map[string]any)
		for _, v := range m {
			r, _ := v.(map[string]any)
			props, _ := field(r, "properties").(map[string]any)
			if props == nil {
				continue
			}
			if t, _ := field(r, "type").(string); t != "" && t != "AWS::Lambda::Function" {
				continue
			}
			return scalarString(field(props, "currentversion")), scalarString(field(props, "targetversion"))
		}
	}
	return "", ""
}

// field is m's value for key in any case.
func field(m map[string]any, key string) any {
	for k, v := range m {
		if strings.EqualFold(k, key) {
			return v
		}
	}
	return nil
}

func scalarString(v any) string {
	switch v := v.(type) {
	case string:
		return v
	case int, int64, uint64, float64:
		return fmt.Sprint(v)
	}
	return ""
}

// verdicts are the hooks' own verdict lines for the deployment: the hooks the AppSpec names
// log one JSON line per run with the deployment id and, when they refuse, the reason
// (internal/hook).
func (r *Reader) verdicts(ctx context.Context, rel *Release, info cdtypes.DeploymentInfo) []string {
	content := r.appSpec(ctx, info)
	var verdicts []string
	for _, hook := range hookFunctions(content) {
		verdicts = append(verdicts, r.hookVerdicts(ctx, hook, rel.DeploymentID, info.CreateTime)...)
	}
	return verdicts
}

// hookVerdicts reads the verdict lines of one hook's runs for the deployment from the hook's
// log group, Lambda's default /aws/lambda/NAME ("Lambda sends logs to a log group named
// /aws/lambda/<function name>", Lambda Developer Guide, "Sending Lambda function logs to
// CloudWatch Logs"). The deployment id is searched as a quoted term (CloudWatch Logs User
// Guide, "Filter pattern syntax for metric filters, subscription filters, filter log
// events": a term in double quotes matches it exactly, hyphen included), and every line is
// checked again here.
func (r *Reader) hookVerdicts(ctx context.Context, hook, deploymentID string, created *time.Time) []string {
	in := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String("/aws/lambda/" + hook),
		FilterPattern: aws.String(`"` + deploymentID + `"`),
	}
	if created != nil {
		in.StartTime = aws.Int64(created.Add(-time.Minute).UnixMilli())
	}
	var verdicts []string
	for range 10 { // a hook logs a few lines per run: ten pages is plenty
		out, err := r.Logs.FilterLogEvents(ctx, in)
		if err != nil {
			return verdicts
		}
		for _, e := range out.Events {
			if v, ok := verdictLine(aws.ToString(e.Message), deploymentID); ok {
				verdicts = append(verdicts, v)
			}
		}
		if aws.ToString(out.NextToken) == "" {
			break
		}
		in.NextToken = out.NextToken
	}
	return verdicts
}

// verdictLine reads one of the hook's JSON log lines: a refusal carries "reason".
func verdictLine(message, deploymentID string) (string, bool) {
	var line struct {
		Msg        string `json:"msg"`
		Phase      string `json:"phase"`
		Deployment string `json:"deployment"`
		Reason     string `json:"reason"`
	}
	if json.Unmarshal([]byte(strings.TrimSpace(message)), &line) != nil || line.Deployment != deploymentID || line.Reason == "" {
		return "", false
	}
	who := "hook"
	if line.Phase != "" {
		who = line.Phase + " hook"
	}
	return fmt.Sprintf("%s: %s: %s", who, line.Msg, line.Reason), true
}

// hookFunctions are the functions an AppSpec's Hooks section names ({"Hooks":
// [{"BeforeAllowTraffic": "NAME"}, {"AfterAllowTraffic": "NAME"}]}, CodeDeploy User Guide,
// "AppSpec 'hooks' section for an AWS Lambda deployment"), as names: an ARN's last part.
// The AppSpec may be JSON or YAML; a Lambda one's hooks are flat enough to read by line.
func hookFunctions(content string) []string {
	var names []string
	add := func(v string) {
		v = strings.Trim(strings.TrimSpace(v), `"'`)
		if i := strings.LastIndex(v, ":function:"); i >= 0 {
			v = v[i+len(":function:"):]
		}
		if v != "" && !slices.Contains(names, v) {
			names = append(names, v)
		}
	}
	var doc struct {
		Hooks []map[string]string
	}
	if json.Unmarshal([]byte(content), &doc) == nil {
		for _, h := range doc.Hooks {
			for _, k := range []string{"BeforeAllowTraffic", "AfterAllowTraffic"} {
				if v, ok := h[k]; ok {
					add(v)
				}
			}
		}
		return names
	}
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(line), "- "))
		for _, k := range []string{"BeforeAllowTraffic:", "AfterAllowTraffic:"} {
			if v, ok := strings.CutPrefix(line, k); ok {
				add(v)
			}
		}
	}
	return names
}

func hasCode(err error, codes ...string) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && slices.Contains(codes, ae.ErrorCode())
}
