package query

import (
	"errors"
	"net/url"
	"reflect"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/internal/store"
)

func TestParseMatchCanonicalisesIdentifiers(t *testing.T) {
	urn := url.Values{"MATCH_epc": {"urn:epc:id:sgtin:0614141.107346.2017"}}
	dl := url.Values{"MATCH_epc": {"https://example.com/01/10614141073464/21/2017?17=261231"}}
	qu, err := Parse(urn)
	if err != nil {
		t.Fatalf("Parse(URN): %v", err)
	}
	qd, err := Parse(dl)
	if err != nil {
		t.Fatalf("Parse(Digital Link): %v", err)
	}
	if !reflect.DeepEqual(qu.Matches, qd.Matches) {
		t.Errorf("URN and Digital Link give different matches: %+v vs %+v", qu.Matches, qd.Matches)
	}
	want := store.IDMatch{Roles: []store.Role{store.RoleEPC, store.RoleChild}, Values: []string{"https://id.gs1.org/01/10614141073464/21/2017"}}
	if len(qu.Matches) != 1 || !reflect.DeepEqual(qu.Matches[0], want) {
		t.Errorf("matches %+v, want %+v", qu.Matches, want)
	}
}

func TestParseEPCPatternBecomesPrefix(t *testing.T) {
	q, err := Parse(url.Values{"MATCH_anyEPC": {"urn:epc:idpat:sgtin:0614141.107346.*"}})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := q.Matches[0].Values[0], "https://id.gs1.org/01/10614141073464/21/*"; got != want {
		t.Errorf("pattern value %q, want %q", got, want)
	}
}

func TestParseListsAndVocabulary(t *testing.T) {
	q, err := Parse(url.Values{
		"EQ_bizStep":              {"shipping|urn:epcglobal:cbv:bizstep:receiving"},
		"EQ_action":               {"ADD|OBSERVE"},
		"eventType":               {"ObjectEvent|AggregationEvent"},
		"EQ_bizTransaction_po":    {"urn:epcglobal:cbv:bt:0614141073467:1152"},
		"GE_eventTime":            {"2026-01-01T00:00:00+08:00"},
		"orderBy":                 {"eventTime"},
		"orderDirection":          {"DESC"},
		"eventCountLimit":         {"5"},
		"EXISTS_errorDeclaration": {""},
	})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"urn:epcglobal:cbv:bizstep:shipping", "urn:epcglobal:cbv:bizstep:receiving"}; !reflect.DeepEqual(q.BizSteps, want) {
		t.Errorf("bizSteps %q, want %q", q.BizSteps, want)
	}
	if want := []string{"ADD", "OBSERVE"}; !reflect.DeepEqual(q.Actions, want) {
		t.Errorf("actions %q, want %q", q.Actions, want)
	}
	if got := q.BizTransactions["urn:epcglobal:cbv:btt:po"]; len(got) != 1 {
		t.Errorf("bizTransactions %v, want one po value", q.BizTransactions)
	}
	if q.GEEventTime == nil || !q.GEEventTime.Equal(time.Date(2025, 12, 31, 16, 0, 0, 0, time.UTC)) {
		t.Errorf("GE_eventTime %v, want 2025-12-31T16:00:00Z", q.GEEventTime)
	}
	if q.OrderBy != "eventTime" || !q.Descending || q.EventCountLimit != 5 || !q.ExistsErrorDeclaration {
		t.Errorf("order/limit/exists not parsed: %+v", q)
	}
}

