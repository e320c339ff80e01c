// Package codedeployfake is CodeDeploy over its real wire protocol, for the operations moto
// lacks: an httptest server speaking AWS JSON 1.1 (POST /, X-Amz-Target:
// CodeDeploy_20141006.<Operation>, Content-Type application/x-amz-json-1.1) that the real
// SDK client is pointed at (Client, or AWS_ENDPOINT_URL_CODEDEPLOY=URL for a binary).
//
// It answers only what CodeDeploy's API reference and the SDK's doc comments say CodeDeploy
// answers; each operation's file cites its sources. Above all, GetDeployment never returns the
// AppSpec's content, only its sha256: a hook must call GetApplicationRevision for it.
//
// The model (model.go) is exported so that tests and later operations share it:
// applications hold revisions, deployments name an application, a group and a revision and
// carry lifecycle hook executions, and every accepted PutLifecycleEventHookExecutionStatus
// is kept as a LifecycleReport. One file per concern: the wire (wire.go), errors
// (errors.go), then one file per group of operations. An operation is added by writing its
// handler and listing it in operations.
package codedeployfake

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
)

// Server is a running fake CodeDeploy. Its methods are safe for concurrent use.
type Server struct {
	// URL is the endpoint, e.g. http://127.0.0.1:40123.
	URL string

	srv *httptest.Server

	mu           sync.Mutex
	applications map[string]*Application
	deployments  map[string]*Deployment
	reports      []LifecycleReport
	configs      map[string]DeploymentConfig
	groups       map[string]DeploymentGroup
	calls        []Call
	faults       map[string][]*APIError
	seq          int
}

// Start starts a fake on a free loopback port. Close it when done.
func Start() *Server {
	s := &Server{applications: map[string]*Application{}, deployments: map[string]*Deployment{}, faults: map[string][]*APIError{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serveHTTP))
	s.URL = s.srv.URL
	return s
}

// Close stops the server.
func (s *Server) Close() { s.srv.Close() }

// Client is the real SDK client pointed at the fake, with static credentials in us-east-1.
func (s *Server) Client() *codedeploy.Client {
	return codedeploy.New(codedeploy.Options{
		Region:       "us-east-1",
		BaseEndpoint: aws.String(s.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDFAKE", "fake-secret", ""),
	})
}

// Env is the environment that points a process's SDK clients at the fake (the SDK's
// service-specific endpoint variable), with credentials and a region so that the default
// configuration loads without a profile.
func (s *Server) Env() []string {
	return []string{
		"AWS_ENDPOINT_URL_CODEDEPLOY=" + s.URL,
		"AWS_ACCESS_KEY_ID=AKIDFAKE", "AWS_SECRET_ACCESS_KEY=fake-secret", "AWS_REGION=us-east-1",
	}
}

// Call is one request the fake received, answered or refused.
type Call struct {
	Operation string
	// Error is the error type it answered ("" on success).
	Error string
}

// Calls returns every request received so far, in order.
func (s *Server) Calls() []Call {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Call(nil), s.calls...)
}

// CallsTo counts the requests to one operation.
func (s *Server) CallsTo(operation string) int {
	n := 0
	for _, c := range s.Calls() {
		if c.Operation == operation {
			n++
		}
	}
	return n
}

// operation decodes its request from body into its own input type and returns the
// response body to encode, or an *APIError. It runs with the server locked.
type operation func(s *Server, ctx context.Context, body []byte) (any, error)

// operations is every operation the fake serves; any other target is UnknownOperation.
var operations = map[string]operation{
	"GetDeployment":                        (*Server).getDeployment,
	"GetApplicationRevision":               (*Server).getApplicationRevision,
	"PutLifecycleEventHookExecutionStatus": (*Server).putLifecycleEventHookExecutionStatus,
}
