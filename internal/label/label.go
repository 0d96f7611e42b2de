// Package label owns the rendering of product labels: QR codes that carry a
// GS1 Digital Link URI (or any other identifier URI of the platform), as PNG
// images and as SVG documents.
//
// The QR code symbol follows ISO/IEC 18004 as encoded by
// github.com/skip2/go-qrcode. Error correction level M is the default, and
// every rendering keeps a quiet zone of four modules on each side, the
// width ISO/IEC 18004 requires.
package label

import (
	"errors"
	"fmt"

	"github.com/skip2/go-qrcode"
)

// Level is the QR code error correction level of ISO/IEC 18004: the share
// of codewords that can be restored when a label is damaged.
type Level int

// The four error correction levels, from the least to the most robust.
const (
	LevelL Level = iota // about 7 % of codewords recoverable
	LevelM              // about 15 %, the default
	LevelQ              // about 25 %
	LevelH              // about 30 %
)

// QuietZone is the width in modules of the light margin on every side of a
// rendered symbol.
const QuietZone = 4

// MaxSize is the largest image size in pixels that PNG and SVG accept; it
// keeps a mistyped size from allocating gigabytes.
const MaxSize = 8192

// ErrInvalid is wrapped by every error about the caller's input: an empty
// or too long URI, an unknown level, or an image size out of range.
var ErrInvalid = errors.New("invalid label input")

// Symbol is one encoded QR code. Its zero value is not usable; build one
// with New. A Symbol is immutable and safe for concurrent use.
type Symbol struct {
	content string
	level   Level
	version int
	// modules is the module matrix including the quiet zone:
	// modules[y][x] is true for a dark module.
	modules [][]bool
}

// New encodes content (usually a GS1 Digital Link URI) as a QR code symbol
// with the given error correction level. QR codes hold at most 2,331 bytes
// of binary data at level M (version 40), so a longer URI is rejected.
func New(content string, level Level) (*Symbol, error) {
	if content == "" {
		return nil, fmt.Errorf("%w: empty content: give the URI to encode", ErrInvalid)
	}
	var recovery qrcode.RecoveryLevel
	switch level {
	case LevelL:
		recovery = qrcode.Low
	case LevelM:
		recovery = qrcode.Medium
	case LevelQ:
		recovery = qrcode.High
	case LevelH:
		recovery = qrcode.Highest
	default:
		return nil, fmt.Errorf("%w: error correction level %d: use LevelL, LevelM, LevelQ or LevelH", ErrInvalid, level)
	}
	q, err := qrcode.New(content, recovery)
	if err != nil {
		return nil, fmt.Errorf("%w: encoding %d bytes as a QR code: %w", ErrInvalid, len(content), err)
	}
	q.DisableBorder = true
	bare := q.Bitmap()

	n := len(bare) + 2*QuietZone
	modules := make([][]bool, n)
	for y := range modules {
		modules[y] = make([]bool, n)
	}
	for y, row := range bare {
		copy(modules[y+QuietZone][QuietZone:], row)
	}
	return &Symbol{content: content, level: level, version: q.VersionNumber, modules: modules}, nil
}

// Content returns the encoded text.
func (s *Symbol) Content() string { return s.content }

// Level returns the error correction level.
func (s *Symbol) Level() Level { return s.level }

// Version returns the QR code version, 1 to 40; a version-v symbol is
// 4v+17 modules wide without its quiet zone.
func (s *Symbol) Version() int { return s.version }

// Width returns the width (and height) of the symbol in modules, including
// the quiet zone on both sides.
func (s *Symbol) Width() int { return len(s.modules) }

// Dark reports whether the module at column x, row y (0-based, counted
// from the top-left corner of the quiet zone) is dark. Positions outside
// the symbol are light.
func (s *Symbol) Dark(x, y int) bool {
	if y < 0 || y >= len(s.modules) || x < 0 || x >= len(s.modules) {
		return false
	}
	return s.modules[y][x]
}

// DarkCount returns the number of dark modules.
func (s *Symbol) DarkCount() int {
	count := 0
	for _, row := range s.modules {
		for _, dark := range row {
			if dark {
				count++
			}
		}
	}
	return count
}

// layout returns the size of one module in pixels and the offset of the
// symbol in an image of size pixels, which centres the symbol and adds the
// pixels that do not fill a whole module to the quiet zone.
func (s *Symbol) layout(size int) (module, offset int, err error) {
	width := s.Width()
	if size < width || size > MaxSize {
		return 0, 0, fmt.Errorf("%w: image size %d px: this version-%d symbol needs between %d and %d px (one pixel or more per module)",
			ErrInvalid, size, s.version, width, MaxSize)
	}
	module = size / width
	offset = (size - module*width) / 2
	return module, offset, nil
}

// PNG renders the Digital Link URI uri as a QR code at level M in a PNG
// image of size × size pixels. See Symbol.PNG.
func PNG(uri string, size int) ([]byte, error) {
	s, err := New(uri, LevelM)
	if err != nil {
		return nil, err
	}
	return s.PNG(size)
}

// SVG renders the Digital Link URI uri as a QR code at level M in an SVG
// document whose width and height are size pixels. See Symbol.SVG.
func SVG(uri string, size int) ([]byte, error) {
	s, err := New(uri, LevelM)
	if err != nil {
		return nil, err
	}
	return s.SVG(size)
}
