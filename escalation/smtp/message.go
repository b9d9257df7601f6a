package smtp

import (
	"bytes"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"

	"github.com/atiende/atiende/escalation"
)

// message renders e as RFC 5322 + MIME: multipart/alternative with a
// quoted-printable UTF-8 text part and, when present, an HTML part.
func (n *Notifier) message(e escalation.Email, now time.Time) ([]byte, error) {
	var to []string
	for _, addr := range e.To {
		a, err := mail.ParseAddress(addr)
		if err != nil {
			return nil, fmt.Errorf("smtp: %s: recipient %q: %w", e.Key, addr, err)
		}
		to = append(to, a.String())
	}
	var b bytes.Buffer
	header := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	header("From", n.from.String())
	header("To", strings.Join(to, ", "))
	// Subjects are one line already (escalation.Render); strip again anyway:
	// a header must never carry a line break from user text.
	header("Subject", mime.QEncoding.Encode("utf-8", strings.Join(strings.Fields(e.Subject), " ")))
	header("Date", now.Format(time.RFC1123Z))
	header("Message-ID", MessageID(e.Key, n.from.Address))
	header("MIME-Version", "1.0")
	if e.Language != "" {
		header("Content-Language", e.Language)
	}
	header("Auto-Submitted", "auto-generated")
	mw := multipart.NewWriter(&b)
	header("Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	if err := part(mw, "text/plain", e.Text); err != nil {
		return nil, err
	}
	if e.HTML != "" {
		if err := part(mw, "text/html", e.HTML); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func part(mw *multipart.Writer, ctype, body string) error {
	h := textproto.MIMEHeader{}
	h.Set("Content-Type", ctype+"; charset=utf-8")
	h.Set("Content-Transfer-Encoding", "quoted-printable")
	w, err := mw.CreatePart(h)
	if err != nil {
		return err
	}
	qw := quotedprintable.NewWriter(w)
	if _, err := qw.Write([]byte(strings.ReplaceAll(body, "\r\n", "\n"))); err != nil {
		return err
	}
	return qw.Close()
}
