package label

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strconv"
)

// PNG renders the symbol as a black-on-white PNG image of size × size
// pixels. Every module is the same whole number of pixels wide, so that
// scanners see even modules; the pixels left over widen the quiet zone.
// size must be at least Width() and at most MaxSize.
func (s *Symbol) PNG(size int) ([]byte, error) {
	module, offset, err := s.layout(size)
	if err != nil {
		return nil, err
	}
	img := image.NewPaletted(image.Rect(0, 0, size, size), color.Palette{color.White, color.Black})
	for y, row := range s.modules {
		for x, dark := range row {
			if !dark {
				continue
			}
			top, left := offset+y*module, offset+x*module
			for py := top; py < top+module; py++ {
				for px := left; px < left+module; px++ {
					img.Pix[img.PixOffset(px, py)] = 1
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("encoding QR code PNG: %w", err)
	}
	return buf.Bytes(), nil
}

// SVG renders the symbol as a standalone SVG 1.1 document of size × size
// pixels. The drawing uses module units (the viewBox is Width() modules
// wide), so it scales without blur. Dark modules are drawn as one path
// with one "M x,y h n v1 h-n z" rectangle per horizontal run of dark
// modules. size must be at least Width() and at most MaxSize.
func (s *Symbol) SVG(size int) ([]byte, error) {
	if _, _, err := s.layout(size); err != nil {
		return nil, err
	}
	width := strconv.Itoa(s.Width())
	var buf bytes.Buffer
	buf.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n")
	fmt.Fprintf(&buf, `<svg xmlns="http://www.w3.org/2000/svg" version="1.1" width="%d" height="%d" viewBox="0 0 %s %s" shape-rendering="crispEdges">`+"\n", size, size, width, width)
	fmt.Fprintf(&buf, `<rect width="%s" height="%s" fill="#fff"/>`+"\n", width, width)
	buf.WriteString(`<path fill="#000" d="`)
	for y, row := range s.modules {
		for x := 0; x < len(row); {
			if !row[x] {
				x++
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&buf, "M%d,%dh%dv1h-%dz", x, y, run, run)
			x += run
		}
	}
	buf.WriteString("\"/>\n</svg>\n")
	return buf.Bytes(), nil
}
