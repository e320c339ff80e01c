package ledger_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/golive-dev/golive/internal/testkit/ledger"
)

// repoRoot is the directory of go.mod above this package.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := filepath.Abs(".")
	if err != nil {
		t.Fatal(err)
	}
	for {
		_, mod := os.Stat(filepath.Join(dir, "go.mod"))
		_, kit := os.Stat(filepath.Join(dir, "internal", "testkit"))
		if mod == nil && kit == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no repository root (go.mod with internal/testkit) above the test")
		}
		dir = parent
	}
}

// repo answers what a ledger row may name: files, their declarations, tests, checks.
type repo struct {
	root string
	// tests maps a test function's name to the _test.go files declaring it.
	tests map[string][]string
	decls map[string]map[string]bool
}

// skipDirs are not the project's code.
var skipDirs = map[string]bool{".git": true, "node_modules": true, "cdk.out": true, "testdata": true}

func newRepo(t *testing.T, root string) *repo {
	t.Helper()
	r := &repo{root: root, tests: map[string][]string{}, decls: map[string]map[string]bool{}}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && isTestFunc(fn) {
				r.tests[fn.Name.Name] = append(r.tests[fn.Name.Name], filepath.ToSlash(rel))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// isTestFunc is go test's rule: TestXxx(t *testing.T) (and TestMain(m *testing.M)).
func isTestFunc(fn *ast.FuncDecl) bool {
	name := fn.Name.Name
	if !strings.HasPrefix(name, "Test") || fn.Type.Params == nil || len(fn.Type.Params.List) != 1 {
		return false
	}
	if rest := strings.TrimPrefix(name, "Test"); rest != "" && rest[0] >= 'a' && rest[0] <= 'z' {
		return false
	}
	star, ok := fn.Type.Params.List[0].Type.(*ast.StarExpr)
	if !ok {
		return false
	}
	sel, ok := star.X.(*ast.SelectorExpr)
	return ok && (sel.Sel.Name == "T" || sel.Sel.Name == "M")
}

// declared lists what a Go file declares: functions, Type.Method, types, vars, consts.
func (r *repo) declared(rel string) (map[string]bool, error) {
	if d, ok := r.decls[rel]; ok {
		return d, nil
	}
	f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(r.root, rel), nil, parser.SkipObjectResolution)
	if err != nil {
		return nil, err
	}
	d := map[string]bool{}
	for _, decl := range f.Decls {
		switch decl := decl.(type) {
		case *ast.FuncDecl:
			if decl.Recv != nil && len(decl.Recv.List) == 1 {
				d[recvName(decl.Recv.List[0].Type)+"."+decl.Name.Name] = true
			} else {
				d[decl.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, s := range decl.Specs {
				switch s := s.(type) {
				case *ast.TypeSpec:
					d[s.Name.Name] = true
				case *ast.ValueSpec:
					for _, n := range s.Names {
						d[n.Name] = true
					}
				}
			}
		}
	}
	r.decls[rel] = d
	return d, nil
}

func recvName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return recvName(e.X)
	case *ast.IndexExpr:
		return recvName(e.X)
	case *ast.IndexListExpr:
		return recvName(e.X)
	case *ast.Ident:
		return e.Name
	}
	return ""
}

// resolve says what is wrong with ref, or "".
func (r *repo) resolve(ref ledger.Ref) string {
	switch ref.Kind {
	case ledger.KindTest:
		files := r.tests[ref.Symbol]
		if len(files) == 0 {
			return "no test function " + ref.Symbol + " in any _test.go file"
		}
		if ref.Sub == "" {
			return ""
		}
		for _, f := range files {
			b, err := os.ReadFile(filepath.Join(r.root, f))
			if err == nil && strings.Contains(string(b), strconv.Quote(ref.Sub)) {
				return ""
			}
		}
		return "no subtest " + strconv.Quote(ref.Sub) + " in the file(s) of " + ref.Symbol + " (" + strings.Join(files, ", ") + ")"
	case ledger.KindCheck:
		b, err := os.ReadFile(filepath.Join(r.root, "scripts", "aws-check.sh"))
		if err != nil {
			return "scripts/aws-check.sh: " + err.Error()
		}
		if !regexp.MustCompile(`(?m)^check_` + regexp.QuoteMeta(ref.Symbol) + `\(\)`).Match(b) {
			return "scripts/aws-check.sh has no check " + ref.Symbol + " (a function check_" + ref.Symbol + "())"
		}
		return ""
	case ledger.KindFile:
		fi, err := os.Stat(filepath.Join(r.root, ref.Path))
		if err != nil {
			return ref.Path + " does not exist"
		}
		if strings.HasSuffix(ref.Path, "/") != fi.IsDir() {
			return ref.Path + ": a directory is written with a final /, a file without"
		}
		if ref.Symbol == "" {
			return ""
		}
		if ref.Path == "Makefile" {
			b, _ := os.ReadFile(filepath.Join(r.root, ref.Path))
			if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(ref.Symbol) + `:`).Match(b) {
				return "Makefile has no target " + ref.Symbol
			}
			return ""
		}
		if !strings.HasSuffix(ref.Path, ".go") {
			return ref.Span + ": only Go files and the Makefile have symbols"
		}
		// The symbol may have moved to another file of the package: the row still holds.
		dir := filepath.Dir(ref.Path)
		entries, err := os.ReadDir(filepath.Join(r.root, dir))
		if err != nil {
			return err.Error()
		}
		for _, e := range entries {
			if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") != strings.HasSuffix(ref.Path, "_test.go") {
				continue
			}
			d, err := r.declared(filepath.ToSlash(filepath.Join(dir, e.Name())))
			if err != nil {
				return err.Error()
			}
			if d[ref.Symbol] {
				return ""
			}
		}
		return "no " + ref.Symbol + " is declared in " + ref.Path + " or its package"
	}
	return "unknown reference kind " + ref.Kind
}

