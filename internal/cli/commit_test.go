package cli_test

import (
	"bytes"
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
)

// gitRepo makes a work tree with one commit and returns it and the commit.
func gitRepo(t *testing.T) (dir, head string) {
	t.Helper()
	dir = t.TempDir()
	git := func(args ...string) string {
		cmd := exec.Command("git", append([]string{"-c", "user.name=t", "-c", "user.email=t@example.com"}, args...)...)
		cmd.Dir = dir
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
		return strings.TrimSpace(string(out))
	}
	git("init", "-q")
	writeFile(t, dir+"/main.go", "package main\n")
	git("add", ".")
	git("commit", "-q", "-m", "first")
	return dir, git("rev-parse", "HEAD")
}

// TestPublishRecordsTheCommit: each new version's description names the commit it was
// built from, by the documented order of sources, and status shows LIVE's.
func TestPublishRecordsTheCommit(t *testing.T) {
	clean, head := gitRepo(t)
	dirty, dirtyHead := gitRepo(t)
	writeFile(t, dirty+"/main.go", "package main // changed\n")
	tests := []struct {
		name  string
		args  []string
		env   map[string]string
		dir   string
		want  string // the new version's description
		which string // where publish says it came from
	}{
		{name: "--description wins", args: []string{"--description", "hotfix for INC-7"},
			env: map[string]string{"GOLIVE_SOURCE_COMMIT": "aaa111", "CODEBUILD_RESOLVED_SOURCE_VERSION": "bbb222"}, dir: clean,
			want: "hotfix for INC-7", which: "--description"},
		{name: "GOLIVE_SOURCE_COMMIT before CodeBuild's and git",
			env: map[string]string{"GOLIVE_SOURCE_COMMIT": "aaa111", "CODEBUILD_RESOLVED_SOURCE_VERSION": "bbb222"}, dir: clean,
			want: "commit aaa111", which: "GOLIVE_SOURCE_COMMIT"},
		{name: "CodeBuild's before git", env: map[string]string{"CODEBUILD_RESOLVED_SOURCE_VERSION": "bbb222"}, dir: clean,
			want: "commit bbb222", which: "CODEBUILD_RESOLVED_SOURCE_VERSION"},
		{name: "git HEAD in a clean work tree", dir: clean, want: "commit " + head, which: "git"},
		{name: "git HEAD in a dirty work tree", dir: dirty, want: "commit " + dirtyHead + " (dirty)", which: "git"},
		{name: "no source outside a work tree", dir: t.TempDir(), want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, cfg(`{ "live_version": "1" }`))
			w.releases("worker", 1)
			w.setAlias("worker", "1", nil)
			w.deployed(map[string]string{"LiveVersionWorker": "1"})
			w.updateCode("worker")
			args := append([]string{"publish", "--env", "prd", "-o", "json"}, tt.args...)
			out, stderr, code := w.runApp(commitApp(tt.env, tt.dir), args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if got := w.description("worker", "2"); got != tt.want {
				t.Errorf("version 2's description = %q; want %q", got, tt.want)
			}
			if got := jsonOut[struct{ Description string }](t, out).Description; got != tt.want {
				t.Errorf("publish's JSON description = %q; want %q", got, tt.want)
			}
			if tt.which != "" && !strings.Contains(stderr, "from="+tt.which) {
				t.Errorf("stderr does not say the description came from %s:\n%s", tt.which, stderr)
			}

			// status shows the commit of the version LIVE is on.
			w.setAlias("worker", "2", nil)
			out, _, _ = w.run("status", "--env", "prd", "-o", "json")
			commit := strings.TrimPrefix(tt.want, "commit ")
			if !strings.HasPrefix(tt.want, "commit ") {
				commit = ""
			}
			if got := jsonOut[struct{ Functions []struct{ Commit string } }](t, out).Functions[0].Commit; got != commit {
				t.Errorf("status commit = %q; want %q", got, commit)
			}
			if commit != "" {
				out, _, _ = w.run("status", "--env", "prd")
				if !strings.Contains(out, "COMMIT") || !strings.Contains(out, " "+commit) {
					t.Errorf("status table lacks the commit %q:\n%s", commit, out)
				}
			}
		})
	}
}

func TestPublishRefusesADescriptionLambdaRefuses(t *testing.T) {
	w := newWorld(t, cfg(`{ "live_version": null }`))
	w.createFunction("worker")
	tests := []struct {
		name string
		args []string
		env  map[string]string
		code int
		want string
	}{
		{"--description over 256 characters", []string{"--description", strings.Repeat("x", 257)}, nil, 2,
			"--description: 257 characters; Lambda allows at most 256 for a version's description"},
		{"a commit with spaces", nil, map[string]string{"GOLIVE_SOURCE_COMMIT": "not a commit"}, 1,
			`GOLIVE_SOURCE_COMMIT "not a commit": want a commit id, without spaces`},
		{"a commit too long for the description", nil, map[string]string{"CODEBUILD_RESOLVED_SOURCE_VERSION": strings.Repeat("f", 250)}, 1,
			"CODEBUILD_RESOLVED_SOURCE_VERSION: 250 characters; want a commit id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, stderr, code := w.runApp(commitApp(tt.env, t.TempDir()), append([]string{"publish", "--env", "prd"}, tt.args...)...)
			if code != tt.code || !strings.Contains(stderr, tt.want) {
				t.Errorf("exit %d, stderr %s; want exit %d and %q", code, stderr, tt.code, tt.want)
			}
			if vs := w.versions("worker"); len(vs) != 0 {
				t.Errorf("versions %v; want none published", vs)
			}
		})
	}
}

// commitApp is testApp with env as the whole environment and dir as the work tree.
func commitApp(env map[string]string, dir string) func(stdout, stderr *bytes.Buffer) runner {
	return func(stdout, stderr *bytes.Buffer) runner {
		a := testApp(stdout, stderr)
		a.Getenv = func(k string) string { return env[k] }
		a.Dir = dir
		return a
	}
}

type runner interface {
	Run(ctx context.Context, args []string) int
}

func (w *world) runApp(app func(stdout, stderr *bytes.Buffer) runner, args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	args = append(args, "--config", w.cfgPath, "--endpoint-url", srv.URL)
	code = app(&out, &errb).Run(context.Background(), args)
	w.t.Logf("golive %s -> %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), code, out.String(), errb.String())
	return out.String(), errb.String(), code
}

func (w *world) description(fn, version string) string {
	w.t.Helper()
	out, err := w.lambda.GetFunctionConfiguration(context.Background(), &lambda.GetFunctionConfigurationInput{
		FunctionName: aws.String(w.name(fn)), Qualifier: aws.String(version),
	})
	if err != nil {
		w.t.Fatal(err)
	}
	return aws.ToString(out.Description)
}
