package codedeployfake

import (
	"context"
	"slices"
	"sort"
	"strconv"
	"time"
)

// The operations golive watch and history read a release with: ListDeployments,
// BatchGetDeployments (and GetDeployment's fuller DeploymentInfo), ListDeploymentTargets,
// BatchGetDeploymentTargets and GetDeploymentConfig. Sources: each operation's doc comment
// and input/output types in the SDK (service/codedeploy, api_op_*.go, types/types.go), and
// the error shapes its deserializer accepts (deserializers.go, awsAwsjson11_deserializeOpError*),
// which are the API reference's Errors sections.
func init() {
	operations["ListDeployments"] = (*Server).listDeployments
	operations["BatchGetDeployments"] = (*Server).batchGetDeployments
	operations["ListDeploymentTargets"] = (*Server).listDeploymentTargets
	operations["BatchGetDeploymentTargets"] = (*Server).batchGetDeploymentTargets
	operations["GetDeploymentConfig"] = (*Server).getDeploymentConfig
}

// ErrorInformation is DeploymentInfo.errorInformation: a code (ErrorCode, e.g. ALARM_ACTIVE,
// HOOK_EXECUTION_FAILURE, TIMEOUT) and a message.
type ErrorInformation struct{ Code, Message string }

// RollbackInfo is DeploymentInfo.rollbackInfo.
type RollbackInfo struct {
	RollbackDeploymentID, RollbackMessage, RollbackTriggeringDeploymentID string
}

// LambdaTarget is the one target of a Lambda deployment (types.LambdaTarget): the function,
// its alias, the versions and the share of traffic, its status and lifecycle events.
type LambdaTarget struct {
	FunctionName, Alias           string
	CurrentVersion, TargetVersion string
	// TargetVersionWeight is "the percentage of production traffic that the target version
	// of a Lambda function receives" (types.LambdaFunctionInfo).
	TargetVersionWeight float64
	// Status is a TargetStatus: Pending, InProgress, Succeeded, Failed, Skipped, Unknown, Ready.
	Status        string
	LastUpdatedAt time.Time
	Events        []LifecycleEvent
}

// LifecycleEvent is one lifecycle event of a target (types.LifecycleEvent); Status is Pending,
// InProgress, Succeeded, Failed, Skipped or Unknown.
type LifecycleEvent struct {
	Name, Status       string
	StartTime, EndTime time.Time
}

// DeploymentConfig is a custom deployment configuration for Lambda (types.DeploymentConfigInfo
// with a TrafficRoutingConfig).
type DeploymentConfig struct {
	Name string
	// Type is TimeBasedCanary, TimeBasedLinear or AllAtOnce; Percentage and Interval (minutes)
	// are the canary's or the linear configuration's.
	Type                 string
	Percentage, Interval int32
}

// Update changes a deployment under the server's lock, as CodeDeploy moves it through its
// life; a test scripts a release with it.
func (s *Server) Update(id string, f func(d *Deployment)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.deployments[id]
	if d == nil {
		panic("codedeployfake: Update: no deployment " + id)
	}
	f(d)
}

// AddDeploymentConfig registers a custom deployment configuration.
func (s *Server) AddDeploymentConfig(c DeploymentConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.configs == nil {
		s.configs = map[string]DeploymentConfig{}
	}
	s.configs[c.Name] = c
}

// fullDeploymentInfo is DeploymentInfo with the members a release's life sets.
type fullDeploymentInfo struct {
	deploymentInfo
	CompleteTime       *epoch              `json:"completeTime,omitempty"`
	DeploymentOverview *deploymentOverview `json:"deploymentOverview,omitempty"`
	ErrorInformation   *errorInformation   `json:"errorInformation,omitempty"`
	RollbackInfo       *rollbackInfo       `json:"rollbackInfo,omitempty"`
}

type errorInformation struct {
	Code    string `json:"code,omitempty"`
	Message string `json:"message,omitempty"`
}

type rollbackInfo struct {
	RollbackDeploymentID           string `json:"rollbackDeploymentId,omitempty"`
	RollbackMessage                string `json:"rollbackMessage,omitempty"`
	RollbackTriggeringDeploymentID string `json:"rollbackTriggeringDeploymentId,omitempty"`
}

// deploymentOverview counts the deployment's targets by status (types.DeploymentOverview: "A
// summary of the deployment status of the instances in the deployment"; a Lambda deployment
// has one target, its function).
type deploymentOverview struct {
	Pending    int64 `json:"Pending"`
	InProgress int64 `json:"InProgress"`
	Succeeded  int64 `json:"Succeeded"`
	Failed     int64 `json:"Failed"`
	Skipped    int64 `json:"Skipped"`
	Ready      int64 `json:"Ready"`
}

