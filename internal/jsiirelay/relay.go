//go:build unix

// Package jsiirelay starts the jsii kernel of a Go CDK app behind a Go relay instead of
// jsii's own Node one.
//
// jsii-runtime-go runs `node bin/jsii-runtime.js`, a Node process whose only job is to
// start the kernel (`node lib/program.js`, which speaks the jsii protocol on file
// descriptor 3) and copy bytes between its pipes and the kernel. That relay costs a Node
// start and a Node event loop on both legs of every jsii call. Set up by Install, the
// runtime starts this executable as its "node" (the documented JSII_NODE setting); Main
// then starts the same kernel and relays in Go. It also sizes Node's worker pool to the
// CPUs at hand (see nodeFlags). bench/ measures both.
//
// The relay keeps the wrapper's contract: the kernel's stdin is /dev/null, its stdout and
// stderr reach the runtime as {"stdout"|"stderr": base64} lines on stderr, signals are
// passed on and the exit status is the kernel's. A runtime laid out differently is run with
// plain node, untouched; GOLIVE_JSII_RELAY=off or a JSII_RUNTIME of one's own opts out.
package jsiirelay

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
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

// Main relays and exits when this process was started by the jsii runtime as its node
// (see Install); otherwise it returns at once. Call it first thing in main.
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

// Relay runs the kernel next to entry (jsii's bin/jsii-runtime.js) with node, passing
// the jsii protocol between in/out and the kernel's descriptor 3, and returns its exit
// status.
func Relay(node, entry string, in io.Reader, out, errOut io.Writer) int {
	env := childEnv(node)
	program := filepath.Join(filepath.Dir(filepath.Dir(entry)), "lib", "program.js")
	if _, err := os.Stat(program); err != nil {
		return runPlain(node, entry, env, in, out, errOut)
	}
	fds, err := syscall.Socketpair(syscall.AF_UNIX, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return fail(errOut, err)
	}
	kernelEnd := os.NewFile(uintptr(fds[1]), "jsii-kernel")
	ours := os.NewFile(uintptr(fds[0]), "jsii-relay")
	conn, err := net.FileConn(ours)
	ours.Close()
	if err != nil {
		kernelEnd.Close()
		return fail(errOut, err)
	}
	defer conn.Close()

	console := &console{w: errOut}
	args := append(NodeFlags(), "--preserve-symlinks", program)
	cmd := exec.Command(node, args...)
	cmd.Env = env
	cmd.ExtraFiles = []*os.File{kernelEnd} // descriptor 3
	cmd.Stdout = console.stream("stdout")
	cmd.Stderr = console.stream("stderr")
	err = cmd.Start()
	kernelEnd.Close()
	if err != nil {
		return fail(errOut, err)
	}
	stop := forwardSignals(cmd.Process)
	defer stop()

	go func() {
		// The runtime closing its end (jsii.Close) is the kernel's cue to exit.
		io.Copy(conn, in)
		conn.(*net.UnixConn).CloseWrite()
	}()
	replies := make(chan struct{})
	go func() {
		io.Copy(out, conn)
		close(replies)
	}()
	err = cmd.Wait()
	<-replies // the kernel's last reply was written before it exited
	return exitStatus(err, errOut)
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
func runPlain(node, entry string, env []string, in io.Reader, out, errOut io.Writer) int {
	cmd := exec.Command(node, entry)
	cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = env, in, out, errOut
	if err := cmd.Start(); err != nil {
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
