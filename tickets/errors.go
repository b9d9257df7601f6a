// Package tickets holds the help-desk domain: tickets, their lifecycle, contacts,
// the service catalog and users. Besides the standard library it uses only
// small leaf libraries (phone numbers, YAML, argon2); storage lives in
// tickets/postgres.
package tickets

import (
	"errors"
	"fmt"
)

// Error codes shared by every Atiende domain boundary. Adapters map them to
// transport codes (HTTP status, SIP response).
const (
	EINVALID      = "invalid"
	ENOTFOUND     = "not_found"
	ECONFLICT     = "conflict"
	EFORBIDDEN    = "forbidden"
	EUNAUTHORIZED = "unauthorized"
	EINTERNAL     = "internal"
	EUNAVAILABLE  = "unavailable"
)

// Error is a domain error with a machine code and a human message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns a domain error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first domain error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the first domain error in err's chain,
// or a generic message that leaks nothing internal.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
