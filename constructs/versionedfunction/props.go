package versionedfunction

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
)

// Props configures a VersionedFunction. The zero value of every optional field is the
// documented default; the construct never writes into the caller's Props.
type Props struct {
	// FunctionName is the physical Lambda name. Required (here or in FunctionOptions):
	// versions live on the function outside the stack, and the post-deploy CLI finds the
	// function by this name, so it must not be left to CloudFormation (a generated name
	// changes on replacement). With Function, it is read from that function and may be left
	// empty; if set, it must equal the function's.
	FunctionName string

	// Entry is the directory of a Go main package (a provided.al2023 handler), built
	// locally without Docker. Exactly one of Entry, Image and Function is set.
	Entry string
	// Image is a container image in ECR referenced by digest. Exactly one of Entry, Image
	// and Function is set.
	Image *Image
	// Function is a function of one's own: any runtime, made by any construct
	// (awslambda.NewFunction, NodejsFunction, PythonFunction, DockerImageFunction, ...).
	// It gets everything an Entry function gets: the LIVE alias, the deployment group,
	// alarm and hooks, the recorded version and RemovalPolicy. It must have an explicit
	// FunctionName (the CLI finds functions by name, and a generated name changes on
	// replacement) and no AWS::Lambda::Version (no CurrentVersion(), no AddAlias(), no
	// awslambda.NewVersion for it): versions belong to the CLI. Exactly one of Entry, Image
	// and Function is set; with Function, the function's own settings stay its own, so
	// Architecture, MemorySize, Timeout, Description, Environment, FunctionOptions and Build
	// are refused.
	Function awslambda.Function

	// FunctionOptions passes every other option of CDK's functions (Vpc, Role, Layers,
	// DeadLetterQueue, Tracing, LogGroup, ReservedConcurrentExecutions, ...) to an Entry or
	// Image function, with CDK's defaults except where this construct has its own:
	// Architecture arm64 (CDK: x86_64), and RemovalPolicy (default RETAIN) on the function
	// and its role. A field Props sets itself (FunctionName, Architecture, MemorySize,
	// Timeout, Description, Environment) is taken from either place, never both.
	// Default: nil - CDK's defaults.
	FunctionOptions *awslambda.FunctionOptions

	// Build adjusts the Go build of Entry. Default: nil - the reproducible defaults alone.
	Build *Build

	// Architecture of the function. Default: Arm64.
	Architecture Architecture
	// MemorySize of the function in MB: a whole number from 128 to 10240, as CDK's
	// FunctionProps.MemorySize. Default: 128.
	MemorySize *float64
	// Timeout of the function: whole seconds, from 1 second to 15 minutes. Default: 3
	// seconds.
	Timeout awscdk.Duration
	// Description of the function. Default: none.
	Description string
	// Environment variables of the function; keys match [a-zA-Z][a-zA-Z0-9_]+, as Lambda
	// requires. Default: none.
	Environment map[string]string

	// AliasName names the alias that clients and event sources call and that a release
	// moves: 1 to 128 letters, digits, "_" and "-", not all digits (Lambda's rule). Keep the
	// name callers already use when adopting a function that has one ("live"): renaming an
	// alias replaces it. Its construct id stays "Live" whatever the name, so the logical ID
	// does not change with it. Default: DefaultAliasName ("LIVE").
	AliasName string

	// LiveVersion is the published version the LIVE alias points at ("7"), or a token
	// CloudFormation resolves (a parameter, say), passed through unchecked. Default: ""
	// - LIVE follows $LATEST and no CodeDeploy resources are created.
	LiveVersion string
	// Rollout says who moves a pinned LIVE alias. Default: RolloutCanary when Deployment
	// is set, else RolloutDirect.
	Rollout Rollout
	// Additional routes part of LIVE's traffic to a second version. Default: none.
	// Only with a pinned LiveVersion and without Deployment: an alias left split makes
	// CodeDeploy deployments fail.
	Additional *WeightedVersion
	// ProvisionedConcurrentExecutions on the LIVE alias, as CDK's AliasOptions: a whole
	// number. Default: nil - none. Only when pinned: provisioned concurrency on $LATEST is
	// not allowed by Lambda.
	ProvisionedConcurrentExecutions *float64

	// Deployment configures the CodeDeploy deployment group used when LIVE is pinned; on a
	// function that follows $LATEST it is ignored, with a warning. Default: nil - no
	// deployment group; CloudFormation moves the alias directly.
	Deployment *Deployment

	// DisableDashboard leaves the function out of its stack's release dashboard
	// (ReleaseDashboardOf). Default: false - a pinned function adds its row of graphs to
	// the stack's dashboard, which the first one declares; a function that follows $LATEST
	// adds nothing. A dashboard of one's own takes it with ReleaseDashboard.AddFunction.
	DisableDashboard bool

	// RemovalPolicy of the function and its execution role. Default: RemovalPolicy_RETAIN -
	// both are kept when the stack is deleted, since deleting a function deletes every
	// version it published. RemovalPolicy_DESTROY suits throwaway environments;
	// RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE is accepted too. With Function, it applies to
	// that function and the role it created.
	RemovalPolicy awscdk.RemovalPolicy

	// Adopt keeps the logical IDs and names of a deployed function, alias, event source
	// mappings and deployment group that this construct takes over from CDK's
	// CurrentVersion, Alias and LambdaDeploymentGroup or SAM's AutoPublishAlias (see Adopt
	// and docs/migration.md). Default: nil - golive's own logical IDs and names.
	Adopt *Adopt
}

