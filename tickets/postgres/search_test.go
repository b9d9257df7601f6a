package postgres_test

import (
	"context"
	"slices"
	"testing"

	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
)

func TestSearch(t *testing.T) {
	ctx := context.Background()
	db := newDB(t, postgres.Options{})
	texts := []struct{ subject, description, caller string }{
		{"Falla de conexión a internet", "El enlace está caído desde las 8", "María Pérez"},               // 0
		{"No llegan los correos", "El usuario no recibe correo externo", "José Núñez"},                    // 1
		{"Alta de cuenta de correo", "Crear buzón institucional para la nueva directora", "Ana López"},    // 2
		{"Extensión telefónica sin tono", "La extensión 60100 no da tono al descolgar", "Luis Ávila"},     // 3
		{"The printer is jammed", "Paper stuck in tray 2, printing queue blocked", "John Smith"},          // 4
		{"Reservar videoconferencia", "Sala de juntas para la SEDESOL, jueves 10:00", "Andrés Gutiérrez"}, // 5
	}
	var nums []string
	for i, x := range texts {
		tk := sampleTicket()
		tk.Subject, tk.Description, tk.Caller.Name = x.subject, x.description, x.caller
		tk.Caller.Phone = "+52551000000" + string(rune('0'+i))
		nums = append(nums, mustCreate(t, db, tk).Number)
	}
	cases := []struct {
		query string
		want  []int
	}{
		{"conexion", []int{0}},
		{"conexión", []int{0}},
		{"CONEXIONES", []int{0}},
		{"correos", []int{1, 2}},
		{"correo", []int{1, 2}},
		{"extension", []int{3}},
		{"perez", []int{0}},
		{"nunez", []int{1}},
		{"printer", []int{4}},
		{"printing queue", []int{4}},
		{"videoconferencias", []int{5}},
		{"correo -externo", []int{2}},
		{`"cuenta de correo"`, []int{2}},
		{"internet OR impresora", []int{0}},
		{nums[3], []int{3}},
		{"+525510000001", []int{1}},
		{"inexistente", nil},
		// User input that must never break the query.
		{"'; DROP TABLE tickets; --", nil},
		{"%", nil},
		{`\`, nil},
		{`"`, nil},
		{"!!! & | ( ) :* <->", nil},
		{"conexion' OR '1'='1", []int{0}}, // the word matches; the quotes do nothing
		{"_%_", nil},
	}
	for _, c := range cases {
		t.Run(c.query, func(t *testing.T) {
			list, total, err := db.ListTickets(ctx, tickets.Filter{Query: c.query})
			if err != nil {
				t.Fatalf("query %q: %v", c.query, err)
			}
			var got []int
			for _, tk := range list {
				got = append(got, slices.Index(nums, tk.Number))
			}
			slices.Sort(got)
			if !slices.Equal(got, c.want) || total != len(c.want) {
				t.Fatalf("query %q found %v (total %d), want %v", c.query, got, total, c.want)
			}
		})
	}
	if n := rawInt(t, db, "SELECT count(*) FROM tickets"); n != len(texts) {
		t.Fatalf("tickets table has %d rows after the searches", n)
	}
}
