package capture

import (
	"context"
	"errors"

	"github.com/suyuan-trace/suyuan/internal/store"
)

// readAheadDepth is how many read events may wait for the store; with
// the store's chunk it bounds the events held in memory at once.
const readAheadDepth = 256

// step is one result of docReader.step, handed from the reading goroutine
// to the store's.
type step struct {
	rec store.Record
	ok  bool
	// rejected is set once any event so far was invalid or denied.
	rejected bool
	err      error
}

// readAhead runs r.step in a goroutine of its own until the document ends
// (io.EOF) or reading stops, sending every step on the returned channel,
// which it closes after the last. Reading goes on after a rejection, so
// that every invalid event is listed. The caller must receive until the
// channel is closed before it looks at r.
func (r *docReader) readAhead(ctx context.Context) <-chan step {
	ch := make(chan step, readAheadDepth)
	go func() {
		defer close(ch)
		for {
			rec, ok, err := r.step(ctx)
			ch <- step{rec: rec, ok: ok, rejected: len(r.invalid) > 0 || len(r.denied) > 0, err: err}
			if err != nil {
				return
			}
		}
	}()
	return ch
}

// errReaderGone is returned when the reading goroutine ended without a
// final step; the capture must not commit then.
var errReaderGone = errors.New("document reader ended before the end of the document")

// aheadSource feeds the store from a readAhead channel.
type aheadSource struct {
	ahead <-chan step
	// final is the error returned once reading ended; later calls
	// return it again.
	final error
}

// next returns the next valid, prepared record. At the end of the
// document it returns io.EOF. Once an event was invalid or denied it
// returns errRejected, and when reading stopped, the error that stopped it.
func (a *aheadSource) next() (store.Record, error) {
	if a.final != nil {
		return store.Record{}, a.final
	}
	for st := range a.ahead {
		switch {
		case st.err != nil:
			a.final = st.err
			return store.Record{}, st.err
		case st.rejected:
			a.final = errRejected
			return store.Record{}, errRejected
		case st.ok:
			return st.rec, nil
		}
	}
	a.final = errReaderGone
	return store.Record{}, errReaderGone
}
