package awsclient_test

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"

	"github.com/golive-dev/golive/internal/awsclient"
)

func isolate(t *testing.T) {
	t.Setenv("AWS_CONFIG_FILE", os.DevNull)
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", os.DevNull)
	t.Setenv("AWS_ACCESS_KEY_ID", "testing")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "testing")
	for _, k := range []string{"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
}

func TestEndpointAndRegion(t *testing.T) {
	isolate(t)
	c, err := awsclient.New(context.Background(), awsclient.Options{Region: "eu-west-1", EndpointURL: "http://127.0.0.1:5000"})
	if err != nil {
		t.Fatal(err)
	}
	for name, o := range map[string]struct {
		endpoint *string
		region   string
	}{
		"lambda":         {c.Lambda.Options().BaseEndpoint, c.Lambda.Options().Region},
		"cloudformation": {c.CloudFormation.Options().BaseEndpoint, c.CloudFormation.Options().Region},
		"codedeploy":     {c.CodeDeploy.Options().BaseEndpoint, c.CodeDeploy.Options().Region},
	} {
		if aws.ToString(o.endpoint) != "http://127.0.0.1:5000" || o.region != "eu-west-1" {
			t.Errorf("%s: endpoint %q region %q", name, aws.ToString(o.endpoint), o.region)
		}
	}
}

func TestNoEndpointKeepsAWS(t *testing.T) {
	isolate(t)
	c, err := awsclient.New(context.Background(), awsclient.Options{Region: "us-east-1"})
	if err != nil {
		t.Fatal(err)
	}
	if e := c.Lambda.Options().BaseEndpoint; e != nil {
		t.Errorf("endpoint %q; want AWS's", *e)
	}
}

func TestNoRegion(t *testing.T) {
	isolate(t)
	_, err := awsclient.New(context.Background(), awsclient.Options{})
	if err == nil || !strings.Contains(err.Error(), "no AWS region") {
		t.Fatalf("error = %v", err)
	}
}

func TestUnknownProfile(t *testing.T) {
	isolate(t)
	_, err := awsclient.New(context.Background(), awsclient.Options{Region: "us-east-1", Profile: "nope"})
	if err == nil || !strings.Contains(err.Error(), "nope") {
		t.Fatalf("error = %v", err)
	}
}
