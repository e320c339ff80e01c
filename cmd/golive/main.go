// Command golive is the post-deploy CLI of golive: it publishes, inspects, verifies, rolls
// back and prunes the versions behind each Lambda function's LIVE alias. See the README.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/golive-dev/golive/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
