// Package rulecases holds the cases that config's tests and the VersionedFunction
// construct's tests both run, one or more for each rule of internal/lambdarules: the same
// function, written once as config.json and once as construct props, must be accepted or
// refused alike. A rule changed in config or in the construct alone fails one of the two.
//
// Function describes only what both sides can say; each side's test translates it.
package rulecases

import (
	"strings"

	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// Function is one function as config.json and the construct's Props both say it. The zero
// value of a field means unset: the side's own default.
type Function struct {
	FunctionName string
	// Alias "" is the default, LIVE.
	Alias string
	// LiveVersion "" follows $LATEST.
	LiveVersion string
	Rollout     string
	MemoryMB    int
	TimeoutS    int
	Description string
	Environment map[string]string
	// ImageDigest or ImageTag make an image function (repository "golive/worker"); else the
	// function is built from the Go package functions/worker.
	ImageDigest, ImageTag string
	Additional            *Split
	Provisioned           int
	// Deployment nil is no CodeDeploy: config's deployment type "None", the construct's nil
	// Deployment.
	Deployment *Deployment
}

// Split is a weighted second version.
type Split struct {
	Version string
	Weight  float64
}

// Deployment is a CodeDeploy traffic shift and what judges it.
type Deployment struct {
	// Shift nil is the predefined Canary10Percent5Minutes.
	Shift             *Shift
	ErrorRatePercent  *float64
	P99DurationMs     *float64
	ErrorRateRelative bool
	MinInvocations    *float64
	// ExtraAlarms is how many existing alarms, named extra-1, extra-2, ..., also roll back.
	ExtraAlarms     int
	Smoke           bool
	BakeMinutes     int
	PreTrafficHook  string
	PostTrafficHook string
}

// Shift is a custom canary or linear shift.
type Shift struct {
	Linear          bool
	Percent         int
	IntervalMinutes int
}

// A Case is a function that a rule accepts or refuses.
type Case struct {
	Name    string
	Rule    string // a lambdarules Rule's ID
	Refused bool
	Function
}

// Base is a function every rule accepts: pinned, released by the default canary and
// judged on its error rate.
func Base() Function {
	return Function{
		FunctionName: "demo-prd-worker",
		LiveVersion:  "7",
		Deployment:   &Deployment{ErrorRatePercent: ptr(1)},
	}
}

func ptr(x float64) *float64 { return &x }

// Cases lists the cases, each a change of Base.
func Cases() []Case {
	var cs []Case
	add := func(rule, name string, refused bool, change func(f *Function)) {
		f := Base()
		if f.Deployment != nil {
			d := *f.Deployment
			f.Deployment = &d
		}
		change(&f)
		cs = append(cs, Case{Name: rule + "/" + name, Rule: rule, Refused: refused, Function: f})
	}
	dep := func(change func(d *Deployment)) func(f *Function) {
		return func(f *Function) { change(f.Deployment) }
	}
	noCodeDeploy := func(change func(f *Function)) func(f *Function) {
		return func(f *Function) { f.Deployment = nil; change(f) }
	}
	shift := func(linear bool, pct, interval int) func(f *Function) {
		return dep(func(d *Deployment) { d.Shift = &Shift{Linear: linear, Percent: pct, IntervalMinutes: interval} })
	}
	const (
		ok      = false
		refused = true
	)

	add(lambdarules.FunctionName.ID, "space", refused, func(f *Function) { f.FunctionName = "demo worker" })
	add(lambdarules.FunctionName.ID, "64 characters", ok, func(f *Function) { f.FunctionName = strings.Repeat("w", 64) })
	add(lambdarules.FunctionName.ID, "65 characters", refused, func(f *Function) { f.FunctionName = strings.Repeat("w", 65) })

	add(lambdarules.HookFunction.ID, "space", refused, dep(func(d *Deployment) { d.PreTrafficHook = "demo check" }))
	add(lambdarules.HookFunction.ID, "65 characters", refused, dep(func(d *Deployment) { d.PostTrafficHook = strings.Repeat("h", 65) }))
	add(lambdarules.HookFunction.ID, "qualified ARN", refused, dep(func(d *Deployment) {
		d.PreTrafficHook = "arn:aws:lambda:eu-west-1:333333333333:function:demo-check:LIVE"
	}))
	add(lambdarules.HookFunction.ID, "ARN", ok, dep(func(d *Deployment) {
		d.PreTrafficHook = "arn:aws:lambda:eu-west-1:333333333333:function:demo-check"
	}))
	add(lambdarules.AliasName.ID, "live", ok, func(f *Function) { f.Alias = "live" })
	add(lambdarules.AliasName.ID, "digits and a letter", ok, func(f *Function) { f.Alias = "2024a" })
	add(lambdarules.AliasName.ID, "128 characters", ok, func(f *Function) { f.Alias = strings.Repeat("a", 128) })
	add(lambdarules.AliasName.ID, "129 characters", refused, func(f *Function) { f.Alias = strings.Repeat("a", 129) })
	add(lambdarules.AliasName.ID, "digits only", refused, func(f *Function) { f.Alias = "7" })
	add(lambdarules.AliasName.ID, resourcenames.Latest, refused, func(f *Function) { f.Alias = resourcenames.Latest })
	add(lambdarules.AliasName.ID, "space", refused, func(f *Function) { f.Alias = "my live" })
	add(lambdarules.AliasName.ID, "colon", refused, func(f *Function) { f.Alias = "live:1" })
	add(lambdarules.Version.ID, "leading zero", refused, func(f *Function) { f.LiveVersion = "07" })
	add(lambdarules.Version.ID, "zero", refused, func(f *Function) { f.LiveVersion = "0" })
	add(lambdarules.Version.ID, "15 digits", ok, func(f *Function) { f.LiveVersion = "123456789012345" })
	add(lambdarules.Version.ID, "16 digits", refused, func(f *Function) { f.LiveVersion = "1234567890123456" })
	add(lambdarules.Version.ID, "split version", refused, noCodeDeploy(func(f *Function) { f.Additional = &Split{Version: "06", Weight: 0.1} }))

	for _, name := range lambdarules.ReservedEnvVars {
		add(lambdarules.EnvVarName.ID, "reserved "+name, refused, func(f *Function) { f.Environment = map[string]string{name: "x"} })
	}
	add(lambdarules.EnvVarName.ID, "one letter", refused, func(f *Function) { f.Environment = map[string]string{"A": "x"} })
	add(lambdarules.EnvVarName.ID, "leading digit", refused, func(f *Function) { f.Environment = map[string]string{"1A": "x"} })
	add(lambdarules.EnvVarName.ID, "leading underscore", refused, func(f *Function) { f.Environment = map[string]string{"_HANDLER": "x"} })
	add(lambdarules.EnvVarName.ID, "TZ", ok, func(f *Function) { f.Environment = map[string]string{"TZ": "Europe/Paris"} })
	add(lambdarules.EnvVarName.ID, "AWS_ prefix not reserved", ok, func(f *Function) { f.Environment = map[string]string{"AWS_XRAY_CONTEXT_MISSING": "LOG_ERROR"} })

	add(lambdarules.EnvironmentSize.ID, "4096 bytes", ok, func(f *Function) {
		f.Environment = map[string]string{"BIG": strings.Repeat("x", 4093)}
	})
	add(lambdarules.EnvironmentSize.ID, "4097 bytes", refused, func(f *Function) {
		f.Environment = map[string]string{"BIG": strings.Repeat("x", 4090), "MORE": "y"}
	})

	add(lambdarules.MemoryMB.ID, "127", refused, func(f *Function) { f.MemoryMB = 127 })
	add(lambdarules.MemoryMB.ID, "10240", ok, func(f *Function) { f.MemoryMB = 10240 })
	add(lambdarules.MemoryMB.ID, "10241", refused, func(f *Function) { f.MemoryMB = 10241 })
	add(lambdarules.TimeoutS.ID, "900", ok, func(f *Function) { f.TimeoutS = 900 })
	add(lambdarules.TimeoutS.ID, "901", refused, func(f *Function) { f.TimeoutS = 901 })
	add(lambdarules.Description.ID, "256", ok, func(f *Function) { f.Description = strings.Repeat("d", 256) })
	add(lambdarules.Description.ID, "257", refused, func(f *Function) { f.Description = strings.Repeat("d", 257) })

	add(lambdarules.ImageDigest.ID, "digest", ok, func(f *Function) { f.ImageDigest = "sha256:" + strings.Repeat("0a", 32) })
	add(lambdarules.ImageDigest.ID, "short", refused, func(f *Function) { f.ImageDigest = "sha256:0a" })
	add(lambdarules.ImageDigest.ID, "upper case", refused, func(f *Function) { f.ImageDigest = "sha256:" + strings.Repeat("0A", 32) })

	add(lambdarules.Weight.ID, "half", ok, noCodeDeploy(func(f *Function) { f.Additional = &Split{Version: "6", Weight: 0.5} }))
	add(lambdarules.Weight.ID, "one", refused, noCodeDeploy(func(f *Function) { f.Additional = &Split{Version: "6", Weight: 1} }))
	add(lambdarules.Weight.ID, "zero", refused, noCodeDeploy(func(f *Function) { f.Additional = &Split{Version: "6", Weight: 0} }))

	add(lambdarules.ShiftPercent.ID, "canary 99", ok, shift(false, 99, 5))
	add(lambdarules.ShiftPercent.ID, "canary 100", refused, shift(false, 100, 5))
	add(lambdarules.ShiftPercent.ID, "canary 0", refused, shift(false, 0, 5))
	add(lambdarules.ShiftPercent.ID, "linear 50", ok, shift(true, 50, 5))
	add(lambdarules.ShiftPercent.ID, "linear 51", refused, shift(true, 51, 5))

	add(lambdarules.ShiftTotal.ID, "canary 48 hours", ok, shift(false, 10, 2880))
	add(lambdarules.ShiftTotal.ID, "canary 48 hours and a minute", refused, shift(false, 10, 2881))
	add(lambdarules.ShiftTotal.ID, "interval 0", refused, shift(false, 10, 0))
	add(lambdarules.ShiftTotal.ID, "linear 10% 9 x 320 minutes", ok, shift(true, 10, 320))
	add(lambdarules.ShiftTotal.ID, "linear 10% 9 x 321 minutes", refused, shift(true, 10, 321))
	add(lambdarules.ShiftTotal.ID, "linear 1% 99 x 29 minutes", ok, shift(true, 1, 29))
	add(lambdarules.ShiftTotal.ID, "linear 1% 99 x 30 minutes", refused, shift(true, 1, 30))
	add(lambdarules.ShiftTotal.ID, "linear 30% 3 x 960 minutes", ok, shift(true, 30, 960))
	add(lambdarules.ShiftTotal.ID, "linear 30% 3 x 961 minutes", refused, shift(true, 30, 961))

	add(lambdarules.Alarms.ID, "threshold and 9 extra", ok, dep(func(d *Deployment) { d.P99DurationMs = ptr(100); d.ExtraAlarms = 9 }))
	add(lambdarules.Alarms.ID, "threshold and 10 extra", refused, dep(func(d *Deployment) { d.ExtraAlarms = 10 }))
	add(lambdarules.Alarms.ID, "10 extra", ok, dep(func(d *Deployment) { d.ErrorRatePercent = nil; d.ExtraAlarms = 10 }))

	add(lambdarules.ErrorRatePercent.ID, "100", ok, dep(func(d *Deployment) { d.ErrorRatePercent = ptr(100) }))
	add(lambdarules.ErrorRatePercent.ID, "101", refused, dep(func(d *Deployment) { d.ErrorRatePercent = ptr(101) }))
	add(lambdarules.ErrorRatePercent.ID, "0", refused, dep(func(d *Deployment) { d.ErrorRatePercent = ptr(0) }))
	add(lambdarules.P99DurationMs.ID, "0", refused, dep(func(d *Deployment) { d.P99DurationMs = ptr(0) }))
	add(lambdarules.P99DurationMs.ID, "negative", refused, dep(func(d *Deployment) { d.P99DurationMs = ptr(-5) }))
	add(lambdarules.MinInvocations.ID, "0", ok, dep(func(d *Deployment) { d.MinInvocations = ptr(0) }))
	add(lambdarules.MinInvocations.ID, "1000000", ok, dep(func(d *Deployment) { d.MinInvocations = ptr(1000000) }))
	add(lambdarules.MinInvocations.ID, "1000001", refused, dep(func(d *Deployment) { d.MinInvocations = ptr(1000001) }))
	add(lambdarules.MinInvocations.ID, "negative", refused, dep(func(d *Deployment) { d.MinInvocations = ptr(-1) }))
	add(lambdarules.MinInvocations.ID, "fraction", refused, dep(func(d *Deployment) { d.MinInvocations = ptr(1.5) }))

	add(lambdarules.SplitNeedsPin.ID, "on $LATEST", refused, noCodeDeploy(func(f *Function) {
		f.LiveVersion = ""
		f.Additional = &Split{Version: "6", Weight: 0.1}
	}))
	add(lambdarules.SplitNotLive.ID, "live version", refused, noCodeDeploy(func(f *Function) { f.Additional = &Split{Version: "7", Weight: 0.1} }))
	add(lambdarules.SplitWithoutCodeDeploy.ID, "with a canary", refused, func(f *Function) { f.Additional = &Split{Version: "6", Weight: 0.1} })
	add(lambdarules.ProvisionedNeedsPin.ID, "pinned", ok, func(f *Function) { f.Provisioned = 2 })
	add(lambdarules.ProvisionedNeedsPin.ID, "on $LATEST", refused, noCodeDeploy(func(f *Function) { f.LiveVersion = ""; f.Provisioned = 2 }))
	add(lambdarules.ProvisionedNotSplit.ID, "split", refused, noCodeDeploy(func(f *Function) {
		f.Provisioned = 2
		f.Additional = &Split{Version: "6", Weight: 0.1}
	}))
	add(lambdarules.RolloutNeedsPin.ID, "direct on $LATEST", refused, noCodeDeploy(func(f *Function) { f.LiveVersion = ""; f.Rollout = "direct" }))
	add(lambdarules.RolloutNeedsPin.ID, "direct pinned", ok, func(f *Function) { f.Rollout = "direct" })
	add(lambdarules.RolloutCanaryNeedsCodeDeploy.ID, "canary without a deployment", refused, noCodeDeploy(func(f *Function) { f.Rollout = "canary" }))
	add(lambdarules.RolloutCanaryNeedsCodeDeploy.ID, "canary", ok, func(f *Function) { f.Rollout = "canary" })
	add(lambdarules.TagNotPinned.ID, "tag pinned", refused, func(f *Function) { f.ImageTag = "v1" })
	add(lambdarules.TagNotPinned.ID, "tag on $LATEST", ok, noCodeDeploy(func(f *Function) { f.LiveVersion = ""; f.ImageTag = "v1" }))
	add(lambdarules.OnePreTrafficHook.ID, "smoke and hook", refused, dep(func(d *Deployment) { d.Smoke = true; d.PreTrafficHook = "demo-check" }))
	add(lambdarules.OnePreTrafficHook.ID, "smoke", ok, dep(func(d *Deployment) { d.Smoke = true }))
	add(lambdarules.OnePostTrafficHook.ID, "bake and hook", refused, dep(func(d *Deployment) { d.BakeMinutes = 5; d.PostTrafficHook = "demo-check" }))
	add(lambdarules.OnePostTrafficHook.ID, "bake", ok, dep(func(d *Deployment) { d.BakeMinutes = 5 }))
	add(lambdarules.BakeNeedsThreshold.ID, "no threshold", refused, dep(func(d *Deployment) { d.ErrorRatePercent = nil; d.BakeMinutes = 5 }))
	add(lambdarules.BakeNeedsThreshold.ID, "p99 alone", ok, dep(func(d *Deployment) {
		d.ErrorRatePercent = nil
		d.P99DurationMs = ptr(500)
		d.BakeMinutes = 5
	}))
	add(lambdarules.RelativeNeedsRate.ID, "relative alone", refused, dep(func(d *Deployment) {
		d.ErrorRatePercent = nil
		d.P99DurationMs = ptr(500)
		d.ErrorRateRelative = true
	}))
	add(lambdarules.RelativeNeedsRate.ID, "relative", ok, dep(func(d *Deployment) { d.ErrorRateRelative = true }))
	add(lambdarules.P99WithinTimeout.ID, "at the timeout", ok, func(f *Function) { f.TimeoutS = 2; f.Deployment.P99DurationMs = ptr(2000) })
	add(lambdarules.P99WithinTimeout.ID, "above the timeout", refused, func(f *Function) { f.TimeoutS = 2; f.Deployment.P99DurationMs = ptr(2001) })
	add(lambdarules.P99WithinTimeout.ID, "above the default timeout", refused, dep(func(d *Deployment) { d.P99DurationMs = ptr(3001) }))
	return cs
}
