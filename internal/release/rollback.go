package release

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/lambda/types"

	"github.com/golive-dev/golive/internal/pinfile"
)

// Rollback modes.
const (
	// ModeStopDeployment: a CodeDeploy deployment was in flight and is stopped with
	// auto-rollback; CodeDeploy restores the alias and CloudFormation rolls the stack back.
	ModeStopDeployment = "stop-deployment"
	// ModeAlias: the alias is moved directly and config records the version with a direct
	// rollout, so the next deploy re-records it without CodeDeploy.
	ModeAlias = "alias"
)

// RollbackPlan is what Rollback will do; PlanRollback only reads.
type RollbackPlan struct {
	Function     string `json:"function"`
	FunctionName string `json:"function_name"`
	// Alias is the name of the alias rolled back.
	Alias string `json:"alias"`
	Mode  string `json:"mode"`
	// From is the version LIVE serves now; To the version it returns to.
	From string `json:"from_version"`
	To   string `json:"to_version"`
	// Deployments are the stopped deployments (ModeStopDeployment).
	Deployments []string `json:"deployments_stopped,omitempty"`
	// RolledBackWith are the other functions of the stack whose LIVE the same stack update
	// moves, which CloudFormation rolls back too (ModeStopDeployment).
	RolledBackWith []Sibling `json:"rolled_back_with,omitempty"`
	// Warning is what the user must know about the stack before the next deploy (its
	// status), "" when nothing.
	Warning string `json:"warning,omitempty"`
	// Config is what config.json records afterwards.
	Config ConfigPin `json:"config"`
	// ConfigUpdated says RollbackOptions.WritePin recorded Pin (in config.json or a pins file).
	ConfigUpdated bool `json:"config_updated"`
	// PinError is why WritePin did not record Pin, though the rollback happened.
	PinError error `json:"-"`

	// Pin is the config edit that goes with the rollback.
	Pin            pinfile.Pin `json:"-"`
	aliasRevision  string
	clearedWeights bool
}

// Sibling is another function of the same stack update.
type Sibling struct {
	Function     string `json:"function"`
	FunctionName string `json:"function_name"`
	// Reason says how the update moves its LIVE.
	Reason string `json:"reason"`
}

// CheckRollbackTarget refuses a rollback target that is not a version number ("" is the
// previous version), before anything is read.
func CheckRollbackTarget(to string) error {
	if _, ok := versionNumber(to); to != "" && !ok {
		return fmt.Errorf("--to %q: want a published version number, like 7", to)
	}
	return nil
}

// PlanRollback decides how to return fn's LIVE alias to version to ("" = the previous one).
func (e *Env) PlanRollback(ctx context.Context, fn Function, to string) (*RollbackPlan, error) {
	if err := CheckRollbackTarget(to); err != nil {
		return nil, err
	}
	p := &RollbackPlan{Function: fn.Name, FunctionName: fn.FunctionName, Alias: AliasOf(fn)}
	ids, err := e.inFlight(ctx, fn)
	if err != nil {
		return nil, err
	}
	stop, rollbacks, err := e.readDeployments(ctx, fn, ids)
	if err != nil {
		return nil, err
	}
	if len(stop) > 0 {
		return e.planStop(ctx, fn, to, stop, p)
	}
	if len(rollbacks) > 0 {
		// Stopping a rollback deployment leaves traffic where it is, on the version being
		// rolled back from, and moving the alias now races CodeDeploy's own move.
		r := rollbacks[0]
		return nil, fmt.Errorf("%w: CodeDeploy is already rolling %s back: deployment %s (created by %s%s) returns %s to the last good version; "+
			"golive never stops a rollback deployment, which could leave traffic on the bad version: wait for it to finish (golive status), then rerun if needed",
			ErrInFlight, fn.FunctionName, r.id, r.creator, r.triggered(), p.Alias)
	}

	st, err := e.readStack(ctx)
	if err != nil {
		return nil, err
	}
	if inProgress(st.status) {
		// CloudFormation may move LIVE itself in this update, or roll it back: an alias
		// moved now would be moved again, or fail the update's CodeDeploy deployment.
		return nil, fmt.Errorf("%s; golive moves %s of %s only when no stack operation is in progress (no CodeDeploy deployment of it is in flight to stop)",
			stackMeaning(e.StackName(), st.status), p.Alias, fn.FunctionName)
	}
	if st.status == cftypes.StackStatusUpdateRollbackFailed {
		p.Warning = stackMeaning(e.StackName(), st.status) + "; the direct rollout recorded in config re-records the rolled-back version once the stack takes updates again"
	}

	a, err := e.getAlias(ctx, fn.FunctionName, p.Alias)
	if err != nil {
		return nil, err
	}
	if a == nil {
		return nil, fmt.Errorf("function %s has no %s alias to roll back", fn.FunctionName, p.Alias)
	}
	vs, err := e.listVersions(ctx, fn.FunctionName)
	if err != nil {
		return nil, err
	}
	p.Mode, p.From, p.aliasRevision = ModeAlias, a.Version, a.RevisionID
	p.clearedWeights = len(a.Weights) > 0
	switch {
	case to != "":
		if !hasVersion(vs, to) {
			return nil, fmt.Errorf("version %s of %s does not exist (newest is %s)", to, fn.FunctionName, orNone(newest(vs)))
		}
		p.To = to
	case a.Version == Latest:
		return nil, fmt.Errorf("%s of %s follows $LATEST, which has no previous version: give --to N", p.Alias, fn.FunctionName)
	default:
		// The stack only records the current version, not the one before it: take the highest
		// published version below the alias's.
		cur, _ := versionNumber(a.Version)
		for i := len(vs) - 1; i >= 0; i-- {
			if n, _ := versionNumber(aws.ToString(vs[i].Version)); n < cur {
				p.To = aws.ToString(vs[i].Version)
				break
			}
		}
		if p.To == "" {
			return nil, fmt.Errorf("no published version of %s below %s to roll back to", fn.FunctionName, a.Version)
		}
	}
	p.Pin = pinfile.Pin{Env: e.Target.Name, Function: fn.Name, Version: p.To, Rollout: pinfile.RolloutDirect, ClearAdditional: true,
		RolledBack: rolledBack(p.From, p.To)}
	p.Config = ConfigPin{LiveVersion: p.To, Rollout: string(RolloutDirect), Additional: map[string]float64{}, RolledBack: p.Pin.RolledBack}
	return p, nil
}

