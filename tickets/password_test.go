package tickets

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

func TestHashPassword(t *testing.T) {
	h, err := HashPassword("correcto caballo batería")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash %q is not PHC argon2id with the expected parameters", h)
	}
	if PasswordNeedsRehash(h) {
		t.Error("a fresh hash needs rehash")
	}
	for pw, want := range map[string]bool{
		"correcto caballo batería":  true,
		"correcto caballo bateria":  false,
		"Correcto caballo batería":  false,
		"correcto caballo batería ": false,
		"short":                     false,
	} {
		ok, err := CheckPassword(h, pw)
		if err != nil || ok != want {
			t.Errorf("CheckPassword(%q) = %v, %v; want %v", pw, ok, err, want)
		}
	}
	h2, _ := HashPassword("correcto caballo batería")
	if h2 == h {
		t.Error("two hashes of one password are equal: the salt is not random")
	}
}

func TestHashPasswordLengths(t *testing.T) {
	for _, pw := range []string{"", "1234567", "ñandú12", strings.Repeat("a", 257), strings.Repeat("ñ", 257)} {
		if _, err := HashPassword(pw); ErrorCode(err) != EINVALID {
			t.Errorf("HashPassword(%d runes) = %v, want %s", len([]rune(pw)), err, EINVALID)
		}
	}
	// Limits count characters, not bytes.
	for _, pw := range []string{"12345678", "ñandúñan", strings.Repeat("ñ", 256)} {
		if _, err := HashPassword(pw); err != nil {
			t.Errorf("HashPassword(%d runes): %v", len([]rune(pw)), err)
		}
	}
}

func TestCheckPasswordOtherParameters(t *testing.T) {
	// A hash made with other (older) parameters still verifies and asks for
	// a rehash.
	salt := []byte("0123456789abcdef")
	key := argon2.IDKey([]byte("contraseña vieja"), salt, 3, 64*1024, 2, 32)
	enc := base64.RawStdEncoding
	h := "$argon2id$v=19$m=65536,t=3,p=2$" + enc.EncodeToString(salt) + "$" + enc.EncodeToString(key)
	if ok, err := CheckPassword(h, "contraseña vieja"); !ok || err != nil {
		t.Errorf("CheckPassword = %v, %v", ok, err)
	}
	if !PasswordNeedsRehash(h) {
		t.Error("old parameters do not ask for a rehash")
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	good, _ := HashPassword("correcto caballo batería")
	parts := strings.Split(good, "$")
	join := func(p ...string) string { return strings.Join(p, "$") }
	for name, h := range map[string]string{
		"empty":         "",
		"bcrypt":        "$2a$10$abcdefghijklmnopqrstuuWmYc9QJ3H4q5Qx1Jr7q3r9Zt1X0jZ5e",
		"argon2i":       join("", "argon2i", parts[2], parts[3], parts[4], parts[5]),
		"version":       join("", "argon2id", "v=16", parts[3], parts[4], parts[5]),
		"huge memory":   join("", "argon2id", parts[2], "m=4194304,t=2,p=1", parts[4], parts[5]),
		"zero time":     join("", "argon2id", parts[2], "m=19456,t=0,p=1", parts[4], parts[5]),
		"unknown param": join("", "argon2id", parts[2], "m=19456,t=2,p=1,x=3", parts[4], parts[5]),
		"bad salt":      join("", "argon2id", parts[2], parts[3], "!!!", parts[5]),
		"short key":     join("", "argon2id", parts[2], parts[3], parts[4], "AAAA"),
		"missing part":  join("", "argon2id", parts[2], parts[3], parts[4]),
	} {
		ok, err := CheckPassword(h, "correcto caballo batería")
		if ok || ErrorCode(err) != EINTERNAL {
			t.Errorf("%s: CheckPassword = %v, %v; want false and an %s error", name, ok, err, EINTERNAL)
		}
		if !PasswordNeedsRehash(h) {
			t.Errorf("%s: a malformed hash does not ask for a rehash", name)
		}
	}
}

func TestNewToken(t *testing.T) {
	clear, hash := NewToken()
	raw, err := base64.RawURLEncoding.DecodeString(clear)
	if err != nil || len(raw) != 32 {
		t.Fatalf("clear token %q: %d bytes, %v", clear, len(raw), err)
	}
	if want := sha256.Sum256([]byte(clear)); !bytes.Equal(hash, want[:]) {
		t.Error("hash is not the SHA-256 of the clear token")
	}
	if !bytes.Equal(HashToken(clear), hash) {
		t.Error("HashToken does not give the stored hash")
	}
	other, otherHash := NewToken()
	if other == clear || bytes.Equal(otherHash, hash) {
		t.Error("two tokens are equal")
	}
}
