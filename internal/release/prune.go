package release

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"
)

// PruneReport is the result of prune, also written as JSON (docs/commands.md, "JSON output").
type PruneReport struct {
	Env       string          `json:"env"`
	Keep      int             `json:"keep"`
	DryRun    bool            `json:"dry_run"`
	Functions []PruneFunction `json:"functions"`
	Storage   Storage         `json:"storage"`
}

// PruneFunction is one function's pruning.
type PruneFunction struct {
	Function     string `json:"function"`
	FunctionName string `json:"function_name"`
	// Deleted are the versions deleted (with --dry-run: that would be deleted).
	Deleted []string `json:"deleted"`
	// Kept are the remaining versions with the reasons each is kept.
	Kept []KeptVersion `json:"kept"`
	// FreedBytes is the code size of the deleted versions.
	FreedBytes int64  `json:"freed_bytes"`
	Error      string `json:"error,omitempty"`

	err      error
	versions []types.FunctionConfiguration
	aliases  []types.AliasConfiguration
}

// KeptVersion is a version prune left, and why.
type KeptVersion struct {
	Version string   `json:"version"`
	Reasons []string `json:"reasons"`
}

// Storage is Lambda code storage, against the account limit (75 GB by default).
type Storage struct {
	// UsedBytes and LimitBytes come from GetAccountSettings before pruning; null when unknown.
	UsedBytes  *int64 `json:"account_used_bytes"`
	LimitBytes *int64 `json:"account_limit_bytes"`
	FreedBytes int64  `json:"freed_bytes"`
}

// FunctionErrors are the failures, one per function that could not be pruned.
func (r *PruneReport) FunctionErrors() []error {
	var errs []error
	for _, f := range r.Functions {
		if f.err != nil {
			errs = append(errs, f.err)
		}
	}
	return errs
}

// Prune deletes the versions of the environment's functions that nothing refers to and that
// are not among the newest keep. A version is kept when an alias routes to it (target or
// weighted split), when any environment's config pins or weights it for the same physical
// function, when it is the stack's last deployed version, or when it is among the keep highest
// numbers or the keep most recently published (numbers are not always in publish order: moto
// reuses them). It refuses to start while a CodeDeploy deployment of any of them is in flight.
func (e *Env) Prune(ctx context.Context, fns []Function, keep int, dryRun bool) (*PruneReport, error) {
	if keep < 0 {
		return nil, fmt.Errorf("--keep %d: want 0 or more", keep)
	}
	st, err := e.readStack(ctx)
	if err != nil {
		return nil, err
	}
	rep := &PruneReport{Env: e.Target.Name, Keep: keep, DryRun: dryRun, Functions: make([]PruneFunction, len(fns))}
	inflight := make([][]string, len(fns))
	errs := make([]error, len(fns))
	rctx, timedOut, done := giveUpOnTimeout(ctx)
	defer done()
	group := e.group()
	for i := range fns {
		group.Go(func() error {
			ctx := rctx
			defer func() { timedOut(errs[i]) }()
			f := &rep.Functions[i]
			*f = PruneFunction{Function: fns[i].Name, FunctionName: fns[i].FunctionName, Deleted: []string{}, Kept: []KeptVersion{}}
			if inflight[i], errs[i] = e.inFlight(ctx, fns[i]); errs[i] != nil {
				return nil
			}
			if f.versions, errs[i] = e.listVersions(ctx, fns[i].FunctionName); errs[i] != nil {
				if isNotFound(errs[i]) {
					errs[i] = nil // nothing to prune yet
				}
				return nil
			}
			f.aliases, errs[i] = e.listAliases(ctx, fns[i].FunctionName)
			return nil
		})
	}
	_ = group.Wait() // each function's error is in its result
	var busy []string
	for i := range fns {
		if errs[i] != nil {
			return nil, errs[i]
		}
		for _, id := range inflight[i] {
			busy = append(busy, fmt.Sprintf("%s (%s)", id, fns[i].Name))
		}
	}
	if len(busy) > 0 {
		return nil, fmt.Errorf("%w: CodeDeploy deployment %s; prune deletes nothing while a release is running",
			ErrInFlight, strings.Join(busy, ", "))
	}

	// The deletes share the give-up context: a hung endpoint fails them within about one
	// call timeout in all, and one that hangs GetAccountSettings hangs the rest too.
	var serr error
	rep.Storage, serr = e.storage(rctx)
	timedOut(serr)
	group = e.group()
	for i := range fns {
		group.Go(func() error {
			f := &rep.Functions[i]
			kept := e.referenced(fns[i], st, f.aliases, f.versions, keep)
			e.prune(rctx, f, kept, dryRun)
			timedOut(f.err)
			return nil
		})
	}
	_ = group.Wait() // each function's error is in its result
	for _, f := range rep.Functions {
		rep.Storage.FreedBytes += f.FreedBytes
	}
	return rep, nil
}

