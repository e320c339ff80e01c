package versionedfunction

import (
	"encoding/json"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// Smoke is the pre-traffic test of the version being released.
type Smoke struct {
	// Events are the payloads, each a JSON value, the version is invoked with, in order.
	// Required: at least one.
	Events []json.RawMessage
	// Expect, when set, is a JSON value every response must contain: an object's keys
	// recursively, any other value equal. Default: any response without a function error.
	Expect json.RawMessage
	// Timeout bounds all events together: whole seconds, at most 14 minutes (the hook
	// runs in one Lambda invocation). Default: 60 seconds.
	Timeout awscdk.Duration
	// Compare also invokes the current version (the AppSpec's CurrentVersion) with each
	// event, by its number, and fails the release when its response differs from the new
	// version's, naming the first differing JSON Pointer with both values. Default: false.
	Compare bool
	// Ignore are JSON Pointers (RFC 6901, such as "/requestId") at which the two responses
	// may differ, with everything under them. Only with Compare. Default: none.
	Ignore []string
}

// Bake is the post-traffic check.
type Bake struct {
	// Wait is how long to wait once traffic is fully shifted before judging: whole
	// minutes, 1 to 14 (the hook waits and judges in one Lambda invocation). Required.
	Wait awscdk.Duration
}
