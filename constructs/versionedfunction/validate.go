package versionedfunction

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/internal/lambdarules"
)

// facts are what New reads of the function before validating: the physical name (from
// Props, FunctionOptions or a Function of one's own), the architecture and, when an alarm
// needs it, the timeout.
type facts struct {
	name        string
	nameIsToken bool
	arch        Architecture
	// timeout in seconds; 0 when not read (no p99 threshold) or a token.
	timeout float64
}

func readFacts(p *Props, ss *stackScope) (facts, []string) {
	var f facts
	needTimeout := p.Deployment != nil && p.Deployment.Thresholds.P99Duration != nil
	if p.Function != nil {
		cfn, ok := p.Function.Node().DefaultChild().(awslambda.CfnFunction)
		if !ok {
			return f, []string{fmt.Sprintf("Function: %s has no AWS::Lambda::Function as its default child; want a function declared in this app, such as awslambda.NewFunction's", *p.Function.Node().Path())}
		}
		if n := cfn.FunctionName(); n != nil {
			f.name = *n
		}
		if isToken(f.name) {
			// A function without a name still gets a token here (CDK's lazy physical name),
			// which resolves to nothing; a name from a parameter resolves to a reference.
			switch r := awscdk.Stack_Of(p.Function).Resolve(f.name).(type) {
			case nil:
				f.name = ""
			case string:
				f.name = r
			}
		}
		if f.name == "" {
			return f, []string{fmt.Sprintf("Function: %s has no explicit FunctionName; set FunctionName in its props: the golive CLI finds functions by name, and a name CloudFormation generates changes when the function is replaced", *p.Function.Node().Path())}
		}
		if needTimeout {
			f.timeout = 3
			if t := cfn.Timeout(); t != nil {
				f.timeout = *t
			}
		}
	} else {
		f.name, f.arch = p.FunctionName, p.Architecture
		if fo := p.FunctionOptions; fo != nil {
			if fo.FunctionName != nil && p.FunctionName == "" {
				f.name = *fo.FunctionName
			}
			if f.arch == "" {
				f.arch = optionsArchitecture(fo)
			}
			if needTimeout && fo.Timeout != nil && p.Timeout == nil {
				f.timeout = ss.timeoutSeconds(fo.Timeout)
			}
		}
		if needTimeout && f.timeout == 0 {
			f.timeout = ss.timeoutSeconds(p.Timeout)
		}
	}
	f.nameIsToken = isToken(f.name)
	if f.nameIsToken || isTokenNumber(f.timeout) {
		f.timeout = 0
	}
	return f, nil
}

// isToken reports whether s is (or holds) an unresolved token. The substring test spares
// the jsii round trip for the ordinary literal.
func isToken(s string) bool {
	return strings.Contains(s, "${Token[") && *awscdk.Token_IsUnresolved(jsii.String(s))
}

// isTokenNumber reports a number token: CDK encodes those as huge negative doubles.
func isTokenNumber(f float64) bool { return f < 0 }

// unresolvedNumber tells a number CloudFormation resolves (a token, which CDK encodes as
// an odd float) from a bad value; asked only of a value that breaks a rule.
func unresolvedNumber(f float64) bool { return *awscdk.Token_IsUnresolved(f) }

