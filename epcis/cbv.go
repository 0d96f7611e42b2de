package epcis

import "strings"

// Vocab names one of the standard vocabularies of the Core Business
// Vocabulary (CBV 2.0) or of the GS1 web vocabulary that EPCIS event fields
// draw their values from.
type Vocab int

// The vocabularies that ExpandCBV, CompactCBV, WebURI and IsStandard know.
const (
	VocabBizStep               Vocab = iota // CBV 2.0 business steps
	VocabDisposition                        // CBV 2.0 dispositions
	VocabBizTransactionType                 // CBV 2.0 business transaction types
	VocabSourceDestType                     // CBV 2.0 source/destination types
	VocabErrorReason                        // CBV 2.0 error reasons
	VocabSensorMeasurementType              // GS1 web vocabulary gs1:MeasurementType
	VocabSensorAlertType                    // GS1 web vocabulary gs1:SensorAlertType
	VocabComponent                          // CBV 2.0 component identifiers (cbv:Comp)
)

// vocabTable describes the spellings of one vocabulary. A value of a
// URN vocabulary has the canonical form urn+term; the others use web+term.
type vocabTable struct {
	name  string // field name used in messages, as EPCIS spells it
	urn   string // "urn:epcglobal:cbv:bizstep:", empty for web-only vocabularies
	web   string // "https://ref.gs1.org/cbv/BizStep-"
	curie string // "cbv:BizStep-"
	// altWeb lists other accepted web prefixes, such as the http:// form.
	altWeb []string
	terms  []string
	known  map[string]bool
}

const (
	cbvWebBase = "https://ref.gs1.org/cbv/"
	gs1WebBase = "https://gs1.org/voc/"
)

func cbvTable(name, urnClass, webClass string, terms ...string) *vocabTable {
	return &vocabTable{
		name:   name,
		urn:    "urn:epcglobal:cbv:" + urnClass + ":",
		web:    cbvWebBase + webClass + "-",
		curie:  "cbv:" + webClass + "-",
		altWeb: []string{"http://ref.gs1.org/cbv/" + webClass + "-"},
		terms:  terms,
	}
}

func gs1Table(name string, terms ...string) *vocabTable {
	return &vocabTable{
		name:   name,
		web:    gs1WebBase,
		curie:  "gs1:",
		altWeb: []string{"http://gs1.org/voc/", "https://www.gs1.org/voc/", "http://www.gs1.org/voc/"},
		terms:  terms,
	}
}

