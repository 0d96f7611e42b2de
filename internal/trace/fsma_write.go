package trace

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"
)

// FSMAColumns are the header cells of the FSMA 204 spreadsheet, in
// column order. The key data element names follow the FDA Food
// Traceability Rule; the last two columns link rows back to the EPCIS
// data.
var FSMAColumns = []string{
	"Traceability Lot Code",
	"Traceability Lot Code Source Location",
	"Product Identifier (GTIN)",
	"Product Description",
	"Quantity",
	"Unit of Measure",
	"Critical Tracking Event",
	"Event Date",
	"Event Time Zone Offset",
	"Location of CTE",
	"Ship-From Location",
	"Ship-To Location",
	"Reference Document Type",
	"Reference Document Number",
	"Traceability Lot Identifier (GS1 Digital Link)",
	"EPCIS Event ID",
}

// fsmaDateLayout is the CSV date format: ISO 8601 with the offset.
const fsmaDateLayout = "2006-01-02T15:04:05Z07:00"

func (r FSMARow) cells() []string {
	return []string{
		r.TLC, r.TLCSource, r.GTIN, r.Description,
		strconv.FormatFloat(r.Quantity, 'f', -1, 64), r.UOM, string(r.CTE),
		r.EventTime.Format(fsmaDateLayout), r.EventTime.Format("-07:00"),
		r.Location, r.ShipFrom, r.ShipTo, r.RefDocType, r.RefDocNumber, r.TLCID, r.EventID,
	}
}

// WriteFSMACSV writes rows as CSV (RFC 4180) with a header row.
func WriteFSMACSV(w io.Writer, rows []FSMARow) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(FSMAColumns); err != nil {
		return fmt.Errorf("write fsma 204 csv: %w", err)
	}
	for _, r := range rows {
		if err := cw.Write(r.cells()); err != nil {
			return fmt.Errorf("write fsma 204 csv: %w", err)
		}
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		return fmt.Errorf("write fsma 204 csv: %w", err)
	}
	return nil
}

// FSMASheet is the name of the worksheet WriteFSMAXLSX writes.
const FSMASheet = "FSMA 204"

// WriteFSMAXLSX writes rows as an XLSX workbook of one sheet. The bold
// header row is frozen and carries an auto-filter over every column.
// Quantities are numeric cells and event dates date-time cells in the
// event's local time; Excel cells carry no time zone, so the offset has
// its own column.
func WriteFSMAXLSX(w io.Writer, rows []FSMARow) (err error) {
	f := excelize.NewFile()
	defer func() {
		if cerr := f.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("write fsma 204 xlsx: %w", cerr)
		}
	}()
	fail := func(err error) error { return fmt.Errorf("write fsma 204 xlsx: %w", err) }
	if err := f.SetSheetName("Sheet1", FSMASheet); err != nil {
		return fail(err)
	}
	header, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}})
	if err != nil {
		return fail(err)
	}
	layout := "yyyy-mm-dd hh:mm:ss"
	dates, err := f.NewStyle(&excelize.Style{CustomNumFmt: &layout})
	if err != nil {
		return fail(err)
	}
	headerCells := make([]any, len(FSMAColumns))
	for i, c := range FSMAColumns {
		headerCells[i] = c
	}
	if err := f.SetSheetRow(FSMASheet, "A1", &headerCells); err != nil {
		return fail(err)
	}
	last, err := excelize.CoordinatesToCellName(len(FSMAColumns), 1)
	if err != nil {
		return fail(err)
	}
	if err := f.SetCellStyle(FSMASheet, "A1", last, header); err != nil {
		return fail(err)
	}
	for i, r := range rows {
		cells := r.cells()
		row := make([]any, len(cells))
		for j, c := range cells {
			row[j] = c
		}
		row[4] = r.Quantity
		// The wall-clock time of the event, as a zone-less Excel date.
		lt := r.EventTime
		row[7] = time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), 0, time.UTC)
		cell, err := excelize.CoordinatesToCellName(1, i+2)
		if err != nil {
			return fail(err)
		}
		if err := f.SetSheetRow(FSMASheet, cell, &row); err != nil {
			return fail(err)
		}
		dateCell, _ := excelize.CoordinatesToCellName(8, i+2)
		if err := f.SetCellStyle(FSMASheet, dateCell, dateCell, dates); err != nil {
			return fail(err)
		}
	}
	lastCol, _ := excelize.ColumnNumberToName(len(FSMAColumns))
	if err := f.AutoFilter(FSMASheet, fmt.Sprintf("A1:%s%d", lastCol, len(rows)+1), nil); err != nil {
		return fail(err)
	}
	if err := f.SetPanes(FSMASheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"}); err != nil {
		return fail(err)
	}
	if err := f.SetColWidth(FSMASheet, "A", lastCol, 22); err != nil {
		return fail(err)
	}
	if err := f.Write(w); err != nil {
		return fail(err)
	}
	return nil
}