func fullInfo(d *Deployment) fullDeploymentInfo {
	f := fullDeploymentInfo{deploymentInfo: info(d), CompleteTime: epochOf(d.CompleteTime)}
	if e := d.ErrorInformation; e != nil {
		f.ErrorInformation = &errorInformation{Code: e.Code, Message: e.Message}
	}
	if r := d.RollbackInfo; r != nil {
		f.RollbackInfo = &rollbackInfo{RollbackDeploymentID: r.RollbackDeploymentID, RollbackMessage: r.RollbackMessage, RollbackTriggeringDeploymentID: r.RollbackTriggeringDeploymentID}
	}
	if t := d.Target; t != nil {
		o := &deploymentOverview{}
		switch t.Status {
		case "Pending":
			o.Pending = 1
		case "InProgress":
			o.InProgress = 1
		case "Succeeded":
			o.Succeeded = 1
		case "Failed":
			o.Failed = 1
		case "Skipped":
			o.Skipped = 1
		case "Ready":
			o.Ready = 1
		}
		f.DeploymentOverview = o
	}
	return f
}

// listPage is how many ids the fake returns per page: small, so that clients must follow
// nextToken ("If a large amount of information is returned, an identifier is also returned",
// ListDeploymentsOutput.NextToken; the page size is not documented).
const listPage = 3

