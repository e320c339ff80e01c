package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"sort"
	"strings"

	"github.com/golive-dev/golive/internal/readlimit"
	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/templatecheck"
)

// maxTemplateBytes bounds a synthesized template: CloudFormation takes at most 1 MB from S3
// (CloudFormation User Guide, "CloudFormation quotas": template body size in an Amazon S3
// object), so a larger one could not deploy anyway.
const maxTemplateBytes = 1 << 20

// maxManifestBytes bounds a cloud assembly's manifest.json, which lists artifacts, not
// templates.
const maxManifestBytes = 16 << 20

// synthesized is one stack of the app about to be deployed.
type synthesized struct {
	stack, file, region string
	template            *templatecheck.Template
}

// manifest is the part of a cloud assembly's manifest.json (the CDK's cloud-assembly-schema)
// verify reads: each "aws:cloudformation:stack" artifact's template file and stack name (the
// artifact id when the stack has no explicit name) and environment ("aws://ACCOUNT/REGION").
type manifest struct {
	Artifacts map[string]struct {
		Type        string `json:"type"`
		Environment string `json:"environment"`
		Properties  struct {
			TemplateFile  string `json:"templateFile"`
			StackName     string `json:"stackName"`
			DirectoryName string `json:"directoryName"`
		} `json:"properties"`
	} `json:"artifacts"`
}

// readAssembly reads the stacks of the cloud assembly in dir (cdk.out). A nested assembly (a
// CDK Pipelines stage) is a directory of its own, named by its artifact: pass that one.
func readAssembly(ctx context.Context, dir string) ([]synthesized, error) {
	path := filepath.Join(dir, "manifest.json")
	raw, err := readlimit.File(ctx, path, maxManifestBytes)
	if err != nil {
		return nil, fmt.Errorf("--app %s: %w; want a cloud assembly directory, such as cdk.out after cdk synth", dir, err)
	}
	var m manifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return nil, fmt.Errorf("--app %s: %s is not a cloud assembly manifest: %w", dir, path, err)
	}
	var out []synthesized
	var nested []string
	for id, a := range m.Artifacts {
		switch a.Type {
		case "aws:cloudformation:stack":
		case "cdk:cloud-assembly":
			nested = append(nested, filepath.Join(dir, a.Properties.DirectoryName))
			continue
		default:
			continue
		}
		if a.Properties.TemplateFile == "" || filepath.IsAbs(a.Properties.TemplateFile) || strings.HasPrefix(filepath.Clean(a.Properties.TemplateFile), "..") {
			return nil, fmt.Errorf("--app %s: artifact %s: templateFile %q; want a file inside the assembly directory", dir, id, a.Properties.TemplateFile)
		}
		s := synthesized{stack: a.Properties.StackName, file: filepath.Join(dir, a.Properties.TemplateFile)}
		if s.stack == "" {
			s.stack = id
		}
		if r := strings.Split(strings.TrimPrefix(a.Environment, "aws://"), "/"); len(r) == 2 && r[1] != "unknown-region" {
			s.region = r[1]
		}
		out = append(out, s)
	}
	if len(out) == 0 {
		hint := ""
		if len(nested) > 0 {
			sort.Strings(nested)
			hint = fmt.Sprintf(" (its stages are nested assemblies: pass one of %s)", strings.Join(nested, ", "))
		}
		return nil, fmt.Errorf("--app %s: no CloudFormation stack in the assembly%s", dir, hint)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].stack < out[j].stack })
	for i := range out {
		if out[i].template, err = readTemplate(ctx, out[i].file); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func readTemplate(ctx context.Context, file string) (*templatecheck.Template, error) {
	raw, err := readlimit.File(ctx, file, maxTemplateBytes)
	if err != nil {
		return nil, fmt.Errorf("read template: %w", err)
	}
	t, err := templatecheck.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", file, err)
	}
	return t, nil
}

// TemplateReport is verify --app's (and --template's) result.
type TemplateReport struct {
	OK     bool                     `json:"ok"`
	Stacks []*release.TemplateCheck `json:"stacks"`
}

func (r *TemplateReport) problems() int {
	n := 0
	for _, s := range r.Stacks {
		n += len(s.Findings)
	}
	return n
}

func templateTable(w io.Writer, r *TemplateReport) {
	for _, s := range r.Stacks {
		for _, f := range s.Findings {
			fmt.Fprintf(w, "%s: %s\n", s.Stack, f)
		}
		if len(s.Findings) == 0 {
			what := "ok: the deploy keeps every function, alias, version and CodeDeploy group"
			if s.New {
				what = "ok: a new stack, nothing deployed to lose"
			}
			fmt.Fprintf(w, "%s: %s (%s)\n", s.Stack, what, s.Template)
		}
	}
}

// verifyTemplates checks each synthesized stack against the deployed one, every stack and
// every finding, not the first.
func (o *verifyOptions) verifyTemplates(ctx context.Context, g *globals) error {
	var stacks []synthesized
	if o.template != "" {
		t, err := readTemplate(ctx, o.template)
		if err != nil {
			return failure{err: fmt.Errorf("--template: %w", err)}
		}
		stacks = []synthesized{{stack: o.stack, file: o.template, template: t}}
	} else {
		var err error
		if stacks, err = readAssembly(ctx, o.app); err != nil {
			return failure{err: err}
		}
	}
	rep := &TemplateReport{}
	envs := map[string]*release.Env{}
	for _, s := range stacks {
		region := g.region
		if region == "" {
			region = s.region
		}
		e, ok := envs[region]
		if !ok {
			c, err := g.clients(ctx, region, s.stack)
			if err != nil {
				return err
			}
			e = &release.Env{Lambda: c.Lambda, Stacks: c.Stacks, Templates: c.Templates, Region: c.Region, Log: g.log}
			envs[region] = e
		}
		if e.Templates == nil {
			return failure{err: fmt.Errorf("no CloudFormation client to read templates with")}
		}
		g.log.Debug("checking template", "stack", s.stack, "template", s.file, "region", e.Region)
		c, err := e.CheckTemplate(ctx, s.stack, s.file, s.template)
		if err != nil {
			return g.awsFailure(err)
		}
		rep.Stacks = append(rep.Stacks, c)
	}
	rep.OK = rep.problems() == 0
	if err := g.render(rep); err != nil {
		return failure{err: err}
	}
	if !rep.OK {
		fmt.Fprintf(g.app.Stderr, "golive: verify found %d change(s) that drop traffic or lose versions in %d stack(s)\n", rep.problems(), len(rep.Stacks))
		return errReported
	}
	return nil
}
