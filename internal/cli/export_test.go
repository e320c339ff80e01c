package cli

// VersionString is versionString, for the external tests.
var VersionString = versionString
