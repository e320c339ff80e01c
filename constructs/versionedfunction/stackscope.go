package versionedfunction

import (
	"reflect"
	"strings"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// stackScope is what the VersionedFunctions of one stack share while the app is built:
// the names and output keys already taken, the shared constructs declared and the jsii values
// already fetched. It is a construct of the stack (without resources), found again in the
// construct tree, so it lives exactly as long as the stack and its jsii kernel: no
// package-level registry holds jsii references past jsii.Close or a second app.
type stackScope struct {
	constructs.Construct

	// path is the scope's own path, stackPath its stack's ("" for a stack at the root).
	path, stackPath string
	// st is the stack; facts its account, region and name, read once.
	st    awscdk.Stack
	facts *stackFacts
	// names is the app's record of function names (synthchecks.go).
	names *appNames
	mu    sync.Mutex
	// functionNames and outputKeys map what a VersionedFunction claimed to its path.
	functionNames map[string]string
	outputKeys    map[string]string
	// hooks are the shipped hooks by the path of the construct holding them.
	hooks   map[string]*Hooks
	seconds map[float64]awscdk.Duration
	// published records the publish grants on notification topics (notify.go).
	published map[publishGrant]bool
	// dashboard is the stack's release dashboard, once declared (dashboard.go).
	dashboard *ReleaseDashboard
	// aliases checks, at synth, that no function carries a second alias of golive's name.
	aliases *aliasCheck
	// mappingIDs gives adopted event source mappings their logical IDs at synth (adopt.go).
	mappingIDs *mappingIDs
	// errors are the synth errors reported in the stack (Errors), under their own lock:
	// they are reported while mu may be held.
	errMu  sync.Mutex
	errors []string
	// jsii statics are round trips to Node; a stack of a hundred functions asks for the
	// same few values hundreds of times. So are reads of a Duration (two each), the
	// check of a deployment config and the lookup of the shared CodeDeploy pair (seven),
	// which every function of a stack repeats on the same values.
	millisRead        map[awscdk.Duration]durationRead
	shifts            map[awscodedeploy.ILambdaDeploymentConfig][]string
	sharedPair        *Shared
	al2023, fromImage awslambda.Runtime
	arm64, x86        awslambda.Architecture
}

// stackScopeID is the id of the stackScope at the stack's root.
const stackScopeID = "GoliveVersionedFunctions"

type durationRead struct {
	ms float64
	ok bool
}

// scopeOf returns the stackScope of stack, declaring it on first use. jsii hands back the
// Go value a construct was created from, so the lookup costs one round trip.
func scopeOf(stack awscdk.Stack) *stackScope {
	if c, ok := stack.Node().TryFindChild(jsii.String(stackScopeID)).(*stackScope); ok {
		return c
	}
	s := &stackScope{
		functionNames: map[string]string{},
		outputKeys:    map[string]string{},
		hooks:         map[string]*Hooks{},
		seconds:       map[float64]awscdk.Duration{},
		millisRead:    map[awscdk.Duration]durationRead{},
		shifts:        map[awscodedeploy.ILambdaDeploymentConfig][]string{},
		st:            stack,
	}
	constructs.NewConstruct_Override(s, stack, jsii.String(stackScopeID))
	s.path = *s.Node().Path()
	s.stackPath = strings.TrimSuffix(strings.TrimSuffix(s.path, stackScopeID), "/")
	s.aliases = &aliasCheck{stack: stack}
	awscdk.Aspects_Of(s).Add(s.aliases, nil)
	return s
}

// childPath is the path of a construct declared with id on the stack itself.
func (s *stackScope) childPath(id string) string {
	if s.stackPath == "" {
		return nodeID(id)
	}
	return s.stackPath + "/" + nodeID(id)
}

// nodeID is id as the construct tree keeps it: "/" separates a path's ids, so constructs
// replaces it with "--" (constructs' Node, sanitizeId).
func nodeID(id string) string { return strings.ReplaceAll(id, "/", "--") }

// stackFacts are what the app-wide name check reads of a stack.
type stackFacts struct{ account, region, name string }

// stackFacts reads the stack's account, region and name once: they are fixed when the
// stack is declared.
func (s *stackScope) stackFacts() stackFacts {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.facts == nil {
		s.facts = &stackFacts{account: *s.st.Account(), region: *s.st.Region(), name: *s.st.StackName()}
	}
	return *s.facts
}

// ToString is Construct's (the path). jsii keeps the Go value behind a construct only for
// a type with an overriding method, and this one changes nothing.
func (s *stackScope) ToString() *string {
	if s.path == "" {
		return jsii.String(stackScopeID)
	}
	return jsii.String(s.path)
}

// claim records that path uses key in m and returns the path that already did, if any.
func (s *stackScope) claim(m map[string]string, key, path string) (taken string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if p, ok := m[key]; ok {
		return p
	}
	m[key] = path
	return ""
}

// once returns *v, fetching it with get on first use.
func once[T any](s *stackScope, v *T, get func() T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	var zero T
	if any(*v) == any(zero) {
		*v = get()
	}
	return *v
}

func (s *stackScope) runtimeAL2023() awslambda.Runtime {
	return once(s, &s.al2023, awslambda.Runtime_PROVIDED_AL2023)
}

func (s *stackScope) runtimeFromImage() awslambda.Runtime {
	return once(s, &s.fromImage, awslambda.Runtime_FROM_IMAGE)
}

func (s *stackScope) architecture(a Architecture) awslambda.Architecture {
	if a == X86_64 {
		return once(s, &s.x86, awslambda.Architecture_X86_64)
	}
	return once(s, &s.arm64, awslambda.Architecture_ARM_64)
}

func (s *stackScope) duration(seconds float64) awscdk.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.seconds[seconds]
	if !ok {
		d = awscdk.Duration_Seconds(jsii.Number(seconds))
		s.seconds[seconds] = d
	}
	return d
}

// millis is the package's millis, read once per Duration value (jsii hands back the same
// Go value for the same object, and a Duration is immutable). A nil s reads every time.
func (s *stackScope) millis(d awscdk.Duration) (float64, bool) {
	if s == nil || !mapKey(d) {
		return millis(d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.millisRead[d]
	if !ok {
		r.ms, r.ok = millis(d)
		s.millisRead[d] = r
	}
	return r.ms, r.ok
}

// mapKey reports whether v may key a map: jsii's values are pointers, but a value of
// the user's own type implementing the interface may not be.
func mapKey(v any) bool { return reflect.TypeOf(v).Comparable() }

// validateShift is the package's validateShift, once per deployment config: a config and
// its traffic routing do not change once declared. A nil s checks every time.
func (s *stackScope) validateShift(d *Deployment) []string {
	if s == nil || d == nil || d.Config == nil || !mapKey(d.Config) {
		return validateShift(d)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	problems, ok := s.shifts[d.Config]
	if !ok {
		problems = validateShift(d)
		s.shifts[d.Config] = problems
	}
	return problems
}

// shared is SharedOf(scope, nil) for a construct of this scope's stack, looked up once.
func (s *stackScope) shared(scope constructs.Construct) *Shared {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.sharedPair == nil {
		s.sharedPair = SharedOf(scope, nil)
	}
	return s.sharedPair
}

// hooksOf returns the Hooks whose functions are children of parent, one per parent.
func (s *stackScope) hooksOf(parent constructs.Construct) *Hooks {
	path := *parent.Node().Path()
	s.mu.Lock()
	defer s.mu.Unlock()
	if h, ok := s.hooks[path]; ok {
		return h
	}
	h := newHooks(parent)
	s.hooks[path] = h
	return h
}
