package tickets

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Argon2id parameters: the OWASP minimum (19 MiB, 2 passes, 1 lane), sized
// for a 2-core server that also carries calls: one hash takes a few tens of
// milliseconds and 19 MiB, so a burst of logins cannot starve the media.
const (
	argonMemoryKiB = 19 * 1024
	argonTime      = 2
	argonThreads   = 1
	argonKeyLen    = 32
	argonSaltLen   = 16

	MinPasswordLength = 8
	MaxPasswordLength = 256
)

// Limits on parameters read back from a stored hash, so that a tampered row
// cannot make a login allocate gigabytes.
const (
	maxArgonMemoryKiB = 1 << 20 // 1 GiB
	maxArgonTime      = 16
	maxArgonThreads   = 16
)

var b64 = base64.RawStdEncoding // PHC strings use unpadded standard base64

// HashPassword returns the argon2id hash of pw in PHC string format:
// $argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>.
func HashPassword(pw string) (string, error) {
	if n := utf8.RuneCountInString(pw); n < MinPasswordLength {
		return "", Errorf(EINVALID, "password must have at least %d characters", MinPasswordLength)
	} else if n > MaxPasswordLength {
		return "", Errorf(EINVALID, "password must have at most %d characters", MaxPasswordLength)
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("hash password: %w", err)
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemoryKiB, argonThreads, argonKeyLen)
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, argonMemoryKiB, argonTime, argonThreads, b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches a hash made by HashPassword (or
// any argon2id PHC string within sane limits). The comparison is constant
// time. A malformed hash is an EINTERNAL error: stored data is broken. A
// password outside the allowed lengths simply does not match.
func CheckPassword(hash, pw string) (bool, error) {
	p, err := parseArgon2id(hash)
	if err != nil {
		return false, err
	}
	if n := utf8.RuneCountInString(pw); n < MinPasswordLength || n > MaxPasswordLength {
		return false, nil
	}
	key := argon2.IDKey([]byte(pw), p.salt, p.time, p.memory, p.threads, uint32(len(p.key)))
	return subtle.ConstantTimeCompare(key, p.key) == 1, nil
}

// PasswordNeedsRehash reports whether hash was made with other parameters
// than HashPassword uses now, so that a successful login can upgrade it.
func PasswordNeedsRehash(hash string) bool {
	p, err := parseArgon2id(hash)
	return err != nil || p.memory != argonMemoryKiB || p.time != argonTime || p.threads != argonThreads ||
		len(p.key) != argonKeyLen || len(p.salt) != argonSaltLen
}

type argon2idParams struct {
	memory, time uint32
	threads      uint8
	salt, key    []byte
}

func parseArgon2id(hash string) (argon2idParams, error) {
	var p argon2idParams
	bad := func(why string) (argon2idParams, error) {
		return argon2idParams{}, Errorf(EINTERNAL, "password hash is not a valid argon2id PHC string: %s", why)
	}
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return bad("expected $argon2id$v=..$m=..,t=..,p=..$salt$hash")
	}
	if parts[2] != "v="+strconv.Itoa(argon2.Version) {
		return bad("unsupported version " + parts[2])
	}
	for _, kv := range strings.Split(parts[3], ",") {
		k, v, ok := strings.Cut(kv, "=")
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil {
			return bad("parameter " + kv)
		}
		switch k {
		case "m":
			p.memory = uint32(n)
		case "t":
			p.time = uint32(n)
		case "p":
			if n > maxArgonThreads {
				return bad("parameter " + kv)
			}
			p.threads = uint8(n)
		default:
			return bad("unknown parameter " + k)
		}
	}
	switch {
	case p.time < 1 || p.time > maxArgonTime:
		return bad("t out of range")
	case p.threads < 1:
		return bad("p out of range")
	case p.memory < 8*uint32(p.threads) || p.memory > maxArgonMemoryKiB:
		return bad("m out of range")
	}
	var err error
	if p.salt, err = b64.DecodeString(parts[4]); err != nil || len(p.salt) < 8 {
		return bad("salt")
	}
	if p.key, err = b64.DecodeString(parts[5]); err != nil || len(p.key) < 16 || len(p.key) > 64 {
		return bad("hash")
	}
	return p, nil
}

// NewToken returns a new session or API token: 32 random bytes as unpadded
// base64url for the client, and the SHA-256 of that text for storage. Tokens
// carry full entropy, so a fast hash is enough; see HashToken.
func NewToken() (clear string, hash []byte) {
	b := make([]byte, 32)
	rand.Read(b) // never fails since Go 1.24; it crashes the program instead
	clear = base64.RawURLEncoding.EncodeToString(b)
	return clear, HashToken(clear)
}

// HashToken returns the stored form of a token a client presents.
func HashToken(clear string) []byte {
	h := sha256.Sum256([]byte(clear))
	return h[:]
}
