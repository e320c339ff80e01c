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
