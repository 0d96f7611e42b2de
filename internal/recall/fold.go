package recall

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// openBody is the body of a recall.open decision.
type openBody struct {
	Number     string     `json:"number"`
	Regulator  string     `json:"regulator"`
	Level      Level      `json:"level"`
	ReasonZH   string     `json:"reasonZH"`
	ReasonEN   string     `json:"reasonEN,omitempty"`
	CategoryZH string     `json:"categoryZH,omitempty"`
	CategoryEN string     `json:"categoryEN,omitempty"`
	IDs        []string   `json:"ids"`
	From       *time.Time `json:"from,omitempty"`
	To         *time.Time `json:"to,omitempty"`
	Scope      Scope      `json:"scope"`
}

// updateBody is the body of a recall.update decision.
type updateBody struct {
	Recovered float64 `json:"recovered"`
	UOM       string  `json:"uom,omitempty"`
	NoteZH    string  `json:"noteZH,omitempty"`
	NoteEN    string  `json:"noteEN,omitempty"`
}

// closeBody is the body of a recall.close decision.
type closeBody struct {
	ResultZH string `json:"resultZH"`
	ResultEN string `json:"resultEN,omitempty"`
}

// refOf returns the reference of a stored decision.
func refOf(d store.Decision) Ref {
	return Ref{Kind: d.Kind, Seq: d.Seq, LeafIndex: d.LeafIndex, Time: d.Time, Actor: d.Actor}
}

// apply folds one stored decision into the notices, keyed by recall ID.
// A recall.open for a known ID, and an update or close of an unknown or
// closed notice, are skipped with an error: the service never appends
// them, so they can only come from another writer racing this one (see
// Service) and the first decision in Seq order wins.
func apply(notices map[string]*Notice, d store.Decision) error {
	n := notices[d.Subject]
	switch d.Kind {
	case KindOpen:
		if n != nil {
			return fmt.Errorf("decision %d opens recall %s a second time", d.Seq, d.Subject)
		}
		var b openBody
		if err := json.Unmarshal(d.Body, &b); err != nil {
			return fmt.Errorf("decision %d: decode %s body: %w", d.Seq, d.Kind, err)
		}
		notices[d.Subject] = &Notice{
			ID: d.Subject, Number: b.Number, Regulator: b.Regulator, Level: b.Level,
			ReasonZH: b.ReasonZH, ReasonEN: b.ReasonEN, CategoryZH: b.CategoryZH, CategoryEN: b.CategoryEN,
			IDs: b.IDs, From: b.From, To: b.To, Scope: b.Scope,
			Status: StatusOpen, OpenedAt: d.Time, Progress: []Progress{}, Decisions: []Ref{refOf(d)},
		}
		return nil
	case KindUpdate, KindClose:
		if n == nil {
			return fmt.Errorf("decision %d: %s of unknown recall %s", d.Seq, d.Kind, d.Subject)
		}
		if n.Status == StatusClosed {
			return fmt.Errorf("decision %d: %s of closed recall %s", d.Seq, d.Kind, d.Subject)
		}
	default:
		return fmt.Errorf("decision %d: unknown recall decision kind %q", d.Seq, d.Kind)
	}
	if d.Kind == KindUpdate {
		var b updateBody
		if err := json.Unmarshal(d.Body, &b); err != nil {
			return fmt.Errorf("decision %d: decode %s body: %w", d.Seq, d.Kind, err)
		}
		n.Progress = append(n.Progress, Progress{Time: d.Time, Recovered: b.Recovered, UOM: b.UOM, NoteZH: b.NoteZH, NoteEN: b.NoteEN, Actor: d.Actor})
	} else {
		var b closeBody
		if err := json.Unmarshal(d.Body, &b); err != nil {
			return fmt.Errorf("decision %d: decode %s body: %w", d.Seq, d.Kind, err)
		}
		closed := d.Time
		n.Status, n.ClosedAt, n.ResultZH, n.ResultEN = StatusClosed, &closed, b.ResultZH, b.ResultEN
	}
	n.Decisions = append(n.Decisions, refOf(d))
	return nil
}
