package codedeployfake

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"time"
)

// Application is a CodeDeploy application and the revisions registered with it.
type Application struct {
	Name string
	// ComputePlatform is Lambda, Server or ECS.
	ComputePlatform string
	// Revisions by their sha256.
	Revisions map[string]*Revision
}

// Revision is an AppSpec registered with an application, the way CloudFormation registers a
// Lambda deployment's: inline content addressed by its sha256.
type Revision struct {
	Content string
	// Sha256 is the hex SHA-256 of Content; AddDeployment computes it.
	Sha256 string
	// Type is the member GetApplicationRevision carries the content in: RevisionString
	// (the default; what CodeDeploy serves a CloudFormation deployment's revision in) or
	// RevisionAppSpecContent.
	Type                                      string
	Description                               string
	RegisterTime, FirstUsedTime, LastUsedTime time.Time
	// DeploymentGroups for which this is the current target revision.
	DeploymentGroups []string
}

// The revision types of RevisionLocation (CodeDeploy API Reference, RevisionLocation).
const (
	RevisionString         = "String"
	RevisionAppSpecContent = "AppSpecContent"
)

// Deployment is one deployment of a revision to a deployment group.
type Deployment struct {
	// ID defaults to a generated d-XXXXXXXXX.
	ID                   string
	ApplicationName      string
	DeploymentGroupName  string
	DeploymentConfigName string
	// ComputePlatform defaults to Lambda.
	ComputePlatform string
	// Status defaults to InProgress.
	Status string
	// Creator is user, CloudFormation, codeDeployRollback, ... ("" leaves it out).
	Creator string
	// CreateTime defaults to now.
	CreateTime time.Time
	// AppSpec is the content of the deployment's revision. GetDeployment never serves it,
	// only its sha256; GetApplicationRevision does.
	AppSpec string
	// Hooks are the lifecycle hook executions CodeDeploy started for this deployment.
	Hooks []*HookExecution

	// The rest is what a release's life sets (history.go): the end, what went wrong, the
	// rollback, and the Lambda target with its lifecycle events.
	CompleteTime     time.Time
	ErrorInformation *ErrorInformation
	RollbackInfo     *RollbackInfo
	Target           *LambdaTarget
	// TargetType is the type BatchGetDeploymentTargets answers Target as: "" or LambdaTarget
	// (a lambdaTarget), CloudFormationTarget (a cloudFormationTarget: status, lifecycle
	// events and weight, no function or versions; types.CloudFormationTarget), or any other
	// name, answered as that deploymentTargetType with no target member.
	TargetType string
}

// HookExecution is one invocation of a lifecycle hook (BeforeAllowTraffic or
// AfterAllowTraffic for Lambda), identified by the LifecycleEventHookExecutionId that
// CodeDeploy passes the hook.
type HookExecution struct {
	ID             string
	LifecycleEvent string
	// Status is Pending until a report (or a script standing in for CodeDeploy's own
	// timeout) completes it.
	Status string
}

// LifecycleReport is one accepted PutLifecycleEventHookExecutionStatus.
type LifecycleReport struct {
	DeploymentID, ExecutionID, LifecycleEvent, Status string
}

// AddDeployment stores d, registers its application (a Lambda one unless d says otherwise)
// and its AppSpec as a revision of that application, and returns its ID.
func (s *Server) AddDeployment(d Deployment) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq++
	if d.ID == "" {
		d.ID = fmt.Sprintf("d-%09X", s.seq)
	}
	if d.ComputePlatform == "" {
		d.ComputePlatform = "Lambda"
	}
	if d.Status == "" {
		d.Status = "InProgress"
	}
	if d.CreateTime.IsZero() {
		d.CreateTime = time.Now()
	}
	d.Hooks = slices.Clone(d.Hooks)
	app := s.applications[d.ApplicationName]
	if app == nil {
		app = &Application{Name: d.ApplicationName, ComputePlatform: d.ComputePlatform, Revisions: map[string]*Revision{}}
		s.applications[d.ApplicationName] = app
	}
	sum := Sha256(d.AppSpec)
	rev := app.Revisions[sum]
	if rev == nil {
		rev = &Revision{Content: d.AppSpec, Sha256: sum, Type: RevisionString, RegisterTime: d.CreateTime, FirstUsedTime: d.CreateTime}
		app.Revisions[sum] = rev
	}
	rev.LastUsedTime = d.CreateTime
	if !slices.Contains(rev.DeploymentGroups, d.DeploymentGroupName) {
		rev.DeploymentGroups = append(rev.DeploymentGroups, d.DeploymentGroupName)
	}
	s.deployments[d.ID] = &d
	return d.ID
}

// AddHookExecution starts a lifecycle hook execution of a deployment, as CodeDeploy does
// before it invokes the hook, and returns its LifecycleEventHookExecutionId.
func (s *Server) AddHookExecution(deploymentID, lifecycleEvent string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	d := s.deployments[deploymentID]
	if d == nil {
		panic("codedeployfake: AddHookExecution: no deployment " + deploymentID)
	}
	s.seq++
	id := fmt.Sprintf("exec-%s-%d", d.ID, s.seq)
	d.Hooks = append(d.Hooks, &HookExecution{ID: id, LifecycleEvent: lifecycleEvent, Status: "Pending"})
	return id
}

// SetRevisionType sets the member GetApplicationRevision carries an application's revision
// in (RevisionString or RevisionAppSpecContent).
func (s *Server) SetRevisionType(application, sha256, typ string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var rev *Revision
	if app := s.applications[application]; app != nil {
		rev = app.Revisions[sha256]
	}
	if rev == nil {
		panic("codedeployfake: SetRevisionType: no revision " + sha256 + " in " + application)
	}
	rev.Type = typ
}

// Reports returns every accepted lifecycle report, in order.
func (s *Server) Reports() []LifecycleReport {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.reports)
}

// Sha256 is the sha256 the fake gives an AppSpec's content, in hex. The API reference says
// only "The SHA256 hash value of the revision content" (AppSpecContent, RawString): clients
// pass it back to GetApplicationRevision unchanged, so no encoding is relied on.
func Sha256(content string) string {
	sum := sha256.Sum256([]byte(content))
	return hex.EncodeToString(sum[:])
}
