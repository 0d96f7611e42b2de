// Package demo owns the demo data of the platform. It has fictional
// Guangdong enterprises with valid unified social credit codes and GS1
// company prefixes, and their products. Its generator writes EPCIS 2.0
// events along realistic supply chains: pork, vegetables, imported infant
// formula, drugs, pesticide, gas cylinders, a hazardous chemical, rare
// earth, and infant formula made in Guangdong from raw milk to the can,
// seven lineage hops deep. Rare wide rounds (see IsWideRound) plant a lot
// that reaches more than 100,000 cans. Planted incidents give the consumer
// page something to find. The same seed always gives byte-identical
// documents.
package demo

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

// Sample is a code that exists in the generated data, in the form a
// consumer would scan, with what it shows.
type Sample struct {
	// Code is the scannable form: a Digital Link URI, an element string,
	// a 20-digit drug traceability code...
	Code string
	// NoteZH and NoteEN describe the code and the incident it shows.
	NoteZH, NoteEN string
}

// Generator generates the demo's events. Create it with New. A Generator
// is not safe for concurrent use.
type Generator struct {
	seed     uint64
	parties  map[string]*Party
	products map[string]*Product
	samples  []Sample
	// start is the time of round 0.
	start time.Time
}

// RoundSpacing is the time between the starts of consecutive rounds.
const RoundSpacing = 2 * time.Hour

// DefaultStart is the time of round 0 for New.
var DefaultStart = time.Date(2026, 9, 1, 6, 0, 0, 0, cst)

// New returns a generator whose output depends only on seed, with round 0
// at DefaultStart.
func New(seed uint64) (*Generator, error) {
	return NewAt(seed, DefaultStart)
}

// NewAt returns a generator whose output depends only on seed and start,
// the time of round 0. A demo started with a recent start shows fresh
// goods as fresh; the planted incidents keep their timing relative to it.
func NewAt(seed uint64, start time.Time) (*Generator, error) {
	parties, err := buildParties()
	if err != nil {
		return nil, err
	}
	g := &Generator{
		seed:    seed,
		parties: parties,
		start:   start.In(cst),
	}
	g.products = buildProducts(parties)
	return g, nil
}

// Directory returns the master data of the demo enterprises and products.
func (g *Generator) Directory() *Directory {
	return newDirectory(g.parties, g.products)
}

// Samples returns codes from rounds 0 and 1, where the incidents are
// planted, in the forms a consumer would scan. It is complete once both
// rounds have been generated.
func (g *Generator) Samples() []Sample {
	return g.samples
}

// ResolverSample returns the GS1 Digital Link path of round 0's recalled
// pork lot, such as /01/06931002000016/10/BT2609010, for trying the
// resolver.
func (g *Generator) ResolverSample() string {
	return "/01/" + gtin14(g.parties["slaughter"].Prefix) + "/10/BT" + g.start.Format("060102") + "0"
}

// roundGen holds the state of one round: its random source and start.
type roundGen struct {
	*Generator
	r     int
	rng   *rand.Rand
	start time.Time
	emit  func(*epcis.Event) error
	err   error
}

// out emits an event unless an earlier emit failed.
func (g *roundGen) out(e *epcis.Event) {
	if g.err == nil {
		g.err = g.emit(e)
	}
}

// sample records a code to try; only rounds 0 and 1 record any.
func (g *roundGen) sample(code, zh, en string) {
	if g.r <= 1 {
		g.samples = append(g.samples, Sample{Code: code, NoteZH: zh, NoteEN: en})
	}
}

