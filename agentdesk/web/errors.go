package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/atiende/atiende/tickets"
)

// Error codes the transport adds to the tickets codes.
const (
	codeTooLarge         = "payload_too_large"
	codeUnsupportedMedia = "unsupported_media_type"
	codeRateLimited      = "rate_limited"
	codeMethodNotAllowed = "method_not_allowed"
)

// retryAfterSeconds is the Retry-After of a 503 answered because a
// dependency is unavailable.
const retryAfterSeconds = 5

// httpError is an error whose HTTP status is decided by the transport
// (malformed requests), as opposed to a domain error mapped by code.
type httpError struct {
	status  int
	code    string
	message string
	extra   map[string]any // extra top-level members of the error body
}

func (e *httpError) Error() string { return e.code + ": " + e.message }

func badRequest(format string, args ...any) error {
	return &httpError{status: http.StatusBadRequest, code: tickets.EINVALID, message: fmt.Sprintf(format, args...)}
}

// statusOf maps a tickets error code to an HTTP status. EINVALID is 422: the
// request was well formed but its content is refused (a forbidden
// transition, a missing reason). Malformed requests are 400 (httpError).
func statusOf(code string) int {
	switch code {
	case tickets.EINVALID:
		return http.StatusUnprocessableEntity
	case tickets.ENOTFOUND:
		return http.StatusNotFound
	case tickets.ECONFLICT:
		return http.StatusConflict
	case tickets.EFORBIDDEN:
		return http.StatusForbidden
	case tickets.EUNAUTHORIZED:
		return http.StatusUnauthorized
	case tickets.EUNAVAILABLE:
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// writeError answers err as JSON. Internal errors are logged and their text
// never reaches the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	if errors.As(err, &he) {
		if he.extra != nil {
			body := map[string]any{"error": errorDetail{Code: he.code, Message: he.message}}
			for k, v := range he.extra {
				body[k] = v
			}
			writeJSON(w, he.status, body)
			return
		}
		writeJSONError(w, he.status, he.code, he.message)
		return
	}
	code := tickets.ErrorCode(err)
	status := statusOf(code)
	if status == http.StatusServiceUnavailable && w.Header().Get("Retry-After") == "" {
		// A dependency (the database) is down: tell clients when to retry.
		w.Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds))
	}
	if status >= 500 {
		s.log.ErrorContext(r.Context(), "request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	if code == tickets.EINTERNAL {
		writeJSONError(w, status, code, "internal error")
		return
	}
	writeJSONError(w, status, code, tickets.ErrorMessage(err))
}

func writeJSONError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, errorBody{Error: errorDetail{Code: code, Message: message}})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(true)
	_ = enc.Encode(v)
}

// requireContentType refuses a body that is not of the given media type.
func requireContentType(r *http.Request, want string) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != want {
		return &httpError{status: http.StatusUnsupportedMediaType, code: codeUnsupportedMedia,
			message: fmt.Sprintf("Content-Type must be %s", want)}
	}
	return nil
}

// limitBody caps r's body at n bytes.
func limitBody(w http.ResponseWriter, r *http.Request, n int64) {
	r.Body = http.MaxBytesReader(w, r.Body, n)
}

func tooLarge(n int64) error {
	return &httpError{status: http.StatusRequestEntityTooLarge, code: codeTooLarge,
		message: fmt.Sprintf("request body is larger than %d bytes", n)}
}

// decodeJSON reads exactly one JSON object into dst: the right Content-Type,
// at most MaxBodyBytes, no unknown fields, the right types, nothing after.
func (s *Server) decodeJSON(w http.ResponseWriter, r *http.Request, dst any) error {
	if err := requireContentType(r, "application/json"); err != nil {
		return err
	}
	limitBody(w, r, s.cfg.MaxBodyBytes)
	// encoding/json would silently turn invalid UTF-8 into U+FFFD: read the
	// (bounded) body first and refuse it instead.
	body, err := io.ReadAll(r.Body)
	if err != nil {
		return s.jsonError(err)
	}
	if !utf8.Valid(body) {
		return badRequest("request body is not valid UTF-8 (at byte %d)", invalidUTF8At(body))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return s.jsonError(err)
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err == nil:
		return badRequest("request body must hold a single JSON value; found more data after it")
	default:
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return tooLarge(s.cfg.MaxBodyBytes)
		}
		return badRequest("request body must hold a single JSON value; found more data after it")
	}
}

func (s *Server) jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mbe *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(s.cfg.MaxBodyBytes)
	case errors.As(err, &syn):
		return badRequest("malformed JSON at byte %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		if typ.Field == "" {
			return badRequest("request body must be %s, not a JSON %s", typeName(typ.Type.Kind().String()), typ.Value)
		}
		return badRequest("field %q must be %s, not a JSON %s", typ.Field, typeName(typ.Type.Kind().String()), typ.Value)
	case errors.Is(err, io.EOF):
		return badRequest("request body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: the body ends too early")
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		return badRequest("unknown field %s", strings.TrimPrefix(err.Error(), "json: unknown field "))
	}
	return badRequest("malformed JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

// typeName says a Go kind the way a JSON client thinks of it.
func typeName(kind string) string {
	switch kind {
	case "string":
		return "a string"
	case "bool":
		return "a boolean"
	case "int", "int8", "int16", "int32", "int64", "uint", "uint8", "uint16", "uint32", "uint64":
		return "an integer"
	case "float32", "float64":
		return "a number"
	case "slice", "array":
		return "an array"
	case "struct", "map":
		return "an object"
	}
	return "a " + kind
}

// invalidUTF8At is the offset of the first byte of b that is not valid UTF-8.
func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return len(b)
}
