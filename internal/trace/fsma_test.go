package trace_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"slices"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
	"github.com/suyuan-trace/suyuan/internal/trace"
)

const foodVoc = "https://voc.example.cn/bizstep/"

// fsmaChain builds a produce chain: harvest and cooling of a lot at a
// farm, initial packing into serialised cases on a pallet, shipping and
// receiving, and a transformation into a fresh-cut lot.
func fsmaChain(t *testing.T) (*chain, string, string) {
	c := newChain(t)
	lot := c.lgtin(30, "LET-0301")
	// CBV 2.0 has no harvesting or cooling step; a food chain's own
	// vocabulary names them.
	c.classEvent(1, epcis.ActionAdd, "commissioning", 1, lot, 1000, "KGM").BizStep = foodVoc + "harvesting"
	c.classEvent(2, epcis.ActionObserve, "commissioning", 1, lot, 1000, "KGM").BizStep = foodVoc + "cooling"
	cases := []string{c.sgtin(30, "C1"), c.sgtin(30, "C2"), c.sgtin(30, "C3")}
	c.commission(3, 1, "LET-0301", cases...)
	pallet := c.sscc(30)
	c.aggregate(4, epcis.ActionAdd, 1, pallet, cases...)
	c.ship(5, 1, 2, pallet)
	c.receive(6, 2, pallet)
	cut := c.lgtin(31, "CUT-1")
	c.add(&epcis.Event{Type: epcis.TransformationEvent, EventTime: c.at(7), InputEPCList: cases[:2],
		OutputQuantityList: []epcis.QuantityElement{{EPCClass: cut, Quantity: 40, HasQuantity: true, UOM: "KGM"}},
		BizLocation:        &epcis.Location{ID: c.gln(2)}})
	return c, lot, cut
}

func TestFSMA204Rows(t *testing.T) {
	eachBackend(t, runFSMA204Rows)
}

func runFSMA204Rows(t *testing.T, st backend) {
	c, lot, cut := fsmaChain(t)
	tr := c.captureAll(st, st, 5)
	ctx := context.Background()

	rows, err := tr.FSMA204(ctx, trace.FSMAQuery{Lots: []string{lot}})
	if err != nil {
		t.Fatalf("FSMA204: %v", err)
	}
	var ctes []trace.CTE
	for _, r := range rows {
		ctes = append(ctes, r.CTE)
	}
	want := []trace.CTE{trace.CTEHarvesting, trace.CTECooling, trace.CTEInitialPacking, trace.CTEShipping, trace.CTEReceiving, trace.CTETransformation}
	if !slices.Equal(ctes, want) {
		t.Fatalf("critical tracking events: got %v, want %v", ctes, want)
	}
	ship := rows[3]
	if ship.Quantity != 3 || ship.UOM != "EA" {
		t.Errorf("shipping quantity: got %v %s, want 3 EA (cases on the pallet)", ship.Quantity, ship.UOM)
	}
	if ship.ShipFrom != c.gln(1) || ship.ShipTo != c.gln(2) || ship.RefDocType != "desadv" || ship.RefDocNumber == "" {
		t.Errorf("shipping row: got from %s to %s doc %s %s", ship.ShipFrom, ship.ShipTo, ship.RefDocType, ship.RefDocNumber)
	}
	if rows[0].TLC != "LET-0301" || rows[0].TLCSource != c.gln(1) || rows[0].Quantity != 1000 || rows[0].UOM != "KGM" {
		t.Errorf("harvest row: got %+v", rows[0])
	}
	if off := rows[0].EventTime.Format("-07:00"); off != "+08:00" {
		t.Errorf("event time offset: got %s, want +08:00", off)
	}
	if rows[5].Quantity != 2 {
		t.Errorf("transformation input quantity: got %v, want 2 cases", rows[5].Quantity)
	}

	// By product and window: the fresh-cut lot's transformation only.
	rows, err = tr.FSMA204(ctx, trace.FSMAQuery{Product: c.gtin(31), From: c.at(0), To: c.at(10)})
	if err != nil {
		t.Fatalf("FSMA204 by product: %v", err)
	}
	if len(rows) != 1 || rows[0].TLCID != cut || rows[0].CTE != trace.CTETransformation || rows[0].Quantity != 40 {
		t.Errorf("rows of the fresh-cut product: got %+v", rows)
	}

	for _, tc := range []struct {
		name string
		q    trace.FSMAQuery
		want error
	}{
		{"neither product nor lot", trace.FSMAQuery{}, trace.ErrInvalid},
		{"both", trace.FSMAQuery{Product: c.gtin(31), Lots: []string{lot}}, trace.ErrInvalid},
		{"bad gtin", trace.FSMAQuery{Product: "12345"}, trace.ErrInvalid},
		{"unknown product", trace.FSMAQuery{Product: c.gtin(99)}, store.ErrNotFound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := tr.FSMA204(ctx, tc.q); !errors.Is(err, tc.want) {
				t.Errorf("FSMA204(%+v): got %v, want %v", tc.q, err, tc.want)
			}
		})
	}
}