// Round generates round r: one pass through every chain, with its own
// serial numbers, lots and times, passing each event to emit in order.
// Round 0 carries the planted incidents. Rounds are independent, so any
// round can be generated on its own with the same result.
func (g *Generator) Round(r int, emit func(*epcis.Event) error) error {
	if r < 0 {
		return fmt.Errorf("round %d: rounds count from 0", r)
	}
	rg := &roundGen{
		Generator: g,
		r:         r,
		rng:       rand.New(rand.NewPCG(g.seed, uint64(r)+0x5eed)),
		start:     g.start.Add(time.Duration(r) * RoundSpacing),
		emit:      emit,
	}
	if r == 0 {
		g.samples = g.samples[:0]
	}
	for _, chain := range []func(){rg.pork, rg.vegetables, rg.formula, rg.drugs, rg.pesticide, rg.gasCylinders, rg.hazchem, rg.rareEarth} {
		chain()
		if rg.err != nil {
			return rg.err
		}
	}
	// The domestic formula chain runs in even rounds only, to keep the
	// demo data small. It draws from a random stream of its own, so that
	// the chains above give the same events with or without it.
	if r%2 == 0 {
		rg.rng = rand.New(rand.NewPCG(g.seed, uint64(r)+0xf0a1))
		rg.domesticFormula()
	}
	return rg.err
}

// errStop ends generation once the requested number of events is out.
var errStop = errors.New("event limit reached")

// Header returns the document header every generated document carries:
// a fixed creation date so that output is reproducible, and the
// namespaces of the demo's extension fields.
func (g *Generator) Header() epcis.Header {
	return epcis.Header{
		Kind:         epcis.KindEPCISDocument,
		CreationDate: g.start,
		Namespaces:   map[string]string{"sy": NSSuyuan, "cbvmda": NSCBVMDA},
	}
}

// WriteDocument writes rounds 0 to rounds-1 as one EPCIS 2.0 JSON-LD
// document to w and returns the number of events written.
func (g *Generator) WriteDocument(ctx context.Context, w io.Writer, rounds int) (int, error) {
	enc := epcis.NewJSONEncoder(w, g.Header())
	n := 0
	for r := 0; r < rounds; r++ {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		err := g.Round(r, func(e *epcis.Event) error {
			n++
			return enc.Encode(e)
		})
		if err != nil {
			return n, fmt.Errorf("generate round %d: %w", r, err)
		}
	}
	return n, enc.Close()
}

// FileOptions sets the size of generated document files.
type FileOptions struct {
	// Events is the total number of events; it must be positive.
	Events int
	// PerDocument is the number of events in each file; 0 means 1000.
	PerDocument int
}

// WriteFiles writes opts.Events events into dir as EPCIS 2.0 JSON-LD
// files events-000000.jsonld, events-000001.jsonld, … and returns their
// paths. Events stream from the generator to the files, so memory use does
// not grow with opts.Events. The last round is cut off when the limit falls
// inside it.
func (g *Generator) WriteFiles(ctx context.Context, dir string, opts FileOptions) ([]string, error) {
	if opts.Events <= 0 {
		return nil, fmt.Errorf("events must be positive, got %d", opts.Events)
	}
	if opts.PerDocument <= 0 {
		opts.PerDocument = 1000
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("create output directory: %w", err)
	}
	var (
		files   []string
		f       *os.File
		bw      *bufio.Writer
		enc     *epcis.JSONEncoder
		written int
	)
	closeFile := func() error {
		if f == nil {
			return nil
		}
		err := errors.Join(enc.Close(), bw.Flush(), f.Close())
		f = nil
		if err != nil {
			return fmt.Errorf("write %s: %w", files[len(files)-1], err)
		}
		return nil
	}
	emit := func(e *epcis.Event) error {
		if written == opts.Events {
			return errStop
		}
		if written%opts.PerDocument == 0 {
			if err := closeFile(); err != nil {
				return err
			}
			path := filepath.Join(dir, fmt.Sprintf("events-%06d.jsonld", len(files)))
			var err error
			if f, err = os.Create(path); err != nil {
				return fmt.Errorf("create document file: %w", err)
			}
			files = append(files, path)
			bw = bufio.NewWriterSize(f, 256<<10)
			enc = epcis.NewJSONEncoder(bw, g.Header())
		}
		written++
		return enc.Encode(e)
	}
	for r := 0; written < opts.Events; r++ {
		if err := ctx.Err(); err != nil {
			closeFile()
			return files, err
		}
		if err := g.Round(r, emit); err != nil && !errors.Is(err, errStop) {
			closeFile()
			return files, fmt.Errorf("generate round %d: %w", r, err)
		}
	}
	return files, closeFile()
}
