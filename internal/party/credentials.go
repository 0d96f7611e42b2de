package party

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/crypto/argon2"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// TokenPrefix starts every API token secret, so that secret scanners and
// people recognise one.
const TokenPrefix = "syt_"

// NewSecret returns a new random secret: prefix followed by 32 random
// bytes in unpadded base64url (256 bits of entropy).
func NewSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("party: crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashSecret returns the SHA-256 hash under which a token or session
// secret is stored. A fast hash suffices because the secrets carry 256
// bits of entropy, so they cannot be guessed from the hash.
func HashSecret(secret string) []byte {
	sum := sha256.Sum256([]byte(secret))
	return sum[:]
}

// ParseScopes parses a comma- or space-separated scope list, such as
// "capture,query".
func ParseScopes(s string) ([]store.Scope, error) {
	var out []store.Scope
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		sc := store.Scope(strings.TrimSpace(f))
		switch sc {
		case store.ScopeCapture, store.ScopeQuery, store.ScopeAdmin:
		default:
			return nil, fmt.Errorf("%w: unknown scope %q; use capture, query or admin", ErrInvalid, f)
		}
		if !slices.Contains(out, sc) {
			out = append(out, sc)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: no scope given; use capture, query or admin", ErrInvalid)
	}
	return out, nil
}

// Argon2id parameters: the second recommended option of RFC 9106
// section 4 (t=3 passes, m=64 MiB, p=4 lanes), 16-byte salt, 32-byte tag.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024
	argonThreads = 4
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLength is the shortest password HashPassword accepts.
const MinPasswordLength = 12

// ErrPasswordMismatch is returned by CheckPassword for a wrong password.
var ErrPasswordMismatch = errors.New("password does not match")

// HashPassword returns the argon2id hash of password in the PHC string
// format ($argon2id$v=19$m=…,t=…,p=…$salt$hash).
func HashPassword(password string) (string, error) {
	if len([]rune(password)) < MinPasswordLength {
		return "", fmt.Errorf("%w: password has %d characters, use at least %d", ErrInvalid, len([]rune(password)), MinPasswordLength)
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("read random salt: %w", err)
	}
	key := argon2.IDKey([]byte(password), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPassword compares password with a hash made by HashPassword, in
// constant time. It returns ErrPasswordMismatch for a wrong password and
// another error for a malformed hash.
func CheckPassword(encoded, password string) error {
	parts := strings.Split(encoded, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return errors.New("stored password hash is not an argon2id PHC string")
	}
	var version int
	if _, err := fmt.Sscanf(parts[2], "v=%d", &version); err != nil || version != argon2.Version {
		return fmt.Errorf("stored password hash has unsupported version %q", parts[2])
	}
	var (
		memory  uint32
		time    uint32
		threads uint8
	)
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &memory, &time, &threads); err != nil {
		return fmt.Errorf("stored password hash has malformed parameters %q", parts[3])
	}
	salt, err := base64.RawStdEncoding.DecodeString(parts[4])
	if err != nil {
		return errors.New("stored password hash has a malformed salt")
	}
	want, err := base64.RawStdEncoding.DecodeString(parts[5])
	if err != nil || len(want) == 0 {
		return errors.New("stored password hash has a malformed key")
	}
	got := argon2.IDKey([]byte(password), salt, time, memory, threads, uint32(len(want)))
	if subtle.ConstantTimeCompare(got, want) != 1 {
		return ErrPasswordMismatch
	}
	return nil
}
