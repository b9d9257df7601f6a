package asterisk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/atiende/atiende/ivr"
)

// ErrNotInStasis is what Asterisk answers (409 on play/answer, 422 on
// addChannel) for a channel that exists but is no longer controlled by the
// app. Errors carrying it also carry ivr.ErrHungUp: the call is lost to us.
var ErrNotInStasis = errors.New("asterisk: channel not in Stasis application")

// apiError is a non-2xx ARI response.
type apiError struct {
	Method, Path string
	Status       int
	Message      string // "message" or, for 500 Allocation failed, "error"
}

func (e *apiError) Error() string {
	return fmt.Sprintf("ari %s %s: %d %s", e.Method, e.Path, e.Status, e.Message)
}

func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return 0
}

// channelErr maps an ARI error on a channel operation to the port's errors:
// 404 (gone) is ivr.ErrHungUp, 409/422 (not in Stasis) is both.
func channelErr(err error) error {
	switch statusOf(err) {
	case http.StatusNotFound:
		return fmt.Errorf("%w: %w", ivr.ErrHungUp, err)
	case http.StatusConflict, http.StatusUnprocessableEntity:
		return fmt.Errorf("%w: %w: %w", ivr.ErrHungUp, ErrNotInStasis, err)
	}
	return err
}

// rest is a minimal ARI REST client: every request carries a context and
// is bounded by the configured timeout. Parameters go in the query string,
// as ARI documents them.
type rest struct {
	base    string
	user    string
	pass    string
	timeout time.Duration
	http    *http.Client
}

// restIdleTimeout closes a connection idle this long, before Asterisk's
// http.conf session_keep_alive (15 s by default) closes it under a request.
const restIdleTimeout = 10 * time.Second

func newREST(cfg Config) *rest {
	// Keep-alive connections sized to the load: up to MaxConns at once, all
	// of them kept for reuse (Go's default keeps 2 per host and closes the
	// rest after each burst, leaving a TIME-WAIT socket per request), and
	// never more than MaxConns: beyond http.conf's sessionlimit Asterisk
	// drops the connection (EOF).
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: cfg.RequestTimeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:        cfg.MaxConns,
		MaxIdleConnsPerHost: cfg.MaxConns,
		MaxConnsPerHost:     cfg.MaxConns,
		IdleConnTimeout:     restIdleTimeout,
		TLSHandshakeTimeout: cfg.RequestTimeout,
		ForceAttemptHTTP2:   false,
	}
	return &rest{
		base:    strings.TrimRight(cfg.URL, "/"),
		user:    cfg.User,
		pass:    cfg.Password,
		timeout: cfg.RequestTimeout,
		http:    &http.Client{Timeout: cfg.RequestTimeout, Transport: tr},
	}
}

func (r *rest) do(ctx context.Context, method, path string, q url.Values, out any) error {
	return r.send(ctx, method, path, q, nil, out)
}

// doJSON sends in as the JSON body, for the few operations whose parameter
// is a body (eventFilter).
func (r *rest) doJSON(ctx context.Context, method, path string, in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("ari %s %s: %w", method, path, err)
	}
	return r.send(ctx, method, path, nil, b, out)
}

func (r *rest) send(ctx context.Context, method, path string, q url.Values, body []byte, out any) error {
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	u := r.base + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return fmt.Errorf("ari %s %s: %w", method, path, err)
	}
	req.SetBasicAuth(r.user, r.pass)
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := r.http.Do(req)
	if err != nil {
		return fmt.Errorf("ari %s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil {
		return fmt.Errorf("ari %s %s: read: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		var m struct{ Message, Error string }
		_ = json.Unmarshal(body, &m)
		msg := m.Message
		if msg == "" {
			msg = m.Error
		}
		if msg == "" {
			msg = http.StatusText(resp.StatusCode)
		}
		return &apiError{Method: method, Path: path, Status: resp.StatusCode, Message: msg}
	}
	if out != nil && len(body) > 0 {
		if err := json.Unmarshal(body, out); err != nil {
			return fmt.Errorf("ari %s %s: decode: %w", method, path, err)
		}
	}
	return nil
}

func pathEsc(s string) string { return url.PathEscape(s) }
