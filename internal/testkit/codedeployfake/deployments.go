package codedeployfake

import "context"

// deploymentInfo is the part of DeploymentInfo the fake serves (CodeDeploy API Reference,
// DeploymentInfo); a field it does not model is left out rather than invented.
type deploymentInfo struct {
	ApplicationName      string            `json:"applicationName"`
	ComputePlatform      string            `json:"computePlatform,omitempty"`
	CreateTime           *epoch            `json:"createTime,omitempty"`
	Creator              string            `json:"creator,omitempty"`
	DeploymentConfigName string            `json:"deploymentConfigName,omitempty"`
	DeploymentGroupName  string            `json:"deploymentGroupName"`
	DeploymentID         string            `json:"deploymentId"`
	Revision             *revisionLocation `json:"revision,omitempty"`
	Status               string            `json:"status,omitempty"`
}

// revisionLocation is RevisionLocation (CodeDeploy API Reference, RevisionLocation).
type revisionLocation struct {
	RevisionType   string     `json:"revisionType,omitempty"`
	AppSpecContent *rawString `json:"appSpecContent,omitempty"`
	String         *rawString `json:"string,omitempty"`
	// The fake holds no S3 or GitHub revisions; the members are read so that a request
	// naming one is answered, not refused as malformed.
	S3Location     map[string]any `json:"s3Location,omitempty"`
	GitHubLocation map[string]any `json:"gitHubLocation,omitempty"`
}

// rawString is both AppSpecContent and RawString: {content, sha256}.
type rawString struct {
	Content *string `json:"content,omitempty"`
	Sha256  *string `json:"sha256,omitempty"`
}

// getDeployment answers GetDeployment. Source: the SDK's doc comment of
// codedeploy.Client.GetDeployment: "The content property of the appSpecContent object in
// the returned revision is always null. Use GetApplicationRevision and the sha256 property
// of the returned appSpecContent object to get the content of the deployment's AppSpec
// file." So the revision is an appSpecContent carrying only the sha256. Errors (API
// Reference, GetDeployment, Errors; the SDK's deserializer lists the same three):
// DeploymentIdRequiredException for no id, DeploymentDoesNotExistException for an unknown
// one. InvalidDeploymentIdException ("specified in an invalid format") is not answered: the
// format is not documented.
func (s *Server) getDeployment(_ context.Context, body []byte) (any, error) {
	var in struct {
		DeploymentID string `json:"deploymentId"`
	}
	if err := decode(body, &in); err != nil {
		return nil, err
	}
	d, err := s.deployment(in.DeploymentID)
	if err != nil {
		return nil, err
	}
	return map[string]any{"deploymentInfo": fullInfo(d)}, nil
}

// info is the DeploymentInfo fields the fake began with.
func info(d *Deployment) deploymentInfo {
	sum := Sha256(d.AppSpec)
	return deploymentInfo{
		ApplicationName:      d.ApplicationName,
		ComputePlatform:      d.ComputePlatform,
		CreateTime:           epochOf(d.CreateTime),
		Creator:              d.Creator,
		DeploymentConfigName: d.DeploymentConfigName,
		DeploymentGroupName:  d.DeploymentGroupName,
		DeploymentID:         d.ID,
		Revision:             &revisionLocation{RevisionType: RevisionAppSpecContent, AppSpecContent: &rawString{Sha256: &sum}},
		Status:               d.Status,
	}
}

// deployment finds a deployment by id, with the errors every operation taking a
// deploymentId documents (DeploymentIdRequiredException: "At least one deployment ID must
// be specified."; DeploymentDoesNotExistException: "The deployment with the user or Amazon
// Web Services account does not exist.").
func (s *Server) deployment(id string) (*Deployment, error) {
	if id == "" {
		return nil, clientError("DeploymentIdRequiredException", "At least one deployment ID must be specified.")
	}
	d := s.deployments[id]
	if d == nil {
		return nil, clientError("DeploymentDoesNotExistException", "The deployment %s could not be found.", id)
	}
	return d, nil
}
