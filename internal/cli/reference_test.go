package cli_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/cli"
)

// TestReferenceIsCurrent fails when docs/cli.md is not what the command tree generates: a
// flag, a default or a help text changed without the reference.
func TestReferenceIsCurrent(t *testing.T) {
	var want bytes.Buffer
	if err := cli.Reference(&want); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join("..", "..", cli.ReferencePath))
	if err != nil {
		t.Fatalf("%v; run %s from the repository's root", err, cli.RefreshCommand)
	}
	if !bytes.Equal(got, want.Bytes()) {
		t.Errorf("%s is stale: run %s from the repository's root and commit it\nfirst difference: %s",
			cli.ReferencePath, cli.RefreshCommand, firstDiff(string(got), want.String()))
	}
}

// TestReferenceDocumentsEveryCommand checks that the generated reference holds each command
// with its flags, so an empty or partial generator cannot pass the staleness test.
func TestReferenceDocumentsEveryCommand(t *testing.T) {
	var b bytes.Buffer
	if err := cli.Reference(&b); err != nil {
		t.Fatal(err)
	}
	ref := b.String()
	for _, want := range []string{
		"## golive publish", "--pin", "--smoke string",
		"## golive status", "## golive verify", "--app string",
		"## golive plan", "--traffic-window", "## golive rollback", "--to string",
		"## golive prune", "--keep int", "--dry-run", "## golive watch", "## golive history",
		"## golive version", "--call-timeout duration", `path of the config file (default "config/config.json")`,
		"[golive publish](#golive-publish)",
	} {
		if !strings.Contains(ref, want) {
			t.Errorf("the CLI reference lacks %q", want)
		}
	}
}

// firstDiff is the line where a and b first differ, from both.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) && i < len(bl); i++ {
		if al[i] != bl[i] {
			return "line " + strconv.Itoa(i+1) + ":\n  committed: " + al[i] + "\n  generated: " + bl[i]
		}
	}
	return "line " + strconv.Itoa(min(len(al), len(bl))+1) + ": one file is longer"
}