func TestFSMA204Files(t *testing.T) {
	eachBackend(t, runFSMA204Files)
}

func runFSMA204Files(t *testing.T, st backend) {
	c, lot, _ := fsmaChain(t)
	tr := c.captureAll(st, st, 100)
	rows, err := tr.FSMA204(context.Background(), trace.FSMAQuery{Lots: []string{lot}})
	if err != nil {
		t.Fatalf("FSMA204: %v", err)
	}

	t.Run("csv", func(t *testing.T) {
		var buf bytes.Buffer
		if err := trace.WriteFSMACSV(&buf, rows); err != nil {
			t.Fatalf("WriteFSMACSV: %v", err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("read back csv: %v", err)
		}
		if len(recs) != len(rows)+1 {
			t.Fatalf("csv records: got %d, want %d", len(recs), len(rows)+1)
		}
		if !slices.Equal(recs[0], trace.FSMAColumns) {
			t.Errorf("csv header: got %v", recs[0])
		}
		if recs[1][6] != "Harvesting" || recs[1][0] != "LET-0301" || recs[1][4] != "1000" {
			t.Errorf("first csv row: got %v", recs[1])
		}
	})
	t.Run("xlsx", func(t *testing.T) {
		var buf bytes.Buffer
		if err := trace.WriteFSMAXLSX(&buf, rows); err != nil {
			t.Fatalf("WriteFSMAXLSX: %v", err)
		}
		f, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatalf("re-open xlsx: %v", err)
		}
		defer f.Close()
		got, err := f.GetRows(trace.FSMASheet)
		if err != nil {
			t.Fatalf("GetRows: %v", err)
		}
		if len(got) != len(rows)+1 {
			t.Fatalf("xlsx rows: got %d, want %d", len(got), len(rows)+1)
		}
		if !slices.Equal(got[0], trace.FSMAColumns) {
			t.Errorf("xlsx header: got %v", got[0])
		}
		if got[1][6] != "Harvesting" {
			t.Errorf("first xlsx row CTE: got %q", got[1][6])
		}
		// A numeric cell has no type attribute, so excelize reports it unset.
		if typ, err := f.GetCellType(trace.FSMASheet, "E2"); err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
			t.Errorf("quantity cell type: got %v, %v; want number", typ, err)
		}
		if v, err := f.GetCellValue(trace.FSMASheet, "E2", excelize.Options{RawCellValue: true}); err != nil || v != "1000" {
			t.Errorf("quantity cell: got %q, %v; want 1000", v, err)
		}
		if v := got[1][7]; v != "2026-03-01 17:00:00" {
			t.Errorf("event date cell: got %q, want 2026-03-01 17:00:00 (09:00 UTC at +08:00)", v)
		}
		raw, err := f.GetCellValue(trace.FSMASheet, "H2", excelize.Options{RawCellValue: true})
		if err != nil || raw == "" || raw[0] < '0' || raw[0] > '9' {
			t.Errorf("event date raw value: got %q, %v; want an Excel serial date", raw, err)
		}
		panes, err := f.GetPanes(trace.FSMASheet)
		if err != nil || !panes.Freeze || panes.YSplit != 1 {
			t.Errorf("panes: got %+v, %v; want the header row frozen", panes, err)
		}
	})
}
