package contract_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/contract"
)

// TestNoCopiesOfSharedNames: the names app and CLI share are spelled once, here. Any other
// string literal of them in the module's code (tests excepted: they assert the values)
// fails, so a copy cannot drift. functions/ imports nothing of the project, and bench/ is
// a module of its own.
func TestNoCopiesOfSharedNames(t *testing.T) {
	shared := map[string]string{contract.Alias: "contract.Alias", contract.Latest: "contract.Latest"}
	root := "../.."
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch rel {
			case "node_modules", "cdk.out", "functions", "bench", "internal/contract", ".git":
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