func (e *Env) listAliases(ctx context.Context, name string) ([]types.AliasConfiguration, error) {
	var as []types.AliasConfiguration
	pages := lambda.NewListAliasesPaginator(e.Lambda, &lambda.ListAliasesInput{FunctionName: aws.String(name)})
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list aliases of %s: %w", name, err)
		}
		for _, a := range out.Aliases {
			if err := e.checkAccount(aws.ToString(a.AliasArn)); err != nil {
				return nil, err
			}
		}
		as = append(as, out.Aliases...)
	}
	return as, nil
}

// referenced maps each version that must stay to its reasons.
func (e *Env) referenced(fn Function, st stack, aliases []types.AliasConfiguration, vs []types.FunctionConfiguration, keep int) map[string][]string {
	kept := map[string][]string{}
	add := func(v, why string) {
		if _, ok := versionNumber(v); ok {
			kept[v] = append(kept[v], why)
		}
	}
	for _, a := range aliases {
		add(aws.ToString(a.FunctionVersion), "alias "+aws.ToString(a.Name))
		if a.RoutingConfig != nil {
			for v := range a.RoutingConfig.AdditionalVersionWeights {
				add(v, "alias "+aws.ToString(a.Name)+" weight")
			}
		}
	}
	for _, f := range e.Target.Functions {
		if f.FunctionName != fn.FunctionName {
			continue
		}
		add(f.LiveVersion, "config "+e.Target.Name+" live_version")
		if f.Additional != nil {
			add(f.Additional.Version, "config "+e.Target.Name+" additional_versions")
		}
	}
	for _, p := range e.Target.OtherPins {
		if p.FunctionName == fn.FunctionName {
			add(p.Version, "config "+p.Env+" "+p.Field)
		}
	}
	add(st.deployed(fn), "stack "+e.StackName()+" deployed")

	// Release candidates: a version newer than every referenced one was published for a
	// release that has not been pinned or deployed yet (publish --pin between its publish and
	// its config write, a pull request that pins it), and the next deploy needs it.
	newestRef, newestRefTime := 0, ""
	for v := range kept {
		if n, _ := versionNumber(v); n > newestRef {
			newestRef = n
		}
	}
	for _, v := range vs {
		if n, _ := versionNumber(aws.ToString(v.Version)); n == newestRef && aws.ToString(v.LastModified) > newestRefTime {
			newestRefTime = aws.ToString(v.LastModified)
		}
	}
	for _, v := range vs {
		n, _ := versionNumber(aws.ToString(v.Version))
		if aws.ToString(v.Version) == fn.RolledBack {
			// A rollback moved LIVE away from it: not a release to come.
			continue
		}
		if n > newestRef || (newestRefTime != "" && aws.ToString(v.LastModified) > newestRefTime) {
			why := "release candidate: nothing references a version yet"
			if newestRef > 0 {
				why = fmt.Sprintf("release candidate: newer than %d, the newest referenced", newestRef)
			}
			if !contains(kept[aws.ToString(v.Version)], why) {
				add(aws.ToString(v.Version), why)
			}
		}
	}

	// Newest by number, and newest by publish time.
	var numbers []string
	seen := map[string]bool{}
	for i := len(vs) - 1; i >= 0; i-- {
		v := aws.ToString(vs[i].Version)
		if !seen[v] {
			seen[v] = true
			numbers = append(numbers, v)
		}
	}
	for i := 0; i < keep && i < len(numbers); i++ {
		add(numbers[i], fmt.Sprintf("newest %d", keep))
	}
	byTime := append([]types.FunctionConfiguration(nil), vs...)
	sort.SliceStable(byTime, func(i, j int) bool {
		return aws.ToString(byTime[i].LastModified) > aws.ToString(byTime[j].LastModified)
	})
	seen = map[string]bool{}
	for _, v := range byTime {
		if len(seen) == keep {
			break
		}
		n := aws.ToString(v.Version)
		if !seen[n] {
			seen[n] = true
			if !contains(kept[n], fmt.Sprintf("newest %d", keep)) {
				add(n, fmt.Sprintf("newest %d by publish time", keep))
			}
		}
	}
	return kept
}

