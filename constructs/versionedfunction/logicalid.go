package versionedfunction

import (
	"crypto/md5"
	"encoding/hex"
	"regexp"
	"strings"
)

// cdkLogicalID is the logical ID CDK's Stack.allocateLogicalId gives a CloudFormation
// element whose construct ids below its stack are components: aws-cdk-lib's makeUniqueId
// (core/lib/private/uniqueid.ts). "Default" is dropped; a single component is the ID
// itself; otherwise the components' letters and digits, "Resource" and repeated
// components left out, then the first 8 hex digits of the MD5 of the path. Computed
// here, it costs no jsii round trip.
func cdkLogicalID(components []string) string {
	var kept []string
	for _, c := range components {
		if c != "Default" {
			kept = append(kept, c)
		}
	}
	if len(kept) == 1 {
		if id := nonAlphanumeric.ReplaceAllString(kept[0], ""); len(id) <= 255 {
			return id
		}
	}
	sum := md5.Sum([]byte(strings.Join(kept, "/")))
	var human []string
	for _, c := range kept {
		// makeUniqueId's removeDupes: a component that ends the previous one is left out.
		if len(human) > 0 && strings.HasSuffix(human[len(human)-1], c) {
			continue
		}
		human = append(human, c)
	}
	var b strings.Builder
	for _, c := range human {
		if c != "Resource" {
			b.WriteString(nonAlphanumeric.ReplaceAllString(c, ""))
		}
	}
	h := b.String()
	if len(h) > 240 {
		h = h[:240]
	}
	return h + strings.ToUpper(hex.EncodeToString(sum[:])[:8])
}

var nonAlphanumeric = regexp.MustCompile(`[^A-Za-z0-9]`)

// pathBelowStack is the construct ids from the construct's stack down to it.
func (v *VersionedFunction) pathBelowStack() []string {
	p := v.path
	if v.ss.stackPath != "" {
		p = strings.TrimPrefix(p, v.ss.stackPath+"/")
	}
	return strings.Split(p, "/")
}
