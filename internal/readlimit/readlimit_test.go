package readlimit_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/golive-dev/golive/internal/readlimit"
)

func TestFile(t *testing.T) {
	dir := t.TempDir()
	exact := filepath.Join(dir, "exact")
	if err := os.WriteFile(exact, []byte("12345678"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got, err := readlimit.File(context.Background(), exact, 8); err != nil || string(got) != "12345678" {
		t.Errorf("File(8 bytes, limit 8) = %q, %v; want the bytes", got, err)
	}
	_, err := readlimit.File(context.Background(), exact, 7)
	var tooLarge *readlimit.TooLargeError
	if !errors.As(err, &tooLarge) || err.Error() != exact+": more than 7 bytes (7 B), the most golive reads from it" {
		t.Errorf("File(8 bytes, limit 7) error = %v; want a *TooLargeError naming the file and the limit", err)
	}
	// /dev/zero never ends: the limit ends the read.
	start := time.Now()
	_, err = readlimit.File(context.Background(), "/dev/zero", 1<<20)
	if !errors.As(err, &tooLarge) || !strings.Contains(err.Error(), "more than 1048576 bytes (1 MiB)") || time.Since(start) > 5*time.Second {
		t.Errorf("File(/dev/zero, 1 MiB) error = %v after %s; want the limit named at once", err, time.Since(start))
	}
	if _, err := readlimit.File(context.Background(), filepath.Join(dir, "missing"), 8); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("File(missing) error = %v; want os.ErrNotExist", err)
	}
}

// A FIFO without a writer blocks open(2) for ever; the context's end returns its cause.
func TestFileGivesUpWithTheContext(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	cause := errors.New("interrupted")
	ctx, cancel := context.WithCancelCause(context.Background())
	time.AfterFunc(100*time.Millisecond, func() { cancel(cause) })
	start := time.Now()
	_, err := readlimit.File(ctx, fifo, 8)
	if !errors.Is(err, cause) || time.Since(start) > 5*time.Second {
		t.Errorf("File(fifo) = %v after %s; want the context's cause at once", err, time.Since(start))
	}
	// Let the abandoned open return, so the test leaves no goroutine blocked.
	if w, err := os.OpenFile(fifo, os.O_WRONLY, 0); err == nil {
		w.Close()
	}
}
