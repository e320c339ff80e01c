package resourcenames_test

import (
	"testing"

	"github.com/golive-dev/golive/internal/resourcenames"
)

func TestDashboardURL(t *testing.T) {
	for _, tt := range []struct{ region, want string }{
		{"eu-west-1", "https://eu-west-1.console.aws.amazon.com/cloudwatch/home?region=eu-west-1#dashboards:name=shop-prd-releases"},
		{"cn-north-1", "https://cn-north-1.console.amazonaws.cn/cloudwatch/home?region=cn-north-1#dashboards:name=shop-prd-releases"},
		{"us-gov-west-1", "https://console.amazonaws-us-gov.com/cloudwatch/home?region=us-gov-west-1#dashboards:name=shop-prd-releases"},
	} {
		if got := resourcenames.DashboardURL(tt.region, resourcenames.DashboardName("shop-prd")); got != tt.want {
			t.Errorf("DashboardURL(%s) = %s, want %s", tt.region, got, tt.want)
		}
	}
}
