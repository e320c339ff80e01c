package templatecheck_test

import (
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/templatecheck"
)

// base is a deployed stack as the construct makes it, with an SQS mapping and an API
// permission on the alias and a version kept from an earlier app.
const base = `{"Resources": {
  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "app-prd-worker", "PackageType": "Zip"}, "DeletionPolicy": "Retain"},
  "Live": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": "7", "Name": "LIVE"}},
  "V7": {"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}, "CodeSha256": "abc"}},
  "App": {"Type": "AWS::CodeDeploy::Application", "Properties": {"ApplicationName": "app-prd", "ComputePlatform": "Lambda"}},
  "Group": {"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": {"ApplicationName": {"Ref": "App"}, "DeploymentGroupName": "worker"}},
  "Sqs": {"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": "Live"}, "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}, "BatchSize": 10}},
  "Api": {"Type": "AWS::Lambda::Permission", "Properties": {"FunctionName": {"Ref": "Live"}, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com"}},
  "Queue": {"Type": "AWS::SQS::Queue"},
  "Logs": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Join": ["", ["/aws/lambda/", {"Ref": "Fn"}]]}}, "DeletionPolicy": "Retain"}
}}`

// edit returns base with edits applied: "ID": resource JSON replaces (or adds) a resource,
// "ID": "" removes it.
func edit(t *testing.T, edits map[string]string) *templatecheck.Template {
	t.Helper()
	tp := parse(t, base)
	for id, r := range edits {
		if r == "" {
			delete(tp.Resources, id)
			continue
		}
		one := parse(t, `{"Resources": {"X": `+r+`}}`)
		tp.Resources[id] = one.Resources["X"]
	}
	return tp
}

