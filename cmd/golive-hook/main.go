// Command golive-hook is the CodeDeploy traffic hook that the versionedfunction construct
// deploys for deployment.smoke (pre-traffic) and deployment.bake (post-traffic). It is a
// provided.al2023 Lambda handler; the construct builds it from this directory with the
// same Go build as the functions it checks. Its logic is package hook.
package main

import (
	"context"
	"log/slog"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatch"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	awslambda "github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/hook"
	"github.com/golive-dev/golive/internal/hooksettings"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	h := &hook.Handler{Phase: os.Getenv(hooksettings.HookPhaseEnv), Log: log}
	targets, err := hooksettings.ParseHookTargets(os.Environ())
	h.Targets, h.SetupErr = targets, err
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil && h.SetupErr == nil {
		h.SetupErr = err
	}
	// The clients are built even on a setup error: the verdict (Failed) must still reach
	// CodeDeploy, or the deployment waits an hour.
	h.Lambda = awslambda.NewFromConfig(cfg)
	h.CodeDeploy = codedeploy.NewFromConfig(cfg)
	h.CloudWatch = cloudwatch.NewFromConfig(cfg)
	lambda.Start(h.Handle)
}
