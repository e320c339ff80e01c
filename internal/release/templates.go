package release

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	cftypes "github.com/aws/aws-sdk-go-v2/service/cloudformation/types"
	"github.com/aws/aws-sdk-go-v2/service/lambda"

	"github.com/golive-dev/golive/internal/templatecheck"
)

// TemplateAPI reads the template a stack last deployed; *cloudformation.Client implements it.
type TemplateAPI interface {
	GetTemplate(ctx context.Context, params *cloudformation.GetTemplateInput, optFns ...func(*cloudformation.Options)) (*cloudformation.GetTemplateOutput, error)
}

var _ TemplateAPI = (*cloudformation.Client)(nil)

// TemplateCheck is the check of one synthesized stack against the deployed one.
type TemplateCheck struct {
	Stack string `json:"stack"`
	// Template is the file the synthesized template was read from.
	Template string `json:"template"`
	// New is set when no stack of that name is deployed: nothing can be replaced, but every
	// pinned version must still exist.
	New      bool                    `json:"new"`
	Findings []templatecheck.Finding `json:"findings"`
}

// CheckTemplate compares next, the template about to be deployed as stack, with the
// template stack last deployed (templatecheck.Compare), and checks that every version an
// alias of next routes to exists. It needs Templates, Stacks and Lambda.
//
// The deployed template is GetTemplate's Processed stage: for a template without transforms
// it is the template as submitted, for one with transforms (SAM) what CloudFormation made of
// it, the resources it actually manages (GetTemplate's SDK doc comment, TemplateStage).
// A stack that does not exist answers ValidationError ("If the template doesn't exist, a
// ValidationError is returned", same doc comment).
func (e *Env) CheckTemplate(ctx context.Context, stack, file string, next *templatecheck.Template) (*TemplateCheck, error) {
	c := &TemplateCheck{Stack: stack, Template: file, Findings: []templatecheck.Finding{}}
	deployed := &templatecheck.Template{Resources: map[string]templatecheck.Resource{}}
	out, err := e.Templates.GetTemplate(ctx, &cloudformation.GetTemplateInput{
		StackName: aws.String(stack), TemplateStage: cftypes.TemplateStageProcessed,
	})
	switch {
	case stackMissing(err):
		c.New = true
	case err != nil:
		return nil, fmt.Errorf("read the deployed template of stack %s: %w", stack, err)
	default:
		if deployed, err = templatecheck.Parse([]byte(aws.ToString(out.TemplateBody))); err != nil {
			return nil, fmt.Errorf("the deployed template of stack %s: %w", stack, err)
		}
	}
	c.Findings = append(c.Findings, templatecheck.Compare(deployed, next)...)

	var physical map[string]string
	for _, p := range templatecheck.Pins(next) {
		name := p.FunctionName
		if name == "" && !c.New {
			if physical == nil {
				if physical, err = e.physicalIDs(ctx, stack); err != nil {
					return nil, err
				}
			}
			name = physical[p.FunctionID]
		}
		if name == "" {
			c.Findings = append(c.Findings, templatecheck.Finding{LogicalID: p.Alias, Type: templatecheck.TypeAlias,
				Reason: fmt.Sprintf("routes to version %s of function %s, which is not deployed yet and so has no versions: deploy it with its alias on $LATEST (live_version null) first, publish, then pin",
					p.Version, p.FunctionID)})
			continue
		}
		_, err := e.Lambda.GetFunctionConfiguration(ctx, &lambda.GetFunctionConfigurationInput{
			FunctionName: aws.String(name), Qualifier: aws.String(p.Version),
		})
		switch {
		case isNotFound(err):
			c.Findings = append(c.Findings, templatecheck.Finding{LogicalID: p.Alias, Type: templatecheck.TypeAlias,
				Reason: fmt.Sprintf("routes to version %s of %s, which does not exist%s: publish it first (golive publish), or pin a version that exists",
					p.Version, name, e.inRegion())})
		case err != nil:
			return nil, fmt.Errorf("read version %s of %s: %w", p.Version, name, err)
		}
	}
	return c, nil
}

func (e *Env) inRegion() string {
	if e.Region == "" {
		return ""
	}
	return " in " + e.Region
}

// physicalIDs maps the logical IDs of stack's resources to their physical IDs, every page.
func (e *Env) physicalIDs(ctx context.Context, stack string) (map[string]string, error) {
	ids := map[string]string{}
	pages := cloudformation.NewListStackResourcesPaginator(e.Stacks, &cloudformation.ListStackResourcesInput{StackName: aws.String(stack)})
	for pages.HasMorePages() {
		res, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("read the resources of stack %s: %w", stack, err)
		}
		for _, r := range res.StackResourceSummaries {
			ids[aws.ToString(r.LogicalResourceId)] = aws.ToString(r.PhysicalResourceId)
		}
	}
	return ids, nil
}
