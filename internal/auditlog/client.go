package auditlog

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxResponseBytes bounds what Client reads from one response.
const maxResponseBytes = 1 << 20

// Client fetches checkpoints and proofs from another platform's audit-log
// API, for witnesses and offline verification. BaseURL is the prefix under
// which the handlers are mounted: BaseURL+"/checkpoint",
// BaseURL+"/proof/inclusion" and BaseURL+"/proof/consistency".
type Client struct {
	BaseURL string
	// HTTP is the client used; nil means http.DefaultClient.
	HTTP *http.Client
}

// Checkpoint fetches the latest signed checkpoint note. The caller must
// verify it (OpenCheckpoint) before trusting it.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	return c.get(ctx, "/checkpoint", nil)
}

// ConsistencyProof fetches the consistency proof between tree sizes from
// and to.
func (c *Client) ConsistencyProof(ctx context.Context, from, to uint64) ([][]byte, error) {
	q := url.Values{"from": {strconv.FormatUint(from, 10)}, "to": {strconv.FormatUint(to, 10)}}
	b, err := c.get(ctx, "/proof/consistency", q)
	if err != nil {
		return nil, err
	}
	var p ConsistencyProofJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("consistency proof from %s is not valid JSON: %w", c.BaseURL, err)
	}
	if p.From != from || p.To != to {
		return nil, fmt.Errorf("%w: asked for the proof from %d to %d, got %d to %d", ErrInconsistent, from, to, p.From, p.To)
	}
	return p.Hashes, nil
}

// InclusionProof fetches the inclusion proof of an event in the tree of
// size leaves, or in the latest checkpoint's tree when size is 0.
func (c *Client) InclusionProof(ctx context.Context, eventID string, size uint64) (InclusionProofJSON, error) {
	q := url.Values{"event": {eventID}}
	if size > 0 {
		q.Set("size", strconv.FormatUint(size, 10))
	}
	var p InclusionProofJSON
	b, err := c.get(ctx, "/proof/inclusion", q)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return p, fmt.Errorf("inclusion proof from %s is not valid JSON: %w", c.BaseURL, err)
	}
	return p, nil
}

func (c *Client) get(ctx context.Context, path string, q url.Values) ([]byte, error) {
	u := strings.TrimSuffix(c.BaseURL, "/") + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%w: log URL %q: %v", ErrInvalidRequest, c.BaseURL, err)
	}
	hc := c.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetch %s: %w", u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		var p problem
		if json.Unmarshal(b, &p) == nil && p.Detail != "" {
			return nil, fmt.Errorf("fetch %s: %s: %s", u, resp.Status, p.Detail)
		}
		return nil, fmt.Errorf("fetch %s: %s", u, resp.Status)
	}
	return b, nil
}
