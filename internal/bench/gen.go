// Package bench owns the measurement tools of the platform: a generator of
// synthetic EPCIS documents at any size, the "floor" importer that sets the
// baseline a real import is compared with, the open-loop HTTP load
// generator that measures the consumer page and the resolver of a running
// server, and the runners behind "suyuan bench".
package bench

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"
)

// GenOptions sets the size and shape of generated data.
type GenOptions struct {
	// Events is the total number of events.
	Events int
	// PerDocument is the number of events in each document file.
	PerDocument int
	// Seed makes the output reproducible.
	Seed uint64
}

// bizSteps cycles through a plausible supply-chain sequence.
var bizSteps = []string{"commissioning", "packing", "shipping", "receiving", "storing", "retail_selling"}

// dispositions matches bizSteps one to one.
var dispositions = []string{"active", "in_progress", "in_transit", "in_progress", "sellable_not_accessible", "retail_sold"}

// Generate writes synthetic EPCIS 2.0 JSON-LD documents into dir, as
// files events-000000.jsonld, events-000001.jsonld, …, and returns their
// paths. Each ObjectEvent names two SGTINs under a company prefix in the
// Chinese 690–699 range, a read point and a business location: four
// identifiers per event.
func Generate(dir string, opts GenOptions) ([]string, error) {
	if opts.Events <= 0 {
		return nil, fmt.Errorf("events must be positive, got %d", opts.Events)
	}
	if opts.PerDocument <= 0 {
		opts.PerDocument = 1000
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(opts.Seed, opts.Seed^0x5eed))
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
	var files []string
	for n, doc := 0, 0; n < opts.Events; doc++ {
		count := min(opts.PerDocument, opts.Events-n)
		path := filepath.Join(dir, fmt.Sprintf("events-%06d.jsonld", doc))
		if err := writeDocument(path, rng, start, n, count); err != nil {
			return files, err
		}
		files = append(files, path)
		n += count
	}
	return files, nil
}

func writeDocument(path string, rng *rand.Rand, start time.Time, first, count int) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(f, 256<<10)
	writeEvents(w, rng, start, first, count)
	if err := w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	return f.Close()
}

func writeEvents(w io.Writer, rng *rand.Rand, start time.Time, first, count int) {
	fmt.Fprintf(w, `{"@context":["https://ref.gs1.org/standards/epcis/epcis-context.jsonld"],"type":"EPCISDocument","schemaVersion":"2.0","creationDate":"%s","epcisBody":{"eventList":[`,
		start.Format(time.RFC3339))
	for i := 0; i < count; i++ {
		n := first + i
		if i > 0 {
			io.WriteString(w, ",")
		}
		// A 7-digit company prefix from 6900000 to 6999999.
		company := 6900000 + (n%10)*10000 + rng.IntN(10000)
		item := rng.IntN(100000) // item reference after the indicator digit 0
		step := n % len(bizSteps)
		t := start.Add(time.Duration(n) * 1700 * time.Millisecond)
		site := 10000 + rng.IntN(2000)
		fmt.Fprintf(w, `{"type":"ObjectEvent","eventTime":"%s","eventTimeZoneOffset":"+08:00","epcList":["urn:epc:id:sgtin:%07d.0%05d.%d","urn:epc:id:sgtin:%07d.0%05d.%d"],"action":"OBSERVE","bizStep":"%s","disposition":"%s","readPoint":{"id":"urn:epc:id:sgln:%07d.%05d.0"},"bizLocation":{"id":"urn:epc:id:sgln:%07d.%05d.0"}}`,
			t.Format("2006-01-02T15:04:05.000-07:00"),
			company, item, 2*n, company, item, 2*n+1,
			bizSteps[step], dispositions[step],
			company, site, company, site+1)
	}
	io.WriteString(w, "]}}\n")
}
