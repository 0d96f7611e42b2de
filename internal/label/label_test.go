package label

import (
	"bytes"
	"encoding/xml"
	"errors"
	"image/png"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"
)

const testURI = "https://id.gs1.org/01/09506000134352/10/ABC1/21/12345?17=271231"

// formatLevel reads the error correction level from the format information
// next to the top-left finder pattern (ISO/IEC 18004): 15 bits, masked with
// 101010000010010, whose first two bits code the level as M=00, L=01,
// H=10, Q=11. It fails the test unless the bits form a valid BCH(15,5)
// codeword, so a misread cannot pass silently.
func formatLevel(t *testing.T, s *Symbol) Level {
	t.Helper()
	q := QuietZone
	coords := [][2]int{ // (x, y) from the most significant bit
		{0, 8}, {1, 8}, {2, 8}, {3, 8}, {4, 8}, {5, 8}, {7, 8}, {8, 8},
		{8, 7}, {8, 5}, {8, 4}, {8, 3}, {8, 2}, {8, 1}, {8, 0},
	}
	bits := 0
	for _, c := range coords {
		bits <<= 1
		if s.Dark(q+c[0], q+c[1]) {
			bits |= 1
		}
	}
	bits ^= 0x5412
	data := bits >> 10
	// Recompute the BCH remainder with generator x^10+x^8+x^5+x^4+x^2+x+1.
	rem := data << 10
	for i := 14; i >= 10; i-- {
		if rem&(1<<i) != 0 {
			rem ^= 0x537 << (i - 10)
		}
	}
	if (data<<10)|rem != bits {
		t.Fatalf("format information %015b is not a valid BCH codeword", bits)
	}
	switch data >> 3 {
	case 0:
		return LevelM
	case 1:
		return LevelL
	case 2:
		return LevelH
	default:
		return LevelQ
	}
}

// finderAt reports whether a 7×7 finder pattern (dark ring, light ring,
// dark 3×3 centre) has its top-left module at (x, y).
func finderAt(s *Symbol, x, y int) bool {
	for dy := 0; dy < 7; dy++ {
		for dx := 0; dx < 7; dx++ {
			ring := min(dx, dy, 6-dx, 6-dy)
			want := ring != 1
			if s.Dark(x+dx, y+dy) != want {
				return false
			}
		}
	}
	return true
}

func TestNewMatrixProperties(t *testing.T) {
	tests := []struct {
		name    string
		content string
		level   Level
	}{
		{"short URI level M", "https://id.gs1.org/01/09506000134352", LevelM},
		{"full URI level M", testURI, LevelM},
		{"full URI level L", testURI, LevelL},
		{"full URI level Q", testURI, LevelQ},
		{"full URI level H", testURI, LevelH},
		{"Chinese code URN", "urn:cn:nmpa:drug:81234560000000011234", LevelM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := New(tt.content, tt.level)
			if err != nil {
				t.Fatalf("New: %v", err)
			}
			v := s.Version()
			if v < 1 || v > 40 {
				t.Fatalf("Version: got %d, want 1-40", v)
			}
			if got, want := s.Width(), 4*v+17+2*QuietZone; got != want {
				t.Fatalf("Width: got %d, want %d for version %d", got, want, v)
			}
			w := s.Width()
			for i := 0; i < w; i++ {
				for j := 0; j < QuietZone; j++ {
					if s.Dark(i, j) || s.Dark(i, w-1-j) || s.Dark(j, i) || s.Dark(w-1-j, i) {
						t.Fatalf("quiet zone module dark near (%d, %d)", i, j)
					}
				}
			}
			q, far := QuietZone, w-QuietZone-7
			if !finderAt(s, q, q) || !finderAt(s, far, q) || !finderAt(s, q, far) {
				t.Errorf("finder patterns missing at the three corners")
			}
			if finderAt(s, far, far) {
				t.Errorf("finder pattern at the bottom-right corner")
			}
			for i := 8; i < w-2*QuietZone-8; i++ {
				if want := i%2 == 0; s.Dark(q+i, q+6) != want || s.Dark(q+6, q+i) != want {
					t.Fatalf("timing pattern wrong at module %d", i)
				}
			}
			if !s.Dark(q+8, q+4*v+9) {
				t.Errorf("dark module at (8, 4v+9) is light")
			}
			if got := formatLevel(t, s); got != tt.level {
				t.Errorf("format information level: got %d, want %d", got, tt.level)
			}
			if s.Content() != tt.content || s.Level() != tt.level {
				t.Errorf("Content, Level: got %q, %d", s.Content(), s.Level())
			}
		})
	}
}