func validate(p *Props, f facts, ss *stackScope) []string {
	var problems []string
	add := func(format string, a ...any) { problems = append(problems, fmt.Sprintf(format, a...)) }
	var sources []string
	for _, s := range []struct {
		name string
		set  bool
	}{{"Entry", p.Entry != ""}, {"Image", p.Image != nil}, {"Function", p.Function != nil}} {
		if s.set {
			sources = append(sources, s.name)
		}
	}
	switch len(sources) {
	case 0:
		add("Entry, Image or Function: none is set; set Entry to a Go main package directory, Image to an ECR image by digest or Function to a function of your own")
	case 1:
	case 2:
		add("%s: both set; set exactly one of Entry, Image and Function", strings.Join(sources, " and "))
	default:
		add("Entry, Image and Function: all set; set exactly one")
	}
	if p.Function != nil {
		for _, o := range []struct {
			field string
			set   bool
		}{
			{"Architecture", p.Architecture != ""}, {"MemorySize", p.MemorySize != nil}, {"Timeout", p.Timeout != nil},
			{"Description", p.Description != ""}, {"Environment", len(p.Environment) > 0},
			{"FunctionOptions", p.FunctionOptions != nil}, {"Build", p.Build != nil},
		} {
			if o.set {
				add("%s: set with Function; set it in the function's own props", o.field)
			}
		}
		if p.FunctionName != "" && f.name != "" && p.FunctionName != f.name {
			add("FunctionName: got %q, but Function's FunctionName is %q; leave it empty or set the same name", p.FunctionName, f.name)
		}
	} else if !f.nameIsToken && !lambdarules.ValidFunctionName(f.name) {
		add("FunctionName: got %q; want %s", f.name, lambdarules.FunctionName.Allowed)
	}
	if fo := p.FunctionOptions; fo != nil {
		for _, o := range []struct {
			field, option string
			both          bool
		}{
			{"FunctionName", "FunctionName", p.FunctionName != "" && fo.FunctionName != nil},
			{"Architecture", "Architecture", p.Architecture != "" && fo.Architecture != nil},
			{"MemorySize", "MemorySize", p.MemorySize != nil && fo.MemorySize != nil},
			{"Timeout", "Timeout", p.Timeout != nil && fo.Timeout != nil},
			{"Description", "Description", p.Description != "" && fo.Description != nil},
			{"Environment", "Environment", len(p.Environment) > 0 && fo.Environment != nil},
		} {
			if o.both {
				add("%s and FunctionOptions.%s: both set; set one of them", o.field, o.option)
			}
		}
		if fo.Environment != nil {
			// A token counts for nothing: its size is unknown until deploy.
			vars := map[string]string{}
			for k, v := range *fo.Environment {
				if isToken(k) {
					continue
				}
				vars[k] = ""
				if v != nil && !isToken(*v) {
					vars[k] = *v
				}
			}
			problems = append(problems, validateEnvironment("FunctionOptions.Environment", vars)...)
		}
	}
	problems = append(problems, validateEnvironment("Environment", p.Environment)...)
	if p.Build != nil {
		if p.Entry == "" {
			add("Build: set without Entry; it adjusts the Go build of an Entry function only")
		} else {
			problems = append(problems, validateBuild(p.Build)...)
		}
	}
	switch p.RemovalPolicy {
	case "", awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_DESTROY, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE:
	default:
		add("RemovalPolicy: got %q; want RemovalPolicy_RETAIN (%q), RemovalPolicy_DESTROY (%q) or RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE (%q)",
			p.RemovalPolicy, awscdk.RemovalPolicy_RETAIN, awscdk.RemovalPolicy_DESTROY, awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)
	}
	if d := p.Deployment; d != nil && d.Thresholds.P99Duration != nil && f.timeout > 0 {
		if ms, ok := ss.millis(d.Thresholds.P99Duration); ok && ms > f.timeout*1000 {
			add("Deployment.Thresholds.P99Duration: got %s, above the function's timeout of %g s; want at most the timeout, or the term can never breach", durationString(d.Thresholds.P99Duration), f.timeout)
		}
	}
	switch {
	case p.Entry != "":
	case p.Image != nil && p.Image.Digest != "" && p.Image.Tag != "":
		add("Image: both Digest and Tag are set (%q, %q); set exactly one", p.Image.Digest, p.Image.Tag)
	case p.Image != nil && p.Image.Tag != "" && p.LiveVersion != "":
		add("Image.Tag: got %q with LiveVersion %q; a pinned function takes its image by digest, so the promoted bytes are the tested ones", p.Image.Tag, p.LiveVersion)
	case p.Image != nil && p.Image.Tag == "" && !lambdarules.ValidDigest(p.Image.Digest):
		add("Image.Digest: got %q; want %s", p.Image.Digest, lambdarules.ImageDigest.Allowed)
	}
	if p.Architecture != "" && p.Architecture != Arm64 && p.Architecture != X86_64 {
		add("Architecture: got %q; want %q or %q", p.Architecture, Arm64, X86_64)
	}
	if m := p.MemorySize; m != nil && (*m < lambdarules.MinMemoryMB || *m > lambdarules.MaxMemoryMB || *m != math.Trunc(*m)) && !unresolvedNumber(*m) {
		add("MemorySize: got %g; want %s", *m, lambdarules.MemoryMB.Allowed)
	}
	if p.Timeout != nil {
		if ms, ok := ss.millis(p.Timeout); ok && (ms < 1000 || ms > lambdarules.MaxTimeoutS*1000 || math.Mod(ms, 1000) != 0) {
			add("Timeout: got %s; want whole seconds: %s", durationString(p.Timeout), lambdarules.TimeoutS.Allowed)
		}
	}
	if n := utf8.RuneCountInString(p.Description); n > lambdarules.MaxDescription {
		add("Description: got %d characters; want %s", n, lambdarules.Description.Allowed)
	}
	// No token: the name is part of the rollback alarm's name and the metrics' dimensions,
	// which synth writes.
	if p.AliasName != "" && !lambdarules.ValidAliasName(p.AliasName) {
		add("AliasName: got %q; want %s, known at synth (no token), or \"\" for %s", p.AliasName, lambdarules.AliasName.Allowed, DefaultAliasName)
	}
	if p.LiveVersion != "" && !lambdarules.ValidVersion(p.LiveVersion) && !isToken(p.LiveVersion) {
		add("LiveVersion: got %q; want \"\" ($LATEST) or %s", p.LiveVersion, lambdarules.Version.Allowed)
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
		case !lambdarules.ValidVersion(w.Version) && !isToken(w.Version):
			add("Additional.Version: got %q; want %s", w.Version, lambdarules.Version.Allowed)
		case w.Version == p.LiveVersion:
			add("Additional.Version: got %q, the LiveVersion itself; want another version", w.Version)
		}
		if w.Weight == nil {
			add("Additional.Weight: not set; want %s", lambdarules.Weight.Allowed)
		} else if !lambdarules.ValidWeight(*w.Weight) {
			add("Additional.Weight: got %g; want %s", *w.Weight, lambdarules.Weight.Allowed)
		}
		if p.Deployment != nil && p.LiveVersion != "" {
			add("Additional: set together with Deployment; an alias left split makes CodeDeploy deployments fail, so drop Deployment (deployment type None)")
		}
	}
	if pc := p.ProvisionedConcurrentExecutions; pc != nil {
		switch {
		case (*pc < 0 || *pc != math.Trunc(*pc)) && unresolvedNumber(*pc):
		case *pc < 0 || *pc != math.Trunc(*pc) || (*pc > 0 && p.LiveVersion == ""):
			add("ProvisionedConcurrentExecutions: got %g; want 0, or a positive whole number with a pinned LiveVersion (Lambda refuses it on $LATEST)", *pc)
		case *pc > 0 && p.Additional != nil:
			add("ProvisionedConcurrentExecutions: got %g with Additional; Lambda does not manage provisioned concurrency on an alias split between two versions: drop one of the two", *pc)
		}
	}
	problems = append(problems, validateDeployment(p.Deployment, ss)...)
	problems = append(problems, validateAdopt(p)...)
	problems = append(problems, ss.validateShift(p.Deployment)...)
	return problems
}

// validateEnvironment checks a function's variables against Lambda's rules: each name, and
// all names and values together.
func validateEnvironment(field string, vars map[string]string) []string {
	var problems []string
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		if !lambdarules.ValidEnvVarName(k) {
			problems = append(problems, fmt.Sprintf("%s: key %q; want %s", field, k, lambdarules.EnvVarName.Allowed))
		}
	}
	if size := lambdarules.EnvironmentBytes(vars); size > lambdarules.MaxEnvironmentBytes {
		problems = append(problems, fmt.Sprintf("%s: got %d bytes of names and values; want %s", field, size, lambdarules.EnvironmentSize.Allowed))
	}
	return problems
}

// validateShift checks a custom traffic shift declared in this app (awscodedeploy's
// NewLambdaDeploymentConfig) against CodeDeploy's rules. A predefined config is within them,
// and one imported by name cannot be read at synth.
func validateShift(d *Deployment) []string {
	if d == nil || d.Config == nil {
		return nil
	}
	// A predefined config is no construct (CDK refuses its Node()).
	c, ok := d.Config.(constructs.IConstruct)
	if !ok || !*constructs.Construct_IsConstruct(d.Config) {
		return nil
	}
	cfn, ok := c.Node().DefaultChild().(awscodedeploy.CfnDeploymentConfig)
	if !ok {
		return nil
	}
	// Resolved, the routing is the template's JSON; a value left a token (a parameter) is
	// not a number and skips the check.
	routing, _ := awscdk.Stack_Of(c).Resolve(cfn.TrafficRoutingConfig()).(map[string]any)
	for _, r := range []struct {
		key, percent, interval string
		linear                 bool
	}{
		{"timeBasedCanary", "canaryPercentage", "canaryInterval", false},
		{"timeBasedLinear", "linearPercentage", "linearInterval", true},
	} {
		shift, _ := routing[r.key].(map[string]any)
		pct, okP := shift[r.percent].(float64)
		interval, okI := shift[r.interval].(float64)
		if !okP || !okI {
			continue
		}
		if err := lambdarules.CheckShift(r.linear, int(pct), int(interval)); err != nil {
			return []string{fmt.Sprintf("Deployment.Config: %s: %s", *c.Node().Path(), err)}
		}
	}
	return nil
}