// prune deletes f's unreferenced versions, oldest first, one at a time.
func (e *Env) prune(ctx context.Context, f *PruneFunction, kept map[string][]string, dryRun bool) {
	done := map[string]bool{}
	for _, v := range f.versions {
		n := aws.ToString(v.Version)
		if done[n] {
			continue // moto may list a reused number twice
		}
		done[n] = true
		if why, ok := kept[n]; ok {
			f.Kept = append(f.Kept, KeptVersion{Version: n, Reasons: why})
			continue
		}
		if !dryRun {
			if ctx.Err() != nil {
				f.err = fmt.Errorf("prune %s: %w", f.FunctionName, context.Cause(ctx))
				f.Error = "interrupted before it finished; rerun prune"
				if errors.Is(f.err, ErrGaveUp) {
					f.Error = context.Cause(ctx).Error() + "; rerun prune"
				}
				return
			}
			_, err := e.Lambda.DeleteFunction(ctx, &lambda.DeleteFunctionInput{FunctionName: aws.String(f.FunctionName), Qualifier: aws.String(n)})
			switch {
			case err == nil:
			case isNotFound(err):
				// Gone: deleted by an attempt whose answer was lost (the SDK retried), or by
				// someone else meanwhile. Either way its storage is freed.
				e.log().Info("version already gone; counted as deleted", "function", f.Function, "version", n)
			case hasCode(err, "ResourceConflictException"):
				// AWS refuses to delete a version an alias (or a new split) routes to, perhaps
				// one moved there after the aliases were read.
				e.log().Warn("AWS refused to delete the version; kept", "function", f.Function, "version", n, "error", err)
				f.Kept = append(f.Kept, KeptVersion{Version: n, Reasons: []string{"AWS refused: " + apiMessage(err)}})
				continue
			default:
				if e.gone(ctx, f.FunctionName, n) {
					// The delete happened although its answer never arrived (an interrupt,
					// a timeout, a dropped connection): report what was done.
					f.Deleted = append(f.Deleted, n)
					f.FreedBytes += v.CodeSize
				}
				f.err = fmt.Errorf("delete version %s of %s: %w", n, f.FunctionName, err)
				f.Error = e.errorText(ctx, f.err)
				return
			}
			e.log().Info("deleted version", "function", f.Function, "version", n, "bytes", v.CodeSize)
		}
		f.Deleted = append(f.Deleted, n)
		f.FreedBytes += v.CodeSize
	}
}

// gone reports whether version v of name is known not to exist any more, asked with a short
// deadline of its own so that an interrupted run can still say what it deleted.
func (e *Env) gone(ctx context.Context, name, v string) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	_, err := e.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{FunctionName: aws.String(name), Qualifier: aws.String(v)})
	return isNotFound(err)
}

// storage reads the account's code storage; emulators without GetAccountSettings leave it null.
// The error is only for the give-up on a timeout: without the figures, prune still prunes.
func (e *Env) storage(ctx context.Context) (Storage, error) {
	out, err := e.Lambda.GetAccountSettings(ctx, &lambda.GetAccountSettingsInput{})
	if err != nil {
		e.log().Warn("account code storage unknown", "error", err)
		return Storage{}, err
	}
	var s Storage
	if out.AccountUsage != nil {
		s.UsedBytes = aws.Int64(out.AccountUsage.TotalCodeSize)
	}
	if out.AccountLimit != nil {
		s.LimitBytes = aws.Int64(out.AccountLimit.TotalCodeSize)
	}
	return s, nil
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func apiMessage(err error) string {
	if m := strings.TrimSpace(errorMessage(err)); m != "" {
		return m
	}
	return err.Error()
}
