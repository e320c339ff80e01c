// Package jsiicount counts the round trips a Go CDK app makes between Go and the jsii
// kernel, from the kernel's own log: with JSII_DEBUG=1 in its environment, the kernel
// writes every message it receives to stderr as a line "> {JSON}" and every message it
// sends as "< {JSON}" (@jsii/runtime's host). A request from Go ("api": create, get, set,
// invoke, sget, sset, sinvoke, load, ...) and a callback from the kernel into Go (an
// overridden method, a Lazy's producer, an aspect's visit) each cost one round trip through
// jsii's relay process; the rest of what a synth costs is either the kernel's own work or
// Go's.
package jsiicount

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"
)

// Env is what a Go CDK app's environment needs for Parse to count its round trips.
const Env = "JSII_DEBUG=1"

// Counts are the round trips of one run of an app.
type Counts struct {
	// Requests are the calls from Go into the kernel.
	Requests int
	// Callbacks are the calls from the kernel into Go.
	Callbacks int
	// ByCall counts each kind of request and callback, e.g. "create aws-cdk-lib.aws_lambda.Function",
	// "get node on constructs.Construct", "sinvoke aws-cdk-lib.Stack.of", "callback visit".
	ByCall map[string]int
}

// Total is every round trip: requests and callbacks.
func (c Counts) Total() int { return c.Requests + c.Callbacks }

// Sub is c less o, call by call: what a run does beyond another's.
func (c Counts) Sub(o Counts) Counts {
	d := Counts{Requests: c.Requests - o.Requests, Callbacks: c.Callbacks - o.Callbacks, ByCall: map[string]int{}}
	for k, v := range c.ByCall {
		d.ByCall[k] = v
	}
	for k, v := range o.ByCall {
		d.ByCall[k] -= v
	}
	for k, v := range d.ByCall {
		if v == 0 {
			delete(d.ByCall, k)
		}
	}
	return d
}

// Top lists the n kinds of call c makes most often, "COUNT CALL", most frequent first
// (ties by name); n <= 0 lists all.
func (c Counts) Top(n int) []string {
	keys := slices.Collect(maps.Keys(c.ByCall))
	slices.SortFunc(keys, func(a, b string) int {
		if d := c.ByCall[b] - c.ByCall[a]; d != 0 {
			return d
		}
		return strings.Compare(a, b)
	})
	if n > 0 && len(keys) > n {
		keys = keys[:n]
	}
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = fmt.Sprintf("%d %s", c.ByCall[k], k)
	}
	return out
}

// message is the part of a kernel message that names the call.
type message struct {
	API      string `json:"api"`
	FQN      string `json:"fqn"`
	Method   string `json:"method"`
	Property string `json:"property"`
	ObjRef   *struct {
		Ref string `json:"$jsii.byref"`
	} `json:"objref"`
	Callback *struct {
		Cookie string `json:"cookie"`
		Invoke *struct {
			Method string `json:"method"`
		} `json:"invoke"`
		Get *struct {
			Property string `json:"property"`
		} `json:"get"`
	} `json:"callback"`
}

// Parse reads a kernel log written under Env (other lines, the app's own output among
// them, are skipped) and counts its round trips. It fails on a log without a single
// request: the app ran without JSII_DEBUG, or never reached jsii.
func Parse(r io.Reader) (Counts, error) {
	c := Counts{ByCall: map[string]int{}}
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadString('\n')
		if msg, ok := kernelMessage(line); ok {
			var m message
			if jerr := json.Unmarshal([]byte(msg), &m); jerr != nil {
				return Counts{}, fmt.Errorf("jsii log: %w: %.200s", jerr, line)
			}
			if m.Callback != nil {
				c.Callbacks++
				c.ByCall[callbackKey(m)]++
			} else {
				c.Requests++
				c.ByCall[requestKey(m)]++
			}
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return Counts{}, err
		}
	}
	if c.Requests == 0 {
		return Counts{}, errors.New("jsii log: no kernel request; run the app with " + Env)
	}
	return c, nil
}

// kernelMessage finds a request or a callback in a line of the log. The kernel writes its
// messages and its debug output to stderr in separate writes, and a debug write cut short
// (a pipe that was full) leaves a line without its newline, so a message may follow other
// text on its line: it runs from its marker to the line's end.
func kernelMessage(line string) (string, bool) {
	i := strings.Index(line, `> {"api"`)
	if j := strings.Index(line, `< {"callback"`); j >= 0 && (i < 0 || j < i) {
		i = j
	}
	if i < 0 {
		return "", false
	}
	return strings.TrimRight(line[i+2:], "\r\n"), true
}

func requestKey(m message) string {
	k := m.API
	switch {
	case m.FQN != "" && m.Method != "":
		k += " " + m.FQN + "." + m.Method
	case m.FQN != "" && m.Property != "":
		k += " " + m.FQN + "." + m.Property
	case m.FQN != "":
		k += " " + m.FQN
	case m.Method != "":
		k += " " + m.Method
	case m.Property != "":
		k += " " + m.Property
	}
	if m.ObjRef != nil {
		// "aws-cdk-lib.Stack@10002": the type, without the instance.
		typ, _, _ := strings.Cut(m.ObjRef.Ref, "@")
		k += " on " + typ
	}
	return k
}

func callbackKey(m message) string {
	switch cb := m.Callback; {
	case cb.Invoke != nil:
		return "callback " + cb.Invoke.Method
	case cb.Get != nil:
		return "callback get " + cb.Get.Property
	default:
		return "callback " + cb.Cookie
	}
}
