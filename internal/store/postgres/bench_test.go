package postgres

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// benchBatch is the number of events per capture call in the capture
// benchmarks; each fixture event has four identifier rows.
const benchBatch = 100

// BenchmarkCapture measures Store.Capture with batches of benchBatch new
// events, reported as events/s.
func BenchmarkCapture(b *testing.B) {
	ctx := context.Background()
	s, _ := openFresh(b)
	prefix := randomName("bench")

	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		records := fixtureBatch(prefix, i*benchBatch, benchBatch)
		start := time.Now()
		if _, err := s.Capture(ctx, prefix, records); err != nil {
			b.Fatalf("Capture batch %d: %v", i, err)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(b.N*benchBatch)/elapsed.Seconds(), "events/s")
}

// BenchmarkCaptureParallel measures Store.Capture from four goroutines per
// CPU at once, as several servers sharing one database would call it, in
// events/s over all of them. Captures serialise on the capture lock, so
// this shows how much of a capture overlaps with the others.
func BenchmarkCaptureParallel(b *testing.B) {
	ctx := context.Background()
	s, _ := openFresh(b)
	prefix := randomName("parallel")
	var next atomic.Int64

	b.SetParallelism(4)
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := int(next.Add(1))
			records := fixtureBatch(prefix, i*benchBatch, benchBatch)
			if _, err := s.Capture(ctx, prefix, records); err != nil {
				b.Errorf("Capture batch %d: %v", i, err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N*benchBatch)/time.Since(start).Seconds(), "events/s")
}

// BenchmarkCaptureFloorRatio alternates one Capture batch and one
// BenchmarkCopyFloor batch on one database and reports both rates and
// their ratio. Alternating keeps the ratio meaningful when other work
// loads the machine unevenly during the run.
func BenchmarkCaptureFloorRatio(b *testing.B) {
	ctx := context.Background()
	s, _ := openFresh(b)
	createFloorTables(b, s)
	prefix := randomName("ratio")

	var captureTime, floorTime time.Duration
	for i := 0; b.Loop(); i++ {
		records := fixtureBatch(prefix+"-capture", i*benchBatch, benchBatch)
		start := time.Now()
		if _, err := s.Capture(ctx, prefix, records); err != nil {
			b.Fatalf("Capture batch %d: %v", i, err)
		}
		captureTime += time.Since(start)

		records = fixtureBatch(prefix+"-floor", i*benchBatch, benchBatch)
		start = time.Now()
		if err := copyFloorBatch(ctx, s, prefix, i, records); err != nil {
			b.Fatalf("copy batch %d: %v", i, err)
		}
		floorTime += time.Since(start)
	}
	events := float64(b.N * benchBatch)
	b.ReportMetric(events/captureTime.Seconds(), "capture-events/s")
	b.ReportMetric(events/floorTime.Seconds(), "floor-events/s")
	b.ReportMetric(floorTime.Seconds()/captureTime.Seconds(), "ratio")
}

func createFloorTables(b *testing.B, s *Store) {
	const bare = `
		CREATE TABLE floor_events (LIKE events);
		CREATE TABLE floor_identifiers (LIKE identifiers);
		CREATE TABLE floor_biz_transactions (LIKE biz_transactions);
		CREATE TABLE floor_persistent_dispositions (LIKE persistent_dispositions);
		CREATE TABLE floor_log_leaves (LIKE log_leaves);`
	if _, err := s.pool.Exec(context.Background(), bare); err != nil {
		b.Fatalf("create bare tables: %v", err)
	}
}

// BenchmarkCopyFloor measures the floor that BenchmarkCapture is compared
// with: the same rows of events, identifiers and log leaves copied into
// tables without indexes or constraints, one transaction per batch of
// benchBatch events, reported as events/s.
func BenchmarkCopyFloor(b *testing.B) {
	ctx := context.Background()
	s, _ := openFresh(b)
	createFloorTables(b, s)
	prefix := randomName("floor")

	var elapsed time.Duration
	for i := 0; b.Loop(); i++ {
		records := fixtureBatch(prefix, i*benchBatch, benchBatch)
		start := time.Now()
		if err := copyFloorBatch(ctx, s, prefix, i, records); err != nil {
			b.Fatalf("copy batch %d: %v", i, err)
		}
		elapsed += time.Since(start)
	}
	b.ReportMetric(float64(b.N*benchBatch)/elapsed.Seconds(), "events/s")
}

