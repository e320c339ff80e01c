package versiondesc_test

import (
	"testing"

	"github.com/golive-dev/golive/internal/versiondesc"
)

func TestCommitDescription(t *testing.T) {
	tests := []struct {
		desc   string
		commit string
		dirty  bool
		ok     bool
	}{
		{versiondesc.CommitDescription("3f2c9e1a", false), "3f2c9e1a", false, true},
		{versiondesc.CommitDescription("3f2c9e1a", true), "3f2c9e1a", true, true},
		{"commit 3f2c9e1a (dirty)", "3f2c9e1a", true, true},
		{"release of friday", "", false, false},
		{"commit ", "", false, false},
		{"commit two words", "", false, false},
		{"", "", false, false},
	}
	for _, tt := range tests {
		commit, dirty, ok := versiondesc.ParseCommitDescription(tt.desc)
		if commit != tt.commit || dirty != tt.dirty || ok != tt.ok {
			t.Errorf("ParseCommitDescription(%q) = %q, %v, %v; want %q, %v, %v", tt.desc, commit, dirty, ok, tt.commit, tt.dirty, tt.ok)
		}
	}
}
