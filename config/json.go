package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"
)

// kind is the JSON type of a value. The config is decoded into this small tree rather
// than into structs because envs must keep file order, an override's null must be told
// apart from an absent field, and every error must render the value the user wrote.
type kind uint8

const (
	kindNull kind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

type value struct {
	kind kind
	b    bool
	// s is a string's value or a number's literal, kept verbatim so that 7 and 7.0
	// can be judged exactly.
	s   string
	arr []*value
	obj []member
}

type member struct {
	key string
	val *value
}

// maxDepth bounds nesting. A config needs about 6 levels; the bound keeps a hostile
// input from growing the stack without limit.
const maxDepth = 64

type decoder struct {
	dec  *json.Decoder
	errs Errors
}

// decode parses data into a value tree. Duplicate keys are not syntax errors in JSON,
// but a reviewer reading the first one would be misled, so they come back as Errors.
func decode(data []byte) (*value, Errors, error) {
	d := &decoder{dec: json.NewDecoder(bytes.NewReader(data))}
	d.dec.UseNumber()
	v, err := d.value("", 0)
	if err != nil {
		return nil, nil, syntaxError(data, d.dec, err)
	}
	// json.Decoder reads streams of values; a config is exactly one.
	rest := d.dec.InputOffset()
	for rest < int64(len(data)) && isSpace(data[rest]) {
		rest++
	}
	if rest < int64(len(data)) {
		line, col := position(data, rest)
		return nil, nil, &SyntaxError{Line: line, Column: col, Offset: rest,
			Msg: "invalid character " + quoteChar(data[rest:]) + " after top-level value"}
	}
	return v, d.errs, nil
}

var errTooDeep = errors.New("exceeded max depth")

func (d *decoder) value(path string, depth int) (*value, error) {
	tok, err := d.dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case nil:
		return &value{kind: kindNull}, nil
	case bool:
		return &value{kind: kindBool, b: t}, nil
	case json.Number:
		return &value{kind: kindNumber, s: string(t)}, nil
	case string:
		return &value{kind: kindString, s: t}, nil
	case json.Delim:
		if depth >= maxDepth {
			return nil, errTooDeep
		}
		if t == '[' {
			v := &value{kind: kindArray}
			for d.dec.More() {
				el, err := d.value(index(path, len(v.arr)), depth+1)
				if err != nil {
					return nil, err
				}
				v.arr = append(v.arr, el)
			}
			_, err := d.dec.Token() // ']'
			return v, err
		}
		v := &value{kind: kindObject}
		seen := map[string]int{}
		for d.dec.More() {
			tok, err := d.dec.Token()
			if err != nil {
				return nil, err
			}
			key, ok := tok.(string)
			if !ok {
				return nil, errors.New("object key is not a string")
			}
			el, err := d.value(join(path, key), depth+1)
			if err != nil {
				return nil, err
			}
			if i, dup := seen[key]; dup {
				d.errs = append(d.errs, Error{join(path, key),
					"duplicate key; want each key once: most JSON tools silently keep only the last one"})
				v.obj[i].val = el
				continue
			}
			seen[key] = len(v.obj)
			v.obj = append(v.obj, member{key, el})
		}
		_, err := d.dec.Token() // '}'
		return v, err
	}
	return nil, errors.New("unexpected token")
}

func syntaxError(data []byte, dec *json.Decoder, err error) error {
	var off int64
	msg := err.Error()
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		off = offending(data, se)
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		off = int64(len(data))
		msg = "unexpected end of JSON input"
	case errors.Is(err, errTooDeep):
		off = max(dec.InputOffset()-1, 0)
		msg = "nesting deeper than " + strconv.Itoa(maxDepth) + " levels"
	default:
		off = dec.InputOffset()
	}
	off = min(off, int64(len(data)))
	line, col := position(data, off)
	return &SyntaxError{Line: line, Column: col, Offset: off, Msg: msg}
}

// offending finds the byte a syntax error names. encoding/json reports the offset of
// the bad byte for structural errors but the start of the value for errors inside a
// literal, so the byte is searched for from there.
func offending(data []byte, se *json.SyntaxError) int64 {
	off := min(max(se.Offset, 0), int64(len(data)))
	msg := se.Error()
	if !strings.HasPrefix(msg, "invalid character ") {
		return off
	}
	for i := off; i < int64(len(data)); i++ {
		if strings.HasPrefix(msg, "invalid character "+jsonQuoteChar(data[i])+" ") {
			return i
		}
	}
	return off
}

