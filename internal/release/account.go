package release

import (
	"fmt"
	"strings"
)

// checkAccount refuses a resource outside the environment's account. Credentials left on
// another account (a profile still set for sbx, a role of the wrong stage) would otherwise
// publish, roll back or prune there: the SDK goes wherever its credentials lead, and AWS only
// refuses names that do not exist in that account. Every operation reads what it is about to
// change (the function, its versions or alias, the stack) before it writes, and each of those
// answers carries an ARN, so the check costs no call. An ARN that is absent or does not parse
// is not checked.
func (e *Env) checkAccount(arn string) error {
	account := arnAccount(arn)
	if account == "" || e.Target.Account == "" || account == e.Target.Account {
		return nil
	}
	return fmt.Errorf("%w: %s is in account %s, but envs.%s.account is %s; run golive with credentials for %s (or --role-arn with a role there)",
		ErrWrongAccount, arn, account, e.Target.Name, e.Target.Account, e.Target.Account)
}

// arnAccount is the account field of arn (arn:partition:service:region:account:resource),
// or "".
func arnAccount(arn string) string {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) < 6 || parts[0] != "arn" {
		return ""
	}
	return parts[4]
}
