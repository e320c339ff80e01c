package release

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// Without config.json (--stack), a rollback is recorded on the LIVE alias itself, in its
// description, so that no later command undoes it: publish --pin never pins the version LIVE
// was moved away from, and prune does not keep it as a release candidate. The record is
//
//	golive: rolled back from version N
//
// (Lambda API reference, UpdateAlias: Description, 0 to 256 characters). It counts only
// while LIVE is on a published version below N: once a release moves LIVE to N or beyond,
// the record is spent, whatever the description still says. A later rollback replaces it.
const rollbackRecordPrefix = "golive: rolled back from version "

// RollbackRecord is the alias description that records a rollback away from version from.
func RollbackRecord(from string) string { return rollbackRecordPrefix + from }

// ParseRollbackRecord returns the version a rollback moved LIVE away from, when description
// is a rollback record and LIVE's version live is still below it; "" otherwise.
func ParseRollbackRecord(description, live string) string {
	v, ok := strings.CutPrefix(description, rollbackRecordPrefix)
	if !ok {
		return ""
	}
	n, ok := versionNumber(v)
	l, pinned := versionNumber(live)
	if !ok || !pinned || l >= n {
		return ""
	}
	return v
}

// ReadRollbackRecords sets RolledBack on each function of a stack without config.json from
// its LIVE alias's description (GetAlias). A function without the alias has no record.
func (e *Env) ReadRollbackRecords(ctx context.Context, fns []Function) error {
	for i := range fns {
		fn := &fns[i]
		out, err := e.Lambda.GetAlias(ctx, &lambda.GetAliasInput{FunctionName: aws.String(fn.FunctionName), Name: aws.String(AliasOf(*fn))})
		if isNotFound(err) {
			continue
		}
		if err != nil {
			return fmt.Errorf("read alias %s of %s: %w", AliasOf(*fn), fn.FunctionName, err)
		}
		fn.RolledBack = ParseRollbackRecord(aws.ToString(out.Description), aws.ToString(out.FunctionVersion))
	}
	return nil
}
