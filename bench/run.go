// Package bench measures golive against its alternatives on this machine: synth of the
// golive CDK app against a plain JavaScript CDK app declaring the same resources, the
// size of one stack, `golive publish` against the AWS CLI loop of the seeds, and the
// project's own test and set-up times. It prints figures and never fails on them: a
// benchmark is not a timed test.
//
// Every comparison is paired (A B A B ...) because the machine is shared: a pair runs
// back to back, so load that comes and goes hits both sides alike, and ratios are taken
// pair by pair before the median.
package bench

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"syscall"
	"time"
)

// Sample is one timed run of a command.
type Sample struct {
	Wall time.Duration
	// MaxRSSKB is the peak resident set of the largest process of the run's tree (the
	// kernel folds waited-for descendants into the child's rusage), in KiB.
	MaxRSSKB int64
	// CPU is the user and system time of the run's tree (the waited-for processes, as
	// MaxRSSKB): on a machine shared with other work, waiting for a CPU inflates the wall
	// time of both sides of a pair, but not their CPU time.
	CPU time.Duration
}

// Cmd is a command to time: argv, working directory and extra environment.
type Cmd struct {
	Dir  string
	Env  []string
	Args []string
}

// Time runs c and measures it. A failing command is an error carrying its output's tail.
func Time(ctx context.Context, c Cmd) (Sample, error) {
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	// Its own process group, so a cancelled run takes its children along.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	if err != nil {
		return Sample{}, fmt.Errorf("%s: %w\n%s", strings.Join(c.Args, " "), err, tail(out.String(), 2000))
	}
	s := Sample{Wall: wall, CPU: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.MaxRSSKB = ru.Maxrss
	}
	return s, nil
}

// Output runs c and returns its combined output and exit error, untimed.
func Output(ctx context.Context, c Cmd) (string, error) {
	cmd := exec.CommandContext(ctx, c.Args[0], c.Args[1:]...)
	cmd.Dir = c.Dir
	cmd.Env = append(os.Environ(), c.Env...)
	b, err := cmd.CombinedOutput()
	return string(b), err
}

func tail(s string, n int) string {
	if len(s) > n {
		return "..." + s[len(s)-n:]
	}
	return s
}

// Pairs runs a and b alternately, pairs times each (A B A B ...).
func Pairs(ctx context.Context, pairs int, a, b func() (Sample, error)) (as, bs []Sample, err error) {
	ss, err := Rounds(ctx, pairs, a, b)
	if err != nil {
		return nil, nil, err
	}
	return ss[0], ss[1], nil
}

// Rounds runs the commands in turn, rounds times (A B C A B C ...), and returns each
// one's samples.
func Rounds(ctx context.Context, rounds int, cmds ...func() (Sample, error)) ([][]Sample, error) {
	ss := make([][]Sample, len(cmds))
	for range rounds {
		for i, c := range cmds {
			s, err := c()
			if err != nil {
				return nil, err
			}
			ss[i] = append(ss[i], s)
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
	}
	return ss, nil
}

// Median of the wall times, in seconds.
func Median(ss []Sample) float64 {
	w := make([]float64, len(ss))
	for i, s := range ss {
		w[i] = s.Wall.Seconds()
	}
	return median(w)
}

// MaxRSSMB is the largest peak memory of the samples, in MiB.
func MaxRSSMB(ss []Sample) float64 {
	var m int64
	for _, s := range ss {
		m = max(m, s.MaxRSSKB)
	}
	return float64(m) / 1024
}

// RatioMedian is the median of a[i]/b[i]: the ratio within each pair, so that load
// shared by a pair cancels out.
func RatioMedian(a, b []Sample) float64 {
	r := make([]float64, 0, len(a))
	for i := range a {
		if i < len(b) && b[i].Wall > 0 {
			r = append(r, a[i].Wall.Seconds()/b[i].Wall.Seconds())
		}
	}
	return median(r)
}

// CPURatioMedian is RatioMedian of the CPU times.
func CPURatioMedian(a, b []Sample) float64 {
	r := make([]float64, 0, len(a))
	for i := range a {
		if i < len(b) && b[i].CPU > 0 {
			r = append(r, a[i].CPU.Seconds()/b[i].CPU.Seconds())
		}
	}
	return median(r)
}

// MedianCPU is the median CPU time, in seconds.
func MedianCPU(ss []Sample) float64 {
	w := make([]float64, len(ss))
	for i, s := range ss {
		w[i] = s.CPU.Seconds()
	}
	return median(w)
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
