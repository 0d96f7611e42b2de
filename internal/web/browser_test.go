package web

import (
	"context"
	"flag"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

var update = flag.Bool("update", false, "regenerate the screenshots in docs/screenshots")

// chromiumPath returns the Chromium binary, or "" when none is installed.
func chromiumPath() string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile and returns
// a browser context that is cancelled when the test ends.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	bin := chromiumPath()
	if bin == "" {
		t.Skip("no chromium binary found: install the Debian package chromium (and fonts-noto-cjk) to run browser tests")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(bin),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(412, 915),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	return ctx
}

func TestBrowserConsumerFlow(t *testing.T) {
	ctx := newBrowser(t)
	site := newDemoSite(t, 2)
	site.issueDecisions(t)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	code := site.code(t, "chilled pork (recalled lot)")

	err := chromedp.Do(ctx,
		chromedp.Navigate(srv.URL+"/scan"),
		chromedp.WaitVisible("#code"),
		chromedp.SendKeys("#code", code),
		chromedp.Click("#lookup"),
		chromedp.WaitVisible(".warn-recall"),
	)
	if err != nil {
		t.Fatalf("look up code: %v", err)
	}
	warnings := mustRun(t, ctx, chromedp.Text("#warnings"))
	if !strings.Contains(warnings, "该批次已召回") {
		t.Errorf("warnings: got %q, want the recall warning", warnings)
	}
	if !strings.Contains(warnings, "粤食召〔2026〕017号") {
		t.Errorf("warnings: got %q, want the recall notice number", warnings)
	}
	if steps := mustRun(t, ctx, chromedp.Evaluate[int](`document.querySelectorAll(".timeline li").length`)); steps < 5 {
		t.Errorf("timeline steps: got %d, want at least 5", steps)
	}

	err = chromedp.Do(ctx,
		chromedp.Click("#lang-switch"),
		chromedp.WaitVisible(`html[lang="en"] body`),
	)
	if err != nil {
		t.Fatalf("switch language: %v", err)
	}
	if title := mustRun(t, ctx, chromedp.Text("h1")); title != "Product trace lookup" {
		t.Errorf("English heading: got %q", title)
	}
	if warnings := mustRun(t, ctx, chromedp.Text("#warnings")); !strings.Contains(warnings, "This lot has been recalled") {
		t.Errorf("English warnings: got %q", warnings)
	}

	if err := chromedp.Do(ctx, chromedp.Click("#size-switch"), chromedp.WaitVisible("body.large")); err != nil {
		t.Fatalf("switch to large text: %v", err)
	}
	if size := mustRun(t, ctx, chromedp.Evaluate[string](`getComputedStyle(document.body).fontSize`)); size != "22px" {
		t.Errorf("large text: body font size got %s, want 22px", size)
	}
	if lang := mustRun(t, ctx, chromedp.AttributeValue("html", "lang")); lang.Value != "en" {
		t.Errorf("large text page: lang got %q, want en (settings must carry over)", lang.Value)
	}
}

// mustRun runs one browser action and returns its result.
func mustRun[T any](t *testing.T, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		t.Fatalf("browser action: %v", err)
	}
	return v
}

// TestBrowserScreenshots writes the screenshots of docs/screenshots when
// run with -update.
func TestBrowserScreenshots(t *testing.T) {
	if !*update {
		t.Skip("screenshots are regenerated with -update")
	}
	ctx := newBrowser(t)
	site := newDemoSite(t, 2)
	srv := httptest.NewServer(site.h)
	defer srv.Close()
	dir := filepath.Join("..", "..", "docs", "screenshots")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	q := func(note string) string { return url.QueryEscape(site.code(t, note)) }
	shots := []struct{ file, path string }{
		{"consumer-zh.png", "/scan?code=" + q("drug traceability code (dispensed at a hospital)")},
		{"consumer-en.png", "/scan?lang=en&code=" + q("drug traceability code (dispensed at a hospital)")},
		{"recall-zh.png", "/scan?code=" + q("chilled pork (recalled lot)")},
		{"counterfeit-large-contrast-zh.png", "/scan?size=large&contrast=high&code=" + q("drug traceability code (suspected clone: sold in two cities)")},
		{"resolver-400-zh.png", "/01/04006381333932?lang=zh"},
	}
	for _, s := range shots {
		if err := chromedp.Do(ctx, chromedp.Navigate(srv.URL+s.path)); err != nil {
			t.Fatalf("%s: %v", s.file, err)
		}
		png := mustRun(t, ctx, chromedp.FullScreenshot(100))
		if err := os.WriteFile(filepath.Join(dir, s.file), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
