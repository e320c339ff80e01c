package cli_test

import (
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/cli"
)

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		args string
		want string // "" for valid
	}{
		{"verify --env prd --region us-east-1 --role-arn arn:aws:iam::333333333333:role/r", ""},
		{"publish --env prd --output json", ""},
		{"--output json publish --env prd", ""},
		{"prune --env prd --keep 3 --dry-run", ""},
		{"verify --region us-east-1", "want --env E (an environment of config.json) or --stack NAME"},
		{"publish --env prd --function", `flag needs an argument`},
		{"publish --env prd --function=", `--function "": want a function key`},
		{"status --stack golive-demo-prd", ""},
		{"publish --stack golive-demo-prd --pin", "--pin with --stack"},
		{"verify --env prd --role arn", "unknown flag: --role"},
		{"verify --env prd extra", `unknown command "extra"`},
		{"publish --env prd --output yaml", `--output "yaml": want table or json`},
		{"promote", `unknown command "promote"`},
		{"status --env prd --endpoint-url localhost:5000", `--endpoint-url "localhost:5000": want an http:// or https:// URL, such as http://localhost:5000`},
		{"status --env prd --endpoint-url http://127.0.0.1:5000", ""},
		{"", "missing command"},
	} {
		t.Run(tc.args, func(t *testing.T) {
			err := cli.Check(strings.Fields(tc.args))
			switch {
			case tc.want == "" && err != nil:
				t.Errorf("Check() = %v, want nil", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Errorf("Check() = %v, want an error containing %q", err, tc.want)
			}
		})
	}
}
