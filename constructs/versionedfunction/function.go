package versionedfunction

import (
	"reflect"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3assets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// buildOutput is where the Entry's handler was built, and its hash.
type buildOutput struct{ dir, sha string }

// newFunction declares the Entry (built into code) or Image function of props as scope's
// "Resource".
func newFunction(scope constructs.Construct, ss *stackScope, props *Props, name string, arch Architecture, code buildOutput) awslambda.Function {
	fp := &awslambda.FunctionProps{}
	if props.FunctionOptions != nil {
		copyOptions(fp, props.FunctionOptions)
	}
	// validate refused every field set in both places, so a field set here is the only one.
	fp.FunctionName = jsii.String(name)
	if fp.Architecture == nil {
		fp.Architecture = ss.architecture(arch)
	}
	if fp.MemorySize == nil {
		fp.MemorySize = props.MemorySize
	}
	if fp.MemorySize == nil {
		fp.MemorySize = jsii.Number(128)
	}
	if fp.Timeout == nil {
		fp.Timeout = props.Timeout
	}
	if fp.Timeout == nil {
		fp.Timeout = ss.duration(defaultTimeoutS)
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
		fp.Runtime = ss.runtimeFromImage()
	} else {
		fp.Code = assetCode(code.dir, code.sha)
		fp.Handler = jsii.String("bootstrap")
		fp.Runtime = ss.runtimeAL2023()
	}
	return awslambda.NewFunction(scope, jsii.String("Resource"), fp)
}

// assetCode is the built handler in dir as the function's code, hashed on the binary's
// SHA-256 (see buildGo) rather than by CDK reading the directory again.
func assetCode(dir, sha string) awslambda.Code {
	return awslambda.Code_FromAsset(jsii.String(dir), &awss3assets.AssetOptions{
		AssetHash:     jsii.String(sha),
		AssetHashType: awscdk.AssetHashType_CUSTOM,
	})
}

// copyOptions passes every field of FunctionOptions to FunctionProps, which jsii flattens
// into a struct of its own with the same field names (plus Code, Handler and Runtime): an
// option added to CDK reaches the function without a change here.
func copyOptions(dst *awslambda.FunctionProps, src *awslambda.FunctionOptions) {
	copyFields(dst, src)
}

// copyFields sets each field of *dst to the field of *src of the same name: jsii flattens
// a struct that extends another (FunctionProps, MetricProps) into one with the same field
// names, so every option of the smaller one is passed on.
func copyFields(dst, src any) {
	d, s := reflect.ValueOf(dst).Elem(), reflect.ValueOf(src).Elem()
	for i := range s.NumField() {
		d.FieldByName(s.Type().Field(i).Name).Set(s.Field(i))
	}
}

// optionsArchitecture is the Architecture FunctionOptions names, for GOARCH.
func optionsArchitecture(fo *awslambda.FunctionOptions) Architecture {
	if fo == nil || fo.Architecture == nil {
		return ""
	}
	if *fo.Architecture.Name() == string(X86_64) {
		return X86_64
	}
	return Arm64
}

// defaultTimeoutS is Lambda's and CDK's default timeout.
const defaultTimeoutS = 3

// timeoutSeconds is d in seconds, defaultTimeoutS for nil, 0 for a token.
func (s *stackScope) timeoutSeconds(d awscdk.Duration) float64 {
	if d == nil {
		return defaultTimeoutS
	}
	ms, _ := s.millis(d)
	return ms / 1000
}

// retainedTypes are the resources Props.RemovalPolicy applies to: the function and the
// execution role without which a retained function could not run.
var retainedTypes = []*string{jsii.String("AWS::Lambda::Function"), jsii.String("AWS::IAM::Role")}
