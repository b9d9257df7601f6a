package tickets

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"
)

// RowError is one rejected row of an import; the other rows go on.
type RowError struct {
	Line   int    `json:"line"`             // 1-based line in the file where the row starts
	Column string `json:"column,omitempty"` // canonical column: name, department, area, email, phone, extension, language
	Reason string `json:"reason"`
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d: %s: %s", e.Line, e.Column, e.Reason)
}

const maxContactsCSVBytes = 32 << 20

// contactColumn maps a header name, lowercased and without accents (see
// headerKey), to its canonical column, or "" for a column to ignore.
func contactColumn(key string) string {
	switch key {
	case "nombre", "name", "nombre completo", "full name":
		return "name"
	case "departamento", "department", "dependencia":
		return "department"
	case "area", "sitio", "site":
		return "area"
	case "correo", "email", "e-mail", "correo electronico", "mail":
		return "email"
	case "telefono", "telefonos", "phone", "phones", "tel":
		return "phone"
	case "extension", "extensiones", "extensions", "ext":
		return "extension"
	case "idioma", "language", "lang":
		return "language"
	}
	return ""
}

// A phone cell may carry its extension: "(722) 2769600, extensión 60100".
var (
	phoneWithExtRE = regexp.MustCompile(`(?i)^(.*?)[\s,]*(?:ext\.?|extensi[oó]n|x)\s*(\d+)\s*$`)
	extPrefixRE    = regexp.MustCompile(`(?i)^(?:ext\.?|extensi[oó]n|x)\s*`)
)

// ParseContactsCSV reads a contacts directory exported from a spreadsheet.
// The header names its columns in Spanish or English (nombre/name,
// departamento/department, area, correo/email, telefono/phone,
// extension, idioma/language), in any order; other columns are ignored. The
// delimiter is , or ; (or tab), a UTF-8 BOM is skipped. Phone and extension
// cells may hold several values separated by ; or |. A phone cell that holds
// an extension adds it to Extensions. A bad row is reported as a RowError and
// the others are still returned; the error is for a file that cannot be read
// as a whole (no header, no name column, I/O).
func ParseContactsCSV(r io.Reader, plan PhonePlan) ([]Contact, []RowError, error) {
	if err := plan.Validate(); err != nil {
		return nil, nil, err
	}
	data, err := io.ReadAll(io.LimitReader(r, maxContactsCSVBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("contacts csv: read: %w", err)
	}
	if len(data) > maxContactsCSVBytes {
		return nil, nil, Errorf(EINVALID, "contacts csv: larger than %d bytes", maxContactsCSVBytes)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, nil, Errorf(EINVALID, "contacts csv: the file is not UTF-8 (save it as \"CSV UTF-8\")")
	}

	cr := csv.NewReader(bytes.NewReader(data))
	cr.Comma = sniffDelimiter(data)
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if errors.Is(err, io.EOF) {
		return nil, nil, Errorf(EINVALID, "contacts csv: the file is empty")
	} else if err != nil {
		return nil, nil, Errorf(EINVALID, "contacts csv: header: %v", err)
	}
	cols := make([]string, len(header)) // canonical column of each field, "" to ignore
	seen := map[string]string{}
	for i, h := range header {
		col := contactColumn(headerKey(h))
		if col == "" {
			continue
		}
		if prev, dup := seen[col]; dup {
			return nil, nil, Errorf(EINVALID, "contacts csv: header: columns %q and %q are both %s", prev, h, col)
		}
		seen[col], cols[i] = h, col
	}
	if seen["name"] == "" {
		return nil, nil, Errorf(EINVALID, "contacts csv: header: no name column (nombre or name) in %q", header)
	}
	if seen["phone"] == "" && seen["extension"] == "" {
		return nil, nil, Errorf(EINVALID, "contacts csv: header: no telefono/phone or extension column in %q", header)
	}

	var contacts []Contact
	var rowErrs []RowError
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			rowErrs = append(rowErrs, RowError{Line: pe.StartLine, Reason: pe.Err.Error()})
			continue
		} else if err != nil {
			return nil, nil, fmt.Errorf("contacts csv: %w", err)
		}
		line, _ := cr.FieldPos(0)
		if blank(rec) {
			continue
		}
		if len(rec) > len(header) && !blank(rec[len(header):]) {
			rowErrs = append(rowErrs, RowError{Line: line, Reason: fmt.Sprintf("%d fields, the header has %d", len(rec), len(header))})
			continue
		}
		c, rerr := contactFromRow(rec, cols, plan)
		if rerr != nil {
			rerr.Line = line
			rowErrs = append(rowErrs, *rerr)
			continue
		}
		contacts = append(contacts, c)
	}
	return contacts, rowErrs, nil
}

