package versionedfunction

import (
	"fmt"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

func newFunction(parent, scope constructs.Construct, props *Props) awslambda.Function {
	fp := &awslambda.FunctionProps{
		FunctionName: jsii.String(props.FunctionName),
		Architecture: architecture(props.Architecture),
		MemorySize:   jsii.Number(float64(orDefault(props.MemoryMB, 128))),
		Timeout:      seconds(props.Timeout.Seconds()),
	}
	if props.Timeout == 0 {
		fp.Timeout = seconds(3)
	}
	if props.Description != "" {
		fp.Description = jsii.String(props.Description)
	}
	if len(props.Environment) > 0 {
		env := make(map[string]*string, len(props.Environment))
		for k, val := range props.Environment {
			env[k] = jsii.String(val)
		}
		fp.Environment = &env
	}
	if props.Image != nil {
		img := props.Image
		var repo awsecr.IRepository
		if img.Account == "" && img.Region == "" {
			repo = awsecr.Repository_FromRepositoryName(scope, jsii.String("Repository"), jsii.String(img.Repository))
		} else {
			arn := &awscdk.ArnComponents{Service: jsii.String("ecr"), Resource: jsii.String("repository"),
				ResourceName: jsii.String(img.Repository)}
			if img.Account != "" {
				arn.Account = jsii.String(img.Account)
			}
			if img.Region != "" {
				arn.Region = jsii.String(img.Region)
			}
			repo = awsecr.Repository_FromRepositoryAttributes(scope, jsii.String("Repository"), &awsecr.RepositoryAttributes{
				RepositoryName: jsii.String(img.Repository),
				RepositoryArn:  awscdk.Stack_Of(scope).FormatArn(arn),
			})
		}
		ref := img.Digest
		if ref == "" {
			ref = img.Tag
		}
		fp.Code = awslambda.Code_FromEcrImage(repo, &awslambda.EcrImageCodeProps{TagOrDigest: jsii.String(ref)})
		fp.Handler = jsii.String("FROM_IMAGE")
		fp.Runtime = statics().fromImage
	} else {
		dir, sha, err := BuildGo(props.Entry, props.Architecture)
		if err != nil {
			panic(fmt.Errorf("%s: %w", *scope.Node().Path(), err))
		}
		fp.Code = assetCode(parent, dir, sha)
		fp.Handler = jsii.String("bootstrap")
		fp.Runtime = statics().al2023
	}
	return awslambda.NewFunction(scope, jsii.String("Resource"), fp)
}

var retainedTypes = []*string{jsii.String("AWS::Lambda::Function"), jsii.String("AWS::IAM::Role")}

// jsii statics are round trips to Node; synthesizing a hundred functions asks for the
// same few values hundreds of times, so they are fetched once per process.
type jsiiStatics struct {
	al2023, fromImage awslambda.Runtime
	arm64, x86        awslambda.Architecture
	seconds           map[float64]awscdk.Duration
}

var (
	staticsOnce sync.Once
	staticsVal  *jsiiStatics
	secondsMu   sync.Mutex
)

func statics() *jsiiStatics {
	staticsOnce.Do(func() {
		staticsVal = &jsiiStatics{
			al2023:    awslambda.Runtime_PROVIDED_AL2023(),
			fromImage: awslambda.Runtime_FROM_IMAGE(),
			arm64:     awslambda.Architecture_ARM_64(),
			x86:       awslambda.Architecture_X86_64(),
			seconds:   map[float64]awscdk.Duration{},
		}
	})
	return staticsVal
}

func seconds(s float64) awscdk.Duration {
	st := statics()
	secondsMu.Lock()
	defer secondsMu.Unlock()
	d, ok := st.seconds[s]
	if !ok {
		d = awscdk.Duration_Seconds(jsii.Number(s))
		st.seconds[s] = d
	}
	return d
}

func architecture(a Architecture) awslambda.Architecture {
	if a == X86_64 {
		return statics().x86
	}
	return statics().arm64
}

// assetCode returns one lambda.Code per parent scope and built handler: functions of a
// stack that share a handler then share one asset (one Asset construct, one staging,
// one jsii round trip less per function) instead of declaring it again for each.
// CDK binds an AssetCode to the stack of its first function; a parent scope lies in one
// stack, so the key never crosses stacks.
func assetCode(parent constructs.Construct, dir, sha string) awslambda.Code {
	k := assetKey{parent, dir, sha}
	assetsMu.Lock()
	defer assetsMu.Unlock()
	if c, ok := assets[k]; ok {
		return c
	}
	c := awslambda.Code_FromAsset(jsii.String(dir), &awss3assets.AssetOptions{
		AssetHash:     jsii.String(sha),
		AssetHashType: awscdk.AssetHashType_CUSTOM,
	})
	assets[k] = c
	return c
}

type assetKey struct {
	parent   constructs.Construct
	dir, sha string
}

var (
	assetsMu sync.Mutex
	assets   = map[assetKey]awslambda.Code{}
)
