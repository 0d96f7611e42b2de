package trace

import (
	"context"
	"testing"
)

func TestIdentifierRegions(t *testing.T) {
	for _, tc := range []struct {
		name   string
		holder Holder
		want   string
		ok     bool
	}{
		{"credit code party", Holder{Party: "urn:cn:uscc:914403001922038216"}, "440300", true},
		{"plain credit code", Holder{Party: "914403001922038216"}, "440300", true},
		{"food licence location", Holder{Location: "SC10644030500017"}, "440305", true},
		{"gln only", Holder{Party: "https://id.gs1.org/417/9506000134352", Location: "https://id.gs1.org/414/9506000134352"}, "", false},
		{"empty", Holder{}, "", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok, err := IdentifierRegions{}.Region(context.Background(), tc.holder)
			if err != nil {
				t.Fatalf("Region(%+v): %v", tc.holder, err)
			}
			if got != tc.want || ok != tc.ok {
				t.Errorf("Region(%+v): got %q, %v; want %q, %v", tc.holder, got, ok, tc.want, tc.ok)
			}
		})
	}
}

func TestStatusAndChannel(t *testing.T) {
	const cbv = "urn:epcglobal:cbv:"
	for _, tc := range []struct {
		name       string
		step, disp string
		status     Status
		channel    Channel
	}{
		{"retail sale", cbv + "bizstep:retail_selling", cbv + "disp:retail_sold", StatusDelivered, ChannelRetail},
		{"dispensed", cbv + "bizstep:dispensing", "", StatusDelivered, ChannelDispensing},
		{"shipped", cbv + "bizstep:shipping", cbv + "disp:in_transit", StatusInTransit, ChannelDistribution},
		{"received", cbv + "bizstep:receiving", cbv + "disp:in_progress", StatusInStock, ChannelDistribution},
		{"destroyed", cbv + "bizstep:destroying", cbv + "disp:destroyed", StatusDestroyed, ChannelDistribution},
		{"web vocabulary", "https://ref.gs1.org/cbv/BizStep-retail_selling", "", StatusDelivered, ChannelRetail},
		{"nothing", "", "", StatusInStock, ChannelUnknown},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &Holder{BizStep: tc.step, Disposition: tc.disp}
			if got := statusOf(h); got != tc.status {
				t.Errorf("status: got %s, want %s", got, tc.status)
			}
			got, err := StepChannels{}.Channel(context.Background(), *h)
			if err != nil || got != tc.channel {
				t.Errorf("channel: got %s, %v; want %s", got, err, tc.channel)
			}
		})
	}
	if got := statusOf(nil); got != StatusUnknown {
		t.Errorf("status without holder: got %s, want unknown", got)
	}
}
