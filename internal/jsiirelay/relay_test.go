//go:build unix

package jsiirelay

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// A stand-in for the jsii runtime's files: the kernel echoes each line it reads on
// descriptor 3 with what it saw of its flags and environment, writes once to stdout and
// stderr, and exits 3 on "exit".
const fakeKernel = `
const fs = require('fs');
process.stdout.write('kernel stdout\n');
process.stderr.write('kernel stderr\n');
const buf = Buffer.alloc(65536);
let data = '';
for (;;) {
  const n = fs.readSync(3, buf);
  if (n === 0) break;
  data += buf.toString('utf8', 0, n);
  let i;
  while ((i = data.indexOf('\n')) >= 0) {
    const line = data.slice(0, i);
    data = data.slice(i + 1);
    if (line === 'exit') process.exit(3);
    fs.writeSync(3, JSON.stringify({echo: line, execArgv: process.execArgv,
      relay: process.env.GOLIVE_JSII_RELAY ?? null, jsiiNode: process.env.JSII_NODE ?? null}) + '\n');
  }
}
`

func fakeRuntime(t *testing.T, withKernel bool) string {
	t.Helper()
	dir := t.TempDir()
	for _, d := range []string{"bin", "lib"} {
		if err := os.Mkdir(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	entry := filepath.Join(dir, "bin", "jsii-runtime.js")
	if err := os.WriteFile(entry, []byte(`process.stdout.write('jsii relay in node\n');`), 0o644); err != nil {
		t.Fatal(err)
	}
	if withKernel {
		if err := os.WriteFile(filepath.Join(dir, "lib", "program.js"), []byte(fakeKernel), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return entry
}

// relay runs Relay with input on the request pipe and returns what came back on the reply
// pipe and on stderr, as the runtime would read them.
func relay(t *testing.T, entry, input string) (code int, replies, stderr string) {
	t.Helper()
	reqR, reqW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	go func() {
		io.WriteString(reqW, input)
		reqW.Close()
	}()
	read := make(chan string)
	go func() {
		b, _ := io.ReadAll(repR)
		repR.Close()
		read <- string(b)
	}()
	var errOut bytes.Buffer
	code = Relay("node", entry, reqR, repW, &errOut)
	// Relay leaves the pipes to the kernel, as the runtime leaves them to its node: the
	// replies end when the kernel exits.
	if _, err := repW.Write(nil); err == nil {
		t.Error("Relay kept its end of the reply pipe open")
	}
	return code, <-read, errOut.String()
}

type reply struct {
	Echo     string
	ExecArgv []string
	Relay    *string
	JsiiNode *string
}

// decodeConsole reads the {"stdout"|"stderr": base64} lines the runtime reads on stderr.
func decodeConsole(t *testing.T, stderr string) map[string]string {
	t.Helper()
	got := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(stderr), "\n") {
		var m map[string][]byte
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("stderr line %q is not a console message: %v", line, err)
		}
		for k, v := range m {
			got[k] += string(v)
		}
	}
	return got
}

func TestRelayCarriesTheProtocolAndTheKernelsOutput(t *testing.T) {
	t.Setenv(envVar, "node")
	t.Setenv("JSII_NODE", "/path/to/this/app")
	code, out, errOut := relay(t, fakeRuntime(t, true), "{\"api\":\"hello\"}\nsecond\n")
	if code != 0 {
		t.Fatalf("exit %d, stderr %s", code, errOut)
	}
	dec := json.NewDecoder(strings.NewReader(out))
	for _, want := range []string{`{"api":"hello"}`, "second"} {
		var r reply
		if err := dec.Decode(&r); err != nil {
			t.Fatalf("reading the reply to %s: %v (out %q)", want, err, out)
		}
		if r.Echo != want {
			t.Errorf("reply echoes %q, want %q", r.Echo, want)
		}
		if n := len(r.ExecArgv); n == 0 || r.ExecArgv[n-1] != "--preserve-symlinks" {
			t.Errorf("kernel flags %v, want jsii's --preserve-symlinks last", r.ExecArgv)
		}
		// The kernel's environment is the one jsii's relay would give it.
		if r.Relay != nil || r.JsiiNode != nil {
			t.Errorf("kernel sees GOLIVE_JSII_RELAY=%v JSII_NODE=%v, want neither", deref(r.Relay), deref(r.JsiiNode))
		}
	}
	want := map[string]string{"stdout": "kernel stdout\n", "stderr": "kernel stderr\n"}
	if got := decodeConsole(t, errOut); !reflect.DeepEqual(got, want) {
		t.Errorf("console messages %q, want %q", got, want)
	}
}

func TestRelayKeepsAUsersNodeAndReturnsTheKernelsStatus(t *testing.T) {
	code, _, errOut := relay(t, fakeRuntime(t, true), "exit\n")
	if code != 3 {
		t.Errorf("exit %d, want the kernel's 3 (stderr %s)", code, errOut)
	}
	if env := childEnv("/opt/node20/bin/node"); !slices.Contains(env, "JSII_NODE=/opt/node20/bin/node") {
		t.Errorf("kernel environment lacks the user's JSII_NODE: %v", env)
	}
}

func TestUnknownRuntimeLayoutRunsPlainNode(t *testing.T) {
	code, out, errOut := relay(t, fakeRuntime(t, false), "")
	if code != 0 || out != "jsii relay in node\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want jsii's own relay script run by node", code, out, errOut)
	}
}

// A runtime directory the kernel's preload cannot be written to is run as jsii would run
// it. (A directory in the preload's place fails the write even for root.)
func TestUnwritablePreloadRunsPlainNode(t *testing.T) {
	entry := fakeRuntime(t, true)
	if err := os.Mkdir(filepath.Join(filepath.Dir(filepath.Dir(entry)), "lib", "golive-fd.cjs"), 0o755); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := relay(t, entry, "")
	if code != 0 || out != "jsii relay in node\n" {
		t.Errorf("exit %d, stdout %q, stderr %q; want jsii's own relay script run by node", code, out, errOut)
	}
}

func TestNodeFlags(t *testing.T) {
	for _, c := range []struct {
		nodeOptions string
		cpus        int
		want        []string
	}{
		{"", 1, []string{"--v8-pool-size=1"}},
		{"", 2, []string{"--v8-pool-size=2"}},
		{"--max-old-space-size=4096", 3, []string{"--v8-pool-size=3"}},
		{"", 4, nil},                 // Node's own pool is no larger than the CPUs
		{"", 16, nil},                // nor here
		{"--v8-pool-size=8", 2, nil}, // the user's choice stands
	} {
		if got := nodeFlags(c.nodeOptions, c.cpus); !reflect.DeepEqual(got, c.want) {
			t.Errorf("nodeFlags(%q, %d) = %v, want %v", c.nodeOptions, c.cpus, got, c.want)
		}
	}
}

func deref(s *string) string {
	if s == nil {
		return "<unset>"
	}
	return *s
}
