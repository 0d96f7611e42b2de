package auditlog

import (
	"encoding/binary"
)

// leafLabel opens every leaf's data, separating audit-log leaves from any
// other data hashed with the same key or hash function.
const leafLabel = "suyuan/auditlog/leaf/v1\n"

// LeafData returns the data of the audit-log leaf for one stored event,
// using SHA-256 for the document digest. The leaf binds three values, so a
// change to any stored field of the event changes the leaf:
//
//   - eventID, the event's EPCIS eventID;
//   - eventHash, its CBV 2.0 event hash ("ni:///sha-256;…?ver=CBV2.0"),
//     which covers the event's fields in their canonical form;
//   - a digest of doc, the exact stored document bytes, which also covers
//     what the CBV 2.0 hash leaves out (such as extension members and the
//     client's original identifier spelling).
//
// The encoding is, with u32 a 4-byte big-endian length:
//
//	"suyuan/auditlog/leaf/v1\n"
//	u32(len(eventID))   || eventID
//	u32(len(eventHash)) || eventHash
//	u32(len(alg))       || alg        ("sha256" or "sm3")
//	u32(len(digest))    || digest     (alg(doc), 32 bytes)
//
// The leaf hash is then HASH(0x00 || LeafData) with the log's hasher
// (RFC 6962 section 2.1). Length prefixes make the encoding unambiguous
// for any field contents.
func LeafData(eventID, eventHash string, doc []byte) []byte {
	return leafData(SHA256, eventID, eventHash, doc)
}

// LeafHash returns the RFC 6962 leaf hash of an event under hasher h: h's
// HashLeaf over the leaf data of LeafData, with the document digest also
// computed with h. For SHA256 it equals SHA256.HashLeaf(LeafData(...)).
func LeafHash(h *Hasher, eventID, eventHash string, doc []byte) []byte {
	return h.HashLeaf(leafData(h, eventID, eventHash, doc))
}

func leafData(h *Hasher, eventID, eventHash string, doc []byte) []byte {
	digest := h.Digest(doc)
	alg := h.Name()
	n := len(leafLabel) + 16 + len(eventID) + len(eventHash) + len(alg) + len(digest)
	b := make([]byte, 0, n)
	b = append(b, leafLabel...)
	b = appendField(b, []byte(eventID))
	b = appendField(b, []byte(eventHash))
	b = appendField(b, []byte(alg))
	b = appendField(b, digest)
	return b
}

func appendField(b, field []byte) []byte {
	b = binary.BigEndian.AppendUint32(b, uint32(len(field)))
	return append(b, field...)
}

// LeafHash returns the leaf hash of one event under h, as the package
// function LeafHash does. A Hasher can thus serve as the capture service's
// leaf hasher where no signing key is at hand, such as in a command-line
// import. The log's sequencer signs the checkpoint later.
func (h *Hasher) LeafHash(eventID, eventHash string, doc []byte) []byte {
	return LeafHash(h, eventID, eventHash, doc)
}