var idRe = regexp.MustCompile(`^[A-Z]+[0-9]+$`)

// check lists every problem of the ledger against the repository.
func (r *repo) check(l *ledger.Ledger) []string {
	var problems []string
	add := func(row ledger.Row, msg string) {
		problems = append(problems, ledger.Path+":"+strconv.Itoa(row.Line)+": "+row.ID+": "+msg)
	}
	seen := map[string]bool{}
	for _, row := range l.Rows {
		if !idRe.MatchString(row.ID) {
			add(row, "ID "+strconv.Quote(row.ID)+": want letters then digits, such as L1")
		}
		if seen[row.ID] {
			add(row, "ID used by an earlier row")
		}
		seen[row.ID] = true
		for i, c := range []string{row.Behaviour, row.Source, row.Code, row.Reproduced} {
			if strings.TrimSpace(c) == "" {
				add(row, "empty "+ledger.Header[i+1]+" cell")
			}
		}
		tests := 0
		for _, cell := range []string{row.Code, row.Reproduced} {
			for _, ref := range ledger.Refs(cell) {
				if ref.Kind == ledger.KindTest {
					tests++
				}
				if p := r.resolve(ref); p != "" {
					add(row, "`"+ref.Span+"`: "+p)
				}
			}
		}
		for _, ref := range ledger.Refs(row.Source) {
			if ref.Kind == ledger.KindFile {
				if p := r.resolve(ref); p != "" {
					add(row, "`"+ref.Span+"`: "+p)
				}
			}
		}
		if tests == 0 && !strings.HasPrefix(row.Reproduced, "Unproven") {
			add(row, "Reproduced by names no test; name the test that reproduces the behaviour, or begin the cell with \"Unproven\" and say what would prove it")
		}
	}
	return problems
}

func load(t *testing.T) (*repo, *ledger.Ledger) {
	t.Helper()
	root := repoRoot(t)
	l, err := ledger.Load(filepath.Join(root, ledger.Path))
	if err != nil {
		t.Fatal(err)
	}
	return newRepo(t, root), l
}

// TestLedgerNamesWhatExists fails when a row names a test, file, symbol or check that does
// not exist: a renamed or deleted test leaves its behaviour unproven, and the ledger must say so.
func TestLedgerNamesWhatExists(t *testing.T) {
	r, l := load(t)
	for _, p := range r.check(l) {
		t.Error(p)
	}
	// A row outside a table with the ledger's header would escape every check above.
	rowLike := regexp.MustCompile(`(?m)^\| *[A-Z]+[0-9]+ *\|`)
	if n := len(rowLike.FindAllString(l.Text, -1)); n != len(l.Rows) {
		t.Errorf("%s has %d lines that look like rows but %d rows in tables headed | %s |: is a row cut off from its table by a blank line?",
			ledger.Path, n, len(l.Rows), strings.Join(ledger.Header, " | "))
	}
}

