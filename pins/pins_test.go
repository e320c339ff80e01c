package pins_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/golive-dev/golive/internal/readlimit"
	"github.com/golive-dev/golive/pins"
)

// The quick start for one's own app: the stack takes each function's pin from the file.
//
//	file, err := pins.Load("pins.json")
//	pin, err := file.Pin(env, "orders")
//	versionedfunction.New(stack, jsii.String("Orders"), &versionedfunction.Props{
//		Entry:       "functions/orders",
//		LiveVersion: pin.LiveVersion,
//		Rollout:     versionedfunction.Rollout(pin.Rollout),
//	})
func Example() {
	file, err := pins.Parse([]byte(`{
	  "prd": { "orders": { "live_version": "7" }, "notify": { "live_version": 3, "rollout": "direct" } },
	  "sbx": { "orders": { "live_version": null } }
	}`))
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, env := range file.Envs() {
		for _, fn := range file.Functions(env) {
			pin, _ := file.Pin(env, fn)
			fmt.Printf("%s %s: pinned=%t live_version=%q rollout=%q\n", env, fn, pin.Pinned(), pin.LiveVersion, pin.Rollout)
		}
	}
	_, err = file.Pin("prod", "orders")
	fmt.Println(err)
	// Output:
	// prd notify: pinned=true live_version="3" rollout="direct"
	// prd orders: pinned=true live_version="7" rollout=""
	// sbx orders: pinned=false live_version="" rollout=""
	// environment "prod" is not in the pins file; want one of: prd, sbx
}

func schema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open("pins.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource("pins.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("pins.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestParse: every problem at once, with its path, the bad value and what is allowed; the
// JSON schema accepts exactly what Parse accepts.
func TestParse(t *testing.T) {
	sch := schema(t)
	cases := []struct {
		name, in string
		want     []string // one substring per problem; none when valid
	}{
		{name: "pins", in: `{"$schema": "./pins.schema.json", "prd": {"a": {"live_version": "7", "rollout": "canary", "rolled_back": "8"}, "b": {"live_version": 2}}}`},
		{name: "null", in: `{"sbx": {"a": {"live_version": null}}}`},
		{name: "empty", in: `{}`},
		{name: "bad versions", in: `{"prd": {"a": {"live_version": "0"}, "b": {"live_version": "$LATEST"}, "c": {"live_version": 1.5}, "d": {"live_version": "07"}}}`,
			want: []string{
				`prd.a.live_version: got "0"; want null (LIVE follows $LATEST) or a positive integer version such as "7"`,
				`prd.b.live_version: got "$LATEST"; want null`,
				`prd.c.live_version: got 1.5; want null`,
				`prd.d.live_version: got "07"; want null`,
			}},
		{name: "too long or zero-led", in: `{"prd": {"a": {"live_version": "1234567890123456"}, "b": {"live_version": 1234567890123456}, "c": {"live_version": "007"}, "d": {"live_version": "7", "rolled_back": "12345678901234567890"}}}`,
			want: []string{
				`prd.a.live_version: got "1234567890123456"; want null (LIVE follows $LATEST) or a positive integer version such as "7"`,
				`prd.b.live_version: got 1234567890123456; want null`,
				`prd.c.live_version: got "007"; want null`,
				`prd.d.rolled_back: got "12345678901234567890"; want a positive integer version such as "7"`,
			}},
		{name: "missing and unknown", in: `{"prd": {"a": {"version": "7"}}}`,
			want: []string{
				`prd.a.live_version: missing; want null (LIVE follows $LATEST) or a published version such as "7"`,
				`prd.a.version: unknown field; want live_version, rollout or rolled_back`,
			}},
		{name: "rollout", in: `{"prd": {"a": {"live_version": "7", "rollout": "fast"}}}`, want: []string{`prd.a.rollout: got "fast"; want "canary" or "direct"`}},
		{name: "rolled back", in: `{"prd": {"a": {"live_version": "7", "rolled_back": null}}}`, want: []string{`prd.a.rolled_back: got null; want a positive integer version`}},
		{name: "shapes", in: `{"prd": ["a"], "tst": {"a": "7"}}`,
			want: []string{`prd: got ["a"]; want an object of functions`, `tst.a: got "7"; want an object such as {"live_version": "7"}`}},
		{name: "not an object", in: `[1]`, want: []string{`not a JSON object of environments`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := pins.Parse([]byte(c.in))
			inst, jerr := jsonschema.UnmarshalJSON(strings.NewReader(c.in))
			if jerr != nil {
				t.Fatal(jerr)
			}
			serr := sch.Validate(inst)
			if len(c.want) == 0 {
				if err != nil || serr != nil {
					t.Fatalf("Parse: %v; schema: %v; want both to accept", err, serr)
				}
				return
			}
			if err == nil || serr == nil {
				t.Fatalf("Parse: %v; schema: %v; want both to refuse", err, serr)
			}
			lines := strings.Split(err.Error(), "\n")
			if len(lines) != len(c.want) {
				t.Fatalf("%d problems, want %d:\n%v", len(lines), len(c.want), err)
			}
			for i, w := range c.want {
				if !strings.Contains(lines[i], w) {
					t.Errorf("problem %d: %q, want %q", i, lines[i], w)
				}
			}
		})
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "pins.json")
	if err := os.WriteFile(path, []byte(`{"prd": {"orders": {"live_version": "7"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := pins.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if p, err := f.Pin("prd", "orders"); err != nil || p.LiveVersion != "7" {
		t.Errorf("Pin = %+v, %v", p, err)
	}
	if _, err := f.Pin("prd", "order"); err == nil || err.Error() != `prd: function "order" is not in the pins file; want one of: orders` {
		t.Errorf("unknown function: %v", err)
	}
	if err := os.WriteFile(path, []byte(`{"prd": {"orders": {"live_version": "x"}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := pins.Load(path); err == nil || !strings.HasPrefix(err.Error(), "pins "+path+": prd.orders.live_version: got \"x\"") {
		t.Errorf("bad file: %v", err)
	}
	big := filepath.Join(dir, "big.json")
	if err := os.WriteFile(big, make([]byte, pins.MaxFileBytes+1), 0o644); err != nil {
		t.Fatal(err)
	}
	var tooLarge *readlimit.TooLargeError
	if _, err := pins.Load(big); !errors.As(err, &tooLarge) {
		t.Errorf("a file over MaxFileBytes: %v; want TooLargeError", err)
	}
}
