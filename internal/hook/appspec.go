package hook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/codedeploy"
	cdtypes "github.com/aws/aws-sdk-go-v2/service/codedeploy/types"
	"go.yaml.in/yaml/v3"
)

// release is what CodeDeploy says is being released.
type release struct {
	application, group               string
	function, alias, current, target string
	created                          time.Time
}

// release reads the deployment, then its AppSpec. GetDeployment never carries the AppSpec:
// "The content property of the appSpecContent object in the returned revision is always
// null. Use GetApplicationRevision and the sha256 property of the returned appSpecContent
// object to get the content of the deployment's AppSpec file." (the SDK's doc comment of
// codedeploy.Client.GetDeployment). So the revision GetDeployment names goes back, as is,
// to GetApplicationRevision with the deployment's application.
func (h *Handler) release(ctx context.Context, id string) (release, error) {
	out, err := h.CodeDeploy.GetDeployment(ctx, &codedeploy.GetDeploymentInput{DeploymentId: aws.String(id)})
	if err != nil {
		return release{}, fmt.Errorf("read deployment %s: %w", id, err)
	}
	info := out.DeploymentInfo
	if info == nil || aws.ToString(info.ApplicationName) == "" || info.Revision == nil {
		return release{}, fmt.Errorf("deployment %s names no application or revision; want a Lambda deployment started by CloudFormation", id)
	}
	app := aws.ToString(info.ApplicationName)
	rev, err := h.CodeDeploy.GetApplicationRevision(ctx, &codedeploy.GetApplicationRevisionInput{ApplicationName: info.ApplicationName, Revision: info.Revision})
	if err != nil {
		return release{}, fmt.Errorf("read the AppSpec of deployment %s from application %s: %w", id, app, err)
	}
	content, ok := appSpecContent(rev.Revision)
	if !ok {
		return release{}, fmt.Errorf("the revision of deployment %s in application %s carries no AppSpec (neither revision.string.content nor revision.appSpecContent.content); want a Lambda deployment started by CloudFormation", id, app)
	}
	spec, err := parseAppSpec(content)
	if err != nil {
		return release{}, fmt.Errorf("deployment %s: %w", id, err)
	}
	rel := release{application: app, group: aws.ToString(info.DeploymentGroupName),
		function: spec.Function, alias: spec.Alias, current: spec.CurrentVersion, target: spec.TargetVersion}
	if info.CreateTime != nil {
		rel.created = *info.CreateTime
	}
	return rel, nil
}

// appSpecContent is the AppSpec GetApplicationRevision returned: revision.string.content,
// where CodeDeploy serves a Lambda deployment's inline AppSpec (a hook in production reads
// it there: seek-oss/aws-codedeploy-hooks, packages/infra/src/handlers/process/lambda/
// lambda.ts), else revision.appSpecContent.content, the member the SDK names as String's
// successor ("RawString and String revision type are deprecated, use AppSpecContent type
// instead", types.RevisionLocation); the API Reference's response syntax has both.
func appSpecContent(r *cdtypes.RevisionLocation) (string, bool) {
	if r == nil {
		return "", false
	}
	//lint:ignore SA1019 CodeDeploy serves a CloudFormation deployment's AppSpec there (see above)
	if r.String_ != nil && aws.ToString(r.String_.Content) != "" {
		//lint:ignore SA1019 as above
		return *r.String_.Content, true
	}
	if r.AppSpecContent != nil && aws.ToString(r.AppSpecContent.Content) != "" {
		return *r.AppSpecContent.Content, true
	}
	return "", false
}

// appSpec is what the hook needs of a Lambda deployment's AppSpec (CodeDeploy User Guide,
// "AppSpec 'resources' section for AWS Lambda deployments"): the function, its alias, the
// version the alias serves now and the one traffic shifts to.
type appSpec struct {
	// Function is the function's name, also when the AppSpec names it by ARN.
	Function                             string
	Alias, CurrentVersion, TargetVersion string
}

// lambdaFunctionType is the Type of the resource a Lambda AppSpec deploys.
const lambdaFunctionType = "AWS::Lambda::Function"

// positiveInteger is what CurrentVersion and TargetVersion must be: "This value must be a
// valid positive integer" (User Guide, "AppSpec 'resources' section for AWS Lambda
// deployments"). It also keeps the smoke test from invoking an alias or $LATEST.
var positiveInteger = regexp.MustCompile(`^[1-9][0-9]{0,9}$`)

