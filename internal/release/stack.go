package release

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/smithy-go"
)

// StackName is the environment's CloudFormation stack.
func (e *Env) StackName() string { return e.Target.Stack }

func (e *Env) application() string { return e.Target.Application }

// stack is what the environment's stack last deployed, and what CloudFormation is doing
// with it now.
type stack struct {
	found   bool
	outputs map[string]string
	status  cftypes.StackStatus
	// region is the stack's, from its ARN: where its dashboard is.
	region string
}

// deployed returns the version the stack last deployed for fn ("7" or "$LATEST"), or "" when
// unknown (no stack yet, or a stack from before the function existed).
func (s stack) deployed(fn Function) string {
	_, version := splitOutput(s.outputs[fn.OutputKey()])
	return version
}

// deployedAs returns the function name the stack last deployed for fn, or "" when unknown.
func (s stack) deployedAs(fn Function) string {
	name, _ := splitOutput(s.outputs[fn.OutputKey()])
	return name
}

// splitOutput reads a LiveVersion output: "NAME:VERSION" (a qualified function name, as the
// service stacks write it), or a bare "VERSION".
func splitOutput(v string) (name, version string) {
	if i := strings.LastIndexByte(v, ':'); i >= 0 {
		return v[:i], v[i+1:]
	}
	return "", v
}

func (e *Env) readStack(ctx context.Context) (stack, error) {
	out, err := e.Stacks.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(e.StackName())})
	if err != nil {
		if stackMissing(err) {
			return stack{}, nil
		}
		return stack{}, fmt.Errorf("read stack %s: %w", e.StackName(), err)
	}
	s := stack{outputs: map[string]string{}}
	for _, st := range out.Stacks {
		if err := e.checkAccount(aws.ToString(st.StackId)); err != nil {
			return stack{}, err
		}
		s.found, s.status = true, st.StackStatus
		s.region = arnRegion(aws.ToString(st.StackId))
		for _, o := range st.Outputs {
			s.outputs[aws.ToString(o.OutputKey)] = aws.ToString(o.OutputValue)
		}
	}
	return s, nil
}

// stackMissing tells DescribeStacks' answer for a stack that does not exist, a ValidationError
// ("Stack with id NAME does not exist") rather than an error code of its own.
func stackMissing(err error) bool {
	var ae smithy.APIError
	return errors.As(err, &ae) && ae.ErrorCode() == "ValidationError" && strings.Contains(ae.ErrorMessage(), "does not exist")
}
