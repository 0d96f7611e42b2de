package api

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func TestParseTrustedProxies(t *testing.T) {
	got, err := ParseTrustedProxies(" 10.0.0.0/8, 192.168.1.10,2001:db8::/32,,10.1.2.3/16")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"),
		netip.MustParsePrefix("192.168.1.10/32"),
		netip.MustParsePrefix("2001:db8::/32"),
		netip.MustParsePrefix("10.1.0.0/16"),
	}
	if !slices.Equal(got, want) {
		t.Errorf("got %v, want %v", got, want)
	}
	if none, err := ParseTrustedProxies(""); err != nil || len(none) != 0 {
		t.Errorf("empty list: got %v, %v; want none", none, err)
	}
	for _, bad := range []string{"10.0.0.0/33", "proxy.example", "10.0.0"} {
		_, err := ParseTrustedProxies("10.0.0.0/8," + bad)
		if err == nil {
			t.Errorf("%q: got no error", bad)
			continue
		}
		if !strings.Contains(err.Error(), bad) {
			t.Errorf("%q: error does not name the value: %v", bad, err)
		}
	}
}

func TestClientAddrBehindProxies(t *testing.T) {
	sec := &Security{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8")}}
	for _, tc := range []struct {
		name, peer string
		forwarded  []string
		want       string
	}{
		{"no proxy header", "198.51.100.9:5000", nil, "198.51.100.9"},
		{"untrusted peer's header ignored", "198.51.100.9:5000", []string{"192.0.2.7"}, "198.51.100.9"},
		{"trusted proxy", "10.0.0.5:5000", []string{"192.0.2.7"}, "192.0.2.7"},
		{"forged entry before the real client", "10.0.0.5:5000", []string{"1.1.1.1, 192.0.2.7"}, "192.0.2.7"},
		{"chain of trusted proxies", "10.0.0.5:5000", []string{"192.0.2.7, 10.0.0.6", "10.0.0.7"}, "192.0.2.7"},
		{"only trusted hops", "10.0.0.5:5000", []string{"10.0.0.8"}, "10.0.0.8"},
		{"trusted proxy without header", "10.0.0.5:5000", nil, "10.0.0.5"},
		{"malformed entry", "10.0.0.5:5000", []string{"unknown"}, "10.0.0.5"},
		{"address with port", "10.0.0.5:5000", []string{"192.0.2.7:4711"}, "192.0.2.7"},
		{"IPv6 proxy and client", "[fd00::1]:5000", []string{"[2001:db8::7]:4711"}, "2001:db8::7"},
		{"IPv4-mapped peer", "[::ffff:10.0.0.5]:5000", []string{"192.0.2.7"}, "192.0.2.7"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.RemoteAddr = tc.peer
			for _, v := range tc.forwarded {
				r.Header.Add("X-Forwarded-For", v)
			}
			if got := sec.clientAddr(r); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestRateLimitBehindTrustedProxy(t *testing.T) {
	f := newFixture(t)
	f.srv.Secure(Security{Parties: f.svc, PublicRate: 0.001, PublicBurst: 2, TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}})
	h := f.srv.Handler()
	send := func(peer, forwarded string) int {
		req := httptest.NewRequest("GET", "/", nil)
		req.RemoteAddr = peer
		if forwarded != "" {
			req.Header.Set("X-Forwarded-For", forwarded)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}

	// Behind the proxy each client has its own bucket.
	var viaProxy []int
	for range 3 {
		viaProxy = append(viaProxy, send("10.0.0.5:4000", "192.0.2.7"))
	}
	if want := []int{200, 200, 429}; !slices.Equal(viaProxy, want) {
		t.Errorf("client 192.0.2.7 through the proxy: got %v, want %v", viaProxy, want)
	}
	if got := send("10.0.0.5:4000", "192.0.2.8"); got != http.StatusOK {
		t.Errorf("client 192.0.2.8 through the proxy: got %d, want 200", got)
	}

	// A direct client cannot escape its bucket with a forged header.
	var direct []int
	for i := range 3 {
		direct = append(direct, send("198.51.100.9:4000", fmt.Sprintf("192.0.2.%d", 10+i)))
	}
	if want := []int{200, 200, 429}; !slices.Equal(direct, want) {
		t.Errorf("direct client with forged X-Forwarded-For: got %v, want %v", direct, want)
	}
}
