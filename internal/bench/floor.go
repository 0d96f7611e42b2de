package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"

	_ "modernc.org/sqlite" // registers the "sqlite" database/sql driver

	"github.com/suyuan-trace/suyuan/epcis"
)

// floorSchema is the least a repository could write: the event as JSON
// and one index row per identifier as sent.
const floorSchema = `
CREATE TABLE events (id INTEGER PRIMARY KEY, doc BLOB NOT NULL);
CREATE TABLE ids (id TEXT NOT NULL, event INTEGER NOT NULL);
CREATE INDEX ids_id ON ids (id);
`

// Floor imports files the minimal way, to give the baseline that a real
// import is measured against: the same decoder, each event stored as one
// JSON row plus one index row per identifier (not canonicalised, not
// validated, not hashed), one transaction per document, SQLite in WAL mode.
// It returns the number of events stored.
func Floor(ctx context.Context, dbPath string, files []string) (int, error) {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)")
	if err != nil {
		return 0, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, floorSchema); err != nil {
		return 0, fmt.Errorf("create floor schema: %w", err)
	}
	total := 0
	for _, path := range files {
		n, err := floorFile(ctx, db, path)
		if err != nil {
			return total, fmt.Errorf("%s: %w", path, err)
		}
		total += n
	}
	return total, nil
}

func floorFile(ctx context.Context, db *sql.DB, path string) (int, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	dec, err := epcis.NewDecoder(f, "")
	if err != nil {
		return 0, err
	}
	if _, err := dec.Header(); err != nil {
		return 0, err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback()
	insEvent, err := tx.PrepareContext(ctx, "INSERT INTO events (doc) VALUES (?)")
	if err != nil {
		return 0, err
	}
	insID, err := tx.PrepareContext(ctx, "INSERT INTO ids (id, event) VALUES (?, ?)")
	if err != nil {
		return 0, err
	}
	n := 0
	for {
		e, err := dec.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return n, err
		}
		doc, err := epcis.MarshalEventJSON(e)
		if err != nil {
			return n, err
		}
		res, err := insEvent.ExecContext(ctx, doc)
		if err != nil {
			return n, err
		}
		id, err := res.LastInsertId()
		if err != nil {
			return n, err
		}
		for _, v := range rawIdentifiers(e) {
			if _, err := insID.ExecContext(ctx, v, id); err != nil {
				return n, err
			}
		}
		n++
	}
	return n, tx.Commit()
}

// rawIdentifiers lists an event's identifiers as sent.
func rawIdentifiers(e *epcis.Event) []string {
	ids := append([]string(nil), e.EPCList...)
	ids = append(ids, e.ChildEPCs...)
	ids = append(ids, e.InputEPCList...)
	ids = append(ids, e.OutputEPCList...)
	if e.ParentID != "" {
		ids = append(ids, e.ParentID)
	}
	for _, list := range [][]epcis.QuantityElement{e.QuantityList, e.ChildQuantityList, e.InputQuantityList, e.OutputQuantityList} {
		for _, q := range list {
			ids = append(ids, q.EPCClass)
		}
	}
	if e.ReadPoint != nil {
		ids = append(ids, e.ReadPoint.ID)
	}
	if e.BizLocation != nil {
		ids = append(ids, e.BizLocation.ID)
	}
	return ids
}
