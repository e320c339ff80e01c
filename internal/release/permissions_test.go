package release_test

import (
	"path"
	"reflect"
	"slices"
	"testing"

	"github.com/golive-dev/golive/internal/iampolicy"
	"github.com/golive-dev/golive/internal/release"
	"github.com/golive-dev/golive/internal/watch"
)

// TestInterfacesAreTheCLIPermissions: the SDK methods release may call are exactly the
// operations internal/iampolicy lists, which the pipeline's golive role and the policy in
// docs/operations.md grant. A method added to an interface (or a new interface field of Env)
// without its permission fails here, before it fails with AccessDenied in an account.
func TestInterfacesAreTheCLIPermissions(t *testing.T) {
	apis := []reflect.Type{reflect.TypeFor[release.LambdaAPI](), reflect.TypeFor[release.StackAPI](), reflect.TypeFor[release.DeployAPI](),
		// watch and history read releases through their own interfaces.
		reflect.TypeFor[watch.CodeDeployAPI](), reflect.TypeFor[watch.LambdaAPI](), reflect.TypeFor[watch.AlarmAPI](), reflect.TypeFor[watch.LogsAPI]()}
	env := reflect.TypeFor[release.Env]()
	for i := range env.NumField() {
		if f := env.Field(i); f.Type.Kind() == reflect.Interface && !slices.Contains(apis, f.Type) {
			apis = append(apis, f.Type)
		}
	}
	var got []string
	seen := map[string]bool{}
	for _, api := range apis {
		for i := range api.NumMethod() {
			m := api.Method(i)
			// SDK methods read (ctx, *service.XInput, ...func(*service.Options)): the input's
			// package names the service.
			if m.Type.NumIn() < 2 || m.Type.In(1).Kind() != reflect.Pointer {
				t.Errorf("%s.%s is not an SDK method", api.Name(), m.Name)
				continue
			}
			op := path.Base(m.Type.In(1).Elem().PkgPath()) + ":" + m.Name
			if !seen[op] {
				seen[op] = true
				got = append(got, op)
			}
		}
	}
	var want []string
	for _, p := range iampolicy.CLIPermissions() {
		want = append(want, p.Service+":"+p.Operation)
	}
	slices.Sort(got)
	slices.Sort(want)
	for _, op := range got {
		if !slices.Contains(want, op) {
			t.Errorf("release calls %s, which iampolicy.CLIPermissions does not list: add it with its IAM action and scope", op)
		}
	}
	for _, op := range want {
		if !slices.Contains(got, op) {
			t.Errorf("iampolicy.CLIPermissions lists %s, which no release interface declares: remove it", op)
		}
	}
}
