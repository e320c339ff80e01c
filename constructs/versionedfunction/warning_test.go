package versionedfunction

import "testing"

// warningOptions stands for aws-cdk-go's WarningOptions, the parameter v2.277.0 added.
type warningOptions struct{ Context map[string]any }

// annotationsV2275 and annotationsV2277 have AddWarningV2 as aws-cdk-go v2.275.0 and
// v2.277.0 declare it; each records its call.
type annotationsV2275 struct{ id, message *string }

func (a *annotationsV2275) AddWarningV2(id, message *string) { a.id, a.message = id, message }

type annotationsV2277 struct {
	id, message *string
	options     *warningOptions
	called      bool
}

func (a *annotationsV2277) AddWarningV2(id, message *string, options *warningOptions) {
	a.id, a.message, a.options, a.called = id, message, options, true
}

func TestAddWarningV2EitherSignature(t *testing.T) {
	old := &annotationsV2275{}
	addWarningV2(old, "golive:x", "msg")
	if old.id == nil || *old.id != "golive:x" || old.message == nil || *old.message != "msg" {
		t.Errorf("v2.275.0 signature: got id %v, message %v; want golive:x, msg", old.id, old.message)
	}
	cur := &annotationsV2277{}
	addWarningV2(cur, "golive:y", "msg2")
	if !cur.called || cur.id == nil || *cur.id != "golive:y" || cur.message == nil || *cur.message != "msg2" || cur.options != nil {
		t.Errorf("v2.277.0 signature: got called %v, id %v, message %v, options %v; want golive:y, msg2, nil", cur.called, cur.id, cur.message, cur.options)
	}
}
