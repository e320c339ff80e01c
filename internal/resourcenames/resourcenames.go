// Package resourcenames holds the names of the AWS resources a release involves that the
// CDK app (construct and stacks) gives and the golive CLI and the shipped hook find again
// by name: the default alias name LIVE, Lambda's $LATEST, a release's rollback alarm and a stack's
// release dashboard. Each is spelled once, here (TestNoCopiesOfSharedNames refuses a copy
// of the alias names elsewhere in the module's code). Plain Go: no jsii, no AWS SDK, so
// every binary may import it.
package resourcenames

// DefaultAlias is the name of the alias clients and event sources invoke, unless a
// function's configuration names its own (config.json's alias, the construct's
// Props.AliasName): every consumer takes the name from there, and this one only where
// nothing names another.
const DefaultAlias = "LIVE"

// AliasOr is the alias a function's configuration names, or DefaultAlias when it names
// none (""), as config.json defaults it: the rule the CLI, plan, watch and the hook apply.
func AliasOr(name string) string {
	if name == "" {
		return DefaultAlias
	}
	return name
}

// Latest is Lambda's name for the mutable, unpublished function.
const Latest = "$LATEST"
