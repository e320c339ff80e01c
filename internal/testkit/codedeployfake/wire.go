package codedeployfake

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// The AWS JSON 1.1 protocol (Smithy, "AWS JSON 1.1 protocol"; CodeDeploy API Reference,
// each operation's request syntax): every request is a POST to / whose X-Amz-Target header
// is the service's target prefix and the operation name, with a JSON body; a success is
// HTTP 200 with the output as JSON; an error carries its shape name in "__type" (the SDK's
// resolveProtocolErrorType in service/codedeploy/deserializers.go reads it) and the
// documented HTTP status.
const (
	targetPrefix = "CodeDeploy_20141006."
	contentType  = "application/x-amz-json-1.1"
)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Header.Get("X-Amz-Target")
	name, ok := strings.CutPrefix(target, targetPrefix)
	op := operations[name]
	var out any
	var err error
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		err = &APIError{Type: "UnknownOperationException", Message: fmt.Sprintf("%s %s: want POST /", r.Method, r.URL.Path), Status: http.StatusNotFound}
	case !ok || op == nil:
		err = &APIError{Type: "UnknownOperationException", Message: fmt.Sprintf("X-Amz-Target %q is not an operation this fake serves", target), Status: http.StatusBadRequest}
	case !strings.HasPrefix(r.Header.Get("Content-Type"), contentType):
		err = &APIError{Type: "SerializationException", Message: fmt.Sprintf("Content-Type %q: want %s", r.Header.Get("Content-Type"), contentType), Status: http.StatusBadRequest}
	default:
		var body []byte
		body, err = io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err == nil {
			s.mu.Lock()
			if f := s.faults[name]; len(f) > 0 {
				s.faults[name], err = f[1:], f[0]
			} else {
				out, err = op(s, r.Context(), body)
			}
			s.mu.Unlock()
		}
	}
	var apiErr *APIError
	if err != nil && !errors.As(err, &apiErr) {
		apiErr = &APIError{Type: "InternalFailure", Message: err.Error(), Status: http.StatusInternalServerError}
	}
	s.mu.Lock()
	c := Call{Operation: name}
	if apiErr != nil {
		c.Error = apiErr.Type
	}
	s.calls = append(s.calls, c)
	s.mu.Unlock()

	w.Header().Set("Content-Type", contentType)
	w.Header().Set("X-Amzn-RequestId", fmt.Sprintf("fake-%d", len(s.Calls())))
	if apiErr != nil {
		w.WriteHeader(apiErr.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": apiErr.Type, "message": apiErr.Message})
		return
	}
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(out); err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	_, _ = w.Write(buf.Bytes())
}

// decode reads a request body strictly: a field the operation does not take is a
// SerializationException, so a client sending what CodeDeploy does not read is noticed.
func decode(body []byte, in any) error {
	if len(bytes.TrimSpace(body)) == 0 {
		body = []byte("{}")
	}
	d := json.NewDecoder(bytes.NewReader(body))
	d.DisallowUnknownFields()
	if err := d.Decode(in); err != nil {
		return &APIError{Type: "SerializationException", Message: err.Error(), Status: http.StatusBadRequest}
	}
	return nil
}

// epoch is a timestamp as AWS JSON 1.1 writes it: seconds since the epoch, a JSON number
// (Smithy, "AWS JSON 1.1 protocol", timestamp serialization: epoch-seconds).
type epoch float64

func epochOf(t time.Time) *epoch {
	if t.IsZero() {
		return nil
	}
	e := epoch(float64(t.UnixMilli()) / 1000)
	return &e
}
