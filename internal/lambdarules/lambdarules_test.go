package lambdarules_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/lambdarules"
)

func TestShiftMinutes(t *testing.T) {
	for _, c := range []struct {
		linear            bool
		percent, interval int
		want              int
	}{
		{false, 10, 5, 5},       // Canary10Percent5Minutes: two shifts, 5 minutes apart
		{true, 10, 1, 9},        // Linear10PercentEvery1Minute: 10 shifts, the first at once
		{true, 10, 10, 90},      // Linear10PercentEvery10Minutes
		{true, 50, 2880, 2880},  // two shifts
		{true, 30, 960, 2880},   // 30, 60, 90, 100: four shifts
		{true, 1, 30, 99 * 30},  // a hundred shifts
		{true, 33, 10, 30},      // 33, 66, 99, 100
		{true, 34, 10, 20},      // 34, 68, 100
		{false, 99, 2880, 2880}, // a canary's total is its interval
	} {
		if got := lambdarules.ShiftMinutes(c.linear, c.percent, c.interval); got != c.want {
			t.Errorf("ShiftMinutes(%v, %d, %d) = %d; want %d", c.linear, c.percent, c.interval, got, c.want)
		}
	}
}

func TestCheckShift(t *testing.T) {
	for _, c := range []struct {
		linear            bool
		percent, interval int
		want              string // "" accepts
	}{
		{false, 10, 2880, ""},
		{false, 10, 2881, "got a canary shift of 2881 minutes (its interval of 2881 minutes)"},
		{true, 10, 320, ""},
		{true, 10, 321, "got a linear shift of 2889 minutes (10 steps of 10% every 321 minutes)"},
		{true, 51, 5, "got linear percent 51; want a canary percent from 1 to 99, or a linear percent from 1 to 50"},
		{false, 0, 5, "got canary percent 0"},
		{false, 10, 0, "got an interval of 0 minutes"},
	} {
		err := lambdarules.CheckShift(c.linear, c.percent, c.interval)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("CheckShift(%v, %d, %d) = %v; want nil", c.linear, c.percent, c.interval, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("CheckShift(%v, %d, %d) = %v; want %q", c.linear, c.percent, c.interval, err, c.want)
		case c.want != "" && !strings.Contains(err.Error(), "48 hours") && strings.Contains(c.want, "shift of"):
			t.Errorf("CheckShift(%v, %d, %d) = %v; want CodeDeploy's 48 hours named", c.linear, c.percent, c.interval, err)
		}
	}
}

// TestPatternsReadAlikeInECMAScript: config.schema.json carries these patterns to editors,
// whose ECMAScript engines lack RE2's syntax extensions; lookaround and \z would also fail
// to compile here, so plain RE2 compilation plus this character check is enough.
func TestPatterns(t *testing.T) {
	for _, p := range []string{lambdarules.FunctionNamePattern, lambdarules.EnvVarNamePattern, lambdarules.VersionPattern, lambdarules.DigestPattern, lambdarules.AliasNamePattern} {
		if _, err := regexp.Compile(p); err != nil {
			t.Errorf("%s: %v", p, err)
		}
		if !strings.HasPrefix(p, "^") || !strings.HasSuffix(p, "$") || strings.ContainsAny(p, `\`) {
			t.Errorf("%s: want an anchored pattern without escapes, read alike by RE2 and ECMAScript", p)
		}
	}
	for name, ok := range map[string]bool{"AWS_REGION": false, "TZ": true, "A": false, "MY_VAR": true, "_HANDLER": false} {
		if got := lambdarules.ValidEnvVarName(name); got != ok {
			t.Errorf("ValidEnvVarName(%q) = %v; want %v", name, got, ok)
		}
	}
}

// TestValidAliasName holds AliasNamePattern and MaxAliasName to Lambda's own rule for an
// alias name (CreateAlias, Name): 1 to 128 of [a-zA-Z0-9-_], and not all digits, which
// Lambda writes with a lookahead, (?!^[0-9]+$).
func TestValidAliasName(t *testing.T) {
	lambda := func(s string) bool {
		if len(s) < 1 || len(s) > 128 || regexp.MustCompile(`^[0-9]+$`).MatchString(s) {
			return false
		}
		return regexp.MustCompile(`^[a-zA-Z0-9_-]+$`).MatchString(s)
	}
	for _, s := range []string{"LIVE", "live", "prod_1", "-", "_", "1a", "a1", "7", "07", "123", "", "$LATEST", "LATEST",
		"my alias", "live:1", "ä", strings.Repeat("a", 128), strings.Repeat("a", 129), strings.Repeat("1", 127) + "x"} {
		if got, want := lambdarules.ValidAliasName(s), lambda(s); got != want {
			t.Errorf("ValidAliasName(%q) = %v; Lambda's rule says %v", s, got, want)
		}
	}
}
