package codedeployfake

import (
	"context"
	"strings"
)

// GetDeploymentGroup, and CodeDeploy's predefined Lambda deployment configurations, which
// GetDeploymentConfig answers beside the custom ones a test registers. Sources: the SDK's
// doc comments of GetDeploymentGroup and types.DeploymentGroupInfo, types.AlarmConfiguration,
// types.Alarm; the error shapes of its deserializer (ApplicationNameRequired,
// DeploymentGroupNameRequired, ApplicationDoesNotExist, DeploymentGroupDoesNotExist, the API
// reference's Errors); the CodeDeploy User Guide, "Working with deployment configurations in
// CodeDeploy", Predefined deployment configurations for an AWS Lambda compute platform; and
// the API reference of ListDeploymentConfigs ("including built-in configurations such as
// CodeDeployDefault.OneAtATime": the predefined configurations are the account's, which
// GetDeploymentConfig reads).
func init() {
	operations["GetDeploymentGroup"] = (*Server).getDeploymentGroup
}

// DeploymentGroup is a Lambda deployment group of an application.
type DeploymentGroup struct {
	ApplicationName, Name string
	// DeploymentConfigName is a predefined or a registered custom configuration.
	DeploymentConfigName string
	// Alarms are the alarms the group watches while AlarmsEnabled.
	Alarms        []string
	AlarmsEnabled bool
	// ServiceRoleArn is CodeDeploy's role for the group.
	ServiceRoleArn string
}

// AddDeploymentGroup stores g and registers its application (a Lambda one) if new.
func (s *Server) AddDeploymentGroup(g DeploymentGroup) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.applications[g.ApplicationName] == nil {
		s.applications[g.ApplicationName] = &Application{Name: g.ApplicationName, ComputePlatform: "Lambda", Revisions: map[string]*Revision{}}
	}
	if s.groups == nil {
		s.groups = map[string]DeploymentGroup{}
	}
	s.groups[g.ApplicationName+"/"+g.Name] = g
}

// getDeploymentGroup answers {deploymentGroupInfo: {applicationName, deploymentGroupId,
// deploymentGroupName, deploymentConfigName, serviceRoleArn, alarmConfiguration: {enabled,
// ignorePollAlarmFailure, alarms: [{name}]}, computePlatform, deploymentStyle}}: a Lambda
// group is blue/green with traffic control, the only style CodeDeploy allows for Lambda.
func (s *Server) getDeploymentGroup(_ context.Context, body []byte) (any, error) {
	var in struct {
		ApplicationName     string `json:"applicationName"`
		DeploymentGroupName string `json:"deploymentGroupName"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.ApplicationName == "":
		return nil, clientError("ApplicationNameRequiredException", "The minimum number of required application names was not specified.")
	case in.DeploymentGroupName == "":
		return nil, clientError("DeploymentGroupNameRequiredException", "The deployment group name was not specified.")
	case s.applications[in.ApplicationName] == nil:
		return nil, clientError("ApplicationDoesNotExistException", "The application %s does not exist with the user or AWS account.", in.ApplicationName)
	}
	g, ok := s.groups[in.ApplicationName+"/"+in.DeploymentGroupName]
	if !ok {
		return nil, clientError("DeploymentGroupDoesNotExistException", "The deployment group %s does not exist with the application %s.", in.DeploymentGroupName, in.ApplicationName)
	}
	alarms := []map[string]string{}
	for _, a := range g.Alarms {
		alarms = append(alarms, map[string]string{"name": a})
	}
	return map[string]any{"deploymentGroupInfo": map[string]any{
		"applicationName": g.ApplicationName, "deploymentGroupId": "fake-" + g.Name, "deploymentGroupName": g.Name,
		"deploymentConfigName": g.DeploymentConfigName, "serviceRoleArn": g.ServiceRoleArn, "computePlatform": "Lambda",
		"alarmConfiguration": map[string]any{"enabled": g.AlarmsEnabled, "ignorePollAlarmFailure": false, "alarms": alarms},
		"deploymentStyle":    map[string]string{"deploymentType": "BLUE_GREEN", "deploymentOption": "WITH_TRAFFIC_CONTROL"},
	}}, nil
}

// predefinedConfig is one of CodeDeploy's predefined Lambda configurations, as the User
// Guide's table describes it: CodeDeployDefault.LambdaCanaryPPercentMMinutes shifts P % and
// the rest M minutes later; ...LambdaLinearPPercentEveryMMinute(s) P % every M minutes;
// ...LambdaAllAtOnce all of it at once.
func predefinedConfig(name string) (DeploymentConfig, bool) {
	c, ok := map[string]DeploymentConfig{
		"LambdaAllAtOnce":                     {Type: "AllAtOnce"},
		"LambdaCanary10Percent5Minutes":       {Type: "TimeBasedCanary", Percentage: 10, Interval: 5},
		"LambdaCanary10Percent10Minutes":      {Type: "TimeBasedCanary", Percentage: 10, Interval: 10},
		"LambdaCanary10Percent15Minutes":      {Type: "TimeBasedCanary", Percentage: 10, Interval: 15},
		"LambdaCanary10Percent30Minutes":      {Type: "TimeBasedCanary", Percentage: 10, Interval: 30},
		"LambdaLinear10PercentEvery1Minute":   {Type: "TimeBasedLinear", Percentage: 10, Interval: 1},
		"LambdaLinear10PercentEvery2Minutes":  {Type: "TimeBasedLinear", Percentage: 10, Interval: 2},
		"LambdaLinear10PercentEvery3Minutes":  {Type: "TimeBasedLinear", Percentage: 10, Interval: 3},
		"LambdaLinear10PercentEvery10Minutes": {Type: "TimeBasedLinear", Percentage: 10, Interval: 10},
	}[strings.TrimPrefix(name, "CodeDeployDefault.")]
	c.Name = name
	return c, ok && strings.HasPrefix(name, "CodeDeployDefault.")
}