func TestNewHigherLevelNeedsMoreModules(t *testing.T) {
	low, err := New(testURI, LevelL)
	if err != nil {
		t.Fatalf("New(L): %v", err)
	}
	high, err := New(testURI, LevelH)
	if err != nil {
		t.Fatalf("New(H): %v", err)
	}
	if high.Version() <= low.Version() {
		t.Errorf("version at H %d, want more than at L %d", high.Version(), low.Version())
	}
}

func TestNewRejects(t *testing.T) {
	tests := []struct {
		name    string
		content string
		level   Level
	}{
		{"empty content", "", LevelM},
		{"unknown level", testURI, Level(7)},
		{"negative level", testURI, Level(-1)},
		{"too long for version 40", "https://id.gs1.org/01/09506000134352?x=" + strings.Repeat("a", 3000), LevelM},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := New(tt.content, tt.level); !errors.Is(err, ErrInvalid) {
				t.Errorf("New: got %v, want ErrInvalid", err)
			}
		})
	}
}

func TestPNGDecodesAtSize(t *testing.T) {
	s, err := New(testURI, LevelM)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, size := range []int{s.Width(), 256, 300, 1000} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			data, err := PNG(testURI, size)
			if err != nil {
				t.Fatalf("PNG: %v", err)
			}
			img, err := png.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("png.Decode: %v", err)
			}
			if b := img.Bounds(); b.Dx() != size || b.Dy() != size {
				t.Fatalf("bounds: got %dx%d, want %dx%d", b.Dx(), b.Dy(), size, size)
			}
			module := size / s.Width()
			offset := (size - module*s.Width()) / 2
			dark := 0
			for y := 0; y < s.Width(); y++ {
				for x := 0; x < s.Width(); x++ {
					// Sample the centre pixel of each module.
					r, _, _, _ := img.At(offset+x*module+module/2, offset+y*module+module/2).RGBA()
					isDark := r < 0x8000
					if isDark != s.Dark(x, y) {
						t.Fatalf("module (%d, %d): pixel dark %v, want %v", x, y, isDark, s.Dark(x, y))
					}
					if isDark {
						dark++
					}
				}
			}
			if dark != s.DarkCount() {
				t.Errorf("dark modules in image: got %d, want %d", dark, s.DarkCount())
			}
			if r, _, _, _ := img.At(0, 0).RGBA(); r < 0x8000 {
				t.Errorf("corner pixel is dark, want the light quiet zone")
			}
		})
	}
}

func TestPNGRejectsSize(t *testing.T) {
	s, err := New(testURI, LevelM)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	for _, size := range []int{-5, 0, s.Width() - 1, MaxSize + 1} {
		t.Run(strconv.Itoa(size), func(t *testing.T) {
			if _, err := PNG(testURI, size); !errors.Is(err, ErrInvalid) {
				t.Errorf("PNG(size %d): got %v, want ErrInvalid", size, err)
			}
			if _, err := SVG(testURI, size); !errors.Is(err, ErrInvalid) {
				t.Errorf("SVG(size %d): got %v, want ErrInvalid", size, err)
			}
		})
	}
}

var svgRun = regexp.MustCompile(`^M(\d+),(\d+)h(\d+)v1h-(\d+)z`)

