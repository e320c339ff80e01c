// Package moto runs moto_server, the AWS API emulator, for tests and benchmarks: each test
// binary starts its own server on a free loopback port from TestMain and drives it through
// the real AWS SDK.
//
// moto differs from AWS in ways that matter to golive (docs/moto.md
// lists them): it lets you delete an aliased version, ignores PublishVersion's
// CodeSha256/RevisionId guards, reuses version numbers after a delete, never returns a
// RevisionId, shifts no CodeDeploy traffic and has no GetAccountSettings. Tests that need
// those behaviours use internal/testkit/fakeaws instead. The package is test tooling with no
// dependency on package testing; mototest holds the glue for test binaries.
package moto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Binary is the emulator's command name, looked up in PATH.
const Binary = "moto_server"

// ErrNotInstalled is returned by Start when moto_server is not in PATH.
var ErrNotInstalled = errors.New(Binary + " not found in PATH (pip install 'moto[server]')")

// Server is a running moto_server.
type Server struct {
	// URL is the endpoint to pass as --endpoint-url or BaseEndpoint, e.g. http://127.0.0.1:40123.
	URL string

	cmd  *exec.Cmd
	log  *bytes.Buffer
	once sync.Once
	done chan struct{}
}

// Start launches moto_server on a free loopback port, waits until it answers and switches
// Lambda to moto's Docker-free backend, whose Invoke echoes the payload back (no container
// runs the code). It tries a few ports in case another process grabs the free one first.
func Start(ctx context.Context) (*Server, error) { return StartInAccount(ctx, "") }

// StartInAccount is Start with the emulated resources in account ("" is moto's default,
// 123456789012), for a config whose environment names another: golive refuses resources
// outside the environment's account.
func StartInAccount(ctx context.Context, account string) (*Server, error) {
	path, err := exec.LookPath(Binary)
	if err != nil {
		return nil, ErrNotInstalled
	}
	var lastErr error
	for range 3 {
		s, err := start(ctx, path, account)
		if err == nil {
			return s, nil
		}
		lastErr = err
	}
	return nil, lastErr
}

func start(ctx context.Context, path, account string) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL:  "http://127.0.0.1:" + strconv.Itoa(port),
		log:  &bytes.Buffer{},
		done: make(chan struct{}),
	}
	s.cmd = exec.Command(path, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	if account != "" {
		s.cmd.Env = append(os.Environ(), "MOTO_ACCOUNT_ID="+account)
	}
	s.cmd.Stdout = &lockedWriter{w: s.log}
	s.cmd.Stderr = s.cmd.Stdout
	// Its own process group, so Close also ends any child the Python launcher spawns.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start %s: %w", Binary, err)
	}
	go func() { _ = s.cmd.Wait(); close(s.done) }()

	if err := s.waitReady(ctx, 30*time.Second); err != nil {
		_ = s.Close()
		return nil, err
	}
	// Without Docker, moto's default Lambda backend cannot Invoke; the "simple" backend can.
	// It must be chosen before any function is created: the two backends do not share state.
	if err := s.post(ctx, "/moto-api/config", `{"lambda": {"use_docker": false}}`); err != nil {
		_ = s.Close()
		return nil, err
	}
	return s, nil
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

func (s *Server) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, s.URL+"/moto-api/data.json", nil)
		if resp, err := http.DefaultClient.Do(req); err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-s.done:
			return fmt.Errorf("%s exited before answering on %s: %s", Binary, s.URL, strings.TrimSpace(s.Log()))
		case <-ctx.Done():
			return fmt.Errorf("%s did not answer on %s: %w", Binary, s.URL, ctx.Err())
		case <-tick.C:
		}
	}
}

func (s *Server) post(ctx context.Context, path, body string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("moto %s: %w", path, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("moto %s: %s: %s", path, resp.Status, b)
	}
	return nil
}

// Reset drops every resource in every emulated service (moto's /moto-api/reset).
func (s *Server) Reset(ctx context.Context) error {
	if err := s.post(ctx, "/moto-api/reset", ""); err != nil {
		return err
	}
	return s.post(ctx, "/moto-api/config", `{"lambda": {"use_docker": false}}`)
}

// Log returns what the server printed so far (its request log), for failure messages.
func (s *Server) Log() string {
	w := s.cmd.Stdout.(*lockedWriter)
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.String()
}

// Close stops the server and waits for it to exit. It is safe to call more than once; only
// the first call reports an error (a server that ignored SIGTERM and had to be killed).
func (s *Server) Close() error {
	var err error
	s.once.Do(func() {
		if s.cmd.Process == nil {
			return
		}
		if kerr := syscall.Kill(-s.cmd.Process.Pid, syscall.SIGTERM); kerr != nil && !errors.Is(kerr, syscall.ESRCH) {
			err = fmt.Errorf("stop %s: %w", Binary, kerr)
		}
		select {
		case <-s.done:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
			<-s.done
			err = fmt.Errorf("%s ignored SIGTERM for 5s and was killed", Binary)
		}
	})
	return err
}

type lockedWriter struct {
	mu sync.Mutex
	w  *bytes.Buffer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}
