// Package mototest is the glue between internal/testkit/moto and Go test binaries: TestMain starts
// one moto_server for the binary, and tests skip without it, except under CI=true, where a
// missing moto_server fails them so that a CI machine without it cannot pass by skipping.
package mototest

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/golive-dev/golive/internal/testkit/moto"
)

// Main is for TestMain: it starts a server into *srv, runs the tests and stops the server.
// Without moto_server the tests run with *srv nil and Need skips them; under CI (CI=true) a
// missing moto_server fails the test binary instead.
//
//	var srv *moto.Server
//	func TestMain(m *testing.M) { os.Exit(mototest.Main(m, &srv)) }
//
// m is the binary's *testing.M; the package takes only the method it calls, so that it
// imports no testing package of its own (test tooling stays out of the product's imports).
func Main(m interface{ Run() int }, srv **moto.Server) int {
	s, err := moto.Start(context.Background())
	switch {
	case err == nil:
		*srv = s
		defer func() {
			if err := s.Close(); err != nil {
				fmt.Fprintln(os.Stderr, "moto:", err)
			}
		}()
	case errors.Is(err, moto.ErrNotInstalled) && os.Getenv("CI") != "true":
		skipReason = err.Error() + "; skipping tests that need it"
		fmt.Fprintln(os.Stderr, "moto:", skipReason)
	default:
		if errors.Is(err, moto.ErrNotInstalled) {
			err = fmt.Errorf("%w; CI=true, so tests that need it fail instead of skipping", err)
		}
		fmt.Fprintln(os.Stderr, "moto:", err)
		return 1
	}
	return m.Run()
}

var skipReason = moto.Binary + " was not started (call mototest.Main from TestMain)"

// Need skips the test when srv is nil (moto_server missing outside CI); t is a *testing.T or
// *testing.B.
func Need(t interface {
	Helper()
	Skip(args ...any)
}, srv *moto.Server) {
	t.Helper()
	if srv == nil {
		t.Skip(skipReason)
	}
}