func parse(t *testing.T, s string) *templatecheck.Template {
	t.Helper()
	tp, err := templatecheck.Parse([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return tp
}

func TestCompare(t *testing.T) {
	cases := []struct {
		name  string
		edits map[string]string
		want  []string // "ID (Type): reason substring", one per finding, in order
	}{
		{name: "unchanged", edits: nil},
		{
			name: "mutable changes pass",
			edits: map[string]string{
				"Fn":   `{"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "app-prd-worker", "PackageType": "Zip", "MemorySize": 512}, "DeletionPolicy": "Retain"}`,
				"Live": `{"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": "8", "Name": "LIVE"}}`,
				"Sqs":  `{"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": "Live"}, "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}, "BatchSize": 5}}`,
			},
		},
		{
			name: "function renamed",
			edits: map[string]string{
				"Fn": `{"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "app-prd-worker2", "PackageType": "Zip"}, "DeletionPolicy": "Retain"}`,
			},
			want: []string{`Fn (AWS::Lambda::Function): FunctionName changes from "app-prd-worker" to "app-prd-worker2", which replaces the function`},
		},
		{
			name: "zip to image",
			edits: map[string]string{
				"Fn": `{"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "app-prd-worker", "PackageType": "Image"}, "DeletionPolicy": "Retain"}`,
			},
			want: []string{`Fn (AWS::Lambda::Function): PackageType changes from "Zip" to "Image"`},
		},
		{
			name: "function under a new logical id, alias and version follow it",
			edits: map[string]string{
				"Fn":      "",
				"Worker1": `{"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "app-prd-worker", "PackageType": "Zip"}}`,
				"Live":    `{"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Worker1"}, "FunctionVersion": "7", "Name": "LIVE"}}`,
				"V7":      `{"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Worker1"}, "CodeSha256": "abc"}}`,
			},
			want: []string{
				`Fn (AWS::Lambda::Function): replaced by Worker1, a new logical ID for the same FunctionName "app-prd-worker"`,
				`Live (AWS::Lambda::Alias): FunctionName changes from {"Ref":"Fn"} to {"Ref":"Worker1"}, which replaces alias "LIVE"`,
				`V7 (AWS::Lambda::Version): FunctionName changes from {"Ref":"Fn"} to {"Ref":"Worker1"}, which replaces the version, without UpdateReplacePolicy Retain`,
			},
		},
		{
			name:  "function deleted without retain",
			edits: map[string]string{"Fn": "", "Live": "", "V7": "", "Sqs": "", "Api": ""},
			want: []string{
				`Live (AWS::Lambda::Alias): deleted from the template`,
				`V7 (AWS::Lambda::Version): deleted from the template, without DeletionPolicy Retain`,
			},
		},
		{
			name: "alias renamed live to LIVE under a new logical id (the naive switch)",
			edits: map[string]string{
				"Live":     "",
				"WorkerLi": `{"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": "7", "Name": "live2"}}`,
				"Sqs":      `{"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": "WorkerLi"}, "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}, "BatchSize": 10}}`,
				"Api":      "",
				"Api2":     `{"Type": "AWS::Lambda::Permission", "Properties": {"FunctionName": {"Ref": "WorkerLi"}, "Action": "lambda:InvokeFunction", "Principal": "apigateway.amazonaws.com"}}`,
			},
			want: []string{
				`Api (AWS::Lambda::Permission): replaced by Api2, a new logical ID for the permission of alias "LIVE"`,
				`Live (AWS::Lambda::Alias): deleted from the template: alias "LIVE" goes`,
				// Sqs moves to the new alias in place: FunctionName of a mapping is an update.
			},
		},
		{
			name: "alias same name new logical id collides",
			edits: map[string]string{
				"Live":  "",
				"Live2": `{"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": "7", "Name": "LIVE"}}`,
				"Sqs":   "",
				"Sqs2":  `{"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": "Live2"}, "EventSourceArn": {"Fn::GetAtt": ["Queue", "Arn"]}}}`,
				"Api":   "",
			},
			want: []string{
				`Live (AWS::Lambda::Alias): replaced by Live2, a new logical ID for alias "LIVE"`,
				`Sqs (AWS::Lambda::EventSourceMapping): replaced by Sqs2, a new logical ID for the event source mapping of alias "LIVE"`,
			},
		},
		{
			name: "alias name changed in place",
			edits: map[string]string{
				"Live": `{"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": "7", "Name": "live"}}`,
			},
			want: []string{`Live (AWS::Lambda::Alias): Name changes from "LIVE" to "live", which replaces alias "LIVE"`},
		},
		{
			name:  "version retained is fine to drop",
			edits: map[string]string{"V7": ""},
			want:  []string{`V7 (AWS::Lambda::Version): deleted from the template, without DeletionPolicy Retain in the deployed one`},
		},
		{
			name: "version replaced with UpdateReplacePolicy Retain passes",
			edits: map[string]string{
				"V7": `{"Type": "AWS::Lambda::Version", "Properties": {"FunctionName": {"Ref": "Fn"}, "CodeSha256": "def"}, "UpdateReplacePolicy": "Retain"}`,
			},
		},
		{
			name:  "codedeploy application and group deleted",
			edits: map[string]string{"App": "", "Group": ""},
			want: []string{
				`App (AWS::CodeDeploy::Application): deleted from the template: the CodeDeploy application and its deployment history go`,
				`Group (AWS::CodeDeploy::DeploymentGroup): deleted from the template: the CodeDeploy deployment group`,
			},
		},
		{
			name: "codedeploy group under a new logical id",
			edits: map[string]string{
				"Group":  "",
				"Group2": `{"Type": "AWS::CodeDeploy::DeploymentGroup", "Properties": {"ApplicationName": {"Ref": "App"}, "DeploymentGroupName": "worker"}}`,
			},
			want: []string{`Group (AWS::CodeDeploy::DeploymentGroup): replaced by Group2, a new logical ID`},
		},
		{
			name: "codedeploy application renamed",
			edits: map[string]string{
				"App": `{"Type": "AWS::CodeDeploy::Application", "Properties": {"ApplicationName": "app-prd2", "ComputePlatform": "Lambda"}}`,
			},
			want: []string{`App (AWS::CodeDeploy::Application): ApplicationName changes from "app-prd" to "app-prd2", which replaces the CodeDeploy application`},
		},
		{
			name: "mapping source changed",
			edits: map[string]string{
				"Sqs": `{"Type": "AWS::Lambda::EventSourceMapping", "Properties": {"FunctionName": {"Ref": "Live"}, "EventSourceArn": "arn:aws:sqs:us-east-1:111111111111:other"}}`,
			},
			want: []string{`Sqs (AWS::Lambda::EventSourceMapping): EventSourceArn of alias "LIVE" changes from {"Fn::GetAtt":["Queue","Arn"]} to "arn:aws:sqs:us-east-1:111111111111:other"`},
		},
		{
			name: "log group of the same name under a new logical id",
			edits: map[string]string{
				"Logs":  "",
				"Logs2": `{"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": {"Fn::Join": ["", ["/aws/lambda/", {"Ref": "Fn"}]]}}}`,
			},
			want: []string{`Logs (AWS::Logs::LogGroup): replaced by Logs2, a new logical ID for the same LogGroupName {"Fn::Join":["",["/aws/lambda/",{"Ref":"Fn"}]]}: CloudFormation creates Logs2 first, which fails because the name is taken`},
		},
		{
			name: "log group of another name, or changed in place, passes",
			edits: map[string]string{
				"Logs":  `{"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/aws/lambda/app-prd-worker", "RetentionInDays": 7}}`,
				"Other": `{"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "/app/other"}}`,
			},
		},
		{
			name:  "mapping and permission deleted pass",
			edits: map[string]string{"Sqs": "", "Api": ""},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := templatecheck.Compare(parse(t, base), edit(t, c.edits))
			if len(got) != len(c.want) {
				t.Fatalf("got %d findings, want %d:\n%s", len(got), len(c.want), lines(got))
			}
			for i, f := range got {
				if !strings.HasPrefix(f.String(), c.want[i]) {
					t.Errorf("finding %d:\n got %s\nwant %s...", i, f, c.want[i])
				}
			}
		})
	}
}

// TestFunctionDeleted: a function that leaves the template without Retain is deleted with
// its versions; with Retain it stays.
func TestFunctionDeleted(t *testing.T) {
	deployed := parse(t, `{"Resources": {"Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "f"}}}}`)
	got := templatecheck.Compare(deployed, parse(t, `{"Resources": {}}`))
	if len(got) != 1 || !strings.Contains(got[0].Reason, "deletes the function with all its versions") {
		t.Fatalf("got %v", got)
	}
	deployed.Resources["Fn"] = templatecheck.Resource{Type: "AWS::Lambda::Function", DeletionPolicy: "Retain"}
	if got := templatecheck.Compare(deployed, parse(t, `{"Resources": {}}`)); len(got) != 0 {
		t.Fatalf("retained function: got %v", got)
	}
}

func TestPins(t *testing.T) {
	tp := parse(t, `{"Resources": {
	  "Fn": {"Type": "AWS::Lambda::Function", "Properties": {"FunctionName": "f"}},
	  "Gen": {"Type": "AWS::Lambda::Function", "Properties": {}},
	  "A": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": "7", "Name": "LIVE",
	        "RoutingConfig": {"AdditionalVersionWeights": [{"FunctionVersion": "8", "FunctionWeight": 0.1}]}}},
	  "B": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Gen"}, "FunctionVersion": 3, "Name": "LIVE"}},
	  "C": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": {"Ref": "Fn"}, "FunctionVersion": {"Fn::GetAtt": ["V", "Version"]}, "Name": "x"}},
	  "D": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": "other", "FunctionVersion": "$LATEST", "Name": "y"}},
	  "E": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": "other", "FunctionVersion": "2", "Name": "z"}},
	  "F": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": "other", "FunctionVersion": "007", "Name": "f"}},
	  "G": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": "other", "FunctionVersion": "1234567890123456", "Name": "g"}},
	  "H": {"Type": "AWS::Lambda::Alias", "Properties": {"FunctionName": "other", "FunctionVersion": 1234567890123456, "Name": "h"}}
	}}`)
	got := templatecheck.Pins(tp)
	want := []templatecheck.Pin{
		{Alias: "A", FunctionID: "Fn", FunctionName: "f", Version: "7"},
		{Alias: "A", FunctionID: "Fn", FunctionName: "f", Version: "8"},
		{Alias: "B", FunctionID: "Gen", Version: "3"},
		{Alias: "E", FunctionName: "other", Version: "2"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("pin %d: got %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseErrors(t *testing.T) {
	for in, want := range map[string]string{
		"Resources:\n  A: 1":                "not a JSON template",
		`{"Resources": {"A": {}}}`:          "resource A has no Type",
		`{"Resources": {"A": {"Type": 1}}}`: "not a CloudFormation template",
	} {
		_, err := templatecheck.Parse([]byte(in))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Parse(%q) = %v, want %q", in, err, want)
		}
	}
}

func lines(fs []templatecheck.Finding) string {
	var b strings.Builder
	for _, f := range fs {
		b.WriteString(f.String() + "\n")
	}
	return b.String()
}
