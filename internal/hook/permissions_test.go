package hook_test

import (
	"path"
	"reflect"
	"slices"
	"testing"

	"github.com/golive-dev/golive/internal/hook"
	"github.com/golive-dev/golive/internal/iampolicy"
)

// TestInterfacesAreTheHookPermissions: the SDK methods the hook may call are exactly the
// operations iampolicy.HookPermissions lists, which the construct grants the hooks' roles. A
// method added to an interface without its permission fails here, before it fails with
// AccessDeniedException in every deployment.
func TestInterfacesAreTheHookPermissions(t *testing.T) {
	var got []string
	for _, api := range []reflect.Type{reflect.TypeFor[hook.CodeDeploy](), reflect.TypeFor[hook.Lambda](), reflect.TypeFor[hook.CloudWatch]()} {
		for i := range api.NumMethod() {
			m := api.Method(i)
			// SDK methods read (ctx, *service.XInput, ...func(*service.Options)).
			if m.Type.NumIn() < 2 || m.Type.In(1).Kind() != reflect.Pointer {
				t.Errorf("%s.%s is not an SDK method", api.Name(), m.Name)
				continue
			}
			got = append(got, path.Base(m.Type.In(1).Elem().PkgPath())+":"+m.Name)
		}
	}
	var want []string
	for _, p := range iampolicy.HookPermissions() {
		want = append(want, p.Service+":"+p.Operation)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("the hook's interfaces declare %v; iampolicy.HookPermissions lists %v", got, want)
	}
}