func contactFromRow(rec, cols []string, plan PhonePlan) (Contact, *RowError) {
	c := Contact{Phones: []string{}, Extensions: []string{}}
	for i, v := range rec {
		if i >= len(cols) || cols[i] == "" {
			continue
		}
		v = strings.TrimSpace(v)
		switch cols[i] {
		case "name":
			c.Name = strings.Join(strings.Fields(v), " ")
		case "department":
			c.Department = v
		case "area":
			c.Area = v
		case "email":
			if v != "" {
				a, err := mail.ParseAddress(v)
				if err != nil || a.Name != "" || !strings.Contains(a.Address, ".") {
					return c, &RowError{Column: "email", Reason: fmt.Sprintf("%q is not an email address", v)}
				}
				c.Email = strings.ToLower(a.Address)
			}
		case "phone":
			for _, p := range splitMulti(v) {
				number, ext := p, ""
				if m := phoneWithExtRE.FindStringSubmatch(p); m != nil {
					number, ext = m[1], m[2]
				}
				for _, raw := range []string{number, ext} {
					if raw == "" {
						continue
					}
					kind, val, err := plan.Normalize(raw)
					if err != nil {
						return c, &RowError{Column: "phone", Reason: ErrorMessage(err)}
					}
					if kind == PhoneExtension {
						c.Extensions = appendNew(c.Extensions, val)
					} else {
						c.Phones = appendNew(c.Phones, val)
					}
				}
			}
		case "extension":
			for _, e := range splitMulti(v) {
				e = extPrefixRE.ReplaceAllString(e, "")
				kind, val, err := plan.Normalize(e)
				if err != nil || kind != PhoneExtension {
					return c, &RowError{Column: "extension", Reason: fmt.Sprintf("%q is not an extension of %s digits", e, joinInts(plan.extensionDigits()))}
				}
				c.Extensions = appendNew(c.Extensions, val)
			}
		case "language":
			lang, ok := parseLanguage(v)
			if !ok {
				return c, &RowError{Column: "language", Reason: fmt.Sprintf("%q is not es or en", v)}
			}
			c.Language = lang
		}
	}
	switch {
	case c.Name == "":
		return c, &RowError{Column: "name", Reason: "is empty"}
	case len(c.Phones) == 0 && len(c.Extensions) == 0:
		return c, &RowError{Column: "phone", Reason: "the contact has no phone and no extension"}
	}
	if c.Language == "" {
		c.Language = "es"
	}
	return c, nil
}

// sniffDelimiter picks ; , or tab by counting them, outside quotes, on the
// header line: spreadsheets in Spanish locales export with ;.
func sniffDelimiter(data []byte) rune {
	counts := map[rune]int{}
	quoted := false
	for _, r := range string(data) {
		if r == '"' {
			quoted = !quoted
		} else if !quoted && (r == '\n' || r == '\r') {
			break
		} else if !quoted {
			counts[r]++
		}
	}
	best := ','
	for _, d := range []rune{';', '\t'} {
		if counts[d] > counts[best] {
			best = d
		}
	}
	return best
}

// headerKey lowercases a header and folds accents and separators so that
// "Teléfono", "TELEFONO" and "correo_electrónico" match.
func headerKey(h string) string {
	h = strings.ToLower(strings.TrimSpace(h))
	h = strings.NewReplacer("á", "a", "é", "e", "í", "i", "ó", "o", "ú", "u", "_", " ", ".", "").Replace(h)
	return strings.Join(strings.Fields(h), " ")
}

func splitMulti(v string) []string {
	var out []string
	for _, p := range strings.FieldsFunc(v, func(r rune) bool { return r == ';' || r == '|' }) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func parseLanguage(v string) (string, bool) {
	switch headerKey(v) {
	case "", "es", "esp", "espanol", "español", "spanish", "es-mx", "es-ve":
		return "es", true
	case "en", "eng", "ingles", "english", "en-us", "en-gb":
		return "en", true
	}
	return "", false
}

func appendNew(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}

func blank(fields []string) bool {
	for _, f := range fields {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}
