package config

import (
	"bytes"
	"fmt"
)

// checkEncoding names the encodings JSON does not allow (RFC 8259, section 8.1: UTF-8, and
// no byte order mark), which editors on Windows like to write, instead of the parser's
// "invalid character 'ï'". Both the CDK app and the CLI read the config through Parse, so both
// get the same message.
func checkEncoding(data []byte) error {
	var msg string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		msg = "the file starts with a UTF-8 byte order mark (EF BB BF), which JSON does not allow; save it as UTF-8 without BOM"
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		msg = fmt.Sprintf("the file is UTF-16 (byte order mark % X); save it as UTF-8", data[:2])
	case len(data) >= 2 && (data[0] == 0 || data[1] == 0):
		msg = "the file holds NUL bytes, as UTF-16 or UTF-32 text does; save it as UTF-8"
	default:
		return nil
	}
	return &SyntaxError{Line: 1, Column: 1, Msg: msg}
}
