package watch

import "testing"

// TestAppSpecVersions: the versions of a CloudFormationTarget come from the AppSpec, JSON or
// YAML, its keys in either case, its versions strings or numbers.
func TestAppSpecVersions(t *testing.T) {
	for _, tc := range []struct{ name, content, current, target string }{
		{"json", `{"version":0.0,"Resources":[{"worker":{"Type":"AWS::Lambda::Function","Properties":{"Name":"f","Alias":"LIVE","CurrentVersion":"1","TargetVersion":"2"}}}]}`, "1", "2"},
		{"yaml lower case numbers", "version: 0.0\nresources:\n  - worker:\n      type: AWS::Lambda::Function\n      properties:\n        name: f\n        alias: LIVE\n        currentversion: 3\n        targetversion: 4\n", "3", "4"},
		{"no resources", `{"version":"0.0"}`, "", ""},
		{"not an AppSpec", "", "", ""},
	} {
		if c, tg := appSpecVersions(tc.content); c != tc.current || tg != tc.target {
			t.Errorf("%s: versions %q, %q; want %q, %q", tc.name, c, tg, tc.current, tc.target)
		}
	}
}
