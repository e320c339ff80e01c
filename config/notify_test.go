package config_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/golive-dev/golive/config"
)

// inPrd adds fields to envs.prd of doc's config (account 333333333333, region eu-west-1).
func inPrd(fields string) string {
	return strings.Replace(doc("", `"live_version": 7`), `"region": "eu-west-1", `, `"region": "eu-west-1", `+fields+`, `, 1)
}

const topic = "arn:aws:sns:eu-west-1:333333333333:releases"

// The notification and dashboard rows join the shared tables, so the schema test checks
// them too.
func init() {
	rules = append(rules,
		rule{name: "notifications not object", json: inPrd(`"notifications": ["` + topic + `"]`),
			path: "envs.prd.notifications", got: `got ["` + topic + `"];`, want: `{"sns_topic_arns": [`},
		rule{name: "notifications unknown field", json: inPrd(`"notifications": {"sns_topic_arn": ["` + topic + `"]}`),
			path: "envs.prd.notifications.sns_topic_arn", got: `did you mean "sns_topic_arns"`, want: "allowed fields: sns_topic_arns"},
		rule{name: "topic arns not array", json: inPrd(`"notifications": {"sns_topic_arns": "` + topic + `"}`),
			path: "envs.prd.notifications.sns_topic_arns", got: `got "` + topic + `";`, want: "an array of at most 5 SNS topic ARNs"},
		rule{name: "topic arn of another service", json: inPrd(`"notifications": {"sns_topic_arns": ["arn:aws:sqs:eu-west-1:333333333333:releases"]}`),
			path: "envs.prd.notifications.sns_topic_arns[0]", got: `"arn:aws:sqs:eu-west-1:333333333333:releases"`, want: "a standard SNS topic ARN"},
		rule{name: "topic name with a dot", json: inPrd(`"notifications": {"sns_topic_arns": ["arn:aws:sns:eu-west-1:333333333333:rel.eases"]}`),
			path: "envs.prd.notifications.sns_topic_arns[0]", got: `"arn:aws:sns:eu-west-1:333333333333:rel.eases"`, want: `letters, digits, "_" and "-"`},
		rule{name: "topic name too long", json: inPrd(`"notifications": {"sns_topic_arns": ["arn:aws:sns:eu-west-1:333333333333:` + strings.Repeat("a", 257) + `"]}`),
			path: "envs.prd.notifications.sns_topic_arns[0]", got: `"arn:aws:sns:eu-west-1:333333333333:aaaa`, want: "a name of 1 to 256"},
		rule{name: "topic arn number", json: inPrd(`"notifications": {"sns_topic_arns": [7]}`),
			path: "envs.prd.notifications.sns_topic_arns[0]", got: "got 7;", want: "a standard SNS topic ARN"},
		rule{name: "fifo topic", json: inPrd(`"notifications": {"sns_topic_arns": ["` + topic + `.fifo"]}`),
			path: "envs.prd.notifications.sns_topic_arns[0]", got: `"` + topic + `.fifo", a FIFO topic`, want: "without the message group ID"},
		rule{name: "topic twice", json: inPrd(`"notifications": {"sns_topic_arns": ["` + topic + `", "` + topic + `"]}`),
			path: "envs.prd.notifications.sns_topic_arns[1]", got: `"` + topic + `" again`, want: "each entry once"},
		rule{name: "six topics", json: inPrd(`"notifications": {"sns_topic_arns": ["` + topic + `1", "` + topic + `2", "` + topic + `3", "` + topic + `4", "` + topic + `5", "` + topic + `6"]}`),
			path: "envs.prd.notifications.sns_topic_arns", got: "got 6 topics", want: "at most 5: a CloudWatch alarm takes at most 5 actions"},
		rule{name: "topic in another region", json: inPrd(`"notifications": {"sns_topic_arns": ["arn:aws:sns:us-east-1:333333333333:releases"]}`),
			path: "envs.prd.notifications.sns_topic_arns[0]", got: `"arn:aws:sns:us-east-1:333333333333:releases"`,
			want: "want a topic in this env's account 333333333333 and region eu-west-1", goOnly: crossField},
		rule{name: "topic in another account", json: inPrd(`"notifications": {"sns_topic_arns": ["arn:aws:sns:eu-west-1:444444444444:releases"]}`),
			path: "envs.prd.notifications.sns_topic_arns[0]", got: `"arn:aws:sns:eu-west-1:444444444444:releases"`,
			want: "golive can grant publishing only in its own account", goOnly: crossField},
		rule{name: "topic in another partition", json: inPrd(`"notifications": {"sns_topic_arns": ["arn:aws-cn:sns:eu-west-1:333333333333:releases"]}`),
			path: "envs.prd.notifications.sns_topic_arns[0]", got: `"arn:aws-cn:sns:eu-west-1:333333333333:releases"`,
			want: "(partition aws)", goOnly: crossField},
		rule{name: "dashboard not bool", json: inPrd(`"dashboard": "off"`),
			path: "envs.prd.dashboard", got: `got "off";`, want: "true or false"},
		rule{name: "dashboard null", json: inPrd(`"dashboard": null`),
			path: "envs.prd.dashboard", got: "got null;", want: "true or false"},
	)
	valid = append(valid,
		struct{ name, json string }{"dashboard off", inPrd(`"dashboard": false`)},
		struct{ name, json string }{"dashboard on", inPrd(`"dashboard": true`)},
		struct{ name, json string }{"two topics", inPrd(`"notifications": {"sns_topic_arns": ["` + topic + `", "arn:aws:sns:eu-west-1:333333333333:on-call_2"]}`)},
		struct{ name, json string }{"no topics", inPrd(`"notifications": {"sns_topic_arns": []}`)},
		struct{ name, json string }{"gov cloud topic", strings.Replace(inPrd(`"notifications": {"sns_topic_arns": ["arn:aws-us-gov:sns:us-gov-west-1:333333333333:releases"]}`), `"eu-west-1"`, `"us-gov-west-1"`, 1)},
	)
}

func TestNotificationsReachEnv(t *testing.T) {
	c, err := config.Parse([]byte(inPrd(`"notifications": {"sns_topic_arns": ["` + topic + `", "arn:aws:sns:eu-west-1:333333333333:b"]}`)))
	if err != nil {
		t.Fatal(err)
	}
	prd, _ := c.Env("prd")
	sbx, _ := c.Env("sbx")
	if want := []string{topic, "arn:aws:sns:eu-west-1:333333333333:b"}; !slices.Equal(prd.Notifications.SNSTopicARNs, want) {
		t.Errorf("prd topics = %v, want %v (in file order)", prd.Notifications.SNSTopicARNs, want)
	}
	if len(sbx.Notifications.SNSTopicARNs) != 0 {
		t.Errorf("sbx = %+v; want no topics", sbx.Notifications)
	}
}

func TestDashboardReachesEnv(t *testing.T) {
	c, err := config.Parse([]byte(inPrd(`"dashboard": false`)))
	if err != nil {
		t.Fatal(err)
	}
	prd, _ := c.Env("prd")
	sbx, _ := c.Env("sbx")
	if prd.Dashboard || !sbx.Dashboard {
		t.Errorf("prd.Dashboard = %v, sbx.Dashboard = %v; want false as written, and true by default", prd.Dashboard, sbx.Dashboard)
	}
	if got := c.DashboardName("prd"); got != "demo-prd-releases" {
		t.Errorf("DashboardName(prd) = %q, want demo-prd-releases", got)
	}
}
