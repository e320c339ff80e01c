// Package config loads config/config.json, the one file golive users edit: it merges the
// shared lambda_functions defaults with each environment's overrides, field by field, and
// validates the result. It is plain Go (no jsii, no AWS SDK) so that the CDK app, the
// post-deploy CLI and editors' JSON Schema all agree on one set of rules.
package config

import (
	"encoding/json"
	"strings"

	"github.com/golive-dev/golive/internal/stackoutputs"
)

// Config is a loaded, merged and validated config.json.
type Config struct {
	// Project prefixes default function names: {project}-{env}-{function}.
	Project string
	// Envs in the order they appear in the file (sbx, tst, prd in the example).
	Envs []Env
	// Pipeline is nil when the file has no pipeline section.
	Pipeline *Pipeline
}

// Env is one deployment environment: one account and region, one service stack.
type Env struct {
	// Name is the env's key in the config ("prd").
	Name string
	// Account is the AWS account ID the env deploys to.
	Account string
	// Region is the AWS region the env deploys to ("us-east-1").
	Region string
	// Functions sorted by Name.
	Functions []Function
	// Notifications are the SNS topics told about the env's releases; the zero value tells
	// none.
	Notifications Notifications
	// Dashboard is whether the env's stack declares the release dashboard
	// (DashboardName) once a function is pinned: true unless the env sets "dashboard": false.
	Dashboard bool
}

// Rollout says who moves a pinned LIVE alias: CodeDeploy through a canary, or
// CloudFormation directly.
type Rollout string

const (
	// RolloutNone is the rollout of a function whose LIVE follows $LATEST.
	RolloutNone Rollout = ""
	// RolloutCanary hands the alias move to CodeDeploy (the default when pinned).
	RolloutCanary Rollout = "canary"
	// RolloutDirect lets CloudFormation move the alias itself: required for the first pin,
	// since CodeDeploy's AppSpec accepts only positive-integer versions, never $LATEST.
	RolloutDirect Rollout = "direct"
)

// Function is one Lambda function in one environment, after merging the shared defaults
// with the environment's overrides.
type Function struct {
	// Name is the key under lambda_functions, e.g. "worker".
	Name string
	// FunctionName is the physical Lambda name: function_name, or {project}-{env}-{name}.
	FunctionName string
	// Alias is the name of the alias clients call and a release moves: alias, or "LIVE".
	Alias string
	// Entry is the Go main package of a zip function, relative to the config file's
	// repository root (the directory holding config/). Empty for image functions.
	// Parse guarantees a clean relative slash path that cannot leave the repository.
	Entry string
	// Image is set for container-image functions instead of Entry: exactly one of the
	// two is set.
	Image *Image
	// Architecture is "arm64" (default) or "x86_64".
	Architecture string
	// MemoryMB is 128..10240 (default 128); TimeoutS is 1..900 (default 3).
	MemoryMB int
	TimeoutS int
	// Description is the function's description, at most 256 characters, or "".
	Description string
	// Environment is nil when the function has no variables. Shared and env maps are
	// merged key by key; an env's null removes a shared variable.
	Environment map[string]string
	// LiveVersion is the pinned version ("7"), or "" when LIVE follows $LATEST.
	LiveVersion string
	// Rollout is RolloutNone when LiveVersion is "", else canary (default) or direct.
	Rollout Rollout
	// Additional is the manual weighted split, or nil. Only set when pinned and
	// Deployment.Type is "None": CodeDeploy fails on an alias it finds split.
	Additional *WeightedVersion
	// RolledBack is the version golive rollback moved LIVE away from, or "". publish --pin
	// never pins it again: only a new version replaces the pin. Only when pinned.
	RolledBack string
	// ProvisionedConcurrency on the LIVE alias; 0 means none. Only when pinned.
	ProvisionedConcurrency int
	// Deployment is how CodeDeploy shifts the alias to a new pin (UsesCodeDeploy).
	Deployment Deployment
}

// Pinned reports whether LIVE is pinned to a published version.
func (f Function) Pinned() bool { return f.LiveVersion != "" }

// WeightedVersion is an extra version receiving Weight (0 < Weight < 1) of LIVE's traffic.
type WeightedVersion struct {
	// Version is the published version ("6").
	Version string
	// Weight is its share of LIVE's traffic.
	Weight float64
}

