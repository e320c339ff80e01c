//go:build unix

// Package jsiirelay starts the jsii kernel of a Go CDK app on the runtime's own pipes,
// without jsii's Node relay in between.
//
// jsii-runtime-go runs `node bin/jsii-runtime.js`, a Node process whose only job is to
// start the kernel (`node lib/program.js`, which speaks the jsii protocol on file
// descriptor 3) and copy bytes between the runtime's pipes and the kernel. Every jsii call
// (a Go CDK app makes about eight per function) then wakes that process twice on its way
// and twice on its way back. Set up by Install, the runtime starts this executable as its
// "node" (the documented JSII_NODE setting); Main then starts the same kernel with the
// runtime's request pipe as its descriptor 3 and the response pipe as descriptor 4, and a
// one-line preload (see fdPreload) sends the kernel's writes on 3 to 4. Requests and
// replies go from the Go runtime to the kernel and back with nothing in between.
// It also sizes Node's worker pool to the CPUs at hand (see nodeFlags). bench/ measures it.
//
// This process stays as the kernel's parent for what jsii's relay did besides copying:
// the kernel's stdin is /dev/null, its stdout and stderr reach the runtime as
// {"stdout"|"stderr": base64} lines on stderr, signals are passed on and the exit status
// is the kernel's. A runtime laid out differently is run with plain node, untouched;
// GOLIVE_JSII_RELAY=off or a JSII_RUNTIME of one's own opts out.
package jsiirelay

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"syscall"

	"github.com/aws/jsii-runtime-go"
)

// envVar carries the node command from the app to the relay, or "off".
const envVar = "GOLIVE_JSII_RELAY"

// Install makes the jsii runtime start its kernel through this executable. Call it in main,
// after Main and before any jsii call.
func Install() {
	if os.Getenv("JSII_RUNTIME") != "" || os.Getenv(envVar) == "off" {
		return
	}
	self, err := os.Executable()
	if err != nil {
		return
	}
	node := os.Getenv("JSII_NODE")
	if node == "" {
		node = "node"
	}
	os.Setenv(envVar, node)
	os.Setenv("JSII_NODE", self)
	// The runtime prepared its kernel process during package initialization, with the
	// environment of then, and starts it at the first jsii call. Closing it (it never ran)
	// makes that call prepare a new one that sees JSII_NODE.
	jsii.Close()
}

// Main runs the kernel and exits when this process was started by the jsii runtime as its
// node (see Install); otherwise it returns at once. Call it first thing in main.
func Main() {
	node := os.Getenv(envVar)
	if node == "" || node == "off" || len(os.Args) != 2 || !strings.HasSuffix(os.Args[1], "/bin/jsii-runtime.js") {
		return
	}
	code := Relay(node, os.Args[1], os.Stdin, os.Stdout, os.Stderr)
	// This process prepared a kernel of its own during package initialization, in a
	// temporary directory; it never started, and Close removes the directory.
	jsii.Close()
	os.Exit(code)
}

// fdPreload runs in the kernel before its program (node --require). The kernel reads
// requests from and writes replies to descriptor 3 with fs.readSync and fs.writeSync; here
// 3 is the runtime's request pipe, which only reads, so its writes go to 4, the response
// pipe. Descriptors 3 and 4 are the relay's: nothing else in the kernel writes to them.
// A kernel that wrote to 3 some other way would fail its first reply, loudly, in every
// jsii test of this module.
const fdPreload = `const fs = require("node:fs");
const writeSync = fs.writeSync;
fs.writeSync = function (fd, ...args) { return writeSync.call(this, fd === 3 ? 4 : fd, ...args); };
`

