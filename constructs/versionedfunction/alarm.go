package versionedfunction

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newRollbackAlarm folds every threshold into one metric-math alarm: one resource per
// function instead of three keeps a production stack far below CloudFormation's 500
// resources, and CodeDeploy rolls back on any alarm of the group anyway, so one alarm
// that breaches when any term breaches keeps each threshold's meaning.
//
// Errors, Invocations and Duration are scoped to the version being released through
// ExecutedVersion: alias metrics alone mix the old version's traffic with the new one's
// during a canary (aws/aws-cdk#2231), so the old version's errors would roll back the new.
// Throttles stay on the alias: a throttled request never executes a version.
func newRollbackAlarm(scope constructs.Construct, functionName, version string, t Alarms) awscloudwatch.Alarm {
	metrics := map[string]awscloudwatch.IMetric{}
	var terms, desc []string
	if t.ErrorRatePercent != nil {
		metrics["errors"] = lambdaMetric("Errors", "Sum", versionDimensions(functionName, version))
		metrics["invocations"] = lambdaMetric("Invocations", "Sum", versionDimensions(functionName, version))
		// Missing data means no traffic: FILL keeps the rate 0 instead of dividing by nothing.
		terms = append(terms, "100 * FILL(errors, 0) / FILL(invocations, 1) > "+num(*t.ErrorRatePercent))
		desc = append(desc, "error rate > "+num(*t.ErrorRatePercent)+"%")
	}
	if t.Throttles != nil {
		metrics["throttles"] = lambdaMetric("Throttles", "Sum", aliasDimensions(functionName))
		terms = append(terms, "FILL(throttles, 0) >= "+num(*t.Throttles))
		desc = append(desc, "throttles >= "+num(*t.Throttles)+"/min")
	}
	if t.P99DurationMs != nil {
		metrics["p99"] = lambdaMetric("Duration", "p99", versionDimensions(functionName, version))
		terms = append(terms, "FILL(p99, 0) > "+num(*t.P99DurationMs))
		desc = append(desc, "p99 duration > "+num(*t.P99DurationMs)+" ms")
	}
	expr := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression:   jsii.String("IF(" + strings.Join(terms, " OR ") + ", 1, 0)"),
		UsingMetrics: &metrics,
		Label:        jsii.String("breaching"),
		Period:       statics().minute,
	})
	return awscloudwatch.NewAlarm(scope, jsii.String("RollbackAlarm"), &awscloudwatch.AlarmProps{
		Metric:             expr,
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		AlarmDescription: jsii.String(fmt.Sprintf("Rolls back the CodeDeploy deployment of %s version %s when %s.",
			functionName, version, strings.Join(desc, " or "))),
	})
}

func lambdaMetric(name, statistic string, dims *map[string]*string) awscloudwatch.IMetric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace:     jsii.String("AWS/Lambda"),
		MetricName:    jsii.String(name),
		Statistic:     jsii.String(statistic),
		DimensionsMap: dims,
		Period:        statics().minute,
	})
}

func versionDimensions(functionName, version string) *map[string]*string {
	return &map[string]*string{
		"FunctionName":    jsii.String(functionName),
		"Resource":        jsii.String(functionName + ":" + AliasName),
		"ExecutedVersion": jsii.String(version),
	}
}

func aliasDimensions(functionName string) *map[string]*string {
	return &map[string]*string{
		"FunctionName": jsii.String(functionName),
		"Resource":     jsii.String(functionName + ":" + AliasName),
	}
}

func alarmRefs(alarms []awscloudwatch.IAlarm) *[]interfacesawscloudwatch.IAlarmRef {
	refs := make([]interfacesawscloudwatch.IAlarmRef, len(alarms))
	for i, a := range alarms {
		refs[i] = a
	}
	return &refs
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }
