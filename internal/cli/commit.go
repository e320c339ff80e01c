package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/golive-dev/golive/internal/versiondesc"
)

// versionDescription is the description publish gives new versions: --description when
// given, else the source commit (versiondesc.CommitDescription) from, in order,
// GOLIVE_SOURCE_COMMIT, CodeBuild's CODEBUILD_RESOLVED_SOURCE_VERSION, and `git rev-parse
// HEAD` in dir when dir is in a git work tree, marked dirty when `git status` lists changes.
// It returns "" when none is known: Lambda then copies $LATEST's description (Lambda API
// Reference, PublishVersion, Description). from says where the description came from.
func versionDescription(ctx context.Context, flag *string, getenv func(string) string, dir string) (desc, from string, err error) {
	if flag != nil {
		if n := utf8.RuneCountInString(*flag); n > versiondesc.MaxVersionDescription {
			return "", "", usagef("--description: %d characters; Lambda allows at most %d for a version's description", n, versiondesc.MaxVersionDescription)
		}
		return *flag, "--description", nil
	}
	for _, name := range []string{versiondesc.SourceCommitEnv, versiondesc.CodeBuildSourceVersionEnv} {
		v := strings.TrimSpace(getenv(name))
		if v == "" {
			continue
		}
		if strings.ContainsAny(v, " \t\r\n") {
			return "", "", failure{err: fmt.Errorf("%s %q: want a commit id, without spaces", name, v)}
		}
		d := versiondesc.CommitDescription(v, false)
		if n := utf8.RuneCountInString(d); n > versiondesc.MaxVersionDescription {
			return "", "", failure{err: fmt.Errorf("%s: %d characters; want a commit id (the description %q must fit Lambda's %d characters)",
				name, len(v), "commit ID", versiondesc.MaxVersionDescription)}
		}
		return d, name, nil
	}
	commit, dirty, err := gitHead(ctx, dir)
	if err != nil || commit == "" {
		return "", "", err
	}
	return versiondesc.CommitDescription(commit, dirty), "git", nil
}

// gitHead is HEAD's commit in dir, and whether the work tree has changes; "" when dir is not
// in a git work tree or git is not installed.
func gitHead(ctx context.Context, dir string) (commit string, dirty bool, err error) {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	git := func(args ...string) (string, error) {
		cmd := exec.CommandContext(ctx, "git", args...)
		cmd.Dir = dir
		var out, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &stderr
		if err := cmd.Run(); err != nil {
			return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
		}
		return strings.TrimSpace(out.String()), nil
	}
	if _, err := exec.LookPath("git"); err != nil {
		return "", false, nil
	}
	if inside, err := git("rev-parse", "--is-inside-work-tree"); err != nil || inside != "true" {
		return "", false, nil // not a work tree: nothing to record
	}
	head, err := git("rev-parse", "HEAD")
	if err != nil {
		// A work tree without a commit yet has no HEAD to record.
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return "", false, nil
		}
		return "", false, failure{err: fmt.Errorf("read the source commit: %w", err)}
	}
	changes, err := git("status", "--porcelain")
	if err != nil {
		return "", false, failure{err: fmt.Errorf("read the source commit: %w", err)}
	}
	return head, changes != "", nil
}
