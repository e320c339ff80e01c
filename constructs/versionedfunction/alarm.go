package versionedfunction

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/jsii-runtime-go"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/resourcenames"
)

// newRollbackAlarm folds every threshold into one metric-math alarm: one resource per
// function instead of one per threshold keeps a production stack far below
// CloudFormation's 500 resources, and CodeDeploy rolls back on any alarm of the group
// anyway, so one alarm that breaches when any term breaches keeps each threshold's meaning.
//
// Every metric is scoped to the version being released through ExecutedVersion: alias
// metrics alone mix the old version's traffic with the new one's during a canary
// (aws/aws-cdk#2231), so the old version's errors would roll back the new. For the same
// reason there is no throttles term (see Thresholds).
//
// No term breaches on fewer than MinInvocations requests of the new version in the
// minute: with 2 requests one error is a 50 % error rate, and the p99 of a handful of
// requests is their slowest.
//
// Lambda's metrics reach CloudWatch late, so the newest minute is often missing or
// incomplete when the alarm is evaluated. Two choices keep a late breach visible:
//   - No FILL. The CloudWatch User Guide's entry for FILL ("Metric math syntax and
//     functions") warns that in an alarm on late metrics FILL replaces the newest, still
//     missing minute with its value, which "can result in the alarm being stuck in either
//     OK state or ALARM state". Nothing here needs it: arithmetic treats a missing value
//     as 0 and drops a data point that would divide by zero ("Basic arithmetic
//     functions"), and a comparison or logical operator between two time series treats
//     the one missing at a timestamp as 0 ("Comparison and logical operators"). A minute
//     with no data at all stays missing, and the alarm then evaluates the newest real
//     data points of its evaluation range, "no matter when they were reported" ("Using
//     Amazon CloudWatch Alarms", "How alarm state is evaluated when data is missing").
//   - 1 out of N ("Evaluating an alarm": the breaching data points "must all be within
//     the last number of data points equal to Evaluation Period"). A minute judged while
//     only partly reported (too few invocations yet, so not breaching) is judged again
//     once complete, as long as it is among the last rollbackEvaluationPeriods minutes:
//     with 1 of 1 a newer, partial minute would hide it. One breaching minute still
//     fires, as before; the alarm returns to OK only after that many quiet minutes,
//     which a rollback alarm can afford.
//
// The alarm's name carries the version, so each release gets a new alarm (CloudFormation
// replaces it when the name changes): an alarm keeps its state across an update, and one
// left in ALARM by a failing version would fail the fix-forward deployment at once
// (aws/serverless-application-model#716).
func newRollbackAlarm(v *VersionedFunction, version string, t alarmThresholds) awscloudwatch.Alarm {
	functionName, aliasName, ss := v.functionName, v.aliasName, v.ss
	using := map[string]awscloudwatch.IMetric{}
	var terms, desc []string
	metric := func(id, name, statistic string, dims *map[string]*string) {
		// No Period: the MathExpression sets its own on every metric it uses.
		using[id] = awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("AWS/Lambda"), MetricName: jsii.String(name), Statistic: jsii.String(statistic), DimensionsMap: dims,
		})
	}
	dims := versionDimensions(functionName, aliasName, version)
	minInv := t.minInvocations()
	if t.ErrorRatePercent != nil || minInv > 0 {
		metric("invocations", "Invocations", "Sum", dims)
	}
	if t.ErrorRatePercent != nil {
		metric("errors", "Errors", "Sum", dims)
		// A minute without invocations divides by zero: that data point is dropped, so it
		// never breaches.
		rate, x := "100 * errors / invocations", num(*t.ErrorRatePercent)
		if t.ErrorRateRelative {
			// The old version's share is the alias's total minus the new version's.
			aliasDims := aliasDimensions(functionName, aliasName)
			metric("aliaserrors", "Errors", "Sum", aliasDims)
			metric("aliasinvocations", "Invocations", "Sum", aliasDims)
			// The IF keeps the old rate 0, not dropped, in a minute the old version had no
			// traffic, so the difference below is the new version's rate.
			oldInv := "(aliasinvocations - invocations)"
			oldRate := "100 * (aliaserrors - errors) / IF(" + oldInv + " > 0, " + oldInv + ", 1)"
			terms = append(terms, "("+rate+" > "+x+" AND "+rate+" - "+oldRate+" > "+x+")")
			desc = append(desc, "error rate > "+x+"% and more than "+x+" points above the old version's")
		} else {
			terms = append(terms, rate+" > "+x)
			desc = append(desc, "error rate > "+x+"%")
		}
	}
	if t.P99DurationMs != nil {
		metric("p99", "Duration", "p99", dims)
		terms = append(terms, "p99 > "+num(*t.P99DurationMs))
		desc = append(desc, "p99 duration > "+num(*t.P99DurationMs)+" ms")
	}
	evidence := ""
	if minInv > 0 {
		evidence = fmt.Sprintf(", over at least %d invocations a minute", minInv)
	}
	// Comparison and logical operators (>, >=, AND, OR) and IF are metric math's
	// (CloudWatch User Guide, "Metric math syntax and functions"); an alarm on an
	// expression may use at most 10 metrics, and this one uses 5 at most. golive plan --stack
	// reads min_invocations back from the expression (hooksettings).
	alarm := awscloudwatch.NewAlarm(v.Construct, jsii.String(rollbackAlarmID), &awscloudwatch.AlarmProps{
		AlarmName: jsii.String(RollbackAlarmName(functionName, aliasName, version)),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String(hooksettings.RollbackAlarmExpression(terms, minInv)),
			UsingMetrics: &using,
			Label:        jsii.String("breaching"),
			// The expression's period is every metric's: one minute.
			Period: ss.duration(60),
		}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(rollbackEvaluationPeriods),
		DatapointsToAlarm:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription: jsii.String(fmt.Sprintf("Rolls back the CodeDeploy deployment of %s version %s when %s%s, in any of the last %d minutes.",
			functionName, version, strings.Join(desc, " or "), evidence, rollbackEvaluationPeriods)),
	})
	// The alarm was an AWS::CloudWatch::Alarm at "RollbackAlarm" itself; the L2 declares it at
	// "RollbackAlarm/Resource", whose logical ID differs. A new logical ID under the same
	// AlarmName would delete the alarm on upgrade: CloudFormation creates the resource of
	// the new ID (PutMetricAlarm "creates or updates" the alarm of that name), then, in the
	// update's cleanup, deletes the resource of the old ID, which is that same alarm. So
	// the stack keeps the old ID: one call on the stack, both IDs computed here as CDK
	// computes them. Should they ever differ from CDK's, synth fails ("attempted to be
	// renamed, but not found") rather than change the ID.
	below := v.pathBelowStack()
	ss.st.RenameLogicalId(
		jsii.String(cdkLogicalID(slices.Concat(below, []string{rollbackAlarmID, "Resource"}))),
		jsii.String(cdkLogicalID(slices.Concat(below, []string{rollbackAlarmID}))))
	return alarm
}

