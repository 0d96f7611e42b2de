// Package trace owns the lineage graph of traced products. Derive computes
// the lineage edges of each event at capture. Tracer.Trace walks them
// backward to raw materials and forward to every downstream item and lot,
// Tracer.RecallScope sums a recall by holder, region and channel, and
// Tracer.FSMA204 with WriteFSMACSV and WriteFSMAXLSX writes the FSMA 204
// electronic sortable spreadsheet of the FDA Food Traceability Rule (21 CFR
// part 1 subpart S).
//
// Containment has a time interval: a child inherits the history of a
// container only while it was inside it, so traces follow pallets, cases
// and items through packing, unpacking and re-packing. Lots and instances
// mix: an SGTIN belongs to its LGTIN when an event says so.
package trace