// TestCheckFindsBrokenRows proves the check above can fail: a row naming what does not
// exist, or reproducing nothing without saying it is unproven, is reported.
func TestCheckFindsBrokenRows(t *testing.T) {
	r := newRepo(t, repoRoot(t))
	head := "| ID | Behaviour | Source | Relied on in | Reproduced by |\n| --- | --- | --- | --- | --- |\n"
	for _, tc := range []struct {
		name, row, want string
	}{
		{"missing test", "| X1 | b | s | `internal/hook/hook.go` | `TestNoSuchTestAnywhere` |", "no test function TestNoSuchTestAnywhere"},
		{"missing subtest", "| X1 | b | s | `internal/hook/hook.go` | `TestHook/no such subtest` |", `no subtest "no such subtest"`},
		{"missing file", "| X1 | b | s | `internal/hook/nosuch.go` | `TestLedgerNamesWhatExists` |", "internal/hook/nosuch.go does not exist"},
		{"missing symbol", "| X1 | b | s | `internal/hook/hook.go:Handler.NoSuchMethod` | `TestLedgerNamesWhatExists` |", "no Handler.NoSuchMethod is declared in internal/hook/hook.go or its package"},
		{"missing check", "| X1 | b | s | `internal/hook/hook.go` | Unproven: `aws-check:no_such_check` |", "has no check no_such_check"},
		{"missing target", "| X1 | b | s | `Makefile:no-such-target` | Unproven |", "Makefile has no target no-such-target"},
		{"no test, not unproven", "| X1 | b | s | `internal/hook/hook.go` | the fake |", "names no test"},
		{"empty cell", "| X1 | b |  | `internal/hook/hook.go` | `TestLedgerNamesWhatExists` |", "empty Source cell"},
		{"bad id", "| one | b | s | `internal/hook/hook.go` | `TestLedgerNamesWhatExists` |", `ID "one"`},
		{"duplicate id", "| X1 | b | s | `internal/hook/hook.go` | `TestLedgerNamesWhatExists` |\n| X1 | b | s | `internal/hook/hook.go` | `TestLedgerNamesWhatExists` |", "ID used by an earlier row"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l, err := ledger.Parse(head + tc.row + "\n")
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(r.check(l), "\n")
			if !strings.Contains(got, tc.want) {
				t.Errorf("check of %q reported:\n%s\nwant a problem containing %q", tc.row, got, tc.want)
			}
		})
	}
	// And a good row passes, also one naming a symbol that moved to another file of the
	// package (Env.listVersions is in release.go).
	l, err := ledger.Parse(head + "| X1 | b | s | `internal/hook/hook.go:Handler.Handle`, `internal/release/publish.go:Env.listVersions` | `TestLedgerNamesWhatExists` |\n")
	if err != nil {
		t.Fatal(err)
	}
	if p := r.check(l); len(p) > 0 {
		t.Errorf("a good row was refused: %v", p)
	}
}

func TestParseRefusesShiftedCells(t *testing.T) {
	_, err := ledger.Parse("| ID | Behaviour | Source | Relied on in | Reproduced by |\n| --- | --- | --- | --- | --- |\n| X1 | a | b | c | d | e |\n")
	if err == nil || !strings.Contains(err.Error(), "6 cells; want 5") {
		t.Errorf("Parse of a row with 6 cells: got %v; want an error naming the count", err)
	}
	l, err := ledger.Parse("| ID | Behaviour | Source | Relied on in | Reproduced by |\n| --- | --- | --- | --- | --- |\n| X1 | a \\| b | c | d | e |\n")
	if err != nil || l.Rows[0].Behaviour != "a | b" {
		t.Errorf("an escaped pipe: got %+v, %v; want the cell \"a | b\"", l, err)
	}
}

// goFiles parses the non-test Go files of dir (relative to root).
func goFiles(t *testing.T, root, dir string) map[string]*ast.File {
	t.Helper()
	out := map[string]*ast.File{}
	entries, err := os.ReadDir(filepath.Join(root, dir))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".go") || strings.HasSuffix(e.Name(), "_test.go") {
			continue
		}
		f, err := parser.ParseFile(token.NewFileSet(), filepath.Join(root, dir, e.Name()), nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		out[dir+"/"+e.Name()] = f
	}
	return out
}

// operation is the AWS operation a parameter list takes, from its *service.<Op>Input
// parameter, or "".
func operation(ft *ast.FuncType) string {
	for _, p := range ft.Params.List {
		if star, ok := p.Type.(*ast.StarExpr); ok {
			if sel, ok := star.X.(*ast.SelectorExpr); ok && strings.HasSuffix(sel.Sel.Name, "Input") {
				return strings.TrimSuffix(sel.Sel.Name, "Input")
			}
		}
	}
	return ""
}