// vocabTables holds every CBV 2.0 standard value, in the order of the GS1
// CBV 2.0 ontology (https://ref.gs1.org/cbv/) and of the EPCIS 2.0 JSON-LD
// context for the GS1 web vocabulary terms.
var vocabTables = map[Vocab]*vocabTable{
	VocabBizStep: cbvTable("bizStep", "bizstep", "BizStep",
		"accepting", "arriving", "assembling", "collecting", "commissioning",
		"consigning", "creating_class_instance", "cycle_counting",
		"decommissioning", "departing", "destroying", "disassembling",
		"dispensing", "encoding", "entering_exiting", "holding", "inspecting",
		"installing", "killing", "loading", "other", "packing", "picking",
		"receiving", "removing", "repackaging", "repairing", "replacing",
		"reserving", "retail_selling", "sampling", "sensor_reporting",
		"shipping", "staging_outbound", "stock_taking", "stocking", "storing",
		"transporting", "unloading", "unpacking", "void_shipping"),
	VocabDisposition: cbvTable("disposition", "disp", "Disp",
		"active", "available", "completeness_inferred", "completeness_verified",
		"conformant", "container_closed", "container_open", "damaged",
		"destroyed", "dispensed", "disposed", "encoded", "expired",
		"in_progress", "in_transit", "inactive", "mismatch_class",
		"mismatch_instance", "mismatch_quantity", "needs_replacement",
		"no_pedigree_match", "non_conformant", "non_sellable_other",
		"partially_dispensed", "recalled", "reserved", "retail_sold", "returned",
		"sellable_accessible", "sellable_not_accessible", "stolen",
		"unavailable", "unknown"),
	VocabBizTransactionType: cbvTable("bizTransaction type", "btt", "BTT",
		"bol", "cert", "desadv", "inv", "pedigree", "po", "poc", "prodorder",
		"recadv", "rma", "testprd", "testres", "upevt"),
	VocabSourceDestType: cbvTable("source/destination type", "sdt", "SDT",
		"location", "owning_party", "possessing_party"),
	VocabErrorReason: cbvTable("errorDeclaration reason", "er", "ER",
		"did_not_occur", "incorrect_data"),
	VocabSensorMeasurementType: gs1Table("sensorReport type",
		"AbsoluteHumidity", "AbsorbedDose", "AbsorbedDoseRate", "Acceleration",
		"Radioactivity", "Altitude", "AmountOfSubstance",
		"AmountOfSubstancePerUnitVolume", "Angle", "AngularAcceleration",
		"AngularMomentum", "AngularVelocity", "Area", "Capacitance",
		"Conductance", "Conductivity", "Count", "Density", "Dimensionless",
		"DoseEquivalent", "DoseEquivalentRate", "DynamicViscosity",
		"ElectricCharge", "ElectricCurrent", "ElectricCurrentDensity",
		"ElectricFieldStrength", "Energy", "Exposure", "Force", "Frequency",
		"Illuminance", "Inductance", "Irradiance", "KinematicViscosity",
		"Length", "LinearMomentum", "Luminance", "LuminousFlux",
		"LuminousIntensity", "MagneticFlux", "MagneticFluxDensity",
		"MagneticVectorPotential", "Mass", "MassConcentration", "MassFlowRate",
		"MassPerAreaTime", "MemoryCapacity", "MolalityOfSolute", "MolarEnergy",
		"MolarMass", "MolarVolume", "Power", "Pressure", "RadiantFlux",
		"RadiantIntensity", "RelativeHumidity", "Resistance", "Resistivity",
		"SolidAngle", "SpecificVolume", "Speed", "SurfaceDensity",
		"SurfaceTension", "Temperature", "Time", "Torque", "Voltage", "Volume",
		"VolumeFlowRate", "VolumeFraction", "VolumetricFlux", "Wavenumber"),
	VocabSensorAlertType: gs1Table("sensorReport exception",
		"ALARM_CONDITION", "ERROR_CONDITION"),
	VocabComponent: {
		name:   "sensorReport component",
		web:    cbvWebBase + "Comp-",
		curie:  "cbv:Comp-",
		altWeb: []string{"http://ref.gs1.org/cbv/Comp-"},
		terms: []string{
			"x", "y", "z", "axial_distance", "azimuth", "height", "spherical_radius",
			"polar_angle", "elevation_angle", "easting", "northing", "latitude",
			"longitude", "altitude",
		},
	},
}

func init() {
	for _, t := range vocabTables {
		t.known = make(map[string]bool, len(t.terms))
		for _, term := range t.terms {
			t.known[term] = true
		}
	}
}

// String returns the EPCIS field the vocabulary fills, for messages.
func (v Vocab) String() string {
	if t := vocabTables[v]; t != nil {
		return t.name
	}
	return "unknown vocabulary"
}

// canonical builds the canonical form of term in t.
func (t *vocabTable) canonical(term string) string {
	if t.urn != "" {
		return t.urn + term
	}
	return t.web + term
}

// termOf returns the term of s when s is written in one of the namespace
// forms of t (URN, web URI or CURIE), standard or not.
func (t *vocabTable) termOf(s string) (string, bool) {
	prefixes := make([]string, 0, 3+len(t.altWeb))
	if t.urn != "" {
		prefixes = append(prefixes, t.urn)
	}
	prefixes = append(prefixes, t.web, t.curie)
	prefixes = append(prefixes, t.altWeb...)
	for _, p := range prefixes {
		if rest, ok := strings.CutPrefix(s, p); ok && rest != "" {
			return rest, true
		}
	}
	return "", false
}

