// Package versiondesc holds the format of a published version's description, where golive
// records the source commit, and Lambda's limit on it: publish (the CLI, run by hand or by
// the pipeline's steps, whose environment variables are named here too) writes it, status,
// history and watch read it back. Plain Go: no jsii, no AWS SDK.
package versiondesc

import "strings"

// Every version golive publishes records the commit it was built from in its description,
// which Lambda keeps with the version for good: "commit 3f2c9e1…", with " (dirty)" when the
// work tree had uncommitted changes. publish writes it, status and history read it back.

// SourceCommitEnv names the variable that hands publish the commit to record; the pipeline's
// golive steps set it from the source action's CommitId.
const SourceCommitEnv = "GOLIVE_SOURCE_COMMIT"

// CodeBuildSourceVersionEnv is CodeBuild's own variable for the build's source: the commit id
// for CodeCommit, GitHub, GitHub Enterprise and Bitbucket sources, the source revision
// CodePipeline provides for a pipeline's builds (CodeBuild User Guide, "Environment variables
// in build environments", CODEBUILD_RESOLVED_SOURCE_VERSION).
const CodeBuildSourceVersionEnv = "CODEBUILD_RESOLVED_SOURCE_VERSION"

// MaxVersionDescription is the longest description Lambda accepts for a version (Lambda API
// Reference, PublishVersion, Request Body, Description: "Maximum length of 256").
const MaxVersionDescription = 256

const (
	commitPrefix = "commit "
	dirtySuffix  = " (dirty)"
)

// CommitDescription is the description of a version built from commit, dirty when the work
// tree had changes that are not in it.
func CommitDescription(commit string, dirty bool) string {
	d := commitPrefix + commit
	if dirty {
		d += dirtySuffix
	}
	return d
}

// ParseCommitDescription reads a CommitDescription back; ok is false for any other
// description (one given with publish --description, or a version published outside golive).
func ParseCommitDescription(desc string) (commit string, dirty, ok bool) {
	rest, found := strings.CutPrefix(desc, commitPrefix)
	if !found {
		return "", false, false
	}
	rest, dirty = strings.CutSuffix(rest, dirtySuffix)
	if rest == "" || strings.ContainsAny(rest, " \t\n") {
		return "", false, false
	}
	return rest, dirty, true
}
