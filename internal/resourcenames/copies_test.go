package resourcenames_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/resourcenames"
)

// TestNoCopiesOfSharedNames: the names app, CLI and hook share are spelled once, in this
// package. Any other string literal of them in the module's code (tests excepted: they
// assert the values) fails, so a copy cannot drift. functions/ imports nothing of the
// project, and bench/ is a module of its own. One copy is public on purpose: the
// construct's exported DefaultAliasName spells "LIVE" so that its documentation shows the
// value rather than an internal name, and TestAliasNameIsTheSharedAlias holds it to
// DefaultAlias.
func TestNoCopiesOfSharedNames(t *testing.T) {
	const publicAliasFile, publicAliasName = "constructs/versionedfunction/versionedfunction.go", "DefaultAliasName"
	shared := map[string]string{resourcenames.DefaultAlias: "resourcenames.DefaultAlias", resourcenames.Latest: "resourcenames.Latest"}
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case "node_modules", "cdk.out", "functions", "bench", "internal/resourcenames", ".git":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			if vs, ok := n.(*ast.ValueSpec); ok && filepath.ToSlash(rel) == publicAliasFile &&
				len(vs.Names) == 1 && vs.Names[0].Name == publicAliasName {
				return false
			}
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			if s, err := strconv.Unquote(lit.Value); err == nil {
				if name, ok := shared[s]; ok {
					t.Errorf("%s: %s is a copy of %s; use it", fset.Position(lit.Pos()), lit.Value, name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