// deployment is an unfinished CodeDeploy deployment as GetDeployment describes it.
type deployment struct {
	id      string
	creator cdtypes.DeploymentCreator
	// triggeredBy is the deployment a rollback deployment rolls back.
	triggeredBy string
}

func (d deployment) triggered() string {
	if d.triggeredBy == "" {
		return ""
	}
	return ", rolling back " + d.triggeredBy
}

// isRollback tells CodeDeploy's rollback deployments: CodeDeploy rolls back by redeploying the
// last good revision "as a new deployment" with its own id (CodeDeploy User Guide, "Redeploy
// and roll back a deployment with CodeDeploy"), whose creator is codeDeployRollback ("A
// rollback process created the deployment", DeploymentInfo.Creator's SDK doc comment) or,
// when CloudFormation rolls an update back, CloudFormationRollback (the SDK's
// DeploymentCreator values).
func isRollback(c cdtypes.DeploymentCreator) bool {
	return c == cdtypes.DeploymentCreatorCodeDeployRollback || c == cdtypes.DeploymentCreatorCloudFormationRollback
}

// readDeployments reads each unfinished deployment of fn and sorts them into those a rollback
// may stop and CodeDeploy's own rollbacks, which it never stops.
func (e *Env) readDeployments(ctx context.Context, fn Function, ids []string) (stop []string, rollbacks []deployment, err error) {
	for _, id := range ids {
		out, err := e.Deploys.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
		if err != nil {
			return nil, nil, fmt.Errorf("read deployment %s of %s before stopping anything: %w", id, fn.FunctionName, err)
		}
		d := deployment{id: id}
		if info := out.DeploymentInfo; info != nil {
			d.creator = info.Creator
			if info.RollbackInfo != nil {
				d.triggeredBy = aws.ToString(info.RollbackInfo.RollbackTriggeringDeploymentId)
			}
		}
		if isRollback(d.creator) {
			rollbacks = append(rollbacks, d)
		} else {
			stop = append(stop, id)
		}
	}
	return stop, rollbacks, nil
}

