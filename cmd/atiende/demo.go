package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"

	"github.com/atiende/atiende/tickets"
)

// DemoPassword is the password of every demo user; `make run` prints it.
const DemoPassword = "atiende-demo"

type demoUser struct {
	username, name, email string
	role                  tickets.Role
	ext                   string
	skills                []string
	level                 int
}

var demoUsers = []demoUser{
	{"ana", "Ana Martínez", "ana@mesa.example.mx", tickets.RoleAgent, "1001", []string{"general", "network"}, 1},
	{"beto", "Alberto Ruiz", "beto@mesa.example.mx", tickets.RoleAgent, "1002", []string{"general", "email", "telephony"}, 1},
	{"carla", "Carla Pérez", "carla@mesa.example.mx", tickets.RoleAgent, "1003", []string{"servers", "network"}, 1},
	{"dario", "Darío Gómez", "dario@mesa.example.mx", tickets.RoleAgent, "1004", []string{"general", "email"}, 1},
	{"tecnico", "Teresa Luna", "tecnico@mesa.example.mx", tickets.RoleTechnician, "", []string{"network", "servers"}, 2},
	{"supervisora", "Sofía Ramírez", "supervisora@mesa.example.mx", tickets.RoleSupervisor, "", nil, 3},
	{"redes", "Raúl Herrera", "redes@mesa.example.mx", tickets.RoleNetwork, "2001", nil, 2},
}

var demoContacts = []tickets.Contact{
	{Name: "María López", Department: "Dirección de Finanzas", Area: "Toluca Centro", Email: "maria.lopez@edomex.example.mx", Phones: []string{"+52 722 276 9600"}, Extensions: []string{"60101"}},
	{Name: "José Hernández", Department: "Recursos Humanos", Area: "Toluca Centro", Email: "jose.hernandez@edomex.example.mx", Phones: []string{"722 215 4400"}, Extensions: []string{"60102"}},
	{Name: "Lucía Torres", Department: "Jurídico", Area: "Metepec", Email: "lucia.torres@edomex.example.mx", Phones: []string{"+52 55 5123 4567"}, Extensions: []string{"60210"}},
	{Name: "Carlos Díaz", Department: "Sistemas", Area: "Metepec", Email: "carlos.diaz@edomex.example.mx", Phones: []string{"044 722 123 4567"}},
	{Name: "Gabriela Méndez", Department: "Atención Ciudadana", Area: "Toluca Centro", Email: "gabriela.mendez@edomex.example.mx", Phones: []string{"+52 722 276 9611"}},
	{Name: "Pedro Rangel", Department: "Operaciones", Area: "Caracas", Email: "pedro.rangel@telco.example.ve", Phones: []string{"+58 212 555 1234"}, Language: "es"},
	{Name: "Emily Carter", Department: "International Office", Area: "Toluca Centro", Email: "emily.carter@edomex.example.mx", Phones: []string{"+52 722 555 0101"}, Language: "en"},
}

type demoTicket struct {
	contact     int
	service     string
	kind        tickets.Kind
	subject     string
	description string
	impact      tickets.Level3
	urgency     tickets.Level3
	path        []tickets.State
}

var demoTickets = []demoTicket{
	{0, "internet_failure", tickets.Incident, "Sin conexión a internet en Finanzas", "Desde las 9:00 no hay conexión a internet en el tercer piso; el resto del edificio funciona.", tickets.High, tickets.Medium, nil},
	{1, "email_failure", tickets.Incident, "No puedo enviar correos", "El correo institucional rechaza los envíos con archivos adjuntos grandes.", tickets.Medium, tickets.Medium, []tickets.State{tickets.InProgress}},
	{2, "videoconference", tickets.ChangeRequest, "Reservar videoconferencia con SEDUC", "Videoconferencia el jueves a las 11:00 con la Secretaría de Educación, 12 participantes.", tickets.Low, tickets.Medium, []tickets.State{tickets.InProgress, tickets.Resolved}},
	{3, "extension_failure", tickets.Incident, "La extensión 60300 no da tono", "El teléfono de la sala de juntas no da tono desde ayer.", tickets.Low, tickets.Low, []tickets.State{tickets.InProgress, tickets.PendingUser}},
	{5, "new_connection", tickets.ChangeRequest, "Nueva conexión para sucursal Chacao", "Solicitud de enlace de datos para la nueva oficina.", tickets.Medium, tickets.Low, nil},
	{6, "email_account", tickets.ChangeRequest, "New email account for intern", "Please create an email account for the new intern starting Monday.", tickets.Low, tickets.Low, []tickets.State{tickets.InProgress, tickets.Resolved, tickets.Closed}},
}

