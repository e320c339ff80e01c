package resourcenames

// RollbackAlarmName is the rollback alarm of one release of a function, named after the
// version it releases, e.g. "orders-worker-LIVE-v8-rollback" (at most 64 + 26 characters,
// within CloudWatch's 255): the construct declares it, golive watch reads its state.
func RollbackAlarmName(functionName, version string) string {
	return functionName + "-" + Alias + "-v" + version + "-rollback"
}