// ExpandCBV turns a vocabulary value in any accepted form into the canonical
// form stored in the model. Accepted forms are the short JSON term
// ("shipping"), the CBV URN ("urn:epcglobal:cbv:bizstep:shipping"), the GS1
// web URI ("https://ref.gs1.org/cbv/BizStep-shipping") and the CURIE
// ("cbv:BizStep-shipping"; "gs1:Temperature" for the GS1 web vocabulary).
//
// The canonical form is the URN for bizStep, disposition, bizTransaction
// type, source/destination type and error reason, as CBV 2.0 defines them, and
// the web URI for sensor measurement types, alert types and components
// ("https://gs1.org/voc/Temperature", "https://ref.gs1.org/cbv/Comp-x").
//
// A value written in a vocabulary's namespace is converted even when its
// term is not standard, so IsStandard can then reject it. Any other value,
// including an unknown bare word such as "shippping", is returned unchanged;
// Validate reports such words.
func ExpandCBV(v Vocab, s string) string {
	t := vocabTables[v]
	if t == nil || s == "" {
		return s
	}
	if t.known[s] {
		return t.canonical(s)
	}
	if term, ok := t.termOf(s); ok {
		return t.canonical(term)
	}
	return s
}

// CompactCBV returns the short JSON form of a canonical value: the bare term
// for a standard value ("shipping", "Temperature", "x"). A non-standard term
// of the GS1 web vocabulary or of the component namespace becomes its CURIE
// ("gs1:Molar_concentration"), as the EPCIS 2.0 JSON schema rejects those
// namespaces written out in full. Any other value is returned unchanged.
func CompactCBV(v Vocab, canonical string) string {
	t := vocabTables[v]
	if t == nil {
		return canonical
	}
	term, ok := t.termOf(canonical)
	if !ok {
		return canonical
	}
	if t.known[term] {
		return term
	}
	if t.urn == "" {
		return t.curie + term
	}
	return canonical
}

// WebURI returns the GS1 web URI form of a value of v
// ("https://ref.gs1.org/cbv/BizStep-shipping",
// "https://gs1.org/voc/Temperature"), as the CBV 2.0 event hash ID
// algorithm requires. The value may be in any form that
// ExpandCBV accepts; a value outside the vocabulary's namespace is returned
// unchanged.
func WebURI(v Vocab, value string) string {
	t := vocabTables[v]
	if t == nil {
		return value
	}
	if t.known[value] {
		return t.web + value
	}
	if term, ok := t.termOf(value); ok {
		return t.web + term
	}
	return value
}

// XMLForm returns the form EPCIS 2.0 XML documents carry for a canonical
// value: the URN for the CBV URN vocabularies, and the CURIE for the GS1 web
// vocabulary and components ("gs1:Temperature", "cbv:Comp-x"). A value
// outside the vocabulary's namespace is returned unchanged.
func XMLForm(v Vocab, canonical string) string {
	t := vocabTables[v]
	if t == nil {
		return canonical
	}
	term, ok := t.termOf(canonical)
	if !ok {
		return canonical
	}
	if t.urn != "" {
		return t.urn + term
	}
	return t.curie + term
}

// IsStandard reports whether canonical is a standard value of v: a CBV 2.0
// value or a GS1 web vocabulary term listed for the vocabulary.
func IsStandard(v Vocab, canonical string) bool {
	t := vocabTables[v]
	if t == nil {
		return false
	}
	term, ok := t.termOf(canonical)
	return ok && canonical == t.canonical(term) && t.known[term]
}

// InNamespace reports whether value is written in one of the namespace
// forms of v (URN, web URI or CURIE), whether or not its term is standard.
func InNamespace(v Vocab, value string) bool {
	t := vocabTables[v]
	if t == nil {
		return false
	}
	_, ok := t.termOf(value)
	return ok
}

// StandardTerms returns the standard short terms of v in the order of the
// CBV 2.0 ontology. The caller owns the returned slice.
func StandardTerms(v Vocab) []string {
	t := vocabTables[v]
	if t == nil {
		return nil
	}
	return append([]string(nil), t.terms...)
}
