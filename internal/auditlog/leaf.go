package auditlog

import (
	"bytes"
	"encoding/binary"
	"encoding/json"

	"github.com/suyuan-trace/suyuan/internal/store"
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

// decisionLabel opens the data of a decision leaf. It differs from
// leafLabel, so no decision leaf can equal an event leaf.
const decisionLabel = "suyuan/auditlog/decision/v1\n"

// DecisionTimeLayout is the fixed textual form of a decision's time in its
// leaf: UTC with exactly three fractional digits, as the store keeps
// decision times to the millisecond.
const DecisionTimeLayout = "2006-01-02T15:04:05.000Z"

// DecisionLeafData returns the data of the audit-log leaf for one
// decision, using SHA-256 for the body digest. The leaf binds every
// stored field of the decision except Seq and LeafIndex, which the store
// assigns after the leaf is computed:
//
//	"suyuan/auditlog/decision/v1\n"
//	u32(len(kind))         || kind
//	u32(len(subject))      || subject
//	u32(len(actor))        || actor
//	u32(len(actorPartyID)) || actorPartyID
//	u32(len(time))         || time       (DecisionTimeLayout, UTC)
//	u32(len(alg))          || alg        ("sha256" or "sm3")
//	u32(len(digest))       || digest     (alg(CompactBody(body)), 32 bytes)
//
// The leaf hash is HASH(0x00 || DecisionLeafData) with the log's hasher,
// as for events (see LeafData). The digest covers the body in compact form,
// so the leaf can be recomputed from a decision that went through a JSON
// encoder, such as the decisions API response.
func DecisionLeafData(d store.Decision) []byte {
	return decisionLeafData(SHA256, d)
}

// DecisionLeafHash returns the RFC 6962 leaf hash of a decision under
// hasher h, with the body digest also computed with h.
func DecisionLeafHash(h *Hasher, d store.Decision) []byte {
	return h.HashLeaf(decisionLeafData(h, d))
}

// CompactBody returns body in the form encoding/json writes a
// json.RawMessage: insignificant white space removed and the characters
// <, >, &, U+2028 and U+2029 escaped. A body that is not valid JSON is
// returned unchanged, so its leaf still binds its bytes.
func CompactBody(body []byte) []byte {
	var compact, escaped bytes.Buffer
	if err := json.Compact(&compact, body); err != nil {
		return body
	}
	json.HTMLEscape(&escaped, compact.Bytes())
	return escaped.Bytes()
}

func decisionLeafData(h *Hasher, d store.Decision) []byte {
	digest := h.Digest(CompactBody(d.Body))
	alg := h.Name()
	when := d.Time.UTC().Format(DecisionTimeLayout)
	fields := [][]byte{[]byte(d.Kind), []byte(d.Subject), []byte(d.Actor), []byte(d.ActorPartyID), []byte(when), []byte(alg), digest}
	n := len(decisionLabel)
	for _, f := range fields {
		n += 4 + len(f)
	}
	b := make([]byte, 0, n)
	b = append(b, decisionLabel...)
	for _, f := range fields {
		b = appendField(b, f)
	}
	return b
}

// DecisionLeafHash returns the leaf hash of d under h, as the package
// function DecisionLeafHash does. Services set store.Decision.LeafHash
// with it before they append the decision.
func (h *Hasher) DecisionLeafHash(d store.Decision) []byte {
	return DecisionLeafHash(h, d)
}

// DecisionLeafHash returns the leaf hash of d under the log's hasher.
func (l *Log) DecisionLeafHash(d store.Decision) []byte {
	return DecisionLeafHash(l.hasher, d)
}
