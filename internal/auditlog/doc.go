// Package auditlog owns the platform's verifiable audit log: an append-only
// RFC 6962 Merkle tree over every accepted event and every decision
// (recall, credit-list and party-registry changes), in commit order, with
// signed checkpoints, inclusion and consistency proofs, witness
// cosignatures and the checks behind "suyuan verify".
//
// The design follows the transparency logs of Certificate Transparency
// (RFC 6962) and the C2SP specifications rather than a blockchain:
//
//   - Event leaves are defined by LeafData, decision leaves by
//     DecisionLeafData. The capture service stores each event's leaf hash
//     in the same transaction as the event, and the store writes each
//     decision's leaf with the decision.
//   - Log.Integrate extends the tree's tiles (C2SP tlog-tiles: 256 hashes
//     of one tree level, 8 tree levels per tile level) from the previous
//     size's compact range and signs a checkpoint (C2SP tlog-checkpoint)
//     as a signed note (C2SP signed-note).
//   - Proofs are read from at most a few tiles per tile level, never from
//     the whole log, and are verified with
//     github.com/transparency-dev/merkle/proof.
//   - Another platform acting as a witness checks consistency with the
//     last checkpoint it saw and adds a cosignature (C2SP
//     tlog-cosignature).
//
// Two algorithm suites are supported: SHA-256 tree hashing with Ed25519
// signatures (the default), and SM3 tree hashing (GM/T 0004-2012) with SM2
// signatures (GM/T 0003-2012) for deployments that must use the Chinese
// national cryptographic algorithms.
package auditlog
