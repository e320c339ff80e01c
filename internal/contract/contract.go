// Package contract holds the facts the CDK app (construct and stacks) and the golive CLI
// must agree on: names, formats and patterns that one side writes and the other reads.
// Each lives here once; the other copies (the JSON Schema, the docs) are checked
// against it by tests. Plain Go: no jsii, no AWS SDK, so both binaries may import it.
package contract

import (
	"strings"
	"unicode/utf8"
)

// Alias is the alias clients and event sources invoke.
const Alias = "LIVE"

// Latest is Lambda's name for the mutable, unpublished function.
const Latest = "$LATEST"

// OutputKey is the stack output that records what a deploy left LIVE on for the function
// with key name: outputs must be alphanumeric, so "order-api" becomes "LiveVersionOrderApi".
func OutputKey(name string) string {
	var b strings.Builder
	b.WriteString(OutputKeyPrefix)
	upper := true
	for _, r := range name {
		switch {
		case r < utf8.RuneSelf && ('a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'):
			if upper && 'a' <= r && r <= 'z' {
				r -= 'a' - 'A'
			}
			b.WriteRune(r)
			upper = false
		default:
			upper = true
		}
	}
	return b.String()
}

// OutputKeyPrefix starts every OutputKey.
const OutputKeyPrefix = "LiveVersion"

// OutputValue is the value of a function's output: NAME:VERSION, a qualified function
// name (version "$LATEST" when LIVE follows it). The CLI reads the version to find drift
// and the name to refuse a rename, which would leave the versions behind.
func OutputValue(functionName, version string) string { return functionName + ":" + version }

// ParseOutputValue splits an OutputValue; ok is false for anything else.
func ParseOutputValue(v string) (functionName, version string, ok bool) {
	i := strings.LastIndexByte(v, ':')
	if i <= 0 || i == len(v)-1 {
		return "", "", false
	}
	return v[:i], v[i+1:], true
}
