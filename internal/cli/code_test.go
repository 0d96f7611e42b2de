package cli

import (
	"path/filepath"
	"strings"
	"testing"
)

func TestCodeParseShowsUncompressed(t *testing.T) {
	code, stdout, stderr := runMain(t, "", "code", "parse", "https://example.com/AQyNozPBICDEXqLoRv4")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, want := range []string{"解压后 uncompressed", "https://example.com/01/06901234000016/10/L1?17=271231", "https://id.gs1.org/01/06901234000016/10/L1"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

func TestCodeParseCorruptCompressedLink(t *testing.T) {
	code, _, stderr := runMain(t, "", "code", "parse", "https://example.com/AQyNozPB")
	if code != ExitFailure {
		t.Errorf("exit %d, want %d", code, ExitFailure)
	}
	if !strings.Contains(stderr, "bit 8") {
		t.Errorf("error does not name the bit where decoding failed: %s", stderr)
	}
}

func TestCodeLabelCompressed(t *testing.T) {
	out := filepath.Join(t.TempDir(), "label.svg")
	args := []string{"code", "label", "--gtin", "6901234000016", "--lot", "L1", "--expiry", "2027-12-31", "--format", "svg", "--out", out}
	tests := []struct {
		name  string
		flags []string
		want  string
	}{
		{"uncompressed", nil, "https://id.gs1.org/01/06901234000016/10/L1?17=271231"},
		{"compressed", []string{"--compressed"}, "https://id.gs1.org/AQyNozPBICDEXqLoRv4"},
		{"optimised", []string{"--compressed", "--optimise"}, "https://id.gs1.org/CwyNozPBIMReouhG_g"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runMain(t, "", append(args, tt.flags...)...)
			if code != ExitOK {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			if !strings.HasSuffix(strings.TrimSpace(stderr), ": "+tt.want) {
				t.Errorf("label URI: got %q, want it to end in %s", stderr, tt.want)
			}
		})
	}
	if code, _, stderr := runMain(t, "", append(args, "--optimise")...); code != ExitUsage || !strings.Contains(stderr, "--optimise needs --compressed") {
		t.Errorf("--optimise alone: exit %d, %s", code, stderr)
	}
}
