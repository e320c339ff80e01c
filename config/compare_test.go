package config_test

import (
	"slices"
	"testing"

	"github.com/golive-dev/golive/config"
)

// TestSmokeCompare: compare and ignore reach the function, merged field by field like the
// rest of smoke; an env may replace ignore, or remove compare with null.
func TestSmokeCompare(t *testing.T) {
	tests := []struct {
		name        string
		shared, prd string
		compare     bool
		ignore      []string
	}{
		{name: "shared", shared: `"compare": true, "ignore": ["/requestId", "/items/0/time"]`,
			compare: true, ignore: []string{"/requestId", "/items/0/time"}},
		{name: "an env replaces ignore", shared: `"compare": true, "ignore": ["/requestId"]`, prd: `"ignore": ["/a~1b"]`,
			compare: true, ignore: []string{"/a~1b"}},
		{name: "an env turns compare on", prd: `"compare": true`, compare: true},
		{name: "null removes the shared compare", shared: `"compare": true`, prd: `"compare": null`},
		{name: "off by default"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			smoke := func(extra string) string {
				if extra == "" {
					return `"events": [{"ping": true}]`
				}
				return `"events": [{"ping": true}], ` + extra
			}
			prd := `"live_version": "3"`
			if tt.prd != "" {
				prd += `, "deployment": {"smoke": {` + tt.prd + `}}`
			}
			cfg, err := config.Parse([]byte(doc(`"deployment": {"smoke": {`+smoke(tt.shared)+`}}`, prd)))
			if err != nil {
				t.Fatal(err)
			}
			env, _ := cfg.Env("prd")
			s := env.Functions[0].Deployment.Smoke
			if s == nil || s.Compare != tt.compare || !slices.Equal(s.Ignore, tt.ignore) {
				t.Errorf("smoke = %+v; want compare %v, ignore %q", s, tt.compare, tt.ignore)
			}
		})
	}
}
