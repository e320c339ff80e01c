//go:build !unix

package jsiirelay

// Install does nothing here: the jsii runtime starts its kernel its own way.
func Install() {}

// Main returns at once.
func Main() {}

// NodeFlags are none: the runtime starts its kernel its own way.
func NodeFlags() []string { return nil }