// jsonQuoteChar formats a byte the way encoding/json's error messages do.
func jsonQuoteChar(c byte) string {
	switch c {
	case '\'':
		return `'\''`
	case '"':
		return `'"'`
	}
	s := strconv.Quote(string(c))
	return "'" + s[1:len(s)-1] + "'"
}

func position(data []byte, off int64) (line, col int) {
	before := data[:off]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

func quoteChar(b []byte) string {
	r, _ := utf8.DecodeRune(b)
	return strconv.QuoteRune(r)
}

// json renders v as compact JSON, in full: the bytes a smoke test sends. Keys keep the
// file's order; numbers keep their literal.
func (v *value) json() json.RawMessage {
	var b strings.Builder
	v.write(&b, 0)
	return json.RawMessage(b.String())
}

// field returns an object's member or nil.
func (v *value) field(key string) *value {
	for _, m := range v.obj {
		if m.key == key {
			return m.val
		}
	}
	return nil
}

// maxRender keeps one error on one readable line even when the bad value is a big object.
const maxRender = 80

// String renders the value as compact JSON, the way the user would search for it.
func (v *value) String() string {
	var b strings.Builder
	v.write(&b, 4*maxRender)
	s := b.String()
	if utf8.RuneCountInString(s) > maxRender {
		r := []rune(s)
		s = string(r[:maxRender-1]) + "…"
	}
	return s
}

// write renders v as compact JSON; with limit > 0 it stops descending once b holds more
// than limit bytes (String cuts the rest), so a huge value costs no more than a short one.
func (v *value) write(b *strings.Builder, limit int) {
	if limit > 0 && b.Len() > limit {
		return
	}
	switch v.kind {
	case kindNull:
		b.WriteString("null")
	case kindBool:
		b.WriteString(strconv.FormatBool(v.b))
	case kindNumber:
		b.WriteString(v.s)
	case kindString:
		b.WriteString(quote(v.s))
	case kindArray:
		b.WriteByte('[')
		for i, el := range v.arr {
			if i > 0 {
				b.WriteByte(',')
			}
			el.write(b, limit)
		}
		b.WriteByte(']')
	case kindObject:
		b.WriteByte('{')
		for i, m := range v.obj {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quote(m.key))
			b.WriteByte(':')
			m.val.write(b, limit)
		}
		b.WriteByte('}')
	}
}

// quote renders s as a JSON string without HTML escaping, so "<" stays readable.
func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}

var plainKey = regexp.MustCompile(`^[A-Za-z0-9_$-]+$`)

// join appends an object key to a path; keys that would make the dotted path ambiguous
// are bracketed and quoted.
func join(path, key string) string {
	if !plainKey.MatchString(key) {
		return path + "[" + quote(key) + "]"
	}
	if path == "" {
		return key
	}
	return path + "." + key
}

func index(path string, i int) string { return path + "[" + strconv.Itoa(i) + "]" }

// maxDigits bounds integers to what float64 (and so JavaScript, and JSON Schema
// validators in editors) represent exactly.
const maxDigits = 15

// jsonInt judges a JSON number literal exactly: 7, 7.0 and 0.7e1 are the integer 7, as
// in JSON Schema, while 7.0000000000000001 is not an integer even though float64 says so.
// fits is false for integers of more than maxDigits digits.
func jsonInt(lit string) (n int64, integral, fits bool) {
	s := lit
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	mant, exp, _ := strings.Cut(strings.ToLower(s), "e")
	intPart, frac, _ := strings.Cut(mant, ".")
	e := 0
	if exp != "" {
		eneg := strings.HasPrefix(exp, "-")
		exp = strings.TrimLeft(exp, "+-")
		exp = strings.TrimLeft(exp, "0")
		if len(exp) > 9 {
			e = 1e9 // beyond any mantissa length: only the sign matters
		} else if exp != "" {
			var err error
			if e, err = strconv.Atoi(exp); err != nil {
				return 0, false, false
			}
		}
		if eneg {
			e = -e
		}
	}
	digits := strings.TrimLeft(intPart+frac, "0")
	e -= len(frac)
	if digits == "" {
		return 0, true, true
	}
	for strings.HasSuffix(digits, "0") {
		digits = digits[:len(digits)-1]
		e++
	}
	if e < 0 {
		return 0, false, false
	}
	if len(digits)+e > maxDigits {
		return 0, true, false
	}
	n, err := strconv.ParseInt(digits+strings.Repeat("0", e), 10, 64)
	if err != nil {
		return 0, true, false
	}
	if neg {
		n = -n
	}
	return n, true, true
}