// parseAppSpec reads a Lambda AppSpec, JSON or YAML: the API Reference's AppSpecContent and
// RawString say "YAML-formatted or JSON-formatted", and which of the two CloudFormation
// writes is not documented. YAML goes through go.yaml.in/yaml/v3 to the same JSON model.
//
// Keys match case-insensitively (encoding/json's rule): the User Guide's structure writes
// them in lower case (resources, type, properties, name, currentversion) and its examples
// capitalized (Resources, Type, Properties, Name, CurrentVersion). "Each property is
// specified with a string", and "version" is "0.0", the only allowed value (User Guide,
// "AppSpec File structure"); a number is read as its text, since YAML reads an unquoted
// 0.0 or 7 as one.
func parseAppSpec(content string) (appSpec, error) {
	data := []byte(content)
	if t := bytes.TrimSpace(data); len(t) == 0 || t[0] != '{' {
		var doc any
		if err := yaml.Unmarshal(data, &doc); err != nil {
			return appSpec{}, fmt.Errorf("read AppSpec as YAML: %w", err)
		}
		var err error
		if data, err = json.Marshal(doc); err != nil {
			return appSpec{}, fmt.Errorf("read AppSpec as YAML: %w", err)
		}
	}
	var doc struct {
		Version   json.RawMessage
		Resources []map[string]struct {
			Type       string
			Properties map[string]json.RawMessage
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return appSpec{}, fmt.Errorf("read AppSpec: %w", err)
	}
	if v, isNumber, err := scalar(doc.Version); err != nil || !(v == "0.0" || isNumber && isZero(v)) {
		return appSpec{}, fmt.Errorf("AppSpec version is %s; want \"0.0\", the only version CodeDeploy allows", orMissing(doc.Version))
	}
	var found []string
	var spec appSpec
	for i, r := range doc.Resources {
		for id, res := range r {
			if res.Type != lambdaFunctionType {
				continue
			}
			path := fmt.Sprintf("Resources[%d].%s.Properties", i, id)
			found = append(found, path)
			var err error
			if spec, err = lambdaResource(path, res.Properties); err != nil {
				return appSpec{}, err
			}
		}
	}
	switch len(found) {
	case 0:
		return appSpec{}, fmt.Errorf("AppSpec has no %s resource", lambdaFunctionType)
	case 1:
		return spec, nil
	}
	return appSpec{}, fmt.Errorf("AppSpec has %d %s resources (%s); want the one function the deployment shifts", len(found), lambdaFunctionType, strings.Join(found, ", "))
}

// lambdaResource reads the four required properties of the AWS::Lambda::Function resource
// at path.
func lambdaResource(path string, props map[string]json.RawMessage) (appSpec, error) {
	get := func(name string) (string, error) {
		for k, raw := range props {
			if strings.EqualFold(k, name) {
				v, _, err := scalar(raw)
				if err != nil || v == "" {
					return "", fmt.Errorf("AppSpec %s.%s is %s; want a string", path, name, orMissing(raw))
				}
				return v, nil
			}
		}
		return "", fmt.Errorf("AppSpec %s has no %s; want Name, Alias, CurrentVersion and TargetVersion", path, name)
	}
	var spec appSpec
	var errs []error
	for _, p := range []struct {
		name string
		dst  *string
	}{{"Name", &spec.Function}, {"Alias", &spec.Alias}, {"CurrentVersion", &spec.CurrentVersion}, {"TargetVersion", &spec.TargetVersion}} {
		v, err := get(p.name)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		*p.dst = v
	}
	if err := errors.Join(errs...); err != nil {
		return appSpec{}, err
	}
	for _, v := range []struct{ name, value string }{{"CurrentVersion", spec.CurrentVersion}, {"TargetVersion", spec.TargetVersion}} {
		if !positiveInteger.MatchString(v.value) {
			errs = append(errs, fmt.Errorf("AppSpec %s.%s is %q; want a positive integer, a published version", path, v.name, v.value))
		}
	}
	name, err := functionName(spec.Function)
	if err != nil {
		errs = append(errs, fmt.Errorf("AppSpec %s.Name: %w", path, err))
	}
	spec.Function = name
	return spec, errors.Join(errs...)
}

// functionName is the function an AppSpec's Name names: a function name, or the name
// inside an unqualified function ARN, arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME
// (Lambda Developer Guide, "Lambda function versions": a version's ARN is the function's
// with a version suffix, an alias's with the alias). A qualified ARN names a version or an
// alias, which the AppSpec gives in properties of their own, so it is refused, not trimmed.
func functionName(name string) (string, error) {
	if !strings.HasPrefix(name, "arn:") {
		if strings.Contains(name, ":") {
			return "", fmt.Errorf("%q is neither a function name nor a function ARN", name)
		}
		return name, nil
	}
	parts := strings.Split(name, ":")
	switch {
	case len(parts) < 7 || parts[2] != "lambda" || parts[5] != "function" || parts[6] == "":
		return "", fmt.Errorf("%q is not a Lambda function ARN; want arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME or a function name", name)
	case len(parts) > 7:
		return "", fmt.Errorf("%q is a qualified ARN (it names %q of the function); want the function's name or unqualified ARN, with the versions in CurrentVersion and TargetVersion", name, strings.Join(parts[7:], ":"))
	}
	return parts[6], nil
}

// scalar is a JSON string's value or a JSON number's text; isNumber says which.
func scalar(raw json.RawMessage) (v string, isNumber bool, err error) {
	var s string
	if err := json.Unmarshal(raw, &s); err == nil {
		return s, false, nil
	}
	var n json.Number
	if err := json.Unmarshal(raw, &n); err != nil {
		return "", false, errors.New("not a string or a number")
	}
	return n.String(), true, nil
}

func isZero(number string) bool {
	f, err := strconv.ParseFloat(number, 64)
	return err == nil && f == 0
}

func orMissing(raw json.RawMessage) string {
	if len(raw) == 0 {
		return "missing"
	}
	return excerpt(raw)
}
