package rulecases_test

import (
	"testing"

	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/testkit/rulecases"
)

// TestEveryRuleHasCases: a rule of the table without a refused case would go unchecked in
// config and in the construct alike; a case naming no rule of the table tests nothing the
// table holds.
func TestEveryRuleHasCases(t *testing.T) {
	refused := map[string]int{}
	names := map[string]bool{}
	for _, c := range rulecases.Cases() {
		if names[c.Name] {
			t.Errorf("case %q: listed twice", c.Name)
		}
		names[c.Name] = true
		if c.Refused {
			refused[c.Rule]++
		}
	}
	ids := map[string]bool{}
	for _, r := range lambdarules.Rules() {
		if ids[r.ID] {
			t.Errorf("rule %q: listed twice", r.ID)
		}
		ids[r.ID] = true
		if r.Allowed == "" || r.Source == "" {
			t.Errorf("rule %q: want both what is allowed and its source", r.ID)
		}
		if refused[r.ID] == 0 {
			t.Errorf("rule %q: no case refuses anything; add one to Cases", r.ID)
		}
	}
	for _, c := range rulecases.Cases() {
		if !ids[c.Rule] {
			t.Errorf("case %q: rule %q is not in lambdarules.Rules()", c.Name, c.Rule)
		}
	}
}
