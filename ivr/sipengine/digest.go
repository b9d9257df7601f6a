package sipengine

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"sync"
	"sync/atomic"
	"time"

	"github.com/emiago/sipgo/sip"
	"github.com/icholy/digest"
)

// authResult is the outcome of checking a request's credentials.
type authResult int

const (
	authChallenge authResult = iota // no (usable) credentials: send a 401 with a fresh nonce
	authOK                          // user proved the password
	authDenied                      // credentials answered a valid nonce but are wrong: 403
	authThrottled                   // too many wrong answers from this source or for this account: 403, password not checked
)

// digestServer checks digest credentials with single-use nonces. Unknown
// users are treated exactly like known users with a wrong password, so a
// caller cannot tell which extensions exist.
type digestServer struct {
	realm string
	ttl   time.Duration
	now   func() time.Time
	// throttle, if set, bounds wrong answers per account and source
	// (auththrottle.go); evaluated counts the passwords checked.
	throttle  *authThrottle
	evaluated atomic.Uint64

	mu     sync.Mutex
	nonces map[string]time.Time // nonce -> expiry
}

func newDigestServer(realm string, ttl time.Duration, now func() time.Time, throttle *authThrottle) *digestServer {
	return &digestServer{realm: realm, ttl: ttl, now: now, nonces: map[string]time.Time{}, throttle: throttle}
}

// challenge returns a WWW-Authenticate header with a new nonce.
func (s *digestServer) challenge(stale bool) sip.Header {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	nonce := base64.RawURLEncoding.EncodeToString(b)
	now := s.now()
	s.mu.Lock()
	for n, exp := range s.nonces {
		if now.After(exp) {
			delete(s.nonces, n)
		}
	}
	s.nonces[nonce] = now.Add(s.ttl)
	s.mu.Unlock()
	c := digest.Challenge{Realm: s.realm, Nonce: nonce, Algorithm: "MD5", Stale: stale}
	return sip.NewHeader("WWW-Authenticate", c.String())
}

// takeNonce consumes nonce: it is valid once, before it expires.
func (s *digestServer) takeNonce(nonce string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	exp, ok := s.nonces[nonce]
	delete(s.nonces, nonce)
	return ok && !s.now().After(exp)
}

// check verifies req's Authorization header. password reports an
// extension's password; user is the authenticated user when authOK.
func (s *digestServer) check(req *sip.Request, password func(user string) (string, bool)) (res authResult, user string, stale bool) {
	h := req.GetHeader("Authorization")
	if h == nil {
		return authChallenge, "", false
	}
	cred, err := digest.ParseCredentials(h.Value())
	if err != nil || cred.Nonce == "" {
		return authChallenge, "", false
	}
	if !s.takeNonce(cred.Nonce) {
		// Unknown, expired or replayed nonce: refuse, challenge again.
		return authChallenge, "", true
	}
	if s.throttle != nil {
		host := sourceHost(req)
		if !s.throttle.admit(cred.Username, host) {
			// Refused like a wrong password, without checking it.
			return authThrottled, cred.Username, false
		}
		defer func() { s.throttle.done(cred.Username, host, res == authOK) }()
	}
	s.evaluated.Add(1)
	pw, known := password(cred.Username)
	if !known {
		pw = "\x00unknown" // same work as a known user, then denied
	}
	want, err := digest.Digest(&digest.Challenge{
		Realm: s.realm, Nonce: cred.Nonce, Algorithm: "MD5",
		QOP: qopList(cred.QOP),
	}, digest.Options{
		Method: req.Method.String(), URI: cred.URI, Username: cred.Username, Password: pw,
		Cnonce: cred.Cnonce, Count: cred.Nc,
	})
	if err != nil || cred.Realm != s.realm || !known ||
		subtle.ConstantTimeCompare([]byte(want.Response), []byte(cred.Response)) != 1 {
		return authDenied, cred.Username, false
	}
	return authOK, cred.Username, false
}

func qopList(q string) []string {
	if q == "" {
		return nil
	}
	return []string{q}
}
