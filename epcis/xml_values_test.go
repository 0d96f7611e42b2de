package epcis

import (
	"testing"
	"time"
)

func TestParseDateTimeStamp(t *testing.T) {
	tests := []struct {
		in         string
		ok         bool
		wantOffset int
	}{
		{"2024-05-01T08:30:00Z", true, 0},
		{"2024-05-01T08:30:00.123456789+08:00", true, 8 * 3600},
		{"2024-05-01T08:30:00-14:00", true, -14 * 3600},
		{"2024-05-01T08:30:00+14:00", true, 14 * 3600},
		{"2024-05-01T08:30:00+14:30", false, 0},
		{"2024-05-01T08:30:00", false, 0},
		{"2024-05-01T08:30:00.+08:00", false, 0},
		{"2024-05-01 08:30:00Z", false, 0},
		{"2024-5-01T08:30:00Z", false, 0},
		{"2024-13-01T08:30:00Z", false, 0},
		{"2024-05-01T24:00:00Z", false, 0},
		{"2024-05-01T08:30:00+8:00", false, 0},
		{"", false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseDateTimeStamp(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("error: got %v, want ok=%v", err, tt.ok)
			}
			if !tt.ok {
				return
			}
			if _, offset := got.Zone(); offset != tt.wantOffset {
				t.Errorf("offset: got %d, want %d", offset, tt.wantOffset)
			}
			if formatted := formatDateTimeStamp(got); formatted != tt.in {
				t.Errorf("formatted: got %q, want %q", formatted, tt.in)
			}
		})
	}
}

func TestParseXSDDateTimeWithoutZone(t *testing.T) {
	got, err := parseXSDDateTime("2024-05-01T08:30:00.5")
	if err != nil {
		t.Fatal(err)
	}
	if want := time.Date(2024, 5, 1, 8, 30, 0, 500000000, time.UTC); !got.Equal(want) {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParseTimeZoneOffset(t *testing.T) {
	tests := []struct {
		in   string
		want int
		ok   bool
	}{
		{"+08:00", 8 * 3600, true},
		{"-05:30", -(5*3600 + 30*60), true},
		{"+00:00", 0, true},
		{"-14:00", -14 * 3600, true},
		{"+14:01", 0, false},
		{"+15:00", 0, false},
		{"+08:60", 0, false},
		{"+5:30", 0, false},
		{"Z", 0, false},
		{"08:00", 0, false},
		{"+0800", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := parseTimeZoneOffset(tt.in)
			if (err == nil) != tt.ok {
				t.Fatalf("error: got %v, want ok=%v", err, tt.ok)
			}
			if got != tt.want {
				t.Errorf("got %d, want %d", got, tt.want)
			}
		})
	}
}

func TestParseDecimalAndDouble(t *testing.T) {
	tests := []struct {
		in                  string
		decimalOK, doubleOK bool
		want                float64
	}{
		{"12", true, true, 12},
		{"-0.5", true, true, -0.5},
		{"+.5", true, true, 0.5},
		{"5.", true, true, 5},
		{"1e3", false, true, 1000},
		{"1.5E-2", false, true, 0.015},
		{"1e", false, false, 0},
		{"e3", false, false, 0},
		{"INF", false, false, 0},
		{"NaN", false, false, 0},
		{"1e400", false, false, 0},
		{"0x10", false, false, 0},
		{"1_000", false, false, 0},
		{"--1", false, false, 0},
		{".", false, false, 0},
		{"", false, false, 0},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			d, err := parseDecimal(tt.in)
			if (err == nil) != tt.decimalOK {
				t.Errorf("decimal error: got %v, want ok=%v", err, tt.decimalOK)
			}
			if err == nil && d != tt.want {
				t.Errorf("decimal: got %v, want %v", d, tt.want)
			}
			f, err := parseDouble(tt.in)
			if (err == nil) != tt.doubleOK {
				t.Errorf("double error: got %v, want ok=%v", err, tt.doubleOK)
			}
			if err == nil && f != tt.want {
				t.Errorf("double: got %v, want %v", f, tt.want)
			}
		})
	}
}

func TestParseBooleanAndHexBinary(t *testing.T) {
	for in, want := range map[string]bool{"true": true, "1": true, "false": false, "0": false} {
		got, err := parseBoolean(in)
		if err != nil || got != want {
			t.Errorf("parseBoolean(%q): got %v, %v, want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"TRUE", "yes", ""} {
		if _, err := parseBoolean(in); err == nil {
			t.Errorf("parseBoolean(%q): got nil error, want one", in)
		}
	}
	for in, ok := range map[string]bool{"": true, "0aFF": true, "abc": false, "zz": false} {
		if err := checkHexBinary(in); (err == nil) != ok {
			t.Errorf("checkHexBinary(%q): got %v, want ok=%v", in, err, ok)
		}
	}
}

func TestFormatNumbersReadBack(t *testing.T) {
	for _, v := range []float64{0, 0.1, -18.25, 1e21, 1e-7, 123456789.125} {
		if got, err := parseDecimal(formatDecimal(v)); err != nil || got != v {
			t.Errorf("decimal %v: got %v, %v", v, got, err)
		}
		if got, err := parseDouble(formatDouble(v)); err != nil || got != v {
			t.Errorf("double %v: got %v, %v", v, got, err)
		}
	}
}
