package api

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/suyuan-trace/suyuan/internal/credit"
	"github.com/suyuan-trace/suyuan/internal/recall"
)

// TestProblemRegisterFieldErrors checks that a field error of the recall
// register and one of the credit list get the title of their register.
func TestProblemRegisterFieldErrors(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   error
		title string
	}{
		{"recall", &recall.FieldError{Field: "number", Invalid: recall.ErrInvalid}, "召回公告无效 / invalid recall notice"},
		{"credit", &credit.FieldError{Field: "reasonZH", Invalid: credit.ErrInvalid}, "失信名单条目无效 / invalid credit-list entry"},
		{"wrapped credit", fmt.Errorf("add entry: %w", &credit.FieldError{Field: "party", Invalid: credit.ErrInvalid}), "失信名单条目无效 / invalid credit-list entry"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := problemFor(tc.err)
			if p.Status != http.StatusBadRequest {
				t.Errorf("status: got %d, want 400", p.Status)
			}
			if p.Title != tc.title {
				t.Errorf("title: got %q, want %q", p.Title, tc.title)
			}
			if len(p.Errors) != 1 {
				t.Errorf("errors: got %d items, want 1", len(p.Errors))
			}
		})
	}
}
