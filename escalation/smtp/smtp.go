// Package smtp is the escalation.Notifier over SMTP (net/smtp): optional
// STARTTLS and authentication, multipart text+HTML messages, a deadline on
// every exchange. A failure is returned as an error, so the worker retries
// the action with backoff and it stays visible as pending.
package smtp

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"encoding/hex"
	"fmt"
	"net"
	"net/mail"
	netsmtp "net/smtp"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
)

// TLSMode says whether STARTTLS is used.
type TLSMode string

const (
	TLSOpportunistic TLSMode = ""         // STARTTLS when the server offers it (default)
	TLSRequired      TLSMode = "required" // refuse to send without STARTTLS
	TLSOff           TLSMode = "off"      // never (a local relay)
)

// Config is the SMTP relay. Username empty means no authentication.
type Config struct {
	Addr     string        `yaml:"addr"` // host:port
	From     string        `yaml:"from"` // "Mesa de Servicio <mesa@example.org>"
	Username string        `yaml:"username"`
	Password string        `yaml:"-"` // from env or *_FILE
	TLS      TLSMode       `yaml:"tls"`
	Timeout  time.Duration `yaml:"timeout"` // whole exchange (30s)
	HeloName string        `yaml:"helo"`    // default "localhost"
	// TLSConfig overrides the STARTTLS settings (tests: a self-signed CA).
	TLSConfig *tls.Config `yaml:"-"`
}

// Notifier sends email through one relay; safe for concurrent use (each
// Send is its own connection).
type Notifier struct {
	cfg  Config
	from *mail.Address
}

var _ escalation.Notifier = (*Notifier)(nil)

// New checks cfg and returns a Notifier.
func New(cfg Config) (*Notifier, error) {
	if _, _, err := net.SplitHostPort(cfg.Addr); err != nil {
		return nil, fmt.Errorf("smtp: addr %q: %w", cfg.Addr, err)
	}
	from, err := mail.ParseAddress(cfg.From)
	if err != nil {
		return nil, fmt.Errorf("smtp: from %q: %w", cfg.From, err)
	}
	switch cfg.TLS {
	case TLSOpportunistic, TLSRequired, TLSOff:
	default:
		return nil, fmt.Errorf("smtp: tls %q is not required, off or empty", cfg.TLS)
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	if cfg.HeloName == "" {
		cfg.HeloName = "localhost"
	}
	return &Notifier{cfg: cfg, from: from}, nil
}

// Send delivers e to every address in e.To in one transaction.
func (n *Notifier) Send(ctx context.Context, e escalation.Email) error {
	if len(e.To) == 0 {
		return fmt.Errorf("smtp: %s: no recipient", e.Key)
	}
	msg, err := n.message(e, time.Now())
	if err != nil {
		return err
	}
	deadline := time.Now().Add(n.cfg.Timeout)
	if d, ok := ctx.Deadline(); ok && d.Before(deadline) {
		deadline = d
	}
	dialer := net.Dialer{Deadline: deadline}
	conn, err := dialer.DialContext(ctx, "tcp", n.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp: %s: dial %s: %w", e.Key, n.cfg.Addr, err)
	}
	_ = conn.SetDeadline(deadline)
	// Cancelling ctx must end a stalled exchange too.
	stop := context.AfterFunc(ctx, func() { _ = conn.SetDeadline(time.Unix(1, 0)) })
	defer stop()
	if err := n.exchange(conn, e, msg); err != nil {
		return fmt.Errorf("smtp: %s: %w", e.Key, err)
	}
	return nil
}

func (n *Notifier) exchange(conn net.Conn, e escalation.Email, msg []byte) error {
	host, _, _ := net.SplitHostPort(n.cfg.Addr)
	c, err := netsmtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return fmt.Errorf("greeting: %w", err)
	}
	defer c.Close()
	if err := c.Hello(n.cfg.HeloName); err != nil {
		return fmt.Errorf("hello: %w", err)
	}
	if ok, _ := c.Extension("STARTTLS"); ok && n.cfg.TLS != TLSOff {
		tc := n.cfg.TLSConfig
		if tc == nil {
			tc = &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
		}
		if err := c.StartTLS(tc); err != nil {
			return fmt.Errorf("starttls: %w", err)
		}
	} else if n.cfg.TLS == TLSRequired {
		return fmt.Errorf("the server does not offer STARTTLS and tls is required")
	}
	if n.cfg.Username != "" {
		// PlainAuth refuses to send the password unencrypted except to localhost.
		if err := c.Auth(netsmtp.PlainAuth("", n.cfg.Username, n.cfg.Password, host)); err != nil {
			return fmt.Errorf("auth: %w", err)
		}
	}
	if err := c.Mail(n.from.Address); err != nil {
		return fmt.Errorf("mail from: %w", err)
	}
	for _, to := range e.To {
		a, err := mail.ParseAddress(to)
		if err != nil {
			return fmt.Errorf("recipient %q: %w", to, err)
		}
		if err := c.Rcpt(a.Address); err != nil {
			return fmt.Errorf("rcpt to %s: %w", a.Address, err)
		}
	}
	w, err := c.Data()
	if err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if _, err := w.Write(msg); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	if err := w.Close(); err != nil {
		return fmt.Errorf("data: %w", err)
	}
	return c.Quit()
}

// MessageID derives a stable Message-ID from the action key, so a message
// resent after a crash is recognisably the same one.
func MessageID(key, fromAddr string) string {
	sum := sha256.Sum256([]byte(key))
	domain := "atiende.invalid"
	if i := strings.LastIndexByte(fromAddr, '@'); i >= 0 {
		domain = fromAddr[i+1:]
	}
	return "<" + hex.EncodeToString(sum[:16]) + "@" + domain + ">"
}
