package codedeployfake

import (
	"fmt"
	"net/http"
)

// APIError is an error answer: the error shape's name, its message and its HTTP status.
// Every CodeDeploy error an operation's reference page lists has "HTTP Status Code: 400".
type APIError struct {
	Type    string
	Message string
	Status  int
}

func (e *APIError) Error() string { return e.Type + ": " + e.Message }

// clientError is a documented CodeDeploy error: all of them are HTTP 400 (CodeDeploy API
// Reference, the Errors section of each operation).
func clientError(typ, format string, args ...any) *APIError {
	return &APIError{Type: typ, Message: fmt.Sprintf(format, args...), Status: http.StatusBadRequest}
}

// AccessDenied is the common error of a caller whose policy lacks the action (CodeDeploy API
// Reference, "Common Errors": AccessDeniedException, HTTP 400), for a test to inject with
// Fail.
func AccessDenied() *APIError {
	return clientError("AccessDeniedException", "You do not have sufficient access to perform this action.")
}

// Fail makes the next call to operation answer err instead (once per Fail).
func (s *Server) Fail(operation string, err *APIError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults[operation] = append(s.faults[operation], err)
}