// planStop rolls back an unfinished deployment: CodeDeploy restores the alias to the version
// the stack recorded before this deploy, and config is set back to it. Stopping it fails the
// stack update, which CloudFormation then rolls back as a whole: only a deployment of an
// update in progress is stopped, and the plan names the other functions that update moves.
func (e *Env) planStop(ctx context.Context, fn Function, to string, ids []string, p *RollbackPlan) (*RollbackPlan, error) {
	st, err := e.readStack(ctx)
	if err != nil {
		return nil, err
	}
	if st.status != cftypes.StackStatusUpdateInProgress {
		why := fmt.Sprintf("stack %s is %s", e.StackName(), orNone(string(st.status)))
		if m := stackMeaning(e.StackName(), st.status); m != "" {
			why = m
		} else if !st.found {
			why = fmt.Sprintf("stack %s does not exist", e.StackName())
		}
		return nil, fmt.Errorf("CodeDeploy deployment %s of %s is in flight, but %s, not UPDATE_IN_PROGRESS: it is not the stack update's deployment, "+
			"and stopping it would not roll the stack back; nothing stopped (stop it in the CodeDeploy console if you mean to)",
			ids[0], fn.FunctionName, why)
	}
	// The stack's outputs change only when its update completes, so during the deployment they
	// still hold the version being shifted away from.
	old := st.deployed(fn)
	if old == "" {
		return nil, fmt.Errorf("CodeDeploy deployment %s of %s is in flight but the stack %s has no output %s to say which version to return to; stop it in the console",
			ids[0], fn.FunctionName, e.StackName(), fn.OutputKey())
	}
	if to != "" && to != old {
		return nil, fmt.Errorf("CodeDeploy deployment %s of %s is in flight: stopping it returns %s to %s, not %s; roll back without --to, then rerun with --to %s",
			ids[0], fn.FunctionName, p.Alias, old, to, to)
	}
	p.Mode, p.From, p.To, p.Deployments = ModeStopDeployment, orLatest(fn.LiveVersion), old, ids
	p.RolledBackWith = e.siblings(ctx, fn, st)
	version := old
	if old == Latest {
		version = ""
	}
	p.Pin = pinfile.Pin{Env: e.Target.Name, Function: fn.Name, Version: version, Rollout: pinfile.RolloutKeep, RolledBack: rolledBack(p.From, version)}
	p.Config = ConfigPin{LiveVersion: old, Rollout: string(fn.Rollout), Additional: configWeights(fn), RolledBack: p.Pin.RolledBack}
	if p.Config.Additional == nil {
		p.Config.Additional = map[string]float64{}
	}
	return p, nil
}

// siblings are the other functions whose LIVE the stack update in progress moves: those with
// a deployment in flight, and those whose config pin differs from what the stack recorded
// (the update being deployed moves them). CloudFormation rolls the whole update back, so
// stopping one function's deployment returns them too.
func (e *Env) siblings(ctx context.Context, fn Function, st stack) []Sibling {
	var others []Function
	for _, f := range e.Target.Functions {
		if f.Name != fn.Name {
			others = append(others, f)
		}
	}
	found := make([]*Sibling, len(others))
	group := e.group()
	for i := range others {
		group.Go(func() error {
			f := others[i]
			s := &Sibling{Function: f.Name, FunctionName: f.FunctionName}
			ids, err := e.inFlight(ctx, f)
			switch {
			case err != nil:
				s.Reason = "unknown: " + e.errorText(ctx, err)
			case len(ids) > 0:
				s.Reason = fmt.Sprintf("CodeDeploy deployment %s in flight", strings.Join(ids, ", "))
			case st.deployed(f) != "" && st.deployed(f) != orLatest(f.LiveVersion):
				s.Reason = fmt.Sprintf("this update moves %s from %s to %s", AliasOf(f), st.deployed(f), orLatest(f.LiveVersion))
			default:
				return nil
			}
			found[i] = s
			return nil
		})
	}
	_ = group.Wait() // each function's error is in its result
	var sib []Sibling
	for _, s := range found {
		if s != nil {
			sib = append(sib, *s)
		}
	}
	return sib
}

// RollbackOptions are what Rollback does besides AWS.
type RollbackOptions struct {
	// WritePin, when set, records the plan's Pin (in config.json, or a pins file) once the
	// rollback happened; the plan then says whether it did (ConfigUpdated) and PinError why
	// not.
	WritePin func(ctx context.Context, pin pinfile.Pin) error
}

// Rollback carries out a plan: it stops the deployments, or moves the alias (guarded by the
// RevisionId read in the plan, clearing any weighted split), then records the plan's pin
// through o.WritePin. A failure to record it is the plan's PinError, not Rollback's error:
// the rollback itself happened and is reported.
func (e *Env) Rollback(ctx context.Context, p *RollbackPlan, o RollbackOptions) error {
	if err := e.rollback(ctx, p); err != nil {
		return err
	}
	if o.WritePin != nil {
		// The alias has moved (or the deployment stopped): the pin must follow even if an
		// interrupt arrived meanwhile, or config.json would name the version rolled back from.
		p.PinError = o.WritePin(context.WithoutCancel(ctx), p.Pin)
		p.ConfigUpdated = p.PinError == nil
	}
	return nil
}

