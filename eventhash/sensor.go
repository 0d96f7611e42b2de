package eventhash

import (
	"strconv"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
)

// sensorElementList writes the sensorElementList of an event. Each
// sensorElement contains its sensorMetadata, its sorted sensorReports and
// its sorted user extensions, and the elements themselves are sorted.
func sensorElementList(list []epcis.SensorElement) (string, error) {
	items := make([]string, len(list))
	for i := range list {
		se := &list[i]
		reports := make([]string, len(se.Reports))
		for j := range se.Reports {
			r, err := sensorReport(&se.Reports[j])
			if err != nil {
				return "", err
			}
			reports[j] = r
		}
		s := sensorMetadata(se.Metadata) + group("", reports) + sortedExtensions(se.Extensions)
		if s != "" {
			items[i] = "sensorElement" + s
		}
	}
	return group("sensorElementList", items), nil
}

// timeValue writes a timestamp, or nothing for the zero time.
func timeValue(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return formatTime(t)
}

// sensorMetadata writes the fields of a sensorMetadata in the canonical
// order, then its user extensions.
func sensorMetadata(m *epcis.SensorMetadata) string {
	if m == nil {
		return ""
	}
	s := keyValue("time", timeValue(m.Time)) +
		keyValue("startTime", timeValue(m.StartTime)) +
		keyValue("endTime", timeValue(m.EndTime)) +
		keyValue("deviceID", canonicalValue(m.DeviceID)) +
		keyValue("deviceMetadata", canonicalValue(m.DeviceMetadata)) +
		keyValue("rawData", canonicalValue(m.RawData)) +
		keyValue("dataProcessingMethod", canonicalValue(m.DataProcessingMethod)) +
		keyValue("bizRules", canonicalValue(m.BizRules)) +
		sortedExtensions(m.Extensions)
	if s == "" {
		return ""
	}
	return "sensorMetadata" + s
}

// sensorReport writes the fields of a sensorReport in the canonical order,
// then its user extensions. BizRules belongs to sensorMetadata and is
// written by sensorLeftovers instead.
func sensorReport(r *epcis.SensorReport) (string, error) {
	decimals := []struct {
		key   string
		value *float64
		text  string
	}{
		{key: "value", value: r.Value},
		{key: "minValue", value: r.MinValue},
		{key: "maxValue", value: r.MaxValue},
		{key: "meanValue", value: r.MeanValue},
		{key: "sDev", value: r.SDev},
		{key: "percRank", value: r.PercRank},
		{key: "percValue", value: r.PercValue},
	}
	for i := range decimals {
		d := &decimals[i]
		if d.value == nil {
			continue
		}
		n, err := finiteNumber("sensorReport "+d.key, *d.value)
		if err != nil {
			return "", err
		}
		d.text = keyValue(d.key, n)
	}
	boolean := ""
	if r.BooleanValue != nil {
		boolean = keyValue("booleanValue", strconv.FormatBool(*r.BooleanValue))
	}
	s := keyValue("type", vocabularyValue(epcis.VocabSensorMeasurementType, r.Type)) +
		keyValue("exception", vocabularyValue(epcis.VocabSensorAlertType, r.Exception)) +
		keyValue("deviceID", canonicalValue(r.DeviceID)) +
		keyValue("deviceMetadata", canonicalValue(r.DeviceMetadata)) +
		keyValue("rawData", canonicalValue(r.RawData)) +
		keyValue("dataProcessingMethod", canonicalValue(r.DataProcessingMethod)) +
		keyValue("time", timeValue(r.Time)) +
		keyValue("microorganism", canonicalValue(r.Microorganism)) +
		keyValue("chemicalSubstance", canonicalValue(r.ChemicalSubstance)) +
		decimals[0].text +
		keyValue("component", vocabularyValue(epcis.VocabComponent, r.Component)) +
		keyValue("stringValue", canonicalValue(r.StringValue)) +
		boolean +
		keyValue("hexBinaryValue", canonicalValue(r.HexBinaryValue)) +
		keyValue("uriValue", canonicalValue(r.URIValue)) +
		decimals[1].text + decimals[2].text + decimals[3].text +
		decimals[4].text + decimals[5].text + decimals[6].text +
		keyValue("uom", canonicalValue(r.UOM)) +
		keyValue("coordinateReferenceSystem", canonicalValue(r.CoordinateReferenceSystem)) +
		sortedExtensions(r.Extensions)
	if s == "" {
		return "", nil
	}
	return "sensorReport" + s, nil
}

// sensorLeftovers writes the bizRules of sensorReports, a field the
// canonical order has no place for. The reference implementation appends
// such fields among the unordered parts of the event, inside their
// sensorElementList, sensorElement and sensorReport keys, and so does this
// function.
func sensorLeftovers(list []epcis.SensorElement) string {
	items := make([]string, len(list))
	for i := range list {
		reports := make([]string, len(list[i].Reports))
		for j, r := range list[i].Reports {
			if v := keyValue("bizRules", canonicalValue(r.BizRules)); v != "" {
				reports[j] = "sensorReport" + v
			}
		}
		if s := group("", reports); s != "" {
			items[i] = "sensorElement" + s
		}
	}
	return group("sensorElementList", items)
}
