package auditlog

import (
	"bytes"
	"encoding/hex"
	"testing"

	"github.com/transparency-dev/merkle/rfc6962"
)

func TestHasherSHA256MatchesRFC6962Package(t *testing.T) {
	ref := rfc6962.DefaultHasher
	l, r := []byte("left-child-hash-32-bytes-long!!!"), []byte("right-child-hash-32-bytes-long!!")
	if got, want := SHA256.EmptyRoot(), ref.EmptyRoot(); !bytes.Equal(got, want) {
		t.Errorf("EmptyRoot: got %x, want %x", got, want)
	}
	if got, want := SHA256.HashLeaf([]byte("leaf")), ref.HashLeaf([]byte("leaf")); !bytes.Equal(got, want) {
		t.Errorf("HashLeaf: got %x, want %x", got, want)
	}
	if got, want := SHA256.HashChildren(l, r), ref.HashChildren(l, r); !bytes.Equal(got, want) {
		t.Errorf("HashChildren: got %x, want %x", got, want)
	}
}

func TestHasherSM3KnownAnswer(t *testing.T) {
	// GB/T 32905-2016 appendix A.1: SM3("abc").
	const want = "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
	if got := hex.EncodeToString(SM3.Digest([]byte("abc"))); got != want {
		t.Errorf("SM3(abc): got %s, want %s", got, want)
	}
	if got, want := SM3.HashLeaf([]byte("abc")), SM3.Digest([]byte("\x00abc")); !bytes.Equal(got, want) {
		t.Errorf("HashLeaf: got %x, want SM3(0x00 || abc) %x", got, want)
	}
}

func TestHasherByName(t *testing.T) {
	tests := []struct {
		name    string
		want    *Hasher
		wantErr bool
	}{
		{"sha256", SHA256, false},
		{"", SHA256, false},
		{"sm3", SM3, false},
		{"md5", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := HasherByName(tt.name)
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("HasherByName(%q): got %v, %v", tt.name, got, err)
			}
		})
	}
}

func TestLeafDataBindsEveryField(t *testing.T) {
	base := LeafData("urn:uuid:1", "ni:///sha-256;aa?ver=CBV2.0", []byte(`{"a":1}`))
	tests := []struct {
		name             string
		eventID, evtHash string
		doc              string
	}{
		{"other eventID", "urn:uuid:2", "ni:///sha-256;aa?ver=CBV2.0", `{"a":1}`},
		{"other event hash", "urn:uuid:1", "ni:///sha-256;ab?ver=CBV2.0", `{"a":1}`},
		{"other doc", "urn:uuid:1", "ni:///sha-256;aa?ver=CBV2.0", `{"a":2}`},
		{"shifted boundary", "urn:uuid:1n", "i:///sha-256;aa?ver=CBV2.0", `{"a":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := LeafData(tt.eventID, tt.evtHash, []byte(tt.doc)); bytes.Equal(got, base) {
				t.Errorf("LeafData unchanged for %s", tt.name)
			}
		})
	}
	if got, want := SM3.LeafHash("urn:uuid:1", "h", nil), LeafHash(SM3, "urn:uuid:1", "h", nil); !bytes.Equal(got, want) {
		t.Errorf("SM3.LeafHash: got %x, want %x", got, want)
	}
	if got, want := LeafHash(SHA256, "urn:uuid:1", "ni:///sha-256;aa?ver=CBV2.0", []byte(`{"a":1}`)), SHA256.HashLeaf(base); !bytes.Equal(got, want) {
		t.Errorf("LeafHash(SHA256): got %x, want HashLeaf(LeafData) %x", got, want)
	}
}

func BenchmarkLeafHash(b *testing.B) {
	doc := bytes.Repeat([]byte(`{"epcList":["urn:epc:id:sgtin:6901234.012345.1001"]}`), 20) // about 1 KiB
	for _, h := range []*Hasher{SHA256, SM3} {
		b.Run(h.Name(), func(b *testing.B) {
			b.SetBytes(int64(len(doc)))
			for b.Loop() {
				LeafHash(h, "urn:uuid:7a2b7c1e-3d3f-4c55-9a31-0f5b6c9d2e11", "ni:///sha-256;6a1f0b7e3c0d4f3a9b8e7d6c5b4a3928171605f4e3d2c1b0a99887766554433?ver=CBV2.0", doc)
			}
		})
	}
}
