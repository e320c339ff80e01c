package config

import (
	"regexp"
	"strings"

	"github.com/golive-dev/golive/internal/resourcenames"
)

// DashboardName is the release dashboard of env's stack, {project}-{env}-releases.
func (c *Config) DashboardName(env string) string {
	return resourcenames.DashboardName(c.StackName(env))
}

// Notifications are the SNS topics an env's releases are told to: the CodeDeploy
// deployment groups' triggers and the rollback alarms' actions publish to each. Email, chat
// and the like subscribe to the topics.
type Notifications struct {
	// SNSTopicARNs are standard SNS topics in the env's own account and region, at most
	// MaxNotificationTopics, each once.
	SNSTopicARNs []string
}

// MaxNotificationTopics is the most topics an env may name: a CloudWatch alarm takes at
// most 5 actions per state (PutMetricAlarm, AlarmActions: "up to five"; the CloudFormation
// schema of AWS::CloudWatch::Alarm says maxUniqueItems 5), below CodeDeploy's 10 triggers
// per deployment group (CodeDeploy User Guide, "Monitoring deployments with Amazon SNS
// event notifications").
const MaxNotificationTopics = 5

var (
	notificationsFields = []string{"sns_topic_arns"}
	// snsTopicArnRe is a standard topic's ARN: arn:PARTITION:sns:REGION:ACCOUNT:NAME, the
	// name of 1 to 256 ASCII letters, digits, "_" and "-" (SNS API Reference, CreateTopic).
	// A FIFO topic's name ends in ".fifo", which this refuses (see fifoTopic).
	snsTopicArnRe = regexp.MustCompile(`^arn:aws(-cn|-us-gov)?:sns:[a-z]{2}(-[a-z]+){1,2}-[0-9]{1,2}:[0-9]{12}:[A-Za-z0-9_-]{1,256}$`)
)

const (
	wantNotifications = `an object such as {"sns_topic_arns": ["arn:aws:sns:us-east-1:111111111111:releases"]}`
	wantTopicArns     = `an array of at most 5 SNS topic ARNs, such as ["arn:aws:sns:us-east-1:111111111111:releases"]`
	wantTopicArn      = `a standard SNS topic ARN, arn:aws:sns:REGION:ACCOUNT:NAME with a name of 1 to 256 letters, digits, "_" and "-", such as "arn:aws:sns:us-east-1:111111111111:releases"`
)

// envReleaseViews decodes the env's notifications and dashboard into e. It runs after the
// env's account and region, which every topic must share.
func (p *parser) envReleaseViews(eo object, e *envSpec) {
	e.dashboard = true
	if b := p.boolean(eo, "dashboard", false); b.st == set {
		e.dashboard = b.v
	}
	v, at := eo.get("notifications")
	if v == nil {
		return
	}
	no, ok := p.object(at, v, wantNotifications, notificationsFields)
	if !ok {
		return
	}
	arns := p.stringList(no, "sns_topic_arns", false, wantTopicArns, wantTopicArn, 0, func(s string) bool {
		return snsTopicArnRe.MatchString(s) || fifoTopic(s)
	})
	if arns.st != set {
		return
	}
	good := true
	if n := len(arns.v); n > MaxNotificationTopics {
		p.add(arns.path, "got %d topics; want at most %d: a CloudWatch alarm takes at most %d actions, and the rollback alarms notify every topic",
			n, MaxNotificationTopics, MaxNotificationTopics)
		good = false
	}
	for i, arn := range arns.v {
		here := index(arns.path, i)
		if fifoTopic(arn) {
			// A FIFO topic refuses a publish without a message group ID (SNS API Reference,
			// Publish: MessageGroupId), and neither CodeDeploy nor CloudWatch sends one.
			p.add(here, "got %s, a FIFO topic; want a standard topic: CodeDeploy and CloudWatch publish without the message group ID a FIFO topic requires", quote(arn))
			good = false
			continue
		}
		if e.account.st != set || e.region.st != set {
			continue
		}
		parts := strings.Split(arn, ":")
		if parts[1] != resourcenames.Partition(e.region.v) || parts[3] != e.region.v || parts[4] != e.account.v {
			// CloudWatch refuses an alarm action in another region ("Invalid region ...
			// specified", cds-snc/notification-terraform#128), and a topic of another account
			// also needs that account's topic policy to allow this one (IAM User Guide,
			// "Cross-account policy evaluation logic"), which this stack cannot write.
			p.add(here, "got %s; want a topic in this env's account %s and region %s (partition %s): alarms notify only topics of their own region, and golive can grant publishing only in its own account",
				quote(arn), e.account.v, e.region.v, resourcenames.Partition(e.region.v))
			good = false
		}
	}
	if good {
		e.notifications = Notifications{SNSTopicARNs: arns.v}
	}
}

func fifoTopic(arn string) bool {
	name, ok := strings.CutSuffix(arn, ".fifo")
	return ok && snsTopicArnRe.MatchString(name)
}