// Image is a container image referenced by digest ("sha256:...") or, in unpinned
// environments only, by tag: exactly one of Digest and Tag is set. A tag can move, so
// a pinned release must not depend on one.
type Image struct {
	// Repository is an ECR repository name in the env's own account and region
	// ("golive/worker"), or a full ECR URI
	// ("111111111111.dkr.ecr.us-east-1.amazonaws.com/golive/worker") for one registry
	// that every env pulls from; see RepositoryName, RepositoryLocation and URI.
	Repository string
	// Digest is the image's digest, "sha256:" and 64 lowercase hex digits, or "".
	Digest string
	// Tag is the image's tag, only where LIVE follows $LATEST, or "".
	Tag string
}

// Deployment is how CodeDeploy shifts LIVE to a new pinned version.
type Deployment struct {
	// Type is "None", a CodeDeploy predefined Lambda config without its "Lambda" prefix
	// ("AllAtOnce", "Canary10Percent5Minutes", "Linear10PercentEvery1Minute", ...), or
	// "Custom" with Custom set.
	Type string
	// Custom is the shift of Type "Custom", nil otherwise.
	Custom *CustomShift
	// Alarms are the rollback alarm's thresholds and the alarms of one's own.
	Alarms Alarms
	// Smoke is the pre-traffic test of the shipped hook, or nil.
	Smoke *Smoke
	// Bake is the post-traffic check of the shipped hook, or nil. Parse guarantees a
	// threshold to judge against (Alarms.ErrorRatePercent or P99DurationMs).
	Bake *Bake
	// PreTrafficHook and PostTrafficHook are hooks of the app's own: a function name or
	// its unqualified ARN in the env's account and region. Not with Smoke or Bake.
	PreTrafficHook  string
	PostTrafficHook string
	// AutoRollback says which outcomes of a deployment roll it back.
	AutoRollback AutoRollback
}

// DeploymentNone means no CodeDeploy deployment group: the alias is moved by CloudFormation.
const DeploymentNone = "None"

// DeploymentCustom marks a custom canary or linear shift described by Deployment.Custom.
const DeploymentCustom = "Custom"

// UsesCodeDeploy reports whether the function gets a CodeDeploy deployment group.
func (f Function) UsesCodeDeploy() bool {
	return f.Pinned() && f.Deployment.Type != DeploymentNone
}

// CustomShift is a custom canary (two steps) or linear (equal steps) traffic shift.
type CustomShift struct {
	// Linear is false for a canary.
	Linear bool
	// Percent is 1..99 for a canary and 1..50 for a linear shift (a linear shift of more
	// than half is a two-step canary).
	Percent int
	// IntervalMinutes is 1..2880.
	IntervalMinutes int
}

// Alarms are thresholds of the version-scoped alarm that rolls a deployment back; nil
// means no such term. Each is evaluated over one minute on the version being released
// (config.schema.json documents the same): errors above ErrorRatePercent of invocations
// (0 < x <= 100), p99 duration above P99DurationMs (0 < x <= timeout), and only in a
// minute with at least MinInvocations requests of that version. With Extra, at most 10
// alarms, CodeDeploy's limit per deployment group.
type Alarms struct {
	ErrorRatePercent *float64
	// ErrorRateRelative also compares the new version's error rate with the old version's
	// over the same minute (see versionedfunction.Thresholds). Only with ErrorRatePercent.
	ErrorRateRelative bool
	P99DurationMs     *float64
	// MinInvocations defaults to 10; 0 turns the guard off.
	MinInvocations int
	// Extra names existing CloudWatch alarms that also roll a deployment back.
	Extra []string
}

// Smoke is deployment.smoke: events the version being released is invoked with before
// any traffic shifts.
type Smoke struct {
	// Events are compact JSON, at least one.
	Events []json.RawMessage
	// Expect is a JSON value every response must contain, or nil.
	Expect json.RawMessage
	// TimeoutS bounds all events together: 1..840, default 60.
	TimeoutS int
	// Compare also invokes the current version with each event and fails the release when
	// the responses differ, except at Ignore (JSON Pointers; only with Compare).
	Compare bool
	Ignore  []string
}

// Bake is deployment.bake: minutes (1..14) to wait after the shift before judging.
type Bake struct {
	Minutes int
}