// demoReasons are the reasons the demo agent gives for each move, as a
// person at the desk would write them.
var demoReasons = map[tickets.State]string{
	tickets.InProgress:  "Revisando con el usuario",
	tickets.PendingUser: "Falta el número de serie del teléfono",
	tickets.Resolved:    "Se atendió la solicitud",
	tickets.Closed:      "El usuario confirmó la solución",
}

// loadDemoData creates what is missing of the demo set; it can run again.
func loadDemoData(ctx context.Context, st tickets.Store, plan tickets.PhonePlan, matrix tickets.PriorityMatrix, log *slog.Logger, out io.Writer) error {
	hash, err := tickets.HashPassword(DemoPassword)
	if err != nil {
		return err
	}
	for _, d := range demoUsers {
		if _, err := st.User(ctx, d.username); err == nil {
			continue
		} else if tickets.ErrorCode(err) != tickets.ENOTFOUND {
			return fmt.Errorf("demo user %s: %w", d.username, err)
		}
		u := &tickets.User{Username: d.username, Name: d.name, Email: d.email, Role: d.role, Language: "es",
			Extension: d.ext, Skills: d.skills, Level: d.level, PasswordHash: hash}
		if err := st.CreateUser(ctx, u); err != nil {
			return fmt.Errorf("demo user %s: %w", d.username, err)
		}
	}
	contacts := make([]*tickets.Contact, len(demoContacts))
	for i, c := range demoContacts {
		c := c
		var phones []string
		for _, p := range c.Phones {
			_, v, err := plan.Normalize(p)
			if err != nil {
				return fmt.Errorf("demo contact %s: %w", c.Name, err)
			}
			phones = append(phones, v)
		}
		c.Phones = phones
		if existing, err := st.ContactByPhone(ctx, phones[0]); err == nil {
			contacts[i] = existing
			continue
		}
		if err := st.SaveContact(ctx, &c); err != nil {
			return fmt.Errorf("demo contact %s: %w", c.Name, err)
		}
		contacts[i] = &c
	}
	if _, total, err := st.ListTickets(ctx, tickets.Filter{Limit: 1}); err != nil {
		return err
	} else if total > 0 {
		fmt.Fprintf(out, "demo data: users and contacts present; %d tickets already there, none added\n", total)
		return nil
	}
	for _, d := range demoTickets {
		c := contacts[d.contact]
		t := &tickets.Ticket{Kind: d.kind, Service: d.service, Impact: d.impact, Urgency: d.urgency,
			Priority: matrix.Priority(d.impact, d.urgency), Level: 1, State: tickets.Registered, Channel: tickets.Phone,
			Caller:  tickets.Caller{ContactID: c.ID, Name: c.Name, Department: c.Department, Email: c.Email, Phone: c.Phones[0]},
			Subject: d.subject, Description: d.description, Assignee: "ana"}
		if err := st.CreateTicket(ctx, t, "demo"); err != nil {
			return fmt.Errorf("demo ticket %q: %w", d.subject, err)
		}
		for _, to := range d.path {
			if _, err := st.Transition(ctx, t.Number, to, tickets.Change{Actor: "ana", Reason: demoReasons[to]}); err != nil {
				return fmt.Errorf("demo ticket %s to %s: %w", t.Number, to, err)
			}
		}
		log.Debug("demo ticket", "number", t.Number, "service", t.Service)
	}
	fmt.Fprintf(out, "demo data: %d users, %d contacts, %d tickets\n", len(demoUsers), len(demoContacts), len(demoTickets))
	return nil
}