// rollbackAlarmID is the rollback alarm's construct id.
const rollbackAlarmID = "RollbackAlarm"

// rollbackEvaluationPeriods is the number of one-minute data points the rollback alarm
// evaluates; one breaching minute among them puts it in ALARM, so a minute whose metrics
// arrive up to this many minutes late still rolls back.
const rollbackEvaluationPeriods = 3

// RollbackAlarmName is the rollback alarm of one release of the function through its
// alias, e.g. "orders-worker-LIVE-v8-rollback" (at most 64 + 1 + 128 + 26 characters,
// within CloudWatch's 255): golive watch finds a release's alarm by this name.
func RollbackAlarmName(functionName, aliasName, version string) string {
	return resourcenames.RollbackAlarmName(functionName, aliasName, version)
}

// versionDimensions scope a metric to the version executed through the alias.
func versionDimensions(functionName, aliasName, version string) *map[string]*string {
	return &map[string]*string{
		"FunctionName":    jsii.String(functionName),
		"Resource":        jsii.String(functionName + ":" + aliasName),
		"ExecutedVersion": jsii.String(version),
	}
}

// aliasDimensions scope a metric to the alias, whichever version runs.
func aliasDimensions(functionName, aliasName string) *map[string]*string {
	return &map[string]*string{
		"FunctionName": jsii.String(functionName),
		"Resource":     jsii.String(functionName + ":" + aliasName),
	}
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
