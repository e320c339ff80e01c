package main

import (
	"context"
	"errors"
	"testing"
)

func TestHandle(t *testing.T) {
	t.Setenv("AWS_LAMBDA_FUNCTION_VERSION", "7")
	tests := []struct {
		name    string
		req     Request
		want    Response
		wantErr error
	}{
		{name: "greets and names the version", req: Request{Name: "ada"}, want: Response{Message: "hello, ada", Version: "7"}},
		{name: "refuses an empty name", req: Request{}, wantErr: errNoName},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := handle(context.Background(), tt.req)
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("handle(%+v) error = %v, want %v", tt.req, err, tt.wantErr)
			}
			if got != tt.want {
				t.Errorf("handle(%+v) = %+v, want %+v", tt.req, got, tt.want)
			}
		})
	}
}
