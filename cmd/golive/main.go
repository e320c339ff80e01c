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

func main() { os.Exit(run()) }

// run stops the command on the first SIGINT or SIGTERM (it finishes the step at hand, reports
// what it did and exits 130 or 143); a second signal kills it the default way.
func run() int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		sig := <-sigs
		signal.Stop(sigs)
		cancel(cli.Interrupt{Signal: sig.(syscall.Signal)})
	}()
	return cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}
