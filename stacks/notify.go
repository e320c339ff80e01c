package stacks

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/config"
)

// notificationTopics references the env's topics once per stack; config guarantees they
// are standard topics in the env's own account and region.
func notificationTopics(scope constructs.Construct, n config.Notifications) []awssns.ITopic {
	var topics []awssns.ITopic
	for i, arn := range n.SNSTopicARNs {
		topics = append(topics, awssns.Topic_FromTopicArn(scope, jsii.String("NotificationTopic"+strconv.Itoa(i)), jsii.String(arn)))
	}
	return topics
}
