package versionedfunction

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodedeploy"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"
)

// NotificationEvents are the CodeDeploy events a notification topic is told about: every
// deployment event of a Lambda deployment group (DeploymentReady and the instance events
// belong to blue/green and EC2 deployments; CodeDeploy API Reference, TriggerConfig).
var NotificationEvents = []string{"DeploymentStart", "DeploymentSuccess", "DeploymentFailure", "DeploymentStop", "DeploymentRollback"}

// MaxNotificationTopics is the most topics a function notifies: a CloudWatch alarm takes
// at most 5 actions per state (PutMetricAlarm, AlarmActions), fewer than CodeDeploy's 10
// triggers per deployment group (CodeDeploy User Guide, "Monitoring deployments with
// Amazon SNS event notifications").
const MaxNotificationTopics = 5

// notifications is what a VersionedFunction tells its topics.
type notifications struct {
	topics []awssns.ITopic
	arns   []*string
}

// AddNotificationTopic tells topic about this function's releases: the deployment group
// gets a trigger on NotificationEvents that publishes to it, the rollback alarm notifies it
// when it goes into ALARM, and the deployment group's role may publish to it (and to
// nothing else: CodeDeploy's role needs sns:Publish on a trigger's topic, CodeDeploy User
// Guide, "Grant Amazon SNS permissions to a CodeDeploy service role"; golive grants it on
// exactly the topics given rather than the guide's "*"). Subscribe email, chat or a
// function to the topic.
//
// A function without a deployment group (LIVE follows $LATEST, or no Deployment) has no
// release to tell about: the topic is ignored, with a synth warning. A nil topic, or one past
// MaxNotificationTopics, changes nothing and is a synth error at the construct's path.
func (v *VersionedFunction) AddNotificationTopic(topic awssns.ITopic) {
	if v.refused {
		return // the construct's errors say why it has no deployment group
	}
	if topic == nil {
		v.refuse("AddNotificationTopic: got nil; want an SNS topic")
		return
	}
	if v.DeploymentGroup == nil {
		reportWarning(v.Construct, "golive:notificationWithoutDeployment",
			"AddNotificationTopic is ignored without a CodeDeploy deployment group (LIVE follows $LATEST, or no Deployment): "+
				"there is no release to notify about")
		return
	}
	arn := topic.TopicArn()
	for _, known := range v.notify.arns {
		if *known == *arn {
			return
		}
	}
	if len(v.notify.topics) == MaxNotificationTopics {
		v.refuse(fmt.Sprintf("AddNotificationTopic: got a topic beyond %d; want at most %d: a CloudWatch alarm takes at most %d actions, and the rollback alarm notifies every topic",
			MaxNotificationTopics, MaxNotificationTopics, MaxNotificationTopics))
		return
	}
	v.notify.topics = append(v.notify.topics, topic)
	v.notify.arns = append(v.notify.arns, arn)
	v.applyNotifications([]awssns.ITopic{topic})
}

// applyNotifications writes the triggers of every topic so far, and gives the rollback
// alarm an action and the group's role publish on the added ones.
func (v *VersionedFunction) applyNotifications(added []awssns.ITopic) {
	// LambdaDeploymentGroupProps has no triggers (aws-cdk-lib aws-codedeploy,
	// lambda/deployment-group.ts), so they go on the L1's TriggerConfigurations
	// (AWS::CodeDeploy::DeploymentGroup), through its typed setter: each call writes the
	// whole list, so adding a topic later keeps the earlier ones.
	triggers := make([]any, len(v.notify.arns))
	for i, arn := range v.notify.arns {
		triggers[i] = &awscodedeploy.CfnDeploymentGroup_TriggerConfigProperty{
			TriggerName:      jsii.String("golive-" + strconv.Itoa(i+1)),
			TriggerTargetArn: arn,
			TriggerEvents:    jsii.Strings(NotificationEvents...),
		}
	}
	if v.cfnGroup == nil {
		v.cfnGroup = v.DeploymentGroup.Node().DefaultChild().(awscodedeploy.CfnDeploymentGroup)
	}
	v.cfnGroup.SetTriggerConfigurations(&triggers)
	if v.Alarm != nil {
		for _, topic := range added {
			v.Alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
		}
	}
	role := v.DeploymentGroup.Role()
	ss := v.ss
	for _, topic := range added {
		// The functions of a stack share one role: grant each topic once.
		if ss.grantOnce(role, *topic.TopicArn()) {
			topic.GrantPublish(role)
		}
	}
}

// grantOnce reports whether role was not yet granted publish on the topic arn, and
// records that it now is.
func (s *stackScope) grantOnce(role awsiam.IRole, arn string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.published == nil {
		s.published = map[publishGrant]bool{}
	}
	k := publishGrant{role, arn}
	if s.published[k] {
		return false
	}
	s.published[k] = true
	return true
}

type publishGrant struct {
	role awsiam.IRole
	arn  string
}

// validateNotifications checks Deployment.NotificationTopics.
func validateNotifications(topics []awssns.ITopic) []string {
	var problems []string
	if n := len(topics); n > MaxNotificationTopics {
		problems = append(problems, fmt.Sprintf("Deployment.NotificationTopics: got %d topics; want at most %d: a CloudWatch alarm takes at most %d actions, and the rollback alarm notifies every topic",
			n, MaxNotificationTopics, MaxNotificationTopics))
	}
	for i, t := range topics {
		if t == nil {
			problems = append(problems, fmt.Sprintf("Deployment.NotificationTopics[%d]: got nil; want an SNS topic", i))
		}
	}
	return problems
}
