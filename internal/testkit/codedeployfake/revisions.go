package codedeployfake

import "context"

// genericRevisionInfo is GenericRevisionInfo (CodeDeploy API Reference).
type genericRevisionInfo struct {
	DeploymentGroups []string `json:"deploymentGroups,omitempty"`
	Description      string   `json:"description,omitempty"`
	FirstUsedTime    *epoch   `json:"firstUsedTime,omitempty"`
	LastUsedTime     *epoch   `json:"lastUsedTime,omitempty"`
	RegisterTime     *epoch   `json:"registerTime,omitempty"`
}

// getApplicationRevision answers GetApplicationRevision. Source: CodeDeploy API Reference,
// GetApplicationRevision: request {applicationName (1 to 100 characters), revision}, response
// {applicationName, revision, revisionInfo {deploymentGroups, description, firstUsedTime,
// lastUsedTime, registerTime}}. The content comes back in revision.string (revisionType
// String) unless the revision's Type says appSpecContent: both members are in the response
// syntax; a hook running in production reads revision.string.content
// (seek-oss/aws-codedeploy-hooks, packages/infra/src/handlers/process/lambda/lambda.ts), and
// the SDK marks String deprecated in favour of AppSpecContent (types.RevisionLocation).
//
// The revision is found by the sha256 of its appSpecContent or string member, as the SDK's
// doc comment of GetDeployment says to. Errors, each HTTP 400 (API Reference,
// GetApplicationRevision, Errors): ApplicationNameRequiredException (no name),
// InvalidApplicationNameException (longer than 100 characters),
// ApplicationDoesNotExistException, RevisionRequiredException (no revision),
// InvalidRevisionException (a revision naming no location), RevisionDoesNotExistException
// (no revision with that sha256; the fake holds no S3 or GitHub revisions).
func (s *Server) getApplicationRevision(_ context.Context, body []byte) (any, error) {
	var in struct {
		ApplicationName string            `json:"applicationName"`
		Revision        *revisionLocation `json:"revision"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	switch {
	case in.ApplicationName == "":
		return nil, clientError("ApplicationNameRequiredException", "The minimum number of required application names was not specified.")
	case len(in.ApplicationName) > 100:
		return nil, clientError("InvalidApplicationNameException", "The application name was specified in an invalid format.")
	}
	app := s.applications[in.ApplicationName]
	if app == nil {
		return nil, clientError("ApplicationDoesNotExistException", "No application found for name: %s", in.ApplicationName)
	}
	if in.Revision == nil {
		return nil, clientError("RevisionRequiredException", "The revision ID was not specified.")
	}
	var sum string
	for _, m := range []*rawString{in.Revision.AppSpecContent, in.Revision.String} {
		if m != nil && m.Sha256 != nil && *m.Sha256 != "" {
			sum = *m.Sha256
			break
		}
	}
	if sum == "" && in.Revision.S3Location == nil && in.Revision.GitHubLocation == nil {
		return nil, clientError("InvalidRevisionException", "The revision was specified in an invalid format.")
	}
	rev := app.Revisions[sum]
	if rev == nil {
		return nil, clientError("RevisionDoesNotExistException", "The named revision does not exist with the user or Amazon Web Services account.")
	}
	content, sha := rev.Content, rev.Sha256
	loc := &revisionLocation{RevisionType: RevisionString, String: &rawString{Content: &content, Sha256: &sha}}
	if rev.Type == RevisionAppSpecContent {
		loc = &revisionLocation{RevisionType: RevisionAppSpecContent, AppSpecContent: &rawString{Content: &content, Sha256: &sha}}
	}
	return map[string]any{
		"applicationName": app.Name,
		"revision":        loc,
		"revisionInfo": genericRevisionInfo{
			DeploymentGroups: rev.DeploymentGroups,
			Description:      rev.Description,
			FirstUsedTime:    epochOf(rev.FirstUsedTime),
			LastUsedTime:     epochOf(rev.LastUsedTime),
			RegisterTime:     epochOf(rev.RegisterTime),
		},
	}, nil
}