// listDeployments answers ListDeployments: the ids of an application's deployment group,
// optionally only those with includeOnlyStatuses, paged with nextToken. The SDK's doc
// comment: applicationName and deploymentGroupName go together ("If applicationName is
// specified, then deploymentGroupName must be specified"). Errors: ApplicationDoesNotExist,
// DeploymentGroupDoesNotExist (a group no deployment names: the fake knows groups only from
// its deployments), DeploymentGroupNameRequired, InvalidDeploymentStatus, InvalidNextToken.
// The order of the ids is not documented: the fake sorts them by id, which says nothing of
// their time when a test names its ids, so a client relying on the order is caught.
func (s *Server) listDeployments(_ context.Context, body []byte) (any, error) {
	var in struct {
		ApplicationName     string         `json:"applicationName"`
		DeploymentGroupName string         `json:"deploymentGroupName"`
		IncludeOnlyStatuses []string       `json:"includeOnlyStatuses"`
		CreateTimeRange     map[string]any `json:"createTimeRange"`
		ExternalID          string         `json:"externalId"`
		NextToken           string         `json:"nextToken"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.ApplicationName != "" && in.DeploymentGroupName == "" {
		return nil, clientError("DeploymentGroupNameRequiredException", "The deployment group name was not specified.")
	}
	if in.ApplicationName != "" && s.applications[in.ApplicationName] == nil {
		return nil, clientError("ApplicationDoesNotExistException", "No application found for name: %s", in.ApplicationName)
	}
	valid := []string{"Created", "Queued", "InProgress", "Baking", "Succeeded", "Failed", "Stopped", "Ready"}
	for _, st := range in.IncludeOnlyStatuses {
		if !slices.Contains(valid, st) {
			return nil, clientError("InvalidDeploymentStatusException", "The specified deployment status %s is not valid.", st)
		}
	}
	var ids []string
	group := false
	for _, d := range s.deployments {
		if in.ApplicationName != "" && (d.ApplicationName != in.ApplicationName || d.DeploymentGroupName != in.DeploymentGroupName) {
			continue
		}
		group = true
		if len(in.IncludeOnlyStatuses) > 0 && !slices.Contains(in.IncludeOnlyStatuses, d.Status) {
			continue
		}
		ids = append(ids, d.ID)
	}
	if in.ApplicationName != "" && !group {
		return nil, clientError("DeploymentGroupDoesNotExistException", "The deployment group %s does not exist with the application %s.", in.DeploymentGroupName, in.ApplicationName)
	}
	sort.Strings(ids)
	return page(ids, in.NextToken, "deployments")
}

// page returns one page of ids under key, with nextToken when more follow.
func page(ids []string, token, key string) (any, error) {
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(ids) {
			return nil, clientError("InvalidNextTokenException", "The next token was specified in an invalid format.")
		}
		start = n
	}
	end := min(start+listPage, len(ids))
	out := map[string]any{key: append([]string{}, ids[start:end]...)}
	if end < len(ids) {
		out["nextToken"] = strconv.Itoa(end)
	}
	return out, nil
}

// batchGetDeployments answers BatchGetDeployments: "The maximum number of deployments that can
// be returned is 25" (doc comment). Errors: DeploymentIdRequired (no ids), BatchLimitExceeded
// (more than 25). An id the fake does not hold is left out of deploymentsInfo: what CodeDeploy
// does with one is not documented, and golive only asks for ids it listed.
func (s *Server) batchGetDeployments(_ context.Context, body []byte) (any, error) {
	var in struct {
		DeploymentIDs []string `json:"deploymentIds"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if len(in.DeploymentIDs) == 0 {
		return nil, clientError("DeploymentIdRequiredException", "At least one deployment ID must be specified.")
	}
	if len(in.DeploymentIDs) > 25 {
		return nil, clientError("BatchLimitExceededException", "The maximum number of names or IDs allowed for this request (25) was exceeded.")
	}
	infos := []fullDeploymentInfo{}
	for _, id := range in.DeploymentIDs {
		if d := s.deployments[id]; d != nil {
			infos = append(infos, fullInfo(d))
		}
	}
	return map[string]any{"deploymentsInfo": infos}, nil
}

// targetID is a Lambda target's id: "the target IDs are the names of Lambda functions"
// (BatchGetDeploymentTargetsInput.TargetIds).
func targetID(d *Deployment) string { return d.Target.FunctionName }

// started refuses a deployment without a target yet: DeploymentNotStartedException ("The
// specified deployment has not started"), an error both target operations document.
func started(d *Deployment) error {
	if d.Target == nil || d.Status == "Created" || d.Status == "Queued" {
		return clientError("DeploymentNotStartedException", "The deployment %s has not started.", d.ID)
	}
	return nil
}

// listDeploymentTargets answers ListDeploymentTargets: {targetIds, nextToken} ("Returns an
// array of target IDs that are associated a deployment"). Errors: DeploymentIdRequired,
// DeploymentDoesNotExist, DeploymentNotStarted.
func (s *Server) listDeploymentTargets(_ context.Context, body []byte) (any, error) {
	var in struct {
		DeploymentID  string              `json:"deploymentId"`
		NextToken     string              `json:"nextToken"`
		TargetFilters map[string][]string `json:"targetFilters"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	d, err := s.deployment(in.DeploymentID)
	if err != nil {
		return nil, err
	}
	if err := started(d); err != nil {
		return nil, err
	}
	ids := []string{targetID(d)}
	if st := in.TargetFilters["TargetStatus"]; len(st) > 0 && !slices.Contains(st, d.Target.Status) {
		ids = nil
	}
	return page(ids, in.NextToken, "targetIds")
}

type lambdaTargetOut struct {
	DeploymentID       string              `json:"deploymentId"`
	TargetID           string              `json:"targetId"`
	TargetArn          string              `json:"targetArn"`
	Status             string              `json:"status"`
	LastUpdatedAt      *epoch              `json:"lastUpdatedAt,omitempty"`
	LifecycleEvents    []lifecycleEventOut `json:"lifecycleEvents"`
	LambdaFunctionInfo lambdaFunctionInfo  `json:"lambdaFunctionInfo"`
}

// cloudFormationTargetOut is types.CloudFormationTarget, which "is used for all deployments
// initiated by a CloudFormation stack update" (its SDK doc comment).
type cloudFormationTargetOut struct {
	DeploymentID        string              `json:"deploymentId"`
	TargetID            string              `json:"targetId"`
	ResourceType        string              `json:"resourceType"`
	Status              string              `json:"status"`
	LastUpdatedAt       *epoch              `json:"lastUpdatedAt,omitempty"`
	LifecycleEvents     []lifecycleEventOut `json:"lifecycleEvents"`
	TargetVersionWeight float64             `json:"targetVersionWeight"`
}

type lifecycleEventOut struct {
	LifecycleEventName string `json:"lifecycleEventName"`
	Status             string `json:"status"`
	StartTime          *epoch `json:"startTime,omitempty"`
	EndTime            *epoch `json:"endTime,omitempty"`
}

type lambdaFunctionInfo struct {
	FunctionName        string  `json:"functionName"`
	FunctionAlias       string  `json:"functionAlias"`
	CurrentVersion      string  `json:"currentVersion"`
	TargetVersion       string  `json:"targetVersion"`
	TargetVersionWeight float64 `json:"targetVersionWeight"`
}

// batchGetDeploymentTargets answers BatchGetDeploymentTargets: for a Lambda deployment each
// target is {deploymentTargetType: LambdaTarget, lambdaTarget} (doc comment: "Lambda:
// Information about Lambda functions targets"; types.DeploymentTarget, types.LambdaTarget),
// or, for a deployment whose TargetType says so, {deploymentTargetType: CloudFormationTarget,
// cloudFormationTarget} (types.CloudFormationTarget: "This target type is used for all
// deployments initiated by a CloudFormation stack update"). Which of the two AWS answers for a
// Lambda deployment CloudFormation started is not proven (docs/aws-behaviour.md, C20); the
// resourceType it would carry is not documented either.
// Errors: DeploymentIdRequired, DeploymentDoesNotExist, DeploymentNotStarted,
// DeploymentTargetIdRequired (no ids), DeploymentTargetListSizeExceeded (more than 25: "The
// maximum number of deployment target IDs you can specify is 25"), DeploymentTargetDoesNotExist.
func (s *Server) batchGetDeploymentTargets(_ context.Context, body []byte) (any, error) {
	var in struct {
		DeploymentID string   `json:"deploymentId"`
		TargetIDs    []string `json:"targetIds"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	d, err := s.deployment(in.DeploymentID)
	if err != nil {
		return nil, err
	}
	if len(in.TargetIDs) == 0 {
		return nil, clientError("DeploymentTargetIdRequiredException", "A deployment target ID was not provided.")
	}
	if len(in.TargetIDs) > 25 {
		return nil, clientError("DeploymentTargetListSizeExceededException", "The maximum number of targets that can be associated with an Amazon ECS or Lambda deployment was exceeded.")
	}
	if err := started(d); err != nil {
		return nil, err
	}
	var targets []map[string]any
	for _, id := range in.TargetIDs {
		if id != targetID(d) {
			return nil, clientError("DeploymentTargetDoesNotExistException", "The provided target ID %s does not belong to the deployment %s.", id, d.ID)
		}
		t := d.Target
		events := []lifecycleEventOut{}
		for _, e := range t.Events {
			events = append(events, lifecycleEventOut{LifecycleEventName: e.Name, Status: e.Status, StartTime: epochOf(e.StartTime), EndTime: epochOf(e.EndTime)})
		}
		switch d.TargetType {
		case "", "LambdaTarget":
		case "CloudFormationTarget":
			targets = append(targets, map[string]any{
				"deploymentTargetType": "CloudFormationTarget",
				"cloudFormationTarget": cloudFormationTargetOut{
					DeploymentID: d.ID, TargetID: id, ResourceType: "AWS::Lambda::Function", Status: t.Status,
					LastUpdatedAt: epochOf(t.LastUpdatedAt), LifecycleEvents: events, TargetVersionWeight: t.TargetVersionWeight,
				},
			})
			continue
		default:
			targets = append(targets, map[string]any{"deploymentTargetType": d.TargetType})
			continue
		}
		targets = append(targets, map[string]any{
			"deploymentTargetType": "LambdaTarget",
			"lambdaTarget": lambdaTargetOut{
				DeploymentID: d.ID, TargetID: id, Status: t.Status, LastUpdatedAt: epochOf(t.LastUpdatedAt),
				TargetArn:       "arn:aws:lambda:us-east-1:123456789012:function:" + t.FunctionName + ":" + t.Alias,
				LifecycleEvents: events,
				LambdaFunctionInfo: lambdaFunctionInfo{
					FunctionName: t.FunctionName, FunctionAlias: t.Alias,
					CurrentVersion: t.CurrentVersion, TargetVersion: t.TargetVersion, TargetVersionWeight: t.TargetVersionWeight,
				},
			},
		})
	}
	return map[string]any{"deploymentTargets": targets}, nil
}

// getDeploymentConfig answers GetDeploymentConfig for the custom configurations a test
// registered and CodeDeploy's predefined Lambda ones (groups.go): {deploymentConfigInfo: {deploymentConfigName, computePlatform, trafficRoutingConfig:
// {type, timeBasedCanary: {canaryPercentage, canaryInterval} | timeBasedLinear:
// {linearPercentage, linearInterval}}}} (types.DeploymentConfigInfo, types.TrafficRoutingConfig).
// Errors: DeploymentConfigNameRequired, DeploymentConfigDoesNotExist.
func (s *Server) getDeploymentConfig(_ context.Context, body []byte) (any, error) {
	var in struct {
		DeploymentConfigName string `json:"deploymentConfigName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	if in.DeploymentConfigName == "" {
		return nil, clientError("DeploymentConfigNameRequiredException", "The deployment configuration name was not specified.")
	}
	c, ok := s.configs[in.DeploymentConfigName]
	if !ok {
		c, ok = predefinedConfig(in.DeploymentConfigName)
	}
	if !ok {
		return nil, clientError("DeploymentConfigDoesNotExistException", "The deployment configuration %s does not exist.", in.DeploymentConfigName)
	}
	tr := map[string]any{"type": c.Type}
	switch c.Type {
	case "TimeBasedCanary":
		tr["timeBasedCanary"] = map[string]int32{"canaryPercentage": c.Percentage, "canaryInterval": c.Interval}
	case "TimeBasedLinear":
		tr["timeBasedLinear"] = map[string]int32{"linearPercentage": c.Percentage, "linearInterval": c.Interval}
	}
	return map[string]any{"deploymentConfigInfo": map[string]any{
		"deploymentConfigName": c.Name, "deploymentConfigId": "fake-" + c.Name, "computePlatform": "Lambda", "trafficRoutingConfig": tr,
	}}, nil
}
