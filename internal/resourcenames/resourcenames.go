// Package resourcenames holds the names of the AWS resources a release involves that the
// CDK app (construct and stacks) gives and the golive CLI and the shipped hook find again
// by name: the LIVE alias, Lambda's $LATEST, a release's rollback alarm and a stack's
// release dashboard. Each is spelled once, here (TestNoCopiesOfSharedNames refuses a copy
// of the alias names elsewhere in the module's code). Plain Go: no jsii, no AWS SDK, so
// every binary may import it.
package resourcenames

// Alias is the alias clients and event sources invoke.
const Alias = "LIVE"

// Latest is Lambda's name for the mutable, unpublished function.
const Latest = "$LATEST"
