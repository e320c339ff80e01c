package config_test

import (
	"encoding/json"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/golive-dev/golive/config"
)

const schemaFile = "config.schema.json"

func compileSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	sch, err := newSchema()
	if err != nil {
		t.Fatal(err)
	}
	return sch
}

func newSchema() (*jsonschema.Schema, error) {
	f, err := os.Open(schemaFile)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		return nil, err
	}
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	if err := c.AddResource(schemaFile, doc); err != nil {
		return nil, err
	}
	// Compile also checks the schema against the draft 2020-12 metaschema.
	return c.Compile(schemaFile)
}

func validate(t testing.TB, sch *jsonschema.Schema, text string) error {
	t.Helper()
	inst, err := jsonschema.UnmarshalJSON(strings.NewReader(text))
	if err != nil {
		t.Fatalf("test config is not JSON: %v", err)
	}
	return sch.Validate(inst)
}

// TestSchemaAgreesWithParse runs every rule of the Go validator through the schema: a
// config Parse refuses must be refused by the schema too, unless the rule is one a JSON
// Schema cannot express, in which case the row names why (goOnly) and the schema must
// accept it, so the list of Go-only rules stays honest.
func TestSchemaAgreesWithParse(t *testing.T) {
	sch := compileSchema(t)
	for _, r := range rules {
		t.Run(r.name, func(t *testing.T) {
			if _, err := config.Parse([]byte(r.json)); err == nil {
				t.Fatal("Parse() accepts the config; the rule row is broken")
			}
			err := validate(t, sch, r.json)
			switch {
			case r.goOnly == "" && err == nil:
				t.Error("Parse() refuses the config but the schema accepts it")
			case r.goOnly != "" && err != nil:
				t.Errorf("the row is Go-only (%s) but the schema refuses it too; drop goOnly:\n%v", r.goOnly, err)
			}
		})
	}
	for _, v := range valid {
		t.Run("valid "+v.name, func(t *testing.T) {
			if _, err := config.Parse([]byte(v.json)); err != nil {
				t.Fatalf("Parse() error:\n%v", err)
			}
			if err := validate(t, sch, v.json); err != nil {
				t.Errorf("Parse() accepts the config but the schema refuses it:\n%v", err)
			}
		})
	}
	t.Run("example config.json", func(t *testing.T) {
		data, err := os.ReadFile("config.json")
		if err != nil {
			t.Fatal(err)
		}
		if err := validate(t, sch, string(data)); err != nil {
			t.Error(err)
		}
	})
}

// TestSchemaMirrorsGoRules compares the schema's patterns, enums and property lists with
// the values the Go rules use, so an edit on one side only fails here.
func TestSchemaMirrorsGoRules(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var schema any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	for ptr, want := range config.SchemaPatterns {
		if got := pointer(t, schema, ptr); !reflect.DeepEqual(got, want) {
			t.Errorf("schema %s = %#v; Go uses %#v", ptr, got, want)
		}
	}
	for ptr, want := range config.SchemaProperties {
		props, ok := pointer(t, schema, ptr).(map[string]any)
		if !ok {
			t.Errorf("schema %s is not an object", ptr)
			continue
		}
		var got []string
		for k := range props {
			got = append(got, k)
		}
		slices.Sort(got)
		want = slices.Sorted(slices.Values(want))
		if !slices.Equal(got, want) {
			t.Errorf("schema %s has properties %v; Go accepts %v", ptr, got, want)
		}
	}
}

// TestSchemaDescribesEveryField keeps editors' hover text complete.
func TestSchemaDescribesEveryField(t *testing.T) {
	data, err := os.ReadFile(schemaFile)
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, v any)
	walk = func(path string, v any) {
		obj, ok := v.(map[string]any)
		if !ok {
			return
		}
		if props, ok := obj["properties"].(map[string]any); ok {
			for name, p := range props {
				p := p.(map[string]any)
				ref, isRef := p["$ref"].(string)
				if _, ok := p["description"]; !ok && !isRef {
					t.Errorf("%s/properties/%s has no description", path, name)
				}
				if isRef {
					target := pointer(t, schema, strings.TrimPrefix(ref, "#"))
					if _, ok := target.(map[string]any)["description"]; !ok {
						t.Errorf("%s/properties/%s refers to %s, which has no description", path, name, ref)
					}
				}
			}
		}
		for k, child := range obj {
			switch c := child.(type) {
			case map[string]any:
				walk(path+"/"+k, c)
			case []any:
				for i, el := range c {
					walk(path+"/"+k+"/"+strconv.Itoa(i), el)
				}
			}
		}
	}
	walk("", schema)
}

func pointer(t *testing.T, doc any, ptr string) any {
	t.Helper()
	cur := doc
	for _, tok := range strings.Split(strings.TrimPrefix(ptr, "/"), "/") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[tok]
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i >= len(c) {
				t.Fatalf("bad pointer %s", ptr)
			}
			cur = c[i]
		default:
			t.Fatalf("pointer %s leaves the document", ptr)
		}
	}
	return cur
}
