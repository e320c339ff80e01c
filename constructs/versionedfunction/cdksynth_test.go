package versionedfunction_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/testkit/synthcheck"
)

// TestCdkSynthReportsConstructErrors runs the real `cdk synth` on an app of one's own whose
// VersionedFunction has invalid props (testdata/badapp), under the flags `cdk init` writes
// (@aws-cdk/core:annotationsInValidationReport among them): the user sees each error with
// its construct path, and the command fails, with no Go panic or goroutine trace.
func TestCdkSynthReportsConstructErrors(t *testing.T) {
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	app := filepath.Join(dir, "badapp")
	if out, err := exec.Command("go", "build", "-o", app, "./testdata/badapp").CombinedOutput(); err != nil {
		t.Fatalf("go build ./testdata/badapp: %v\n%s", err, out)
	}
	// cdk init's cdk.json (stacks/testdata), run the app built above.
	b, err := os.ReadFile(filepath.Join(root, "stacks", "testdata", "cdk-init.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cdkJSON map[string]any
	if err := json.Unmarshal(b, &cdkJSON); err != nil {
		t.Fatal(err)
	}
	cdkJSON["app"] = app
	if b, err = json.Marshal(cdkJSON); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "cdk.json"), b, 0o644); err != nil {
		t.Fatal(err)
	}

	exit, out := synthcheck.CDK(t, root, dir, "synth", "--quiet", "--output", filepath.Join(dir, "cdk.out"))
	t.Logf("cdk synth: exit %d\n%s", exit, out)

	if exit == 0 {
		t.Errorf("cdk synth exited 0; want a failure\n%s", out)
	}
	for _, want := range []string{
		"BadApp/Orders",
		`FunctionName: got "orders api"; want a Lambda function name`,
		"MemorySize: got 64; want an integer from 128 to 10240",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("cdk synth output lacks %q:\n%s", want, out)
		}
	}
	for _, unwanted := range []string{"panic:", "goroutine "} {
		if strings.Contains(out, unwanted) {
			t.Errorf("cdk synth output has %q:\n%s", unwanted, out)
		}
	}
}
