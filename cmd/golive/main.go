// Command golive is the post-deploy CLI of golive: it publishes, inspects, verifies, rolls
// back and prunes the versions behind each Lambda function's LIVE alias. See the README.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/golive-dev/golive/internal/cli"
)

func main() { os.Exit(run()) }

// run stops the command on the first SIGINT or SIGTERM (it finishes the step at hand, reports
// what it did and exits 130 or 143); a second signal exits at once, whatever blocks.
func run() int {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go watch(sigs, cancel, os.Stderr, os.Exit)
	return cli.Run(ctx, os.Args[1:], os.Stdout, os.Stderr)
}

// watch cancels the command with the first signal and exits with the second: the first lets
// the command report what it did, but a step that does not heed the context (an open(2) of a
// FIFO without a writer, say) would otherwise keep golive alive until SIGKILL.
func watch(sigs <-chan os.Signal, cancel context.CancelCauseFunc, stderr io.Writer, exit func(int)) {
	first := cli.Interrupt{Signal: (<-sigs).(syscall.Signal)}
	cancel(first)
	second := cli.Interrupt{Signal: (<-sigs).(syscall.Signal)}
	fmt.Fprintf(stderr, "golive: %s again: exiting without waiting for the step at hand\n", second)
	exit(second.ExitCode())
}
