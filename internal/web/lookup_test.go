package web

import (
	"testing"
	"time"
)

func TestJourneyCacheReloadsOnce(t *testing.T) {
	var c journeyCache
	t0 := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	if _, reload := c.get("k", t0); !reload {
		t.Fatal("empty cache: reload got false, want true")
	}
	first := &journey{}
	c.put("k", first, t0)
	if j, reload := c.get("k", t0.Add(time.Second)); reload || j != first {
		t.Errorf("fresh entry: got %p reload %v, want the cached journey without reload", j, reload)
	}
	late := t0.Add(journeyTTL + time.Second)
	if j, reload := c.get("k", late); !reload || j != first {
		t.Errorf("expired entry, first caller: got %p reload %v, want the old journey and reload", j, reload)
	}
	if j, reload := c.get("k", late); reload || j != first {
		t.Errorf("expired entry, second caller: got %p reload %v, want the old journey without reload", j, reload)
	}
	c.put("k", nil, late)
	if _, reload := c.get("k", late); !reload {
		t.Errorf("after a failed reload: reload got false, want true")
	}
	second := &journey{}
	c.put("k", second, late)
	if j, reload := c.get("k", late); reload || j != second {
		t.Errorf("reloaded entry: got %p reload %v, want the new journey", j, reload)
	}
}

func TestCityOfDivision(t *testing.T) {
	tests := []struct {
		code, zh, en string
		ok           bool
	}{
		{"440606", "佛山市", "Foshan", true},
		{"4419", "东莞市", "Dongguan", true},
		{"445102", "潮州市", "Chaozhou", true},
		{"110101", "", "", false},
		{"44", "", "", false},
	}
	for _, tt := range tests {
		zh, en, ok := CityOfDivision(tt.code)
		if zh != tt.zh || en != tt.en || ok != tt.ok {
			t.Errorf("CityOfDivision(%q): got %q %q %v, want %q %q %v", tt.code, zh, en, ok, tt.zh, tt.en, tt.ok)
		}
	}
}
