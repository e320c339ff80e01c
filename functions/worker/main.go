// Command worker is golive's example Lambda handler: it greets whoever the event names
// and reports the version that served the request, which makes canary traffic visible.
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
)

// Request is the worker's event.
type Request struct {
	Name string `json:"name"`
}

// Response tells the caller which version of the function answered.
type Response struct {
	Message string `json:"message"`
	Version string `json:"version"`
}

// errNoName is returned for an event without a name, so smoke tests can exercise the
// error path (and CodeDeploy alarms see a FunctionError).
var errNoName = errors.New("worker: event has no name")

func handle(_ context.Context, req Request) (Response, error) {
	if req.Name == "" {
		return Response{}, errNoName
	}
	return Response{
		Message: "hello, " + req.Name,
		Version: os.Getenv("AWS_LAMBDA_FUNCTION_VERSION"),
	}, nil
}

func main() { lambda.Start(handle) }
