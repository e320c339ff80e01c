package resourcenames

// RollbackAlarmName is the rollback alarm of one release of a function, named after its
// alias and the version it releases, e.g. "orders-worker-LIVE-v8-rollback" (at most
// 64 + 1 + 128 + 26 characters, within CloudWatch's 255): the construct declares it,
// golive watch reads its state.
func RollbackAlarmName(functionName, alias, version string) string {
	return functionName + "-" + alias + "-v" + version + "-rollback"
}
