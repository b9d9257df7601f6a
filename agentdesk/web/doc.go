// Package web is Atiende's HTTP server: the JSON API under /api/v1, its
// OpenAPI document, health checks, sessions, API tokens and role checks, on
// net/http alone. Every route is declared once, in the route table
// (routes.go), which both registers the handler and documents it, so the
// mux and /api/v1/openapi.json cannot disagree.
//
// Authentication: POST /api/v1/login sets the HttpOnly, SameSite=Lax cookie
// "atiende_session" (Secure with Config.SecureCookies) and returns the
// session's CSRF token, which every state-changing request made with the
// cookie must echo in X-CSRF-Token. Programs send "Authorization: Bearer
// <token>" (POST /api/v1/tokens) and need no CSRF token. Only SHA-256
// hashes of session and API tokens are stored. A state-changing request
// whose Origin is neither the server's host nor in Config.AllowedOrigins is
// refused. Failed logins are throttled per account and client address pair,
// with higher ceilings per account and per address; X-Forwarded-For names
// the client only when the peer is one of Config.TrustedProxies.
//
// Errors are always {"error":{"code":..., "message":...}}. Codes: the
// tickets codes (invalid 400 for a malformed request or 422 for refused
// content, not_found 404, conflict 409, forbidden 403, unauthorized 401,
// unavailable 503 with Retry-After (the database is down), internal 500
// with nothing internal shown) and payload_too_large 413,
// unsupported_media_type 415, rate_limited 429, method_not_allowed 405.
//
// Roles: everyone logged in reads tickets, contacts and the catalog. Who
// may change which field of which ticket is one table, tickets.ChangeRules
// (network staff open and work extension and network tickets; priority and
// major incidents belong to supervisors and the assignee; another team's
// ticket to its assignee and the supervisors); a refusal is 403 with
// "field" naming what was refused; agents,
// technicians, supervisors and admins edit contacts; supervisors and admins
// import contacts and see agents; admins manage users. Agents and
// technicians set only their own agent state. Internal notes: see
// seesInternalNotes.
package web