func TestParseErrorDeclarationAndTransformation(t *testing.T) {
	q, err := Parse(url.Values{
		"EQ_transformationID":  {"urn:epc:id:gdti:0614141.12345.400|urn:suyuan:demo:transformation:L1|https://id.gs1.org/253/0614141123452400"},
		"EQ_correctiveEventID": {"urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-000000000f01|ni:///sha-256;abc?ver=CBV2.0"},
		"maxEventCount":        {"25"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Each value as given, followed by its canonical form when that
	// differs.
	wantTransformation := []string{"urn:epc:id:gdti:0614141.12345.400", "https://id.gs1.org/253/0614141123452400",
		"urn:suyuan:demo:transformation:L1", "https://id.gs1.org/253/0614141123452400"}
	if !reflect.DeepEqual(q.TransformationIDs, wantTransformation) {
		t.Errorf("transformationIDs %q, want %q", q.TransformationIDs, wantTransformation)
	}
	wantCorrective := []string{"urn:uuid:6d2c3b1e-0b7a-4c55-9f8e-000000000f01", "ni:///sha-256;abc?ver=CBV2.0"}
	if !reflect.DeepEqual(q.CorrectiveEventIDs, wantCorrective) {
		t.Errorf("correctiveEventIDs %q, want %q", q.CorrectiveEventIDs, wantCorrective)
	}
	if q.MaxEventCount != 25 || q.EventCountLimit != 0 {
		t.Errorf("maxEventCount %d, eventCountLimit %d; want 25 and 0", q.MaxEventCount, q.EventCountLimit)
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name   string
		params url.Values
		param  string
	}{
		{"unknown parameter", url.Values{"EQ_bizStepp": {"shipping"}}, "EQ_bizStepp"},
		{"wrong case", url.Values{"EQ_bizstep": {"shipping"}}, "EQ_bizstep"},
		{"extension field", url.Values{"EQ_ilmd_example:lot": {"A"}}, "EQ_ilmd_example:lot"},
		{"bad action", url.Values{"EQ_action": {"MOVE"}}, "EQ_action"},
		{"bad event type", url.Values{"eventType": {"ShipmentEvent"}}, "eventType"},
		{"time without offset", url.Values{"GE_eventTime": {"2026-01-01T00:00:00"}}, "GE_eventTime"},
		{"bad quantity", url.Values{"GE_quantity": {"ten"}}, "GE_quantity"},
		{"perPage zero", url.Values{"perPage": {"0"}}, "perPage"},
		{"perPage too big", url.Values{"perPage": {"100000"}}, "perPage"},
		{"repeated parameter", url.Values{"EQ_bizStep": {"shipping", "receiving"}}, "EQ_bizStep"},
		{"both limits", url.Values{"eventCountLimit": {"1"}, "maxEventCount": {"2"}, "orderBy": {"eventTime"}}, "eventCountLimit"},
		{"direction without orderBy", url.Values{"orderDirection": {"ASC"}}, "orderDirection"},
		{"bad orderBy", url.Values{"orderBy": {"bizStep"}}, "orderBy"},
		{"bad GS1 key", url.Values{"MATCH_epc": {"https://id.gs1.org/01/00614141073468/21/1"}}, "MATCH_epc"},
		{"empty match", url.Values{"MATCH_epc": {"|"}}, "MATCH_epc"},
		{"empty transformationID", url.Values{"EQ_transformationID": {""}}, "EQ_transformationID"},
		{"empty correctiveEventID", url.Values{"EQ_correctiveEventID": {" | "}}, "EQ_correctiveEventID"},
		{"maxEventCount zero", url.Values{"maxEventCount": {"0"}}, "maxEventCount"},
		{"maxEventCount not a number", url.Values{"maxEventCount": {"ten"}}, "maxEventCount"},
		{"bad token", url.Values{"nextPageToken": {"!!"}}, "nextPageToken"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse(tc.params)
			var perr *ParamError
			if !errors.As(err, &perr) {
				t.Fatalf("Parse: error %v, want *ParamError", err)
			}
			if perr.Param != tc.param {
				t.Errorf("error names %q, want %q", perr.Param, tc.param)
			}
			if !errors.Is(err, ErrInvalidParameter) {
				t.Error("error does not wrap ErrInvalidParameter")
			}
		})
	}
}

func TestTokenRoundTrip(t *testing.T) {
	params := url.Values{"EQ_bizStep": {"shipping"}, "perPage": {"10"}}
	c := store.Cursor{Key: 1767225600123456789, Seq: 42, Returned: 10}
	tok := EncodeToken(c, Fingerprint(params))
	params.Set("nextPageToken", tok)
	params.Set("perPage", "20") // paging parameters may change between pages
	q, err := Parse(params)
	if err != nil {
		t.Fatalf("Parse with token: %v", err)
	}
	if q.After == nil || *q.After != c {
		t.Errorf("cursor %+v, want %+v", q.After, c)
	}
}

func TestTokenBoundToQuery(t *testing.T) {
	tok := EncodeToken(store.Cursor{Key: 1, Seq: 2}, Fingerprint(url.Values{"EQ_bizStep": {"shipping"}}))
	_, err := Parse(url.Values{"EQ_bizStep": {"receiving"}, "nextPageToken": {tok}})
	var perr *ParamError
	if !errors.As(err, &perr) || perr.Param != "nextPageToken" {
		t.Errorf("token of another query: error %v, want a nextPageToken ParamError", err)
	}
}

func FuzzDecodeToken(f *testing.F) {
	fp := Fingerprint(url.Values{})
	f.Add(EncodeToken(store.Cursor{Key: -5, Seq: 9, Returned: 3}, fp))
	f.Add("")
	f.Add("AQ")
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := DecodeToken(tok, fp)
		if err != nil {
			return
		}
		if again := EncodeToken(c, fp); again != tok {
			if c2, err := DecodeToken(again, fp); err != nil || c2 != c {
				t.Errorf("re-encoded token %q decodes to %+v, %v; want %+v", again, c2, err, c)
			}
		}
	})
}
