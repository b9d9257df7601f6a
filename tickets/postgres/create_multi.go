package postgres

import (
	"fmt"
	"strings"
)

// Creations without a plan (createTicketSQL) committed together are written
// by one statement, one row each: PostgreSQL plans and starts one insert for
// the batch instead of one per ticket, which is most of a single creation's
// cost. Its arguments are those of createTicketSQL: $1 the year's sequence
// and $2 the year's prefix, shared, then the 25 values of each ticket.

// multiCols are the types of createTicketSQL's $3..$27, in order.
var multiCols = []string{"text", "text", "text", "text", "smallint", "smallint", "text", "text", "bigint",
	"text", "text", "text", "text", "text", "text", "text", "text", "text", "text", "boolean", "text[]",
	"timestamptz", "timestamptz", "timestamptz", "text"}

// multiSQL is the statement for n tickets; it returns (ord, id, number) for
// each, ord counting from 1 in argument order.
func multiSQL(n int) string {
	var b strings.Builder
	b.WriteString(`
WITH v (ord, kind, service, impact, urgency, priority, level, state, channel, contact, cname, cdept, cemail,
	cphone, cext, subject, description, assignee, queue, parent, major, ivr, at, rdue, sdue, actor) AS (VALUES `)
	p := 3
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "(%d", i+1)
		for _, typ := range multiCols {
			fmt.Fprintf(&b, ", $%d::%s", p, typ)
			p++
		}
		b.WriteString(")")
	}
	b.WriteString(`),
s AS MATERIALIZED (SELECT v.*, nextval($1::regclass) AS seq FROM v),
n AS MATERIALIZED (
	SELECT s.*, $2 || CASE WHEN s.seq < 10000 THEN lpad(s.seq::text, 4, '0') ELSE s.seq::text END AS number FROM s
),
t AS (
	INSERT INTO tickets (number, kind, service, impact, urgency, priority, level, state, channel,
		caller_contact_id, caller_name, caller_department, caller_email, caller_phone, caller_extension,
		subject, description, assignee, queue, parent_number, major_incident, ivr_path,
		version, created_at, updated_at, response_due, resolution_due)
	SELECT number, kind, service, impact, urgency, priority, level, state, channel, contact, cname, cdept, cemail,
		cphone, cext, subject, description, assignee, queue, parent, major, ivr, 1, at, at, rdue, sdue
	FROM n
	RETURNING id, number
),
h AS (
	INSERT INTO ticket_history (ticket_id, at, actor, field, from_value, to_value)
	SELECT t.id, n.at, n.actor, 'created', '', n.state FROM t JOIN n USING (number)
)
SELECT n.ord, t.id, t.number FROM t JOIN n USING (number)`)
	return b.String()
}

// multiArgs are the arguments of multiSQL for batch, all plain creations of
// the same year's sequence.
func multiArgs(batch []*createReq) []any {
	args := make([]any, 0, 2+len(batch)*len(multiCols))
	args = append(args, batch[0].args[0], batch[0].args[1])
	for _, r := range batch {
		args = append(args, r.args[2:2+len(multiCols)]...)
	}
	return args
}

// plainAlike reports whether r is a creation without a plan on the same
// sequence as first.
func plainAlike(first, r *createReq) bool {
	return r.sql == createTicketSQL && len(r.args) == 2+len(multiCols) &&
		r.args[0] == first.args[0] && r.args[1] == first.args[1]
}
