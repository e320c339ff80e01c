// Command gendoc writes golive's CLI reference, docs/cli.md, from the command tree. Run it
// from the repository's root after changing a command, a flag or a help text:
//
//	go run ./internal/cli/gendoc
package main

import (
	"bytes"
	"fmt"
	"os"

	"github.com/golive-dev/golive/internal/cli"
)

func main() {
	var b bytes.Buffer
	if err := cli.Reference(&b); err != nil {
		fmt.Fprintf(os.Stderr, "gendoc: %v\n", err)
		os.Exit(1)
	}
	if err := os.WriteFile(cli.ReferencePath, b.Bytes(), 0o644); err != nil {
		fmt.Fprintf(os.Stderr, "gendoc: %v (run it from the repository's root)\n", err)
		os.Exit(1)
	}
}
