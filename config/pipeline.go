package config

import (
	"slices"
	"strings"
)

func (p *parser) pipeline(o object, envs []*envSpec, envsOK bool) *Pipeline {
	v, at := o.get("pipeline")
	if v == nil {
		return nil
	}
	po, ok := p.object(at, v, `an object such as {"account": "111111111111", "region": "us-east-1", "connection_arn": "arn:aws:codeconnections:...", "repository": "owner/repo"}`, pipelineFields)
	if !ok {
		return nil
	}
	for key, want := range map[string]string{"account": wantAccount, "region": wantRegion, "connection_arn": wantConnection, "repository": wantGitHubRepo} {
		p.required(po, key, want)
	}
	pl := &Pipeline{
		Account:       p.str(po, "account", false, accountRe.MatchString, wantAccount).v,
		Region:        p.str(po, "region", false, regionRe.MatchString, wantRegion).v,
		ConnectionArn: p.str(po, "connection_arn", false, connectionRe.MatchString, wantConnection).v,
		Repository:    p.str(po, "repository", false, githubRepoRe.MatchString, wantGitHubRepo).v,
		Branch:        p.str(po, "branch", false, branchRe.MatchString, wantBranch).or(DefaultBranch),
	}
	var names []string
	for _, e := range envs {
		names = append(names, e.name)
	}
	known := strings.Join(names, ", ")

	stages := p.stringList(po, "stages", false, "an array of env names in deployment order, such as [\"sbx\", \"tst\", \"prd\"]", wantEnvName, 0, envNameRe.MatchString)
	switch {
	case stages.st == set && len(stages.v) == 0:
		p.add(stages.path, "got []; want at least one env, or no stages for every env in file order (%s)", known)
	case stages.st == set:
		for i, s := range stages.v {
			if envsOK && !slices.Contains(names, s) {
				p.add(index(stages.path, i), "got %s; want an env defined in envs: %s", quote(s), known)
			}
		}
		pl.Stages = stages.v
	case stages.st == absent:
		pl.Stages = names
	}

	approval := p.stringList(po, "approval_before", false, "an array of env names whose stage waits for a manual approval, such as [\"prd\"]", wantEnvName, 0, envNameRe.MatchString)
	if approval.st == set {
		for i, s := range approval.v {
			if stages.st != invalid && envsOK && !slices.Contains(pl.Stages, s) {
				p.add(index(approval.path, i), "got %s; want one of the pipeline's stages: %s", quote(s), strings.Join(pl.Stages, ", "))
			}
		}
		if len(approval.v) > 0 {
			pl.ApprovalBefore = approval.v
		}
	}
	return pl
}
