// Package readlimit reads the files a user names (config.json, a smoke event) with a size
// limit, and gives up on a read that blocks when the context ends: a path may be /dev/zero,
// which never ends, or a FIFO without a writer, whose open(2) never returns.
package readlimit

import (
	"context"
	"fmt"
	"io"
	"os"
)

// TooLargeError is a file past its limit.
type TooLargeError struct {
	Path  string
	Limit int64
}

func (e *TooLargeError) Error() string {
	return fmt.Sprintf("%s: more than %d bytes (%s), the most golive reads from it", e.Path, e.Limit, size(e.Limit))
}

func size(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d B", n)
}

// File reads the file at path, at most limit bytes: a longer one is a *TooLargeError. When
// ctx ends first, File returns context.Cause(ctx) at once and leaves the blocked open or read
// to a goroutine that ends with the process: neither can be interrupted portably, and a
// command that stops on a signal exits right after.
func File(ctx context.Context, path string, limit int64) ([]byte, error) {
	type result struct {
		data []byte
		err  error
	}
	done := make(chan result, 1)
	go func() {
		data, err := read(path, limit)
		done <- result{data, err}
	}()
	select {
	case r := <-done:
		return r.data, r.err
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}
}

func read(path string, limit int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err // *fs.PathError names the file
	}
	defer f.Close()
	// One byte past the limit tells a file of exactly limit bytes from a longer one.
	data, err := io.ReadAll(io.LimitReader(f, limit+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > limit {
		return nil, &TooLargeError{Path: path, Limit: limit}
	}
	return data, nil
}
