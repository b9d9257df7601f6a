package tickets

import (
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/nyaruka/phonenumbers"
)

// PhoneKind tells what Normalize recognised.
type PhoneKind string

const (
	PhoneE164      PhoneKind = "e164"      // a public number, as +<country><number>
	PhoneExtension PhoneKind = "extension" // an internal extension, digits only
)

// PhonePlan is the dialling plan caller numbers are read with. The zero value
// is Mexico with 4- and 5-digit internal extensions.
type PhonePlan struct {
	// Region is the ISO 3166 region national numbers belong to. Default "MX".
	Region string `yaml:"region" json:"region"`
	// ExtensionDigits are the lengths of internal extensions. nil means the
	// default {4, 5}; an empty non-nil slice means there are no extensions.
	ExtensionDigits []int `yaml:"extension_digits" json:"extension_digits"`
}

const maxPhoneInput = 256

func (p PhonePlan) region() string {
	if p.Region == "" {
		return "MX"
	}
	return strings.ToUpper(p.Region)
}

func (p PhonePlan) extensionDigits() []int {
	if p.ExtensionDigits == nil {
		return []int{4, 5}
	}
	return p.ExtensionDigits
}

// Validate checks the region is known to the phone-number library and the
// extension lengths cannot be confused with public numbers.
func (p PhonePlan) Validate() error {
	if phonenumbers.GetCountryCodeForRegion(p.region()) == 0 {
		return Errorf(EINVALID, "phone plan: region %q is not a known ISO 3166 region code", p.Region)
	}
	for _, n := range p.extensionDigits() {
		if n < 2 || n > 7 {
			return Errorf(EINVALID, "phone plan: extension length %d is not between 2 and 7 digits", n)
		}
	}
	return nil
}

// Normalize reads a caller number as a phone or SIP endpoint sends it and
// returns either an E.164 number or an internal extension. It accepts SIP and
// tel URIs (with or without a display name), the usual separators, the IDD
// prefix 00, and, in Mexico, the 044/045/01 prefixes and the mobile "1" after
// +52 that the 2019 dialling plan dropped but old PBXs and phones still send.
func (p PhonePlan) Normalize(raw string) (kind PhoneKind, value string, err error) {
	if len(raw) > maxPhoneInput {
		return "", "", Errorf(EINVALID, "phone number is longer than %d characters", maxPhoneInput)
	}
	user, err := uriUser(raw)
	if err != nil {
		return "", "", err
	}
	plus, digits, err := phoneDigits(user)
	if err != nil {
		return "", "", Errorf(EINVALID, "%q is not a phone number or extension: %s", raw, ErrorMessage(err))
	}
	region := p.region()

	if !plus && slices.Contains(p.extensionDigits(), len(digits)) {
		return PhoneExtension, digits, nil
	}
	if !plus && strings.HasPrefix(digits, "00") {
		// International call prefix used across Mexico and Venezuela.
		plus, digits = true, digits[2:]
	}
	if !plus && region == "MX" {
		switch {
		case len(digits) == 13 && (strings.HasPrefix(digits, "044") || strings.HasPrefix(digits, "045")):
			digits = digits[3:]
		case len(digits) == 12 && strings.HasPrefix(digits, "01"):
			digits = digits[2:]
		case len(digits) == 13 && strings.HasPrefix(digits, "521"), len(digits) == 12 && strings.HasPrefix(digits, "52"):
			plus = true
		}
	}
	if plus && len(digits) == 13 && strings.HasPrefix(digits, "521") {
		digits = "52" + digits[3:]
	}

	text := digits
	if plus {
		text = "+" + digits
	}
	num, perr := phonenumbers.Parse(text, region)
	if perr != nil || !phonenumbers.IsValidNumber(num) {
		return "", "", Errorf(EINVALID, "%q is not a valid phone number for region %s nor an extension of %s digits",
			raw, region, joinInts(p.extensionDigits()))
	}
	return PhoneE164, phonenumbers.Format(num, phonenumbers.E164), nil
}

// uriUser reduces `"Name" <sip:user@host;params>`, `sip:user@host`,
// `tel:+52...;ext=1` and `user@host` to the user part; anything else is
// returned as is.
func uriUser(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if strings.HasPrefix(s, `"`) {
		// A quoted display name may itself contain < and >.
		if end := strings.Index(s[1:], `"`); end >= 0 {
			s = strings.TrimSpace(s[end+2:])
		}
	}
	if i := strings.IndexByte(s, '<'); i >= 0 {
		j := strings.IndexByte(s[i:], '>')
		if j < 0 {
			return "", Errorf(EINVALID, "%q has a < without a closing >", raw)
		}
		s = strings.TrimSpace(s[i+1 : i+j])
	}
	lower := strings.ToLower(s)
	uri := false
	for _, scheme := range []string{"sip:", "sips:", "tel:"} {
		if strings.HasPrefix(lower, scheme) {
			s, uri = s[len(scheme):], true
			break
		}
	}
	if at := strings.LastIndexByte(s, '@'); at >= 0 {
		s = s[:at]
	} else if uri && !strings.HasPrefix(lower, "tel:") {
		return "", Errorf(EINVALID, "%q is a SIP address without a user part", raw)
	}
	if uri {
		// URI parameters (";user=phone", ";ext=", ";isub=") and a SIP
		// "user:password" are not part of the number.
		if i := strings.IndexAny(s, ";:"); i >= 0 {
			s = s[:i]
		}
		if u, err := url.PathUnescape(s); err == nil {
			s = u
		}
	}
	if strings.TrimSpace(s) == "" {
		return "", Errorf(EINVALID, "%q has no phone number or extension", raw)
	}
	return s, nil
}

// phoneDigits keeps the digits of s, allowing a leading + and the visual
// separators people and devices put in numbers.
func phoneDigits(s string) (plus bool, digits string, err error) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "+") {
		plus, s = true, s[1:]
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == ' ' || r == '-' || r == '.' || r == '(' || r == ')' || r == '/' || r == '\u00a0':
		default:
			return false, "", Errorf(EINVALID, "character %q is not allowed", r)
		}
	}
	if b.Len() == 0 {
		return false, "", Errorf(EINVALID, "it has no digits")
	}
	return plus, b.String(), nil
}

func joinInts(ns []int) string {
	if len(ns) == 0 {
		return "no"
	}
	s := make([]string, len(ns))
	for i, n := range ns {
		s[i] = strconv.Itoa(n)
	}
	if len(s) == 1 {
		return s[0]
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
