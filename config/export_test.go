package config

import (
	"slices"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/lambdarules"
)

// SchemaPatterns maps JSON pointers into config.schema.json to the value the Go rules
// use there, so that a pattern or enum edited on one side only fails a test.
var SchemaPatterns = map[string]any{
	"/properties/project/pattern":                                       projectRe.String(),
	"/$defs/functionKey/pattern":                                        functionKeyRe.String(),
	"/$defs/envName/pattern":                                            envNameRe.String(),
	"/$defs/account/pattern":                                            accountRe.String(),
	"/$defs/region/pattern":                                             regionRe.String(),
	"/$defs/version/pattern":                                            versionRe.String(),
	"/$defs/functionName/pattern":                                       lambdaNameRe.String(),
	"/$defs/alias/pattern":                                              lambdarules.AliasNamePattern,
	"/$defs/alias/maxLength":                                            float64(lambdarules.MaxAliasName),
	"/$defs/hook/pattern":                                               hookRe.String(),
	"/$defs/image/properties/digest/pattern":                            digestRe.String(),
	"/$defs/image/properties/tag/pattern":                               tagRe.String(),
	"/$defs/image/properties/repository/then/pattern":                   repoURIRe.String(),
	"/$defs/image/properties/repository/else/pattern":                   repoNameRe.String(),
	"/$defs/environment/propertyNames/pattern":                          envVarRe.String(),
	"/$defs/environment/propertyNames/not/enum":                         toAny(lambdarules.ReservedEnvVars),
	"/$defs/pipeline/properties/connection_arn/pattern":                 connectionRe.String(),
	"/$defs/pipeline/properties/repository/pattern":                     githubRepoRe.String(),
	"/$defs/pipeline/properties/branch/pattern":                         branchRe.String(),
	"/$defs/deploymentType/anyOf/0/enum":                                append(toAny(slices.Concat([]string{DeploymentNone}, predefinedTypes)), nil),
	"/$defs/deployment/properties/rollback_type/not":                    map[string]any{},
	"/$defs/alarms/properties/throttles/not":                            map[string]any{},
	"/$defs/alarms/properties/min_invocations/maximum":                  float64(lambdarules.MaxMinInvocations),
	"/$defs/alarms/properties/min_invocations/default":                  float64(hooksettings.DefaultMinInvocations),
	"/$defs/smoke/properties/ignore/items/pattern":                      hooksettings.IgnorePointerPattern,
	"/$defs/smoke/properties/timeout_s/maximum":                         float64(hooksettings.MaxSmokeTimeoutS),
	"/$defs/smoke/properties/timeout_s/default":                         float64(hooksettings.DefaultSmokeTimeoutS),
	"/$defs/bake/properties/minutes/maximum":                            float64(hooksettings.MaxBakeMinutes),
	"/$defs/sharedFunction/properties/live_version/not":                 map[string]any{},
	"/$defs/envFunction/properties/live_version/$ref":                   "#/$defs/liveVersion",
	"/$defs/memoryMb/minimum":                                           float64(lambdarules.MinMemoryMB),
	"/$defs/memoryMb/maximum":                                           float64(lambdarules.MaxMemoryMB),
	"/$defs/timeoutS/maximum":                                           float64(lambdarules.MaxTimeoutS),
	"/$defs/alarms/properties/extra/maxItems":                           float64(lambdarules.MaxAlarms),
	"/$defs/deploymentType/anyOf/2/properties/linear_percent/maximum":   float64(lambdarules.MaxLinearPercent),
	"/$defs/deploymentType/anyOf/1/properties/canary_percent/maximum":   float64(lambdarules.MaxCanaryPercent),
	"/$defs/deploymentType/anyOf/1/properties/interval_minutes/maximum": float64(lambdarules.MaxShiftMinutes),
	"/$defs/deploymentType/anyOf/2/properties/interval_minutes/maximum": float64(lambdarules.MaxShiftMinutes),
	"/$defs/notifications/properties/sns_topic_arns/items/pattern":      snsTopicArnRe.String(),
	"/$defs/notifications/properties/sns_topic_arns/maxItems":           float64(MaxNotificationTopics),
}

func toAny(s []string) []any {
	out := make([]any, len(s))
	for i, x := range s {
		out[i] = x
	}
	return out
}

// SchemaProperties maps JSON pointers to objects of properties in config.schema.json to
// the field names Go accepts there.
var SchemaProperties = map[string][]string{
	"/properties":                              topFields,
	"/$defs/sharedFunction/properties":         functionFields,
	"/$defs/envFunction/properties":            functionFields,
	"/$defs/image/properties":                  imageFields,
	"/$defs/deployment/properties":             deploymentFields,
	"/$defs/alarms/properties":                 alarmFields,
	"/$defs/smoke/properties":                  smokeFields,
	"/$defs/bake/properties":                   bakeFields,
	"/$defs/autoRollback/properties":           autoRollbackFields,
	"/$defs/env/properties":                    envFields,
	"/$defs/pipeline/properties":               pipelineFields,
	"/$defs/notifications/properties":          notificationsFields,
	"/$defs/deploymentType/anyOf/1/properties": {"canary_percent", "interval_minutes"},
	"/$defs/deploymentType/anyOf/2/properties": {"linear_percent", "interval_minutes"},
}