func joinProblems(problems []string) string {
	s := problems[0]
	for _, p := range problems[1:] {
		s += "; " + p
	}
	return s
}

// checkOwnFunction refuses a Function of one's own that lives in another stack or already
// has a version declared: a stack update would then publish versions besides the CLI's and
// fail with "version already exists" (aws/aws-cdk#28252), or delete one that serves traffic.
func checkOwnFunction(stack awscdk.Stack, fn awslambda.Function) []string {
	if other := awscdk.Stack_Of(fn); other != stack {
		return []string{fmt.Sprintf("Function: %s is in stack %s, not in this construct's stack %s; declare both in one stack", *fn.Node().Path(), *other.StackName(), *stack.StackName())}
	}
	if path := versionOf(fn, versionsOf(stack)); path != "" {
		return []string{versionProblem(fn, path)}
	}
	return nil
}

func versionProblem(fn awslambda.Function, path string) string {
	return fmt.Sprintf("Function: %s has an AWS::Lambda::Version (%s); want a function without one: no CurrentVersion(), AddAlias() or awslambda.NewVersion for it, since golive's CLI publishes the versions", *fn.Node().Path(), path)
}

// versionsOf are the AWS::Lambda::Versions of stack.
func versionsOf(stack awscdk.Stack) []awslambda.CfnVersion {
	var out []awslambda.CfnVersion
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if v, ok := c.(awslambda.CfnVersion); ok {
			out = append(out, v)
		}
	}
	return out
}

// versionOf returns the path of the version of fn among versions, or "". CDK's Version and
// CurrentVersion() both declare a CfnVersion naming the function by fn.FunctionName().
func versionOf(fn awslambda.Function, versions []awslambda.CfnVersion) string {
	if len(versions) == 0 {
		return ""
	}
	name := *fn.FunctionName()
	var physical string
	if cfn, ok := fn.Node().DefaultChild().(awslambda.CfnFunction); ok && cfn.FunctionName() != nil {
		physical = *cfn.FunctionName()
	}
	for _, v := range versions {
		if n := v.FunctionName(); n != nil && (*n == name || *n == physical) {
			return *v.Node().Path()
		}
	}
	return ""
}
