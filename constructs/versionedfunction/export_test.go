package versionedfunction

// What the external tests reach of the package's internals; compiled into tests only.
var (
	BuildGo      = buildGo
	SharedID     = sharedID
	CDKLogicalID = cdkLogicalID
)
