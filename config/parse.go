package config

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/golive-dev/golive/internal/readlimit"
)

// MaxFileBytes is the largest config file golive reads: far above any real config (a
// function with every setting takes about 2 KB, and a stack holds at most 200), and small
// enough that a path such as /dev/zero fails at once instead of filling memory.
const MaxFileBytes = 1 << 20

// Load reads and parses the config file at path, at most MaxFileBytes. Errors name the
// file: syntax errors as file:line:column, validation errors one per line as file:
// json.path: message.
func Load(path string) (*Config, error) {
	data, err := readlimit.File(context.Background(), path, MaxFileBytes)
	if err != nil {
		return nil, err // *fs.PathError and *readlimit.TooLargeError name the file
	}
	c, err := Parse(data)
	if err != nil {
		return nil, &fileError{file: path, err: err}
	}
	return c, nil
}

// Parse decodes, merges and validates a config. It returns a *SyntaxError when data is
// not JSON, and otherwise every problem at once as Errors.
func Parse(data []byte) (*Config, error) {
	if err := checkEncoding(data); err != nil {
		return nil, err
	}
	root, errs, err := decode(data)
	if err != nil {
		return nil, err
	}
	p := &parser{errs: errs}
	c := p.config(root)
	if len(p.errs) > 0 {
		return nil, p.errs.normalize()
	}
	return c, nil
}

type parser struct {
	errs Errors
}

func (p *parser) add(path, format string, args ...any) {
	p.errs = append(p.errs, Error{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (p *parser) bad(path string, v *value, want string) {
	p.add(path, "got %s; want %s", v, want)
}

func (p *parser) missing(path, want string) {
	p.add(path, "missing; want %s", want)
}

// state tells an absent field from an override's null, which removes the shared value
// (JSON Merge Patch, RFC 7396), and from a value already reported as bad, so that checks
// built on it stay quiet instead of piling up follow-on errors.
type state uint8

const (
	absent state = iota
	null
	set
	invalid
)

// field is one decoded setting with the path it was written at, so that an error found
// after merging can say where the value came from.
type field[T any] struct {
	st   state
	v    T
	path string
	raw  *value
}

func (f field[T]) or(def T) T {
	if f.st == set {
		return f.v
	}
	return def
}

// over is the merge rule for leaves and arrays: an override that mentions the field wins.
func over[T any](base, o field[T]) field[T] {
	if o.st == absent {
		return base
	}
	return o
}

// object is a JSON object being decoded at path.
type object struct {
	path string
	v    *value
}

func (o object) get(key string) (*value, string) { return o.v.field(key), join(o.path, key) }

// object checks v is an object and reports every key not in allowed.
func (p *parser) object(path string, v *value, want string, allowed []string) (object, bool) {
	if v.kind != kindObject {
		p.bad(path, v, want)
		return object{}, false
	}
	for _, m := range v.obj {
		if !slices.Contains(allowed, m.key) {
			msg := "unknown field; allowed fields: " + strings.Join(allowed, ", ")
			if s := suggest(m.key, allowed); s != "" {
				msg = fmt.Sprintf("unknown field (did you mean %q?); allowed fields: %s", s, strings.Join(allowed, ", "))
			}
			p.add(join(path, m.key), "%s", msg)
		}
	}
	return object{path, v}, true
}

// lookup finds key in o. A null is only a state where nullable; elsewhere it is a value
// for the caller to reject.
func lookup[T any](o object, key string, nullable bool) (*value, field[T]) {
	v, path := o.get(key)
	f := field[T]{path: path, raw: v}
	switch {
	case v == nil:
		f.st = absent
	case v.kind == kindNull && nullable:
		f.st = null
	default:
		f.st = set
	}
	return v, f
}

func (p *parser) str(o object, key string, nullable bool, valid func(string) bool, want string) field[string] {
	v, f := lookup[string](o, key, nullable)
	if f.st != set {
		return f
	}
	if v.kind != kindString || !valid(v.s) {
		p.bad(f.path, v, want)
		f.st = invalid
		return f
	}
	f.v = v.s
	return f
}

func (p *parser) integer(o object, key string, nullable bool, lo, hi int64, want string) field[int64] {
	v, f := lookup[int64](o, key, nullable)
	if f.st != set {
		return f
	}
	n, ok := intValue(v)
	if !ok || n < lo || n > hi {
		p.bad(f.path, v, want)
		f.st = invalid
		return f
	}
	f.v = n
	return f
}

// intValue accepts a JSON number that is an integer, however it is written (7, 7.0, 7e0).
func intValue(v *value) (int64, bool) {
	if v.kind != kindNumber {
		return 0, false
	}
	n, integral, fits := jsonInt(v.s)
	return n, integral && fits
}

func (p *parser) number(o object, key string, nullable bool, valid func(float64) bool, want string) field[float64] {
	v, f := lookup[float64](o, key, nullable)
	if f.st != set {
		return f
	}
	x, ok := floatValue(v)
	if !ok || !valid(x) {
		p.bad(f.path, v, want)
		f.st = invalid
		return f
	}
	f.v = x
	return f
}

func floatValue(v *value) (float64, bool) {
	if v.kind != kindNumber {
		return 0, false
	}
	x, err := strconv.ParseFloat(v.s, 64)
	return x, err == nil && !math.IsInf(x, 0)
}

func (p *parser) boolean(o object, key string, nullable bool) field[bool] {
	v, f := lookup[bool](o, key, nullable)
	if f.st != set {
		return f
	}
	if v.kind != kindBool {
		p.bad(f.path, v, wantBool)
		f.st = invalid
		return f
	}
	f.v = v.b
	return f
}

// stringList decodes an array of strings, each checked by valid; duplicates are refused
// because they are always a copy-and-paste slip.
func (p *parser) stringList(o object, key string, nullable bool, want, wantItem string, maxItems int, valid func(string) bool) field[[]string] {
	v, f := lookup[[]string](o, key, nullable)
	if f.st != set {
		return f
	}
	if v.kind != kindArray {
		p.bad(f.path, v, want)
		f.st = invalid
		return f
	}
	ok := true
	if maxItems > 0 && len(v.arr) > maxItems {
		p.add(f.path, "got %d items; want at most %d", len(v.arr), maxItems)
		ok = false
	}
	list := make([]string, 0, len(v.arr))
	for i, el := range v.arr {
		switch {
		case el.kind != kindString || !valid(el.s):
			p.bad(index(f.path, i), el, wantItem)
			ok = false
		case slices.Contains(list, el.s):
			p.add(index(f.path, i), "got %s again; want each entry once", el)
			ok = false
		default:
			list = append(list, el.s)
		}
	}
	if !ok {
		f.st = invalid
		return f
	}
	f.v = list
	return f
}

func (p *parser) required(o object, key, want string) bool {
	if v, path := o.get(key); v == nil {
		p.missing(path, want)
		return false
	}
	return true
}

// suggest returns the allowed name closest to a misspelt key, or "".
func suggest(key string, allowed []string) string {
	norm := func(s string) string { return strings.ToLower(strings.NewReplacer("_", "", "-", "").Replace(s)) }
	best, bestD := "", 3
	for _, a := range allowed {
		if norm(a) == norm(key) {
			return a
		}
		if len(key) >= 4 && strings.HasPrefix(a, key) {
			return a
		}
		if d := distance(key, a); d < bestD {
			best, bestD = a, d
		}
	}
	return best
}

// distance is the Levenshtein distance, capped for long inputs.
func distance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
