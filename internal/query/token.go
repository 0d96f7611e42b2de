package query

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"net/url"
	"sort"
	"strings"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// tokenVersion is the first byte of every paging token, so that the format
// can change without misreading old tokens.
const tokenVersion = 1

// fingerprintSize is how many bytes of the query's SHA-256 a token carries.
const fingerprintSize = 8

// Fingerprint identifies a query by its parameters, leaving out those that
// only steer paging. A token is valid only for the query it came from.
func Fingerprint(params url.Values) []byte {
	names := make([]string, 0, len(params))
	for name := range params {
		if name == paramPerPage || name == paramNextPageToken {
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	h := sha256.New()
	for _, name := range names {
		h.Write([]byte(name))
		h.Write([]byte{0})
		h.Write([]byte(strings.Join(params[name], "\x00")))
		h.Write([]byte{0})
	}
	return h.Sum(nil)[:fingerprintSize]
}

// EncodeToken returns the opaque nextPageToken for a cursor of the query
// identified by fingerprint. The token holds a position, not an offset, so
// it stays valid while events are captured and on every server instance
// that shares the store.
func EncodeToken(c store.Cursor, fingerprint []byte) string {
	buf := make([]byte, 0, 1+fingerprintSize+3*binary.MaxVarintLen64)
	buf = append(buf, tokenVersion)
	buf = append(buf, fingerprint[:fingerprintSize]...)
	buf = binary.AppendVarint(buf, c.Key)
	buf = binary.AppendVarint(buf, c.Seq)
	buf = binary.AppendUvarint(buf, uint64(c.Returned))
	return base64.RawURLEncoding.EncodeToString(buf)
}

// DecodeToken reads a token made by EncodeToken and checks that it belongs
// to the query identified by fingerprint.
func DecodeToken(token string, fingerprint []byte) (store.Cursor, error) {
	bad := func(reason string) error {
		return &ParamError{Param: paramNextPageToken, Value: token, Reason: reason}
	}
	buf, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(buf) < 1+fingerprintSize {
		return store.Cursor{}, bad("malformed token; pass the nextPageToken of the previous page's Link header unchanged")
	}
	if buf[0] != tokenVersion {
		return store.Cursor{}, bad("token from another version of the server; run the query again from the first page")
	}
	if string(buf[1:1+fingerprintSize]) != string(fingerprint[:fingerprintSize]) {
		return store.Cursor{}, bad("token belongs to a query with other parameters; repeat the same parameters as the first page")
	}
	rest := buf[1+fingerprintSize:]
	var c store.Cursor
	var n int
	if c.Key, n = binary.Varint(rest); n <= 0 {
		return store.Cursor{}, bad("malformed token")
	}
	rest = rest[n:]
	if c.Seq, n = binary.Varint(rest); n <= 0 {
		return store.Cursor{}, bad("malformed token")
	}
	rest = rest[n:]
	returned, n := binary.Uvarint(rest)
	if n <= 0 || n != len(rest) {
		return store.Cursor{}, bad("malformed token")
	}
	c.Returned = int(returned)
	return c, nil
}