// copyFloorBatch copies the rows Capture would write for records into the
// bare floor_ tables in one transaction.
func copyFloorBatch(ctx context.Context, s *Store, captureID string, batch int, records []store.Record) error {
	rows := make([]*eventRow, len(records))
	leaves := make([][]any, len(records))
	for j := range records {
		seq := int64(batch*len(records) + j + 1)
		rows[j] = newEventRow(seq, &records[j])
		leaves[j] = []any{seq - 1, seq, records[j].Event.EventID, records[j].LeafHash}
	}
	copies := append(buildCopies(captureID, time.Now().UnixNano(), rows), copySet{"log_leaves", leafColumns, leaves})
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, c := range copies {
			if len(c.rows) == 0 {
				continue
			}
			if _, err := tx.CopyFrom(ctx, pgx.Identifier{"floor_" + c.table}, c.columns, pgx.CopyFromRows(c.rows)); err != nil {
				return err
			}
		}
		return nil
	})
}

// queryBench is the store BenchmarkQueryByEPC reads, filled once per test
// binary because filling it takes seconds.
var queryBench struct {
	once  sync.Once
	store *Store
	err   error
}

// queryBenchEvents is the number of events in the BenchmarkQueryByEPC store.
const queryBenchEvents = 100_000

// BenchmarkQueryByEPC measures an EPCIS query MATCH_epc for one EPC on a
// store of queryBenchEvents events.
func BenchmarkQueryByEPC(b *testing.B) {
	ctx := context.Background()
	dsn := baseDSN(b)
	queryBench.once.Do(func() {
		queryBench.store, queryBench.err = fillQueryBench(ctx, dsn)
	})
	if queryBench.err != nil {
		b.Fatalf("fill store: %v", queryBench.err)
	}
	s := queryBench.store

	// Disk use per event, over the event, identifier and log tables and
	// their indexes, for capacity planning.
	var bytes int64
	const size = `SELECT sum(pg_total_relation_size(t)) FROM unnest(ARRAY['events', 'identifiers', 'log_leaves']::regclass[]) AS t`
	if err := s.pool.QueryRow(ctx, size).Scan(&bytes); err != nil {
		b.Fatalf("read table sizes: %v", err)
	}

	rng := rand.New(rand.NewPCG(1, 2))
	for b.Loop() {
		epc := fixtureEPC(rng.IntN(2 * queryBenchEvents))
		q := store.Query{Matches: []store.IDMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{epc}}}}
		page, err := s.QueryEvents(ctx, q)
		if err != nil {
			b.Fatalf("QueryEvents: %v", err)
		}
		if len(page.Events) != 1 {
			b.Fatalf("QueryEvents(%s): got %d events, want 1", epc, len(page.Events))
		}
	}
	b.ReportMetric(float64(bytes)/queryBenchEvents, "disk-bytes/event")
}

// fillQueryBench creates a database that lives until TestMain ends and
// captures queryBenchEvents fixture events into it.
func fillQueryBench(ctx context.Context, base string) (*Store, error) {
	name := randomName("suyuan_test_query_")
	if err := createDatabase(base, name, ""); err != nil {
		return nil, err
	}
	processDatabases.add(name)
	s, err := Open(ctx, withDatabase(base, name))
	if err != nil {
		return nil, err
	}
	const batch = 1000
	for i := 0; i < queryBenchEvents; i += batch {
		if _, err := s.Capture(ctx, "fill", fixtureBatch("query", i, batch)); err != nil {
			s.Close()
			return nil, fmt.Errorf("capture events %d to %d: %w", i, i+batch, err)
		}
	}
	if _, err := s.pool.Exec(ctx, "ANALYZE"); err != nil {
		s.Close()
		return nil, fmt.Errorf("analyze: %w", err)
	}
	return s, nil
}