func (e *Env) rollback(ctx context.Context, p *RollbackPlan) error {
	switch p.Mode {
	case ModeStopDeployment:
		for _, id := range p.Deployments {
			_, err := e.Deploys.StopDeployment(ctx, &codedeploy.StopDeploymentInput{
				DeploymentId:        aws.String(id),
				AutoRollbackEnabled: aws.Bool(true),
			})
			if err != nil {
				if !hasCode(err, "DeploymentAlreadyCompletedException") || !e.stopped(ctx, p, id) {
					return fmt.Errorf("stop deployment %s of %s: %w", id, p.FunctionName, err)
				}
				// Stopped by a call whose answer was lost; the SDK's retry of it then finds the
				// deployment complete (DeploymentAlreadyCompletedException, CodeDeploy API
				// reference, StopDeployment, Errors). Reporting a failure would leave config.json on the
				// version being rolled back, and a rerun would move LIVE one version further.
				e.log().Warn("StopDeployment failed but the deployment is stopped: its answer was lost", "function", p.Function, "deployment", id, "error", err)
			}
			e.log().Info("stopped deployment; CodeDeploy restores the alias and CloudFormation rolls the stack back",
				"function", p.Function, "deployment", id, "version", p.To)
		}
		return nil
	case ModeAlias:
		in := &lambda.UpdateAliasInput{
			FunctionName:    aws.String(p.FunctionName),
			Name:            aws.String(p.Alias),
			FunctionVersion: aws.String(p.To),
			RoutingConfig:   &types.AliasRoutingConfiguration{AdditionalVersionWeights: map[string]float64{}},
		}
		if p.aliasRevision != "" {
			in.RevisionId = aws.String(p.aliasRevision)
		}
		if e.Target.StackOnly {
			// No config.json to record rolled_back in: the alias records it (rollbackrecord.go).
			// Description "" clears an earlier record when nothing was rolled back from.
			in.Description = aws.String("")
			if rb := rolledBack(p.From, p.To); rb != "" {
				in.Description = aws.String(RollbackRecord(rb))
			}
		}
		if _, err := e.Lambda.UpdateAlias(ctx, in); err != nil {
			if e.aliasMoved(ctx, p) {
				// The update happened and its answer was lost (a dropped connection, a timeout,
				// an interrupt); the SDK's retry of it then fails the RevisionId guard that the
				// update itself moved on. Reporting "nothing changed" would leave config.json
				// behind the alias, and a rerun would roll back one version further.
				e.log().Warn("UpdateAlias failed but the alias is on the target: its answer was lost", "function", p.Function, "version", p.To, "error", err)
				e.log().Info("moved alias", "function", p.Function, "from", p.From, "to", p.To, "split_cleared", p.clearedWeights)
				return nil
			}
			var pre *types.PreconditionFailedException
			if errors.As(err, &pre) {
				return fmt.Errorf("%w: alias %s of %s is no longer revision %s (someone moved it); nothing changed, rerun rollback: %w",
					ErrChanged, p.Alias, p.FunctionName, p.aliasRevision, err)
			}
			return fmt.Errorf("move alias %s of %s to %s: %w", p.Alias, p.FunctionName, p.To, err)
		}
		e.log().Info("moved alias", "function", p.Function, "from", p.From, "to", p.To, "split_cleared", p.clearedWeights)
		return nil
	}
	return fmt.Errorf("unknown rollback mode %q", p.Mode)
}

// groupName is the deployment group of the target's function named function (key), whose
// physical name is functionName.
func (e *Env) groupName(function, functionName string) string {
	for _, f := range e.Target.Functions {
		if f.Name == function {
			return f.GroupName()
		}
	}
	return functionName
}

// stopped reports whether deployment id of p's function is listed as Stopped, asked with a
// short deadline of its own (see aliasMoved).
func (e *Env) stopped(ctx context.Context, p *RollbackPlan, id string) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	in := &codedeploy.ListDeploymentsInput{
		ApplicationName:     aws.String(e.application()),
		DeploymentGroupName: aws.String(e.groupName(p.Function, p.FunctionName)),
		IncludeOnlyStatuses: []cdtypes.DeploymentStatus{cdtypes.DeploymentStatusStopped},
	}
	pages := codedeploy.NewListDeploymentsPaginator(e.Deploys, in)
	for pages.HasMorePages() {
		out, err := pages.NextPage(ctx)
		if err != nil {
			return false
		}
		if slices.Contains(out.Deployments, id) {
			return true
		}
	}
	return false
}

// aliasMoved reports whether LIVE now routes all traffic to p.To at a revision other than the
// one the plan read, asked with a short deadline of its own so that an interrupted run can
// still tell.
func (e *Env) aliasMoved(ctx context.Context, p *RollbackPlan) bool {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	a, err := e.getAlias(ctx, p.FunctionName, p.Alias)
	return err == nil && a != nil && a.Version == p.To && len(a.Weights) == 0 &&
		(p.aliasRevision == "" || a.RevisionID != p.aliasRevision)
}

// rolledBack is what config records as rolled_back when LIVE moves from one version to
// another: the version left, so that no plain rerun of publish --pin pins it again. Nothing
// when it is not a published version or LIVE ends on $LATEST (a null pin has no rolled_back).
func rolledBack(from, to string) string {
	if _, ok := versionNumber(from); !ok || from == to || to == "" {
		return ""
	}
	return from
}

func orNone(v string) string {
	if v == "" {
		return "none"
	}
	return v
}
