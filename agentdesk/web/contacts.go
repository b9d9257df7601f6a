package web

import (
	"errors"
	"net/http"
	"net/mail"
	"strconv"
	"strings"

	"github.com/atiende/atiende/tickets"
)

type contactRequest struct {
	Name       string   `json:"name"`
	Department string   `json:"department"`
	Area       string   `json:"area,omitempty"`
	Email      string   `json:"email"`
	Phones     []string `json:"phones"`     // any format; stored as E.164
	Extensions []string `json:"extensions"` // internal extensions
	Language   string   `json:"language,omitempty"`
}

type contactList struct {
	Items []*tickets.Contact `json:"items"`
}

type importResponse struct {
	Imported int                `json:"imported"` // new contacts
	Updated  int                `json:"updated"`  // existing contacts matched by phone or extension
	Errors   []tickets.RowError `json:"errors"`
}

// contact builds a contact from a request, normalising its numbers.
func (s *Server) contact(req contactRequest) (*tickets.Contact, error) {
	c := &tickets.Contact{Name: strings.TrimSpace(req.Name), Department: strings.TrimSpace(req.Department),
		Area: strings.TrimSpace(req.Area), Email: strings.TrimSpace(req.Email), Language: req.Language,
		Phones: []string{}, Extensions: []string{}}
	switch {
	case c.Name == "" || len(c.Name) > 200:
		return nil, tickets.Errorf(tickets.EINVALID, "name is required (at most 200 characters)")
	case len(c.Department) > 200 || len(c.Area) > 200:
		return nil, tickets.Errorf(tickets.EINVALID, "department and area are at most 200 characters")
	case c.Language != "" && c.Language != "es" && c.Language != "en":
		return nil, tickets.Errorf(tickets.EINVALID, "language must be es or en")
	case len(req.Phones)+len(req.Extensions) > 20:
		return nil, tickets.Errorf(tickets.EINVALID, "a contact has at most 20 numbers")
	}
	if c.Email != "" {
		if a, err := mail.ParseAddress(c.Email); err != nil || a.Address != c.Email {
			return nil, tickets.Errorf(tickets.EINVALID, "email %q is not a valid address", clip(c.Email))
		}
	}
	add := func(list *[]string, v string) {
		for _, x := range *list {
			if x == v {
				return
			}
		}
		*list = append(*list, v)
	}
	for i, p := range req.Phones {
		kind, v, err := s.phones.Normalize(p)
		if err != nil {
			return nil, tickets.Errorf(tickets.EINVALID, "phones[%d]: %s", i, tickets.ErrorMessage(err))
		}
		if kind == tickets.PhoneExtension {
			add(&c.Extensions, v)
		} else {
			add(&c.Phones, v)
		}
	}
	for i, e := range req.Extensions {
		kind, v, err := s.phones.Normalize(e)
		if err != nil || kind != tickets.PhoneExtension {
			return nil, tickets.Errorf(tickets.EINVALID, "extensions[%d]: %q is not an internal extension", i, clip(e))
		}
		add(&c.Extensions, v)
	}
	return c, nil
}

func (s *Server) listContacts(w http.ResponseWriter, r *http.Request, _ *caller) error {
	q := r.URL.Query()
	limit, offset, err := paging(q.Get("limit"), q.Get("offset"))
	if err != nil {
		return err
	}
	if len(q.Get("q")) > 200 {
		return badRequest("q is longer than 200 characters")
	}
	cs, err := s.store.ListContacts(r.Context(), strings.TrimSpace(q.Get("q")), limit, offset)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, contactList{Items: nonNil(cs)})
	return nil
}

func (s *Server) createContact(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var req contactRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	c, err := s.contact(req)
	if err != nil {
		return err
	}
	if err := s.store.SaveContact(r.Context(), c); err != nil {
		return err
	}
	w.Header().Set("Location", API+"/contacts/"+strconv.FormatInt(c.ID, 10))
	writeJSON(w, http.StatusCreated, c)
	return nil
}

func (s *Server) contactByPath(r *http.Request) (*tickets.Contact, error) {
	id, err := pathID(r, "contact")
	if err != nil {
		return nil, err
	}
	c, err := s.store.Contact(r.Context(), id)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return nil, tickets.Errorf(tickets.ENOTFOUND, "contact %d not found", id)
	}
	return c, err
}

func (s *Server) getContact(w http.ResponseWriter, r *http.Request, _ *caller) error {
	c, err := s.contactByPath(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) putContact(w http.ResponseWriter, r *http.Request, _ *caller) error {
	var req contactRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	old, err := s.contactByPath(r)
	if err != nil {
		return err
	}
	c, err := s.contact(req)
	if err != nil {
		return err
	}
	c.ID, c.CreatedAt = old.ID, old.CreatedAt
	if err := s.store.SaveContact(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

func (s *Server) lookupContact(w http.ResponseWriter, r *http.Request, _ *caller) error {
	raw := strings.TrimSpace(r.URL.Query().Get("phone"))
	if raw == "" {
		return badRequest("phone is required")
	}
	_, v, err := s.phones.Normalize(raw)
	if err != nil {
		return badRequest("phone: %s", tickets.ErrorMessage(err))
	}
	c, err := s.store.ContactByPhone(r.Context(), v)
	if tickets.ErrorCode(err) == tickets.ENOTFOUND {
		return tickets.Errorf(tickets.ENOTFOUND, "no contact has the number %s", v)
	} else if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, c)
	return nil
}

// importContacts reads a CSV directory. It is all or nothing: when any row
// is wrong, nothing is saved and every row error is returned (422). A row
// whose phone or extension matches an existing contact updates it.
func (s *Server) importContacts(w http.ResponseWriter, r *http.Request, _ *caller) error {
	if err := requireContentType(r, "text/csv"); err != nil {
		return err
	}
	limitBody(w, r, s.cfg.MaxImportBytes)
	cs, rowErrs, err := tickets.ParseContactsCSV(r.Body, s.phones)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return tooLarge(s.cfg.MaxImportBytes)
	} else if err != nil {
		if tickets.ErrorCode(err) == tickets.EINTERNAL {
			return badRequest("the CSV could not be read: %v", err)
		}
		return err
	}
	if len(rowErrs) > 0 {
		return &httpError{status: http.StatusUnprocessableEntity, code: tickets.EINVALID,
			message: strconv.Itoa(len(rowErrs)) + " rows have errors; nothing was imported",
			extra:   map[string]any{"rows": rowErrs}}
	}
	ctx := r.Context()
	resp := importResponse{Errors: []tickets.RowError{}}
	for i := range cs {
		c := &cs[i]
		if old := s.existingContact(r, c); old != nil {
			c.ID, c.CreatedAt = old.ID, old.CreatedAt
			resp.Updated++
		} else {
			resp.Imported++
		}
		if err := s.store.SaveContact(ctx, c); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

func (s *Server) existingContact(r *http.Request, c *tickets.Contact) *tickets.Contact {
	for _, n := range append(append([]string{}, c.Phones...), c.Extensions...) {
		if old, err := s.store.ContactByPhone(r.Context(), n); err == nil {
			return old
		}
	}
	return nil
}