// Relay runs the kernel next to entry (jsii's bin/jsii-runtime.js) with node, reading
// the jsii protocol from requests and writing it to replies, and returns its exit status.
func Relay(node, entry string, requests, replies *os.File, errOut io.Writer) int {
	env := childEnv(node)
	program := filepath.Join(filepath.Dir(filepath.Dir(entry)), "lib", "program.js")
	if _, err := os.Stat(program); err != nil {
		return runPlain(node, entry, env, requests, replies, errOut)
	}
	// Beside the kernel, in the runtime's temporary directory, which the runtime removes.
	preload := filepath.Join(filepath.Dir(program), "golive-fd.cjs")
	if err := os.WriteFile(preload, []byte(fdPreload), 0o600); err != nil {
		return runPlain(node, entry, env, requests, replies, errOut)
	}
	console := &console{w: errOut}
	args := append(NodeFlags(), "--require", preload, "--preserve-symlinks", program)
	cmd := exec.Command(node, args...)
	cmd.Env = env
	cmd.ExtraFiles = []*os.File{requests, replies} // descriptors 3 and 4
	cmd.Stdout = console.stream("stdout")
	cmd.Stderr = console.stream("stderr")
	return run(cmd, requests, replies, errOut)
}

// NodeFlags are the Node flags the relay gives the kernel on this machine.
func NodeFlags() []string { return nodeFlags(os.Getenv("NODE_OPTIONS"), runtime.GOMAXPROCS(0)) }

// nodeFlags are the kernel's Node flags besides jsii's own. Node runs V8's garbage
// collector and compilers on a pool of 4 threads whatever the machine; on fewer CPUs they
// crowd out the kernel's main thread, which does the synth (on 2 CPUs a pool of 2 makes a
// 50-function synth about 15% faster: bench/). The pool is sized to the CPUs this process
// may use, unless NODE_OPTIONS sizes it.
func nodeFlags(nodeOptions string, cpus int) []string {
	if cpus >= 4 || cpus < 1 || strings.Contains(nodeOptions, "--v8-pool-size") {
		return nil
	}
	return []string{fmt.Sprintf("--v8-pool-size=%d", cpus)}
}

// childEnv is this process's environment as the kernel would get it from jsii's relay.
func childEnv(node string) []string {
	env := slices.DeleteFunc(os.Environ(), func(kv string) bool {
		return strings.HasPrefix(kv, envVar+"=") || strings.HasPrefix(kv, "JSII_NODE=")
	})
	if node != "node" {
		env = append(env, "JSII_NODE="+node)
	}
	return env
}

// runPlain runs entry with node, as the runtime would have without Install.
func runPlain(node, entry string, env []string, requests, replies *os.File, errOut io.Writer) int {
	cmd := exec.Command(node, entry)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, requests, replies, errOut
	return run(cmd, requests, replies, errOut)
}

// run starts cmd, which was given the runtime's pipes, and waits for it, passing signals
// on.
func run(cmd *exec.Cmd, requests, replies *os.File, errOut io.Writer) int {
	err := cmd.Start()
	// The child holds the pipes now: the runtime sees the end of its replies when the
	// child exits, not when this process does.
	requests.Close()
	replies.Close()
	if err != nil {
		return fail(errOut, err)
	}
	stop := forwardSignals(cmd.Process)
	defer stop()
	return exitStatus(cmd.Wait(), errOut)
}

// console writes the kernel's own output as jsii's relay does: one JSON line per chunk.
type console struct {
	mu sync.Mutex
	w  io.Writer
}

func (c *console) stream(name string) io.Writer {
	return writerFunc(func(p []byte) (int, error) {
		line, _ := json.Marshal(map[string]string{name: base64.StdEncoding.EncodeToString(p)})
		c.mu.Lock()
		defer c.mu.Unlock()
		if _, err := c.w.Write(append(line, '\n')); err != nil {
			return 0, err
		}
		return len(p), nil
	})
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

func forwardSignals(p *os.Process) (stop func()) {
	ch := make(chan os.Signal, 4)
	signal.Notify(ch, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP, syscall.SIGQUIT)
	go func() {
		for s := range ch {
			p.Signal(s)
		}
	}()
	return func() { signal.Stop(ch); close(ch) }
}

func exitStatus(err error, errOut io.Writer) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if ws, ok := exit.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
			return 128 + int(ws.Signal())
		}
		return exit.ExitCode()
	default:
		return fail(errOut, err)
	}
}

func fail(errOut io.Writer, err error) int {
	fmt.Fprintf(errOut, "jsii relay: %v\n", err)
	return 1
}
