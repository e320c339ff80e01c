package resourcenames_test

import (
	"testing"

	"github.com/golive-dev/golive/internal/resourcenames"
)

func TestPartition(t *testing.T) {
	for region, want := range map[string]string{
		"us-east-1": "aws", "eu-west-1": "aws", "cn-north-1": "aws-cn", "cn-northwest-1": "aws-cn",
		"us-gov-west-1": "aws-us-gov", "us-gov-east-1": "aws-us-gov",
	} {
		if got := resourcenames.Partition(region); got != want {
			t.Errorf("Partition(%q) = %q; want %q", region, got, want)
		}
	}
}
