package web

import "github.com/atiende/atiende/tickets"

// API is the prefix of every JSON endpoint.
const API = "/api/v1"

// Roles, in short: everyone logged in reads tickets, contacts and the
// catalog and works tickets (network staff open and follow extension
// faults); agents, technicians, supervisors and admins edit contacts;
// supervisors and admins import contacts and watch agents; admins manage
// users. Finer rules (internal notes, whose agent state) are in handlers.
func (s *Server) routeTable() []route {
	ticketQuery := []param{
		{Name: "state", Type: "string", Repeat: true, Description: "ticket state; repeat for several"},
		{Name: "service", Type: "string", Description: "catalog service code"},
		{Name: "assignee", Type: "string", Description: "username"},
		{Name: "priority", Type: "integer", Description: "1-4"},
		{Name: "level", Type: "integer", Description: "escalation level 1-4"},
		{Name: "caller_phone", Type: "string", Description: "caller number, any format; normalised"},
		{Name: "parent", Type: "string", Description: "parent ticket number"},
		{Name: "q", Type: "string", Description: "full-text query (Spanish and English)"},
		{Name: "limit", Type: "integer", Description: "1-500, default 50"},
		{Name: "offset", Type: "integer", Description: "default 0"},
	}
	rs := []route{
		{Method: "GET", Path: "/healthz", Public: true, Tag: "health", Summary: "Report that the process serves",
			Status: 200, Resp: healthResponse{}, Handle: s.healthz},
		{Method: "GET", Path: "/readyz", Public: true, Tag: "health", Summary: "Report whether the database and engine are reachable",
			Status: 200, Resp: readyResponse{}, Handle: s.readyz},
		{Method: "GET", Path: API + "/openapi.json", Public: true, Tag: "meta", Summary: "Get this OpenAPI document",
			Status: 200, Resp: map[string]any{}, Handle: s.openapi},

		{Method: "POST", Path: API + "/login", Public: true, Tag: "auth", Summary: "Log in and start a session. Too many failures from one address to one account answer 429 with Retry-After and retry_after (seconds)",
			Body: loginRequest{}, Status: 200, Resp: loginResponse{}, Handle: s.login},
		{Method: "POST", Path: API + "/logout", Roles: allRoles, Tag: "auth", Summary: "Log out: ends every session of the user and closes their websockets (API tokens stay)",
			Status: 204, Handle: s.logout},
		{Method: "GET", Path: API + "/me", Roles: allRoles, Tag: "auth", Summary: "Get the current user",
			Status: 200, Resp: meResponse{}, Handle: s.me},
		{Method: "POST", Path: API + "/tokens", Roles: allRoles, Tag: "auth", Summary: "Create an API token for the current user",
			Body: tokenRequest{}, Status: 201, Resp: tokenResponse{}, Handle: s.createToken},

		{Method: "POST", Path: API + "/tickets", Roles: allRoles, Tag: "tickets", Summary: "Create a ticket",
			Body: createTicketRequest{}, Status: 201, Resp: tickets.Ticket{}, Handle: s.createTicket},
		{Method: "GET", Path: API + "/tickets", Roles: allRoles, Tag: "tickets", Summary: "List tickets",
			Query: ticketQuery, Status: 200, Resp: ticketList{}, Handle: s.listTickets},
		{Method: "GET", Path: API + "/tickets/search", Roles: allRoles, Tag: "tickets", Summary: "Search tickets by text",
			Query: []param{{Name: "q", Type: "string", Required: true, Description: "full-text query"},
				{Name: "limit", Type: "integer"}, {Name: "offset", Type: "integer"}},
			Status: 200, Resp: ticketList{}, Handle: s.searchTickets},
		{Method: "GET", Path: API + "/tickets/{number}", Roles: allRoles, Tag: "tickets", Summary: "Get a ticket",
			Status: 200, Resp: tickets.Ticket{}, Handle: s.getTicket},
		{Method: "PATCH", Path: API + "/tickets/{number}", Roles: allRoles, Tag: "tickets", Summary: "Classify, prioritise, assign or escalate a ticket",
			Body: patchTicketRequest{}, Status: 200, Resp: tickets.Ticket{}, Handle: s.patchTicket},
		{Method: "POST", Path: API + "/tickets/{number}/transition", Roles: allRoles, Tag: "tickets", Summary: "Move a ticket to another state",
			Body: transitionRequest{}, Status: 200, Resp: tickets.Ticket{}, Handle: s.transitionTicket},
		{Method: "POST", Path: API + "/tickets/{number}/notes", Roles: allRoles, Tag: "tickets", Summary: "Add a note to a ticket",
			Body: noteRequest{}, Status: 201, Resp: tickets.Note{}, Handle: s.addNote},
		{Method: "GET", Path: API + "/tickets/{number}/notes", Roles: allRoles, Tag: "tickets", Summary: "List a ticket's notes (internal ones by policy)",
			Status: 200, Resp: []tickets.Note{}, Handle: s.listNotes},
		{Method: "GET", Path: API + "/tickets/{number}/history", Roles: allRoles, Tag: "tickets", Summary: "Get a ticket's history",
			Status: 200, Resp: []tickets.HistoryEntry{}, Handle: s.history},
		{Method: "POST", Path: API + "/tickets/{number}/link", Roles: allRoles, Tag: "tickets", Summary: "Link a ticket to a parent incident",
			Body: linkRequest{}, Status: 200, Resp: tickets.Ticket{}, Handle: s.linkTicket},
		{Method: "GET", Path: API + "/tickets/{number}/children", Roles: allRoles, Tag: "tickets", Summary: "List a ticket's child tickets",
			Status: 200, Resp: []tickets.Ticket{}, Handle: s.children},
		{Method: "GET", Path: API + "/tickets/{number}/calls", Roles: allRoles, Tag: "tickets", Summary: "List the calls of a ticket",
			Status: 200, Resp: []tickets.CallRecord{}, Handle: s.calls},

		{Method: "GET", Path: API + "/contacts", Roles: allRoles, Tag: "contacts", Summary: "List contacts",
			Query: []param{{Name: "q", Type: "string", Description: "name, email or department"},
				{Name: "limit", Type: "integer"}, {Name: "offset", Type: "integer"}},
			Status: 200, Resp: contactList{}, Handle: s.listContacts},
		{Method: "POST", Path: API + "/contacts", Roles: deskRoles, Tag: "contacts", Summary: "Create a contact",
			Body: contactRequest{}, Status: 201, Resp: tickets.Contact{}, Handle: s.createContact},
		{Method: "GET", Path: API + "/contacts/lookup", Roles: allRoles, Tag: "contacts", Summary: "Find the contact with a phone number or extension",
			Query:  []param{{Name: "phone", Type: "string", Required: true, Description: "number in any format, or extension"}},
			Status: 200, Resp: tickets.Contact{}, Handle: s.lookupContact},
		{Method: "POST", Path: API + "/contacts/import", Roles: leadRoles, Tag: "contacts", Summary: "Import contacts from CSV",
			Body: "", BodyType: "text/csv", Status: 200, Resp: importResponse{}, Handle: s.importContacts},
		{Method: "GET", Path: API + "/contacts/{id}", Roles: allRoles, Tag: "contacts", Summary: "Get a contact",
			Status: 200, Resp: tickets.Contact{}, Handle: s.getContact},
		{Method: "PUT", Path: API + "/contacts/{id}", Roles: deskRoles, Tag: "contacts", Summary: "Replace a contact",
			Body: contactRequest{}, Status: 200, Resp: tickets.Contact{}, Handle: s.putContact},

		{Method: "GET", Path: API + "/catalog", Roles: allRoles, Tag: "catalog", Summary: "Get the service catalog",
			Status: 200, Resp: tickets.Catalog{}, Handle: s.getCatalog},

		{Method: "GET", Path: API + "/users", Roles: adminRoles, Tag: "users", Summary: "List users",
			Status: 200, Resp: []tickets.User{}, Handle: s.listUsers},
		{Method: "POST", Path: API + "/users", Roles: adminRoles, Tag: "users", Summary: "Create a user",
			Body: createUserRequest{}, Status: 201, Resp: tickets.User{}, Handle: s.createUser},
		{Method: "PUT", Path: API + "/users/{username}", Roles: adminRoles, Tag: "users", Summary: "Change a user (role, disable, extension, skills, password). A password reset ends the user's sessions, websockets and API tokens (keep_tokens keeps the tokens); disabling ends all three",
			Body: updateUserRequest{}, Status: 200, Resp: tickets.User{}, Handle: s.updateUser},
	}
	if s.agents != nil {
		rs = append(rs,
			route{Method: "GET", Path: API + "/agents", Roles: leadRoles, Tag: "agents", Summary: "List agents and their state",
				Status: 200, Resp: []AgentStatus{}, Handle: s.listAgents},
			route{Method: "POST", Path: API + "/agents/{username}/state", Roles: deskRoles, Tag: "agents", Summary: "Set an agent's state (agents: only their own)",
				Body: agentStateRequest{}, Status: 204, Handle: s.setAgentState},
		)
	}
	if s.reports != nil {
		rs = append(rs,
			route{Method: "GET", Path: API + "/reports/weekly", Roles: leadRoles, Tag: "reports", Summary: "Get the weekly fault report",
				Query: reportWeekQuery(false), Status: 200, Resp: tickets.WeeklyReport{}, Handle: s.weeklyReport},
			route{Method: "GET", Path: API + "/reports/weekly.csv", Roles: leadRoles, Tag: "reports", Summary: "Export the weekly fault report as CSV",
				Query: reportWeekQuery(true), Status: 200, Handle: s.weeklyReportCSV},
		)
	}
	rs = append(rs, s.maintenanceRoutes()...)
	rs = append(rs, s.extensionRoutes()...)
	rs = append(rs, s.ticketStatsRoutes()...)
	rs = append(rs, s.queueRoutes()...)        // queues.go
	rs = append(rs, s.catalogRoutes()...)      // catalog.go
	rs = append(rs, s.announcementRoutes()...) // announcements.go
	rs = append(rs, s.wallboardRoutes()...)    // wallboard.go
	rs = append(rs, s.surveyRoutes()...)       // surveys.go
	rs = append(rs, s.pprofRoutes()...)        // pprof.go
	return rs
}

// Routes lists "METHOD PATH" of every route, for tests and tooling.
func (s *Server) Routes() []string {
	out := make([]string, len(s.routes))
	for i, r := range s.routes {
		out[i] = r.Method + " " + r.Path
	}
	return out
}
