package hooksettings

import (
	"fmt"
	"regexp"
)

// IgnorePointerPattern is what an entry of smoke.ignore may be: a JSON Pointer (RFC 6901,
// section 3: "/" and a reference token, repeated, "~" only as "~0" or "~1") naming a part of
// a response, never "" (the whole response, which would ignore every difference). RE2 and
// ECMAScript read it alike: config.schema.json carries the same string.
const IgnorePointerPattern = `^(/([^~]|~[01])*)+$`

var ignorePointerRe = regexp.MustCompile(IgnorePointerPattern)

// WantIgnorePointer says what IgnorePointerPattern allows, in the user's words.
const WantIgnorePointer = `a JSON Pointer to a part of the response, such as "/requestId" or "/items/0/time" ("~1" for a "/" in a key, "~0" for a "~")`

// CheckIgnorePointer refuses what smoke.ignore cannot hold.
func CheckIgnorePointer(p string) error {
	if p == "" {
		return fmt.Errorf(`got ""; want %s: "" is the whole response`, WantIgnorePointer)
	}
	if !ignorePointerRe.MatchString(p) {
		return fmt.Errorf("got %q; want %s", p, WantIgnorePointer)
	}
	return nil
}