// productDirs are every directory of product code under internal/ and cmd/ (test tooling
// in internal/testkit aside): a package added later is covered without listing it here.
func productDirs(t *testing.T, root string) []string {
	t.Helper()
	var dirs []string
	for _, top := range []string{"internal", "cmd"} {
		err := filepath.WalkDir(filepath.Join(root, top), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(root, path)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if rel == "internal/testkit" || skipDirs[d.Name()] {
					return filepath.SkipDir
				}
				dirs = append(dirs, rel)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return dirs
}

// TestLedgerCoversEveryOperation fails when golive calls an AWS operation (a method of one
// of its consumer-side interfaces) that no row names: each call relies on what AWS answers.
func TestLedgerCoversEveryOperation(t *testing.T) {
	root := repoRoot(t)
	_, l := load(t)
	named := map[string]bool{}
	for _, row := range l.Rows {
		for _, c := range []string{row.Behaviour, row.Source, row.Code} {
			for _, s := range ledger.Spans(c) {
				named[s] = true
			}
		}
	}
	found := 0
	dirs := productDirs(t, root)
	for _, dir := range dirs {
		for name, f := range goFiles(t, root, dir) {
			ast.Inspect(f, func(n ast.Node) bool {
				it, ok := n.(*ast.InterfaceType)
				if !ok {
					return true
				}
				for _, m := range it.Methods.List {
					ft, ok := m.Type.(*ast.FuncType)
					if !ok || len(m.Names) == 0 {
						continue
					}
					op := operation(ft)
					if op == "" {
						continue
					}
					found++
					if !named[op] {
						t.Errorf("%s calls the AWS operation %s (interface method %s), which no row of %s names as `%s`: add a row for what golive relies on it to answer",
							name, op, m.Names[0].Name, ledger.Path, op)
					}
				}
				return true
			})
		}
	}
	if found < 10 {
		t.Fatalf("found %d AWS operations in %v; the interfaces moved: update productDirs", found, dirs)
	}
}

// fakeDirs hold the in-memory fakes that stand in for AWS: their SDK-shaped methods.
var fakeDirs = []string{"internal/testkit/fakeaws"}

// wireFakes hold fakes that serve the wire protocol: each lists its operations in a map
// variable from operation name to handler method, whose file and method a row names.
var wireFakes = []struct{ dir, table string }{{"internal/testkit/codedeployfake", "operations"}}

// wireOperations lists, for a wire fake, "file:Recv.method" of each handler in its table.
func wireOperations(t *testing.T, root, dir, table string) []string {
	t.Helper()
	files := goFiles(t, root, dir)
	declaredIn := map[string]string{} // Recv.method -> file
	var handlers []string
	handler := func(v ast.Expr) {
		sel, ok := v.(*ast.SelectorExpr)
		if !ok {
			t.Fatalf("%s: an entry of %s is not (*Type).method", dir, table)
		}
		x := sel.X
		if p, ok := x.(*ast.ParenExpr); ok {
			x = p.X
		}
		handlers = append(handlers, recvName(x)+"."+sel.Sel.Name)
	}
	for name, f := range files {
		// Entries added elsewhere: table["Operation"] = (*Type).method, e.g. in an init.
		ast.Inspect(f, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Lhs) != 1 || len(as.Rhs) != 1 {
				return true
			}
			if ix, ok := as.Lhs[0].(*ast.IndexExpr); ok {
				if id, ok := ix.X.(*ast.Ident); ok && id.Name == table {
					handler(as.Rhs[0])
				}
			}
			return true
		})
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv != nil && len(d.Recv.List) == 1 {
					declaredIn[recvName(d.Recv.List[0].Type)+"."+d.Name.Name] = name
				}
			case *ast.GenDecl:
				for _, spec := range d.Specs {
					vs, ok := spec.(*ast.ValueSpec)
					if !ok || len(vs.Names) != 1 || vs.Names[0].Name != table || len(vs.Values) != 1 {
						continue
					}
					lit, ok := vs.Values[0].(*ast.CompositeLit)
					if !ok {
						t.Fatalf("%s: %s is not a map literal", dir, table)
					}
					for _, e := range lit.Elts {
						kv, ok := e.(*ast.KeyValueExpr)
						if !ok {
							t.Fatalf("%s: an entry of %s is not Operation: (*Type).method", dir, table)
						}
						handler(kv.Value)
					}
				}
			}
		}
	}
	var out []string
	for _, h := range handlers {
		file, ok := declaredIn[h]
		if !ok {
			t.Fatalf("%s: handler %s of %s is not declared in the package", dir, h, table)
		}
		out = append(out, file+":"+h)
	}
	return out
}

