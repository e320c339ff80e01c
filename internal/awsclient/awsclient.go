// Package awsclient builds the AWS SDK clients golive uses, the way the AWS CLI does: the
// standard credential chain, an optional named profile, region and endpoint URL, and an
// optional role to assume in the target account (pipelines deploy to several accounts).
package awsclient

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/sts"
)

// Options select the account, region and endpoint.
type Options struct {
	// Region overrides AWS_REGION and the profile's region; empty keeps the SDK's choice.
	Region string
	// Profile is a named profile from the shared config files; empty uses AWS_PROFILE or default.
	Profile string
	// RoleARN, when set, is assumed through STS with the chain's credentials.
	RoleARN string
	// EndpointURL replaces every service's endpoint (a local emulator); empty uses AWS's.
	// AWS_ENDPOINT_URL is honoured by the SDK itself when this is empty.
	EndpointURL string
	// SessionName names the assumed-role session (CloudTrail shows it).
	SessionName string
}

// Clients are the service clients golive calls.
type Clients struct {
	Lambda         *lambda.Client
	CloudFormation *cloudformation.Client
	CodeDeploy     *codedeploy.Client
	// Region is the region the clients were built for.
	Region string
}

// New loads the SDK configuration and builds the clients.
func New(ctx context.Context, o Options) (*Clients, error) {
	var loads []func(*awsconfig.LoadOptions) error
	if o.Region != "" {
		loads = append(loads, awsconfig.WithRegion(o.Region))
	}
	if o.Profile != "" {
		loads = append(loads, awsconfig.WithSharedConfigProfile(o.Profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, loads...)
	if err != nil {
		return nil, fmt.Errorf("load AWS configuration: %w", err)
	}
	if cfg.Region == "" {
		return nil, fmt.Errorf("no AWS region: set --region, the environment's region in config.json, or AWS_REGION")
	}
	if o.RoleARN != "" {
		stsClient := sts.NewFromConfig(cfg, func(so *sts.Options) {
			if e := endpoint(o); e != nil {
				so.BaseEndpoint = e
			}
		})
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(stsClient, o.RoleARN,
			func(ao *stscreds.AssumeRoleOptions) {
				if o.SessionName != "" {
					ao.RoleSessionName = o.SessionName
				}
			}))
	}
	return &Clients{
		Lambda: lambda.NewFromConfig(cfg, func(lo *lambda.Options) {
			if e := endpoint(o); e != nil {
				lo.BaseEndpoint = e
			}
		}),
		CloudFormation: cloudformation.NewFromConfig(cfg, func(co *cloudformation.Options) {
			if e := endpoint(o); e != nil {
				co.BaseEndpoint = e
			}
		}),
		CodeDeploy: codedeploy.NewFromConfig(cfg, func(do *codedeploy.Options) {
			if e := endpoint(o); e != nil {
				do.BaseEndpoint = e
			}
		}),
		Region: cfg.Region,
	}, nil
}

func endpoint(o Options) *string {
	if o.EndpointURL == "" {
		return nil
	}
	return aws.String(o.EndpointURL)
}
