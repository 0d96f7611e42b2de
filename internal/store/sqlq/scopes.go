package sqlq

import (
	"strings"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// JoinScopes returns the column value that stores a token's or user's
// scopes: the scopes separated by single spaces.
func JoinScopes(scopes []store.Scope) string {
	parts := make([]string, len(scopes))
	for i, sc := range scopes {
		parts[i] = string(sc)
	}
	return strings.Join(parts, " ")
}

// SplitScopes reads a column value written by JoinScopes.
func SplitScopes(s string) []store.Scope {
	var out []store.Scope
	for _, f := range strings.Fields(s) {
		out = append(out, store.Scope(f))
	}
	return out
}
