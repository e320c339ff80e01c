// Command example is a CDK app that uses the versionedfunction construct alone, without
// golive's config: a Go function fed by SQS and a Node.js function behind an HTTP API.
//
//	cdk deploy                                   LIVE follows $LATEST
//	golive publish --stack shop                  publish both; prints the new versions
//	cdk deploy -c orders=3 -c notify=2 -c rollout=direct
//	                                             the first pin: CloudFormation moves LIVE
//	golive publish --stack shop                  the next release
//	cdk deploy -c orders=4 -c notify=3           a canary to the new versions
//
// Keep the versions in cdk.json's context (or in code) so that every deploy of a commit
// ships the same ones.
package main

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
	"github.com/golive-dev/golive/constructs/versionedfunction"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	NewShopStack(app, "shop", &ShopStackProps{
		OrdersVersion: contextString(app, "orders"),
		NotifyVersion: contextString(app, "notify"),
		Rollout:       versionedfunction.Rollout(contextString(app, "rollout")),
	})
	app.Synth(nil)
}

func contextString(app awscdk.App, key string) string {
	switch v := app.Node().TryGetContext(jsii.String(key)).(type) {
	case string:
		return v
	case float64:
		// A version written as a number in cdk.json's context.
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return ""
}
