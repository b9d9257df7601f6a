package tickets

import (
	"strings"
	"testing"
)

func TestPhonePlanNormalize(t *testing.T) {
	mx := PhonePlan{}
	ve := PhonePlan{Region: "VE"}
	cases := []struct {
		name string
		plan PhonePlan
		raw  string
		kind PhoneKind
		want string
	}{
		{"international spaced", mx, "+52 722 276 9600", PhoneE164, "+527222769600"},
		{"national ten digits", mx, "7222769600", PhoneE164, "+527222769600"},
		{"old mobile 044", mx, "044 722 276 9600", PhoneE164, "+527222769600"},
		{"old mobile 045", mx, "045 722 276 9600", PhoneE164, "+527222769600"},
		{"old long distance 01", mx, "01 722 276 9600", PhoneE164, "+527222769600"},
		{"dashes", mx, "722-276-9600", PhoneE164, "+527222769600"},
		{"parentheses", mx, "(722) 276 9600", PhoneE164, "+527222769600"},
		{"seed 002 spelling", mx, "(722) 2769600", PhoneE164, "+527222769600"},
		{"compact international", mx, "+527222769600", PhoneE164, "+527222769600"},
		{"old mobile 1 without plus", mx, "5217222769600", PhoneE164, "+527222769600"},
		{"old mobile 1 with plus", mx, "+521 722 276 9600", PhoneE164, "+527222769600"},
		{"country code without plus", mx, "527222769600", PhoneE164, "+527222769600"},
		{"IDD 00", mx, "00 52 722 276 9600", PhoneE164, "+527222769600"},
		{"dots", mx, "722.276.9600", PhoneE164, "+527222769600"},
		{"Mexico City", mx, "55 1234 5678", PhoneE164, "+525512345678"},
		{"toll free with 01", mx, "01 800 123 4567", PhoneE164, "+528001234567"},
		{"five digit extension", mx, "60100", PhoneExtension, "60100"},
		{"four digit extension", mx, "1001", PhoneExtension, "1001"},
		{"SIP URI extension", mx, "sip:1001@pbx.example.org", PhoneExtension, "1001"},
		{"SIP URI with params", mx, "<sip:1001@10.0.0.1:5060;transport=udp>;tag=abc", PhoneExtension, "1001"},
		{"SIPS URI", mx, "sips:60100@pbx.example.org", PhoneExtension, "60100"},
		{"display name and SIP URI", mx, `"Name" <sip:+527222769600@host>`, PhoneE164, "+527222769600"},
		{"display name with brackets", mx, `"Ana <TI>" <sip:+527222769600@host>`, PhoneE164, "+527222769600"},
		{"unquoted display name", mx, `Ana Pérez <sip:7222769600@host;user=phone>`, PhoneE164, "+527222769600"},
		{"escaped plus", mx, "sip:%2B527222769600@host", PhoneE164, "+527222769600"},
		{"tel URI", mx, "tel:+52-722-276-9600;ext=60100", PhoneE164, "+527222769600"},
		{"SIP user with password", mx, "sip:1001:secret@host", PhoneExtension, "1001"},
		{"user@host", mx, "1001@host", PhoneExtension, "1001"},
		{"surrounding space", mx, "  7222769600 \t", PhoneE164, "+527222769600"},
		{"Venezuela Caracas", ve, "0212-555-1234", PhoneE164, "+582125551234"},
		{"Venezuela mobile international", ve, "+58 412 1234567", PhoneE164, "+584121234567"},
		{"Venezuela mobile national", ve, "0412-123.45.67", PhoneE164, "+584121234567"},
		{"Venezuela from Mexico plan", mx, "+58 412 1234567", PhoneE164, "+584121234567"},
		{"Mexico from Venezuela plan", ve, "+52 722 276 9600", PhoneE164, "+527222769600"},
		{"Venezuela extension", ve, "1001", PhoneExtension, "1001"},
		{"custom extension length", PhonePlan{ExtensionDigits: []int{3}}, "101", PhoneExtension, "101"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kind, got, err := c.plan.Normalize(c.raw)
			if err != nil {
				t.Fatalf("Normalize(%q): %v", c.raw, err)
			}
			if kind != c.kind || got != c.want {
				t.Errorf("Normalize(%q) = %s %q, want %s %q", c.raw, kind, got, c.kind, c.want)
			}
		})
	}
}

func TestPhonePlanNormalizeGarbage(t *testing.T) {
	cases := []struct {
		name, raw, msg string
		plan           PhonePlan
	}{
		{"empty", "", "no phone number", PhonePlan{}},
		{"spaces", "   ", "no phone number", PhonePlan{}},
		{"letters", "hola", "not allowed", PhonePlan{}},
		{"anonymous SIP", "sip:anonymous@anonymous.invalid", "not allowed", PhonePlan{}},
		{"SIP without user", "sip:pbx.example.org", "without a user part", PhonePlan{}},
		{"unclosed bracket", "Ana <sip:1001@host", "closing", PhonePlan{}},
		{"too short", "123", "not a valid phone number", PhonePlan{}},
		{"six digits", "123456", "not a valid phone number", PhonePlan{}},
		{"too long", "72227696001234", "not a valid phone number", PhonePlan{}},
		{"star code", "*626", "not allowed", PhonePlan{}},
		{"only separators", "--()", "no digits", PhonePlan{}},
		{"plus extension", "+1001", "not a valid phone number", PhonePlan{}},
		{"no extensions in plan", "1001", "not a valid phone number", PhonePlan{ExtensionDigits: []int{}}},
		{"huge", strings.Repeat("1", 300), "longer than", PhonePlan{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			kind, got, err := c.plan.Normalize(c.raw)
			if err == nil {
				t.Fatalf("Normalize(%q) = %s %q, want an error", c.raw, kind, got)
			}
			if ErrorCode(err) != EINVALID {
				t.Errorf("code = %q, want %q (%v)", ErrorCode(err), EINVALID, err)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("error %q does not mention %q", err, c.msg)
			}
		})
	}
}

func TestPhonePlanValidate(t *testing.T) {
	for _, p := range []PhonePlan{{}, {Region: "MX"}, {Region: "ve"}, {Region: "VE", ExtensionDigits: []int{3, 4}}, {ExtensionDigits: []int{}}} {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	for _, p := range []PhonePlan{{Region: "XX"}, {Region: "Mexico"}, {ExtensionDigits: []int{10}}, {ExtensionDigits: []int{1}}} {
		if err := p.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%+v: got %v, want an %s error", p, err, EINVALID)
		}
	}
}
