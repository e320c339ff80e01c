package versionedfunction

import (
	"fmt"
	"regexp"
)

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
	problems = append(problems, validateDeployment(p.Deployment)...)
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
