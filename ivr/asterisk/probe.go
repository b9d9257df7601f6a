package asterisk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// normalizeURL makes ARI's base URL end in /ari, so that both
// http://127.0.0.1:8088 and http://127.0.0.1:8088/ari work.
func normalizeURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return raw
	}
	u.Path = strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(u.Path, "/ari") {
		u.Path += "/ari"
	}
	u.RawPath = ""
	return u.String()
}

// ErrNotARI is the error of Probe when what answers at the URL is not
// Asterisk's ARI, or refuses the credentials.
var ErrNotARI = errors.New("asterisk: not an ARI endpoint")

// Probe checks that the URL is Asterisk's ARI and takes the credentials
// (GET /asterisk/info). It fails with ErrNotARI, naming the URL and what
// answered, when something else answers; when nothing answers (Asterisk
// not started yet) it fails with that error, which is not ErrNotARI: the
// engine keeps retrying once it serves.
func (e *Engine) Probe(ctx context.Context) error {
	u := e.rest.base + "/asterisk/info"
	ctx, cancel := context.WithTimeout(ctx, e.cfg.RequestTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, "GET", u, nil)
	if err != nil {
		return fmt.Errorf("%w: %s: %w", ErrNotARI, e.cfg.URL, err)
	}
	req.SetBasicAuth(e.cfg.User, e.cfg.Password)
	req.Header.Set("Accept", "application/json")
	resp, err := e.rest.http.Do(req)
	if err != nil {
		return fmt.Errorf("asterisk: ARI at %s does not answer: %w", e.cfg.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	what := fmt.Sprintf("GET %s answered %s", u, resp.Status)
	if s := snippet(body); s != "" {
		what += ": " + s
	}
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return fmt.Errorf("%w: %s: user %q is refused (%s); check ari.conf and the ARI password", ErrNotARI, e.cfg.URL, e.cfg.User, what)
	case resp.StatusCode != http.StatusOK:
		return fmt.Errorf("%w: %s: %s; expected Asterisk's ARI, e.g. http://127.0.0.1:8088/ari", ErrNotARI, e.cfg.URL, what)
	}
	var info struct {
		System *struct {
			Version string `json:"version"`
		} `json:"system"`
	}
	if json.Unmarshal(body, &info) != nil || info.System == nil || info.System.Version == "" {
		return fmt.Errorf("%w: %s: %s; expected Asterisk's ARI, e.g. http://127.0.0.1:8088/ari", ErrNotARI, e.cfg.URL, what)
	}
	e.log.Info("ARI probed", "url", e.cfg.URL, "asterisk", info.System.Version)
	return nil
}

// snippet is the start of a body, on one line, for an error message.
func snippet(b []byte) string {
	s := strings.Join(strings.Fields(string(b)), " ")
	if len(s) > 160 {
		s = s[:160]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
		s += "..."
	}
	return s
}