// TestLedgerNamesEveryFakeOperation fails when a fake serves an AWS operation that no row
// names: every answer a fake gives must be one a row's source says AWS gives.
func TestLedgerNamesEveryFakeOperation(t *testing.T) {
	root := repoRoot(t)
	_, l := load(t)
	named := map[string]bool{}
	for _, row := range l.Rows {
		for _, ref := range ledger.Refs(row.Code + " " + row.Reproduced) {
			if ref.Kind == ledger.KindFile && ref.Symbol != "" {
				named[ref.Path+":"+ref.Symbol] = true
			}
		}
	}
	var ops []string
	for _, dir := range fakeDirs {
		for name, f := range goFiles(t, root, dir) {
			for _, d := range f.Decls {
				fn, ok := d.(*ast.FuncDecl)
				if !ok || fn.Recv == nil || !fn.Name.IsExported() || operation(fn.Type) == "" {
					continue
				}
				ops = append(ops, name+":"+recvName(fn.Recv.List[0].Type)+"."+fn.Name.Name)
			}
		}
	}
	if len(ops) < 10 {
		t.Fatalf("found %d fake operations in %v; the fakes moved: update fakeDirs", len(ops), fakeDirs)
	}
	for _, w := range wireFakes {
		hs := wireOperations(t, root, w.dir, w.table)
		if len(hs) == 0 {
			t.Fatalf("%s lists no operations in %s; the fake moved: update wireFakes", w.dir, w.table)
		}
		ops = append(ops, hs...)
	}
	slices.Sort(ops)
	for _, op := range ops {
		if !named[op] {
			t.Errorf("the fake %s answers for AWS, but no row of %s names `%s`: add the row whose source says what AWS answers, and a test that the fake answers so",
				op, ledger.Path, op)
		}
	}
}

// TestLedgerNamesEveryTestFake fails when a test declares its own fake of an AWS operation (a
// method taking the SDK's *<Op>Input on a struct that embeds nothing) that no row names: such
// a fake answers for AWS as much as internal/testkit's do. A type that embeds the interface it
// wraps (to hang, lose an answer or count calls) answers nothing of its own and is left out.
func TestLedgerNamesEveryTestFake(t *testing.T) {
	root := repoRoot(t)
	_, l := load(t)
	named := map[string]bool{}
	for _, row := range l.Rows {
		for _, ref := range ledger.Refs(row.Code + " " + row.Reproduced) {
			if ref.Kind == ledger.KindFile && ref.Symbol != "" {
				named[filepath.ToSlash(filepath.Dir(ref.Path))+":"+ref.Symbol] = true
			}
		}
	}
	var fakes []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (skipDirs[d.Name()] || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
		if err != nil {
			return err
		}
		embeds := map[string]bool{} // struct types of this file and whether they embed
		for _, d := range f.Decls {
			if g, ok := d.(*ast.GenDecl); ok {
				for _, spec := range g.Specs {
					if ts, ok := spec.(*ast.TypeSpec); ok {
						if st, ok := ts.Type.(*ast.StructType); ok {
							e := false
							for _, fld := range st.Fields.List {
								e = e || len(fld.Names) == 0
							}
							embeds[ts.Name.Name] = e
						}
					}
				}
			}
		}
		rel, _ := filepath.Rel(root, path)
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Recv == nil || !fn.Name.IsExported() || operation(fn.Type) == "" {
				continue
			}
			recv := recvName(fn.Recv.List[0].Type)
			if e, ok := embeds[recv]; ok && !e {
				fakes = append(fakes, filepath.ToSlash(rel)+":"+recv+"."+fn.Name.Name)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(fakes) == 0 {
		t.Fatal("found no fake of an AWS operation in any test; the check no longer sees them")
	}
	for _, f := range fakes {
		file, sym, _ := strings.Cut(f, ":")
		if !named[filepath.ToSlash(filepath.Dir(file))+":"+sym] {
			t.Errorf("the test fake %s answers for AWS, but no row of %s names it as `%s`: add it to the row of the behaviour it answers for, with what it answers",
				f, ledger.Path, f)
		}
	}
}
