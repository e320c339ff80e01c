package resourcenames

import "strings"

// DashboardSuffix ends the name of a stack's release dashboard: golive's stacks are named
// {project}-{env}, so their dashboards are {project}-{env}-releases.
const DashboardSuffix = "-releases"

// DashboardName is the release dashboard of the stack named stackName, the name the
// construct gives it by default and the CLI links to.
func DashboardName(stackName string) string { return stackName + DashboardSuffix }

// DashboardURL is the CloudWatch console address of the dashboard name in region: the form
// the console itself uses for a dashboard (#dashboards:name=NAME), on the console host of
// the region's partition. Dashboard names are letters, digits, "-" and "_" (PutDashboard,
// DashboardName), so the name needs no escaping.
func DashboardURL(region, name string) string {
	host := region + ".console.aws.amazon.com"
	switch {
	case strings.HasPrefix(region, "cn-"):
		host = region + ".console.amazonaws.cn"
	case strings.HasPrefix(region, "us-gov-"):
		host = "console.amazonaws-us-gov.com"
	}
	return "https://" + host + "/cloudwatch/home?region=" + region + "#dashboards:name=" + name
}