// AutoRollback says which deployment outcomes roll back automatically. All default to
// true, except that OnAlarm is false when there is no alarm: CodeDeploy cannot roll back
// on an alarm it does not have, and the CDK refuses the combination.
type AutoRollback struct {
	// OnFailure rolls back a failed deployment.
	OnFailure bool
	// OnStop rolls back a stopped deployment.
	OnStop bool
	// OnAlarm rolls back a deployment whose alarm fires.
	OnAlarm bool
}

// Pipeline is the optional CDK Pipelines section.
type Pipeline struct {
	// Account is the AWS account ID the pipeline stack deploys to.
	Account string
	// Region is the AWS region of the pipeline stack.
	Region string
	// ConnectionArn is the CodeConnections (formerly CodeStar Connections) connection to
	// the source repository.
	ConnectionArn string
	// Repository is the source repository, "owner/repo".
	Repository string
	// Branch defaults to "main".
	Branch string
	// Stages are env names in deployment order; by default every env in file order.
	Stages []string
	// ApprovalBefore lists envs whose stage waits for a manual approval.
	ApprovalBefore []string
}

// Env returns the named environment. The error is a *NotFoundError listing the known envs.
func (c *Config) Env(name string) (*Env, error) {
	for i := range c.Envs {
		if c.Envs[i].Name == name {
			return &c.Envs[i], nil
		}
	}
	return nil, &NotFoundError{Kind: "env", Name: name, Known: c.EnvNames()}
}

// EnvNames lists the envs in file order, the order a pipeline deploys them by default.
func (c *Config) EnvNames() []string {
	names := make([]string, len(c.Envs))
	for i, e := range c.Envs {
		names[i] = e.Name
	}
	return names
}

// StackName is the CloudFormation stack of env. The CLI finds the deployed live versions
// through it, so the app and the CLI must agree on it.
func (c *Config) StackName(env string) string { return c.Project + "-" + env }

// CodeDeployApplication is the CodeDeploy application holding env's deployment groups;
// it is named like the stack so that the CLI can find in-flight deployments without
// reading the template.
func (c *Config) CodeDeployApplication(env string) string { return c.StackName(env) }

// Function returns the named function. The error is a *NotFoundError listing the known
// functions.
func (e *Env) Function(name string) (*Function, error) {
	names := make([]string, len(e.Functions))
	for i := range e.Functions {
		if e.Functions[i].Name == name {
			return &e.Functions[i], nil
		}
		names[i] = e.Functions[i].Name
	}
	return nil, &NotFoundError{Kind: "function", Name: name, Known: names}
}

// OutputKey is the stack output that records the live version the stack last deployed,
// which the CLI reads back. Output names must be alphanumeric, so "order-api" becomes
// "LiveVersionOrderApi"; Parse refuses two functions that would share one.
func (f Function) OutputKey() string { return stackoutputs.OutputKey(f.Name) }

// TagOrDigest is what follows the repository in an image reference, the form CDK's
// DockerImageCode.fromEcr takes.
func (i Image) TagOrDigest() string {
	if i.Digest != "" {
		return i.Digest
	}
	return i.Tag
}

// RepositoryName is the ECR repository name, without the registry host when Repository
// is a full URI.
func (i Image) RepositoryName() string {
	if m := repoURIRe.FindStringSubmatch(i.Repository); m != nil {
		return m[3]
	}
	return i.Repository
}

// RepositoryLocation is the account and region of the repository: those of a full URI,
// else the env's own (a bare name is a repository in the env's account and region).
func (i Image) RepositoryLocation(envAccount, envRegion string) (account, region string) {
	if m := repoURIRe.FindStringSubmatch(i.Repository); m != nil {
		return m[1], m[2]
	}
	return envAccount, envRegion
}

// URI is the full image reference Lambda deploys, by digest ("...@sha256:...") or tag.
func (i Image) URI(envAccount, envRegion string) string {
	account, region := i.RepositoryLocation(envAccount, envRegion)
	host := account + ".dkr.ecr." + region + ".amazonaws.com"
	if strings.HasPrefix(region, "cn-") {
		host += ".cn"
	}
	ref := host + "/" + i.RepositoryName()
	if i.Digest != "" {
		return ref + "@" + i.Digest
	}
	return ref + ":" + i.Tag
}
