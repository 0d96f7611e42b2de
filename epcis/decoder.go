package epcis

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"mime"
	"strings"
)

// ErrUnsupportedContentType is returned by NewDecoder for a content type
// that is neither XML nor JSON, and for input whose first character is
// neither '<' nor '{'. HTTP handlers respond to it with 415 Unsupported
// Media Type.
var ErrUnsupportedContentType = errors.New("epcis: unsupported content type")

// Decoder reads the events of an EPCIS document one at a time. Both
// *XMLDecoder and *JSONDecoder implement it, with the same contract:
// Header returns the document header, and Next returns the next event and
// io.EOF after the last one.
//
// When Next fails it returns a nil event. An error that concerns one event
// is a *ValidationError whose FieldErrors all have an EventIndex of 0 or
// more, and the following call reads the next event. An error that ends
// the document (malformed input, a broken envelope, a read error) is
// returned again by every later call: XMLDecoder returns the same value,
// and its FieldErrors have EventIndex -1 unless the input broke inside an
// event. A caller that collects every problem of a document therefore
// calls Next again only after an event error that differs from the
// previous error.
type Decoder interface {
	Header() (Header, error)
	Next() (*Event, error)
}

// NewDecoder returns the decoder for contentType: XML for
// "application/xml", "text/xml" and any "+xml" type, JSON for
// "application/json", "application/ld+json" and any "+json" type.
// Parameters such as charset are ignored here, because the XML decoder
// reads the encoding from the XML declaration. When contentType is empty the first
// character that is not white space (after a UTF-8 byte order mark)
// decides: '<' for XML, '{' for JSON.
//
// It returns an error wrapping ErrUnsupportedContentType when neither
// syntax applies.
func NewDecoder(r io.Reader, contentType string) (Decoder, error) {
	if strings.TrimSpace(contentType) == "" {
		return sniffDecoder(r)
	}
	mediaType, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return nil, fmt.Errorf("%w: cannot parse %q: send application/json, application/ld+json or application/xml", ErrUnsupportedContentType, contentType)
	}
	switch {
	case mediaType == "application/xml" || mediaType == "text/xml" || strings.HasSuffix(mediaType, "+xml"):
		return NewXMLDecoder(r), nil
	case mediaType == "application/json" || mediaType == "application/ld+json" || strings.HasSuffix(mediaType, "+json"):
		br := bufio.NewReader(r)
		if err := discardBOM(br); err != nil {
			return nil, err
		}
		return NewJSONDecoder(br), nil
	}
	return nil, fmt.Errorf("%w: %q: send application/json, application/ld+json or application/xml", ErrUnsupportedContentType, mediaType)
}

// sniffDecoder chooses the decoder from the first significant byte of r.
func sniffDecoder(r io.Reader) (Decoder, error) {
	br := bufio.NewReader(r)
	if err := discardBOM(br); err != nil {
		return nil, err
	}
	for skip := 0; ; skip++ {
		peek, err := br.Peek(skip + 1)
		if len(peek) <= skip {
			if err == io.EOF {
				return nil, fmt.Errorf("%w: the input is empty", ErrUnsupportedContentType)
			}
			return nil, fmt.Errorf("read document start: %w", err)
		}
		switch peek[skip] {
		case ' ', '\t', '\r', '\n':
			continue
		case '<':
			return NewXMLDecoder(br), nil
		case '{':
			return NewJSONDecoder(br), nil
		}
		return nil, fmt.Errorf("%w: the input starts with %q, which is neither XML ('<') nor JSON ('{'): set the Content-Type header", ErrUnsupportedContentType, peek[skip])
	}
}

// discardBOM drops a UTF-8 byte order mark at the start of br.
func discardBOM(br *bufio.Reader) error {
	bom, err := br.Peek(3)
	if string(bom) != "\xEF\xBB\xBF" {
		if err != nil && err != io.EOF {
			return fmt.Errorf("read document start: %w", err)
		}
		return nil
	}
	_, err = br.Discard(3)
	return err
}
