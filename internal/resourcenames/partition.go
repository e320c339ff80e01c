package resourcenames

import "strings"

// Partition is the ARN partition of region: aws-cn for the China regions (cn-*), aws-us-gov
// for GovCloud (us-gov-*), aws for the rest ("Identify AWS resources with Amazon Resource
// Names", IAM User Guide: the partition is aws, aws-cn or aws-us-gov).
func Partition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}
