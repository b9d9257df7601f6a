package postgres_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/url"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/atiende/atiende/metrics/benchload"
	"github.com/atiende/atiende/tickets"
	"github.com/atiende/atiende/tickets/postgres"
	"github.com/atiende/atiende/tickets/postgres/pgtest"
)

// BenchmarkCreateTicket creates tickets from 16 concurrent clients with
// durable commits (synchronous_commit=on for these sessions; `make bench`
// runs its cluster with fsync on, pgtest's own cluster has fsync off, see
// the fsync= in the log). In the same run, against the same PostgreSQL, the
// same 16 clients then do as many plain single-row inserts (the baseline):
// it reports both rates, their ratio and both p99s.
func BenchmarkCreateTicket(b *testing.B) {
	defer benchload.Report(b)
	ctx := context.Background()
	u, err := url.Parse(pgtest.DB(b))
	if err != nil {
		b.Fatal(err)
	}
	q := u.Query()
	q.Set("synchronous_commit", "on") // becomes a RuntimeParam of every pooled connection
	u.RawQuery = q.Encode()
	db, err := postgres.Open(ctx, u.String(), postgres.Options{MaxConns: 16})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	sc, _ := postgres.RawText(ctx, db, "SHOW synchronous_commit")
	fsync, _ := postgres.RawText(ctx, db, "SHOW fsync")
	if sc != "on" {
		b.Fatalf("synchronous_commit = %s, want on", sc)
	}
	mustCreate(b, db, sampleTicket()) // creates this year's number sequence
	if err := postgres.RawExec(ctx, db, "CREATE TABLE IF NOT EXISTS bench_plain (id bigserial PRIMARY KEY, v text NOT NULL)"); err != nil {
		b.Fatal(err)
	}
	clients := max(1, 16/runtime.GOMAXPROCS(0)) * runtime.GOMAXPROCS(0)

	b.ResetTimer()
	rate, lat := runClients(b, clients, b.N, func() error { return db.CreateTicket(ctx, sampleTicket(), "bench") })
	b.StopTimer()
	postgres.SetGroupCommit(db, false)
	oneRate, oneLat := runClients(b, clients, b.N, func() error { return db.CreateTicket(ctx, sampleTicket(), "bench") })
	postgres.SetGroupCommit(db, true)
	plainRate, plainLat := runClients(b, clients, b.N, func() error {
		return postgres.RawExec(ctx, db, "INSERT INTO bench_plain (v) VALUES ($1)", "Falla de conexión a internet")
	})
	b.Logf("N=%d clients=%d synchronous_commit=%s fsync=%s cores=%d: tickets %.0f/s p99 %v (one commit each, before group commit: %.0f/s p99 %v); plain inserts %.0f/s p99 %v; ratio %.2f (before: %.2f)",
		b.N, clients, sc, fsync, runtime.NumCPU(), rate, pct(lat, 0.99), oneRate, pct(oneLat, 0.99),
		plainRate, pct(plainLat, 0.99), rate/plainRate, oneRate/plainRate)
	b.ReportMetric(rate, "tickets/s")
	reportPercentiles(b, lat)
	b.ReportMetric(plainRate, "plain-inserts/s")
	b.ReportMetric(float64(pct(plainLat, 0.99).Microseconds())/1000, "plain-p99-ms")
	b.ReportMetric(rate/plainRate, "ratio")
	b.ReportMetric(oneRate, "one-by-one-tickets/s")
}

