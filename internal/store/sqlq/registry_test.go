package sqlq

import "testing"

func TestRegistryStatementPlaceholders(t *testing.T) {
	const query = "SELECT party_id FROM party_prefixes WHERE scheme = ? AND prefix = ? AND party_id <> ?"
	tests := []struct {
		d    Dialect
		want string
	}{
		{SQLite, query},
		{Postgres, "SELECT party_id FROM party_prefixes WHERE scheme = $1 AND prefix = $2 AND party_id <> $3"},
	}
	for _, tt := range tests {
		t.Run(tt.d.Name, func(t *testing.T) {
			r := registryLookup{d: tt.d}
			if got := r.statement(query); got != tt.want {
				t.Errorf("statement = %q, want %q", got, tt.want)
			}
		})
	}
}
