package faults

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestIdentify(t *testing.T) {
	tests := []struct {
		method, path, body, target string
		want                       request
	}{
		{"GET", "/2015-03-31/functions/fn/configuration", "", "", request{"lambda", "GetFunctionConfiguration", "fn"}},
		{"POST", "/2015-03-31/functions/fn/versions", "", "", request{"lambda", "PublishVersion", "fn"}},
		{"GET", "/2015-03-31/functions/fn/versions?MaxItems=50", "", "", request{"lambda", "ListVersionsByFunction", "fn"}},
		{"GET", "/2015-03-31/functions/fn/aliases/LIVE", "", "", request{"lambda", "GetAlias", "fn"}},
		{"PUT", "/2015-03-31/functions/fn/aliases/LIVE", "", "", request{"lambda", "UpdateAlias", "fn"}},
		{"DELETE", "/2015-03-31/functions/fn?Qualifier=3", "", "", request{"lambda", "DeleteFunction", "fn"}},
		{"GET", "/2016-08-19/account-settings", "", "", request{"lambda", "GetAccountSettings", ""}},
		{"POST", "/", "Action=DescribeStacks&Version=2010-05-15", "", request{"cloudformation", "DescribeStacks", ""}},
		{"POST", "/", "{}", "CodeDeploy_20141006.ListDeployments", request{"CodeDeploy_20141006", "ListDeployments", ""}},
	}
	for _, tt := range tests {
		r := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		if tt.target != "" {
			r.Header.Set("X-Amz-Target", tt.target)
		}
		if got := identify(r, []byte(tt.body)); got != tt.want {
			t.Errorf("%s %s: %+v; want %+v", tt.method, tt.path, got, tt.want)
		}
	}
}

// The same seed faults the same requests, whatever else happened; another seed others.
func TestPickIsDeterministic(t *testing.T) {
	rules := []Rule{{Kind: Throttle, Rate: 0.3}}
	roll := func(seed uint64) (hits []bool) {
		for i := range 1000 {
			key := "GET /2015-03-31/functions/f" + strings.Repeat("x", i%7) + "/configuration"
			_, ok := pick(seed, rules, request{op: "GetFunctionConfiguration"}, key, i)
			hits = append(hits, ok)
		}
		return hits
	}
	a, b, c := roll(1), roll(1), roll(2)
	n, same := 0, 0
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("seed 1 rolled request %d differently", i)
		}
		if a[i] {
			n++
		}
		if a[i] == c[i] {
			same++
		}
	}
	if n < 250 || n > 350 {
		t.Errorf("%d of 1000 faulted; want about 300", n)
	}
	if same == len(a) {
		t.Error("seed 2 faulted exactly the same requests")
	}
}

func TestThrottleIsLambdaShaped(t *testing.T) {
	rec := httptest.NewRecorder()
	throttle(rec, request{service: "lambda"})
	if rec.Code != http.StatusTooManyRequests || rec.Header().Get("X-Amzn-Errortype") != "TooManyRequestsException" {
		t.Errorf("%d %v", rec.Code, rec.Header())
	}
}
