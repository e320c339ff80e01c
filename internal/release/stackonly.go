package release

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/golive-dev/golive/internal/hooksettings"
	"github.com/golive-dev/golive/internal/lambdarules"
	"github.com/golive-dev/golive/internal/stackoutputs"
)

// StackTarget describes a stack that uses the construct without golive's config.json: one
// function per output the construct records (key stackoutputs.OutputKey(<construct id>), value
// NAME:VERSION), pinned where the stack says, with the alias its LiveAlias output names (LIVE
// without one: the construct declares it only for another name), and the stack's CodeDeploy
// application, found
// among its resources ("" when it has none). What only config.json knows (another env's pins,
// a deployment type of None, provisioned concurrency) is unknown here: golive then treats
// every pinned function as released through CodeDeploy when the stack has an application.
func StackTarget(ctx context.Context, api StackAPI, stack, region string) (Target, error) {
	out, err := api.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	if err != nil && !stackMissing(err) {
		return Target{}, fmt.Errorf("read stack %s: %w", stack, err)
	}
	if err != nil || len(out.Stacks) == 0 {
		return Target{}, fmt.Errorf("--stack %s: no such stack in region %s; want the name of a deployed stack that uses the versionedfunction construct (check --stack and --region)", stack, orNone(region))
	}
	st := out.Stacks[0]
	env := Target{Name: stack, Account: arnAccount(aws.ToString(st.StackId)), Region: region, Stack: stack, StackOnly: true}

	// Every page: DescribeStackResources returns "Only the first 100 resources" (its SDK doc
	// comment), and at 5 resources a function the application of a stack of about 20
	// functions lies past them. Without it golive would see no deployment in flight, and
	// rollback would move LIVE mid-canary, prune delete during a release.
	var apps []string
	pages := cloudformation.NewListStackResourcesPaginator(api, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return Target{}, fmt.Errorf("read the resources of stack %s: %w", stack, err)
		}
		for _, r := range res.StackResourceSummaries {
			id, physical := aws.ToString(r.LogicalResourceId), aws.ToString(r.PhysicalResourceId)
			switch {
			case physical == "":
			case aws.ToString(r.ResourceType) == "AWS::CodeDeploy::Application":
				apps = append(apps, physical)
			case aws.ToString(r.ResourceType) == "AWS::Lambda::Function" &&
				(strings.Contains(id, hooksettings.SmokeHookID) || strings.Contains(id, hooksettings.BakeHookID)):
				env.HookFunctions = append(env.HookFunctions, physical)
			}
		}
	}
	if len(apps) > 1 {
		return Target{}, fmt.Errorf("stack %s has %d CodeDeploy applications (%s); golive --stack finds deployments in one", stack, len(apps), strings.Join(apps, ", "))
	}
	if len(apps) == 1 {
		env.Application = apps[0]
	}

	// DescribeStacks returns the stack's outputs, each with the key and value the template
	// declares (SDK doc comments of types.Stack.Outputs and types.Output; ledger row F11).
	aliases := map[string]string{}
	for _, o := range st.Outputs {
		key := aws.ToString(o.OutputKey)
		id := strings.TrimPrefix(key, stackoutputs.AliasOutputKeyPrefix)
		if !strings.HasPrefix(key, stackoutputs.AliasOutputKeyPrefix) || id == "" || stackoutputs.AliasOutputKey(id) != key {
			continue
		}
		if v := aws.ToString(o.OutputValue); !lambdarules.ValidAliasName(v) {
			return Target{}, fmt.Errorf("stack %s: output %s is %q; want %s, as the versionedfunction construct records it", stack, key, v, lambdarules.AliasName.Allowed)
		}
		aliases[id] = aws.ToString(o.OutputValue)
	}
	for _, o := range st.Outputs {
		key := aws.ToString(o.OutputKey)
		name, version, ok := stackoutputs.ParseOutputValue(aws.ToString(o.OutputValue))
		id := strings.TrimPrefix(key, stackoutputs.OutputKeyPrefix)
		if !strings.HasPrefix(key, stackoutputs.OutputKeyPrefix) || !ok || id == "" || stackoutputs.OutputKey(id) != key {
			continue
		}
		fn := Function{Name: id, FunctionName: name, Alias: AliasOf(Function{Alias: aliases[id]})}
		if _, pinned := versionNumber(version); pinned {
			fn.LiveVersion = version
			fn.Rollout = RolloutDirect
			if env.Application != "" {
				// How it shifts is in the stack, which plan reads (stackrelease.go).
				fn.Deployment, fn.Rollout = &Deployment{}, RolloutCanary
			}
		}
		env.Functions = append(env.Functions, fn)
	}
	// A group adopted with a name other than its function's is recorded beside the function.
	groups := map[string]string{}
	for _, o := range st.Outputs {
		if key := aws.ToString(o.OutputKey); strings.HasPrefix(key, stackoutputs.GroupOutputKeyPrefix) && aws.ToString(o.OutputValue) != "" {
			groups[key] = aws.ToString(o.OutputValue)
		}
	}
	for i := range env.Functions {
		env.Functions[i].DeploymentGroup = groups[stackoutputs.GroupOutputKey(env.Functions[i].Name)]
	}
	if len(env.Functions) == 0 {
		return Target{}, fmt.Errorf("stack %s has no output %s<Function> with a NAME:VERSION value: does it use the versionedfunction construct?",
			stack, stackoutputs.OutputKeyPrefix)
	}
	sort.Slice(env.Functions, func(i, j int) bool { return env.Functions[i].Name < env.Functions[j].Name })
	return env, nil
}
