package tickets

import (
	"os"
	"reflect"
	"strings"
	"testing"
)

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

type rowWant struct {
	line   int
	column string
	reason string
}

func checkRowErrors(t *testing.T, got []RowError, want []rowWant) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("got %d row errors, want %d: %v", len(got), len(want), got)
	}
	for i := range min(len(got), len(want)) {
		g, w := got[i], want[i]
		if g.Line != w.line || g.Column != w.column || !strings.Contains(g.Reason, w.reason) {
			t.Errorf("row error %d = %q, want line %d %s containing %q", i, g.Error(), w.line, w.column, w.reason)
		}
	}
}

func TestParseContactsCSVSpanish(t *testing.T) {
	// Semicolons, a BOM, accented Spanish headers, an ignored column, quoted
	// cells holding ; and , and bad rows in between good ones.
	contacts, rowErrs, err := ParseContactsCSV(openTestdata(t, "contacts-es.csv"), PhonePlan{})
	if err != nil {
		t.Fatal(err)
	}
	want := []Contact{
		{Name: "Ana Pérez López", Department: "Dirección General del Sistema Estatal de Informática", Area: "Toluca",
			Email: "ana.perez@edomex.example", Phones: []string{"+527222769600"}, Extensions: []string{"60100"}, Language: "es"},
		{Name: "Luis Gómez", Department: "Recursos Humanos", Area: "Toluca", Email: "luis.gomez@edomex.example",
			Phones: []string{"+527222769601", "+527222769602"}, Extensions: []string{"1001"}, Language: "en"},
		{Name: "Méndez, Carla", Department: "Finanzas", Area: "Metepec; edificio B", Email: "carla@edomex.example",
			Phones: []string{"+527222769603"}, Extensions: []string{"60101"}, Language: "es"},
		{Name: "Rosa Extensión", Department: "Finanzas", Area: "Toluca", Email: "rosa@edomex.example",
			Phones: []string{}, Extensions: []string{"60102"}, Language: "es"},
	}
	if !reflect.DeepEqual(contacts, want) {
		t.Errorf("contacts:\n got %+v\nwant %+v", contacts, want)
	}
	checkRowErrors(t, rowErrs, []rowWant{
		{5, "phone", "no phone and no extension"},
		{6, "email", `"pedro@@edomex" is not an email address`},
		{7, "name", "empty"},
		{8, "language", `"fr"`},
		{9, "phone", "12345678"},
		{13, "extension", `"123456789" is not an extension of 4 or 5 digits`},
	})
}

func TestParseContactsCSVEnglish(t *testing.T) {
	// Commas, English headers, Venezuelan numbers, a row the CSV reader
	// cannot parse and a row with too many fields.
	contacts, rowErrs, err := ParseContactsCSV(openTestdata(t, "contacts-en.csv"), PhonePlan{Region: "VE"})
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, c := range contacts {
		names = append(names, c.Name)
	}
	if want := []string{"Jane Doe", "John Roe", "Alba Ruiz"}; !reflect.DeepEqual(names, want) {
		t.Errorf("names = %q, want %q", names, want)
	}
	if len(contacts) == 3 {
		if c := contacts[1]; !reflect.DeepEqual(c.Phones, []string{"+582125551234"}) || !reflect.DeepEqual(c.Extensions, []string{"1001"}) || c.Language != "en" {
			t.Errorf("John Roe = %+v", c)
		}
		if c := contacts[0]; !reflect.DeepEqual(c.Phones, []string{"+584121234567"}) || c.Area != "" {
			t.Errorf("Jane Doe = %+v", c)
		}
	}
	checkRowErrors(t, rowErrs, []rowWant{
		{4, "", `"`},
		{5, "", "6 fields, the header has 5"},
	})
}

func TestParseContactsCSVInline(t *testing.T) {
	cases := []struct {
		name, csv string
		wantN     int
		wantErr   string // fatal error
		wantRows  int
	}{
		{"comma with extension column", "name,extension\nAna,1001\nLuis,60100\n", 2, "", 0},
		{"tab separated", "nombre\ttelefono\nAna\t7222769600\n", 1, "", 0},
		{"CRLF", "nombre;telefono\r\nAna;7222769600\r\nLuis;7222769601\r\n", 2, "", 0},
		{"trailing empty cells", "name,phone\nAna,7222769600,,\n", 1, "", 0},
		{"phone cell with extension only", "name,phone\nAna,Ext. 60100\n", 1, "", 0},
		{"empty file", "", 0, "empty", 0},
		{"only BOM", "\xef\xbb\xbf", 0, "empty", 0},
		{"no name column", "correo,telefono\na@b.mx,7222769600\n", 0, "no name column", 0},
		{"no phone column", "nombre,correo\nAna,a@b.mx\n", 0, "no telefono/phone or extension column", 0},
		{"duplicate column", "nombre,name,telefono\nAna,Ana,1001\n", 0, "both name", 0},
		{"not UTF-8", "nombre,telefono\nJos\xe9,1001\n", 0, "not UTF-8", 0},
		{"header only", "name,phone\n", 0, "", 0},
		{"named email refused", "name,email,phone\nAna,Ana <a@b.mx>,1001\n", 0, "", 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			contacts, rowErrs, err := ParseContactsCSV(strings.NewReader(c.csv), PhonePlan{})
			if c.wantErr != "" {
				if ErrorCode(err) != EINVALID || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("err = %v, want an %s error containing %q", err, EINVALID, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(contacts) != c.wantN || len(rowErrs) != c.wantRows {
				t.Errorf("got %d contacts %+v and row errors %v, want %d and %d", len(contacts), contacts, rowErrs, c.wantN, c.wantRows)
			}
		})
	}
}

func TestParseContactsCSVBadPlan(t *testing.T) {
	if _, _, err := ParseContactsCSV(strings.NewReader("name,phone\n"), PhonePlan{Region: "XX"}); ErrorCode(err) != EINVALID {
		t.Errorf("got %v, want an %s error", err, EINVALID)
	}
}

func TestRowErrorString(t *testing.T) {
	if got := (RowError{Line: 3, Column: "email", Reason: "bad"}).Error(); got != "line 3: email: bad" {
		t.Errorf("got %q", got)
	}
	if got := (RowError{Line: 4, Reason: "bad"}).Error(); got != "line 4: bad" {
		t.Errorf("got %q", got)
	}
}
