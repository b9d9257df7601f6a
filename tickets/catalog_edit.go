package tickets

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Bounds of what an admin may put in the catalog from the admin page (a
// catalog file is bounded by its size alone).
const (
	MaxServiceName     = 200 // characters of a name, per language
	MaxChecklistSteps  = 50  // steps per language
	MaxChecklistStep   = 500 // characters of a step
	MaxKeywords        = 100
	MaxKeyword         = 64 // characters of a keyword
	MaxCatalogComment  = 500
	MaxCatalogServices = 1000
)

// The rules of an edit, on top of Catalog.Validate: a service's names,
// group (its queue), default kind, starting level, checklist, keywords,
// 24x7 flag and inactive flag may change; its code may not, and no service
// is ever removed (tickets, reports and the IVR flow refer to codes). A
// service no longer given is marked inactive instead (see
// Service.Inactive).

// WithService returns a copy of c in which the service with the given code
// is replaced by s (normalised: spaces trimmed, blank keywords dropped). s
// may leave Code empty; any other code than code is refused. The copy is
// validated; errors are EINVALID and name the service and the field.
func (c *Catalog) WithService(code string, s Service) (*Catalog, error) {
	i := slices.IndexFunc(c.Services, func(x Service) bool { return x.Code == code })
	if i < 0 {
		return nil, Errorf(ENOTFOUND, "catalog: service %q does not exist", code)
	}
	s = s.normalized()
	if s.Code == "" {
		s.Code = code
	} else if s.Code != code {
		return nil, serviceError(i, code, "code",
			"codes cannot be changed (tickets and the IVR flow refer to them): add a new service instead, and mark this one inactive")
	}
	if err := checkServiceLimits(i, s); err != nil {
		return nil, err
	}
	next := c.copyServices()
	next.Services[i] = s
	if err := next.Validate(); err != nil {
		return nil, err
	}
	return next, nil
}

// WithNewService returns a copy of c with s (normalised) added at the end,
// validated like WithService. A code already in the catalog is refused.
func (c *Catalog) WithNewService(s Service) (*Catalog, error) {
	s = s.normalized()
	i := len(c.Services)
	if _, ok := c.Service(s.Code); ok && s.Code != "" {
		return nil, serviceError(i, s.Code, "code", "%q is already in the catalog: edit that service instead", s.Code)
	}
	if i >= MaxCatalogServices {
		return nil, Errorf(EINVALID, "catalog: field services: at most %d services", MaxCatalogServices)
	}
	if err := checkServiceLimits(i, s); err != nil {
		return nil, err
	}
	next := c.copyServices()
	next.Services = append(next.Services, s)
	if err := next.Validate(); err != nil {
		return nil, err
	}
	return next, nil
}

// copyServices returns a new catalog (version 0) sharing c's services,
// which are never modified in place.
func (c *Catalog) copyServices() *Catalog {
	return &Catalog{Services: slices.Clone(c.Services), Queues: c.Queues}
}

// normalized returns a copy of s with its text trimmed, blank and repeated
// keywords dropped and an empty checklist left out. It never shares maps or
// slices with s. Blank names and steps stay, for Validate to name them.
func (s Service) normalized() Service {
	out := Service{Code: strings.TrimSpace(s.Code), Group: strings.TrimSpace(s.Group),
		DefaultKind: Kind(strings.TrimSpace(string(s.DefaultKind))), Level: s.Level,
		Support24x7: s.Support24x7, Inactive: s.Inactive}
	if len(s.Name) > 0 {
		out.Name = make(map[string]string, len(s.Name))
		for lang, n := range s.Name {
			out.Name[lang] = strings.TrimSpace(n)
		}
	}
	steps := 0
	for _, list := range s.Checklist {
		steps += len(list)
	}
	if steps > 0 {
		out.Checklist = make(map[string][]string, len(s.Checklist))
		for lang, list := range s.Checklist {
			trimmed := make([]string, len(list))
			for i, step := range list {
				trimmed[i] = strings.TrimSpace(step)
			}
			out.Checklist[lang] = trimmed
		}
	}
	seen := map[string]bool{}
	for _, k := range s.Keywords {
		k = strings.TrimSpace(k)
		if k != "" && !seen[strings.ToLower(k)] {
			seen[strings.ToLower(k)] = true
			out.Keywords = append(out.Keywords, k)
		}
	}
	return out
}

// checkServiceLimits bounds the text of service s, number i (from 0).
func checkServiceLimits(i int, s Service) error {
	for lang, n := range s.Name {
		if utf8.RuneCountInString(n) > MaxServiceName {
			return serviceError(i, s.Code, "name", "the %s name is longer than %d characters", lang, MaxServiceName)
		}
	}
	for lang, steps := range s.Checklist {
		if len(steps) > MaxChecklistSteps {
			return serviceError(i, s.Code, "checklist", "the %s checklist has %d steps; at most %d", lang, len(steps), MaxChecklistSteps)
		}
		for n, step := range steps {
			if utf8.RuneCountInString(step) > MaxChecklistStep {
				return serviceError(i, s.Code, "checklist", "step %d in %s is longer than %d characters", n+1, lang, MaxChecklistStep)
			}
		}
	}
	if len(s.Keywords) > MaxKeywords {
		return serviceError(i, s.Code, "keywords", "%d keywords; at most %d", len(s.Keywords), MaxKeywords)
	}
	for _, k := range s.Keywords {
		if utf8.RuneCountInString(k) > MaxKeyword {
			return serviceError(i, s.Code, "keywords", "%q is longer than %d characters", k, MaxKeyword)
		}
	}
	return nil
}

// serviceError is an EINVALID error worded like Catalog.Validate's.
func serviceError(i int, code, field, format string, args ...any) error {
	where := fmt.Sprintf("service %d", i+1)
	if code != "" {
		where = fmt.Sprintf("service %q", code)
	}
	return Errorf(EINVALID, "catalog: %s: field %s: %s", where, field, fmt.Sprintf(format, args...))
}

// ServiceEdit is an admin's change to one service.
type ServiceEdit struct {
	// Base is the catalog version the admin edited (Catalog.Version). The
	// edit is refused with ECONFLICT when another version was saved since,
	// so nobody overwrites a change they did not see.
	Base    int
	Service Service
	Actor   string // username, required
	Comment string // optional: why
}

// CatalogEditor applies admins' edits to the catalog in force: it checks
// them, stores the new version and puts it in force for the next call and
// request. Edits in one process are serialised; between processes sharing
// a database, the store's version check decides, and the loser refreshes
// its catalog from the store.
type CatalogEditor struct {
	Live  *LiveCatalog
	Store CatalogStore
	// OnChange, if set, is called with every catalog put in force by an
	// edit or a refresh, after it is in force (cmd makes ACD queues of new
	// groups). It must not block for long: edits wait for it.
	OnChange func(*Catalog)

	mu sync.Mutex
}

// UpdateService replaces the service with the given code (see
// Catalog.WithService) and returns the catalog now in force. An edit that
// changes nothing stores no version and returns the current catalog.
func (e *CatalogEditor) UpdateService(ctx context.Context, code string, ed ServiceEdit) (*Catalog, error) {
	return e.edit(ctx, ed, func(cur *Catalog) (*Catalog, string, error) {
		next, err := cur.WithService(code, ed.Service)
		return next, code, err
	})
}

// AddService adds a service (see Catalog.WithNewService) and returns the
// catalog now in force.
func (e *CatalogEditor) AddService(ctx context.Context, ed ServiceEdit) (*Catalog, error) {
	return e.edit(ctx, ed, func(cur *Catalog) (*Catalog, string, error) {
		next, err := cur.WithNewService(ed.Service)
		return next, strings.TrimSpace(ed.Service.Code), err
	})
}

// CatalogVersions returns the history of the catalog, newest first.
func (e *CatalogEditor) CatalogVersions(ctx context.Context, limit int) ([]CatalogVersion, error) {
	return e.Store.CatalogVersions(ctx, limit)
}

// Refresh puts in force the newest stored version if it is newer than the
// catalog in force (another process saved it).
func (e *CatalogEditor) Refresh(ctx context.Context) error {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.refreshLocked(ctx)
}

func (e *CatalogEditor) edit(ctx context.Context, ed ServiceEdit, apply func(cur *Catalog) (*Catalog, string, error)) (*Catalog, error) {
	actor, comment := strings.TrimSpace(ed.Actor), strings.TrimSpace(ed.Comment)
	switch {
	case actor == "":
		return nil, Errorf(EINVALID, "catalog: an edit requires an actor")
	case utf8.RuneCountInString(comment) > MaxCatalogComment:
		return nil, Errorf(EINVALID, "catalog: field comment: longer than %d characters", MaxCatalogComment)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	cur := e.Live.Current()
	if cur.Version != ed.Base {
		if err := e.refreshLocked(ctx); err != nil {
			return nil, err
		}
		if cur = e.Live.Current(); cur.Version != ed.Base {
			return nil, staleCatalog(ed.Base, cur)
		}
	}
	next, code, err := apply(cur)
	if err != nil {
		return nil, err
	}
	if sameServices(cur, next) {
		return cur, nil
	}
	v := &CatalogVersion{Catalog: next, EditedBy: actor, Comment: comment, Changed: []string{code}}
	if err := e.Store.SaveCatalog(ctx, v, ed.Base); err != nil {
		if ErrorCode(err) == ECONFLICT {
			// Another process saved first: take its version, so that the
			// admin's reload shows it.
			_ = e.refreshLocked(ctx)
			if now := e.Live.Current(); now.Version != ed.Base {
				return nil, staleCatalog(ed.Base, now)
			}
		}
		return nil, err
	}
	at := v.EditedAt
	next.Version, next.EditedBy, next.EditedAt = v.Version, v.EditedBy, &at
	e.put(next)
	return next, nil
}

func (e *CatalogEditor) refreshLocked(ctx context.Context) error {
	latest, err := e.Store.LatestCatalog(ctx)
	if err != nil {
		return fmt.Errorf("catalog: load the newest version: %w", err)
	}
	if latest != nil && latest.Catalog != nil && latest.Version > e.Live.Current().Version {
		e.put(latest.Catalog)
	}
	return nil
}

func (e *CatalogEditor) put(c *Catalog) {
	e.Live.Set(c)
	if e.OnChange != nil {
		e.OnChange(c)
	}
}

// staleCatalog is the ECONFLICT of an edit made on version base while cur
// is in force.
func staleCatalog(base int, cur *Catalog) error {
	by := ""
	if cur.EditedBy != "" && cur.EditedAt != nil {
		by = fmt.Sprintf(" (saved by %s at %s)", cur.EditedBy, cur.EditedAt.UTC().Format(time.RFC3339))
	}
	return Errorf(ECONFLICT, "catalog: you edited version %d, but version %d%s is the current one: reload the catalog and make your change again",
		base, cur.Version, by)
}

// sameServices reports whether a and b hold the same services, as JSON
// sees them (a nil and an empty list are the same).
func sameServices(a, b *Catalog) bool {
	ja, errA := json.Marshal(a.Services)
	jb, errB := json.Marshal(b.Services)
	return errA == nil && errB == nil && string(ja) == string(jb)
}