// Image is a container image in ECR. Pinned functions take it by digest, so the bytes
// promoted from one environment to the next are the bytes that were tested; a mutable
// tag is accepted only while LIVE follows $LATEST.
type Image struct {
	// Repository is the ECR repository name.
	Repository string
	// Account and Region of the repository, for images built once in a tooling account
	// and promoted. Default: the stack's account and region.
	Account, Region string
	// Digest is "sha256:" followed by 64 hex digits. Exactly one of Digest and Tag is set.
	Digest string
	// Tag is a mutable tag, refused when LiveVersion is pinned.
	Tag string
}

// Build adjusts the Go build of an Entry function. The reproducible defaults always hold:
// CGO_ENABLED=0, -trimpath, -buildvcs=false, -ldflags=-buildid= and the lambda.norpc tag;
// what is set here is added to them, and every field is part of the build key, so a
// change rebuilds.
type Build struct {
	// Tags are extra build tags. Default: none (lambda.norpc alone).
	Tags []string
	// LDFlags are extra linker flags, e.g. "-s -w -X main.version=1.2.3", added after
	// -buildid=. Default: none.
	LDFlags string
	// Env holds extra environment variables of the go command, e.g. GOFLAGS, GOPRIVATE,
	// GOPROXY or GOEXPERIMENT; GOFLAGS is added to the default -mod=readonly. GOOS, GOARCH
	// (set from Architecture) and CGO_ENABLED are the construct's and refused. Default:
	// the environment of the synth alone.
	Env map[string]string
}

// Architecture is the instruction set of the function.
type Architecture string

const (
	// Arm64 (Graviton) is the default: cheaper per GB-second for Go handlers.
	Arm64 Architecture = "arm64"
	// X86_64 is the classic architecture.
	X86_64 Architecture = "x86_64"
)

// Rollout says who moves a pinned LIVE alias.
type Rollout string

const (
	// RolloutCanary hands the alias move to CodeDeploy through the alias's
	// CodeDeployLambdaAliasUpdate update policy.
	RolloutCanary Rollout = "canary"
	// RolloutDirect lets CloudFormation move the alias itself. Required for the first pin:
	// CodeDeploy's AppSpec accepts only positive-integer versions, never $LATEST. Also used
	// to re-record a version after an emergency rollback moved the alias outside the stack.
	RolloutDirect Rollout = "direct"
)

// WeightedVersion is a second version receiving Weight (more than 0, less than 1) of LIVE's
// traffic, as CDK's VersionWeight.
type WeightedVersion struct {
	// Version is the published version, a positive integer ("6").
	Version string
	// Weight is its share of LIVE's traffic, more than 0 and less than 1 (jsii.Number(0.1)).
	Weight *float64
}

// Deployment configures CodeDeploy for a pinned function.
