package release

import (
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/versiondesc"
)

// Commit is the source commit a version's description records ("3f2c9e1", "3f2c9e1 (dirty)"),
// or "" when the description is not one golive publish wrote.
func Commit(description string) string {
	c, dirty, ok := versiondesc.ParseCommitDescription(description)
	switch {
	case !ok:
		return ""
	case dirty:
		return c + " (dirty)"
	}
	return c
}

// commitOf is the commit of version v among vs, "" when unknown.
func commitOf(vs []types.FunctionConfiguration, v string) string {
	for _, x := range vs {
		if aws.ToString(x.Version) == v {
			return Commit(aws.ToString(x.Description))
		}
	}
	return ""
}