// runClients runs n calls of op from clients goroutines and returns the
// rate and the latencies; it fails b on an error.
func runClients(b *testing.B, clients, n int, op func() error) (float64, []time.Duration) {
	var next atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var failed error
	var wg sync.WaitGroup
	start := time.Now()
	for range clients {
		wg.Go(func() {
			var mine []time.Duration
			for next.Add(1) <= int64(n) {
				t0 := time.Now()
				err := op()
				mine = append(mine, time.Since(t0))
				if err != nil {
					mu.Lock()
					failed = err
					mu.Unlock()
					return
				}
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	if failed != nil {
		b.Fatal(failed)
	}
	return float64(n) / elapsed.Seconds(), lat
}

func pct(lat []time.Duration, p float64) time.Duration {
	if len(lat) == 0 {
		return 0
	}
	s := slices.Clone(lat)
	slices.Sort(s)
	return s[min(len(s)-1, int(p*float64(len(s))))].Round(10 * time.Microsecond)
}

func reportPercentiles(b *testing.B, lat []time.Duration) {
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	at := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds()) / 1000
	}
	b.ReportMetric(at(0.50), "p50-ms")
	b.ReportMetric(at(0.99), "p99-ms")
}

// BenchmarkSearch runs full-text searches over 100,000 tickets of varied
// Spanish text, each returning the first page and the total count.
func BenchmarkSearch(b *testing.B) {
	defer benchload.Report(b)
	ctx := context.Background()
	db, err := postgres.Open(ctx, pgtest.DB(b), postgres.Options{MaxConns: 4})
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	const n = 100_000
	t0 := time.Now()
	if _, err := postgres.BulkLoadTickets(ctx, db, corpus(n)); err != nil {
		b.Fatal(err)
	}
	// Statistics, as autovacuum would gather after a bulk load.
	if err := postgres.RawExec(ctx, db, "VACUUM ANALYZE tickets"); err != nil {
		b.Fatal(err)
	}
	b.Logf("loaded %d tickets in %v", n, time.Since(t0).Round(time.Millisecond))
	queries := []string{
		"conexion", "correos", "impresora atascada", "videoconferencia", "contraseña", "falla de red",
		"no puedo enviar correos", "servidor caído", "perez", "nómina", "extensión sin tono", "vpn",
		"2500042", "+525512340042", "'; DROP TABLE tickets; --", "respaldo base de datos", "printer", "firma electrónica",
	}
	var lat []time.Duration
	worst := map[string]time.Duration{}
	matched := 0
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		s := time.Now()
		_, total, err := db.ListTickets(ctx, tickets.Filter{Query: q})
		lat = append(lat, time.Since(s))
		worst[q] = max(worst[q], time.Since(s))
		if err != nil {
			b.Fatalf("query %q: %v", q, err)
		}
		matched += total
	}
	b.Logf("slowest run of each query: %v", worst)
	b.ReportMetric(float64(matched)/float64(max(i, 1)), "matches/query")
	reportPercentiles(b, lat)
}

// corpus makes n tickets of help-desk Spanish, deterministic.
func corpus(n int) [][]any {
	r := rand.New(rand.NewPCG(1, 2))
	subjects := []string{
		"Falla de conexión a internet", "No puedo enviar correos", "No llegan los correos", "Impresora atascada",
		"Alta de cuenta de correo", "Baja de cuenta de correo", "Extensión sin tono", "Cambio de contraseña",
		"Reservar videoconferencia", "Reservar sala de teleconferencia", "Acceso FTP denegado", "Nueva conexión a internet",
		"Cambio físico de red", "Dictamen técnico para compra de equipo", "Servidor caído", "Error en el sistema de nómina",
		"Firma electrónica vencida", "Respaldo de base de datos", "Sitio web no carga", "VPN no conecta",
		"Correo masivo rechazado", "Impresión de alto volumen", "Equipo lento", "Pantalla azul al iniciar",
		"The printer is jammed", "Cannot log in to the portal", "Teléfono IP reinicia solo", "Red inalámbrica intermitente",
	}
	details := []string{
		"el usuario reporta que", "desde esta mañana", "en el piso %d", "afecta a todo el departamento",
		"ya se reinició el equipo", "el cable de red parece dañado", "aparece un mensaje de error", "urgente para la dirección",
		"el enlace está caído", "la extensión %d no da tono", "se solicita revisar el servidor", "solicita apoyo técnico",
		"sin respuesta del proveedor", "el buzón está lleno", "la contraseña expiró", "se requiere para el jueves",
		"error 0x%d al abrir la aplicación", "la impresora marca papel atascado", "el switch del rack %d no responde",
		"la base de datos no responde", "la página muestra error 500", "no hay señal en la sala %d",
	}
	first := []string{"María", "José", "Ana", "Luis", "Carmen", "Jorge", "Lucía", "Andrés", "Sofía", "Miguel", "Elena", "Raúl"}
	last := []string{"Pérez", "Núñez", "López", "Ávila", "García", "Hernández", "Martínez", "Gutiérrez", "Ramírez", "Sánchez", "Torres", "Díaz"}
	depts := []string{"Finanzas", "Recursos Humanos", "Dirección General", "Informática", "Jurídico", "Comunicación"}
	kinds := tickets.Kinds
	states := tickets.States
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	rows := make([][]any, n)
	for i := range rows {
		var d []string
		for range 2 + r.IntN(3) {
			s := details[r.IntN(len(details))]
			if strings.Contains(s, "%d") {
				s = fmt.Sprintf(s, r.IntN(500))
			}
			d = append(d, s)
		}
		name := first[r.IntN(len(first))] + " " + last[r.IntN(len(last))]
		at := base.Add(time.Duration(i) * 5 * time.Minute)
		rows[i] = []any{
			fmt.Sprintf("25%05d", i), string(kinds[r.IntN(len(kinds))]), "svc", "medium", "low", 1 + r.IntN(4),
			1 + r.IntN(3), string(states[r.IntN(len(states))]), "phone", name, depts[r.IntN(len(depts))],
			"usuario@example.org", fmt.Sprintf("+5255123%05d", i), fmt.Sprintf("%d", 60000+r.IntN(999)),
			subjects[r.IntN(len(subjects))], strings.Join(d, ", ") + ".", 1, at, at,
		}
	}
	return rows
}