func TestSVGWellFormedWithDarkModules(t *testing.T) {
	s, err := New(testURI, LevelM)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	data, err := SVG(testURI, 240)
	if err != nil {
		t.Fatalf("SVG: %v", err)
	}
	var doc struct {
		XMLName xml.Name `xml:"svg"`
		Width   string   `xml:"width,attr"`
		Height  string   `xml:"height,attr"`
		ViewBox string   `xml:"viewBox,attr"`
		Path    struct {
			D string `xml:"d,attr"`
		} `xml:"path"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		t.Fatalf("SVG is not well-formed XML: %v", err)
	}
	if doc.XMLName.Space != "http://www.w3.org/2000/svg" {
		t.Errorf("namespace: got %q", doc.XMLName.Space)
	}
	if doc.Width != "240" || doc.Height != "240" {
		t.Errorf("width, height: got %q, %q, want 240", doc.Width, doc.Height)
	}
	w := strconv.Itoa(s.Width())
	if doc.ViewBox != "0 0 "+w+" "+w {
		t.Errorf("viewBox: got %q, want 0 0 %s %s", doc.ViewBox, w, w)
	}

	// Paint the path's runs back into a matrix and compare with the symbol.
	painted := map[[2]int]bool{}
	d := doc.Path.D
	for d != "" {
		m := svgRun.FindStringSubmatch(d)
		if m == nil {
			t.Fatalf("unexpected path data at %q", d[:min(len(d), 20)])
		}
		x, _ := strconv.Atoi(m[1])
		y, _ := strconv.Atoi(m[2])
		run, _ := strconv.Atoi(m[3])
		if m[3] != m[4] {
			t.Fatalf("run %q does not close on itself", m[0])
		}
		for i := 0; i < run; i++ {
			if painted[[2]int{x + i, y}] {
				t.Fatalf("module (%d, %d) painted twice", x+i, y)
			}
			painted[[2]int{x + i, y}] = true
		}
		d = d[len(m[0]):]
	}
	if len(painted) != s.DarkCount() {
		t.Errorf("dark modules in SVG: got %d, want %d", len(painted), s.DarkCount())
	}
	for y := 0; y < s.Width(); y++ {
		for x := 0; x < s.Width(); x++ {
			if painted[[2]int{x, y}] != s.Dark(x, y) {
				t.Fatalf("module (%d, %d): painted %v, want %v", x, y, painted[[2]int{x, y}], s.Dark(x, y))
			}
		}
	}
}

func TestProductURI(t *testing.T) {
	tests := []struct {
		name string
		p    Product
		want string
	}{
		{"GTIN-13 padded", Product{GTIN: "9506000134352"}, "https://id.gs1.org/01/09506000134352"},
		{"GTIN-8 padded", Product{GTIN: "95010014"}, "https://id.gs1.org/01/00000095010014"},
		{"lot serial expiry", Product{GTIN: "09506000134352", Lot: "ABC1", Serial: "12345", Expiry: time.Date(2027, 12, 31, 0, 0, 0, 0, time.UTC)},
			"https://id.gs1.org/01/09506000134352/10/ABC1/21/12345?17=271231"},
		{"serial only", Product{GTIN: "09506000134352", Serial: "A/B+1"}, "https://id.gs1.org/01/09506000134352/21/A%2FB%2B1"},
		{"own resolver", Product{GTIN: "09506000134352", Lot: "L1", Resolver: "https://trace.example.cn/"}, "https://trace.example.cn/01/09506000134352/10/L1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.p.URI()
			if err != nil {
				t.Fatalf("URI: %v", err)
			}
			if got != tt.want {
				t.Errorf("URI: got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestProductURIRejects(t *testing.T) {
	tests := []struct {
		name string
		p    Product
	}{
		{"wrong check digit", Product{GTIN: "9506000134353"}},
		{"11 digits", Product{GTIN: "95060001343"}},
		{"letters", Product{GTIN: "950600013435X"}},
		{"lot too long", Product{GTIN: "9506000134352", Lot: strings.Repeat("1", 21)}},
		{"serial with space", Product{GTIN: "9506000134352", Serial: "A 1"}},
		{"serial non-ASCII", Product{GTIN: "9506000134352", Serial: "批1"}},
		{"resolver without scheme", Product{GTIN: "9506000134352", Resolver: "id.gs1.org"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := tt.p.URI(); !errors.Is(err, ErrInvalid) {
				t.Errorf("URI: got %v, want ErrInvalid", err)
			}
		})
	}
}
