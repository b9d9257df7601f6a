package ticketstest

import (
	"context"
	"time"

	"github.com/atiende/atiende/tickets"
)

// Store is a tickets.Store of function fields: a test sets the methods the
// code under test calls; any other call fails with ErrUnset.
type Store struct {
	CreateTicketFn   func(context.Context, *tickets.Ticket, string) error
	TicketFn         func(context.Context, string) (*tickets.Ticket, error)
	ListTicketsFn    func(context.Context, tickets.Filter) ([]*tickets.Ticket, int, error)
	TransitionFn     func(context.Context, string, tickets.State, tickets.Change) (*tickets.Ticket, error)
	UpdateFn         func(context.Context, string, tickets.Patch, tickets.Change) (*tickets.Ticket, error)
	AddNoteFn        func(context.Context, string, *tickets.Note) error
	NotesFn          func(context.Context, string, bool) ([]tickets.Note, error)
	HistoryFn        func(context.Context, string) ([]tickets.HistoryEntry, error)
	LinkFn           func(context.Context, string, string, tickets.Change) (*tickets.Ticket, error)
	ChildrenFn       func(context.Context, string) ([]*tickets.Ticket, error)
	AddCallFn        func(context.Context, string, tickets.CallRecord) error
	UpdateCallFn     func(context.Context, tickets.CallRecord) error
	CallsFn          func(context.Context, string) ([]tickets.CallRecord, error)
	SaveContactFn    func(context.Context, *tickets.Contact) error
	ContactFn        func(context.Context, int64) (*tickets.Contact, error)
	ContactByPhoneFn func(context.Context, string) (*tickets.Contact, error)
	ListContactsFn   func(context.Context, string, int, int) ([]*tickets.Contact, error)
	CreateUserFn     func(context.Context, *tickets.User) error
	UserFn           func(context.Context, string) (*tickets.User, error)
	ListUsersFn      func(context.Context) ([]*tickets.User, error)
	UpdateUserFn     func(context.Context, *tickets.User) error
	CreateSessionFn  func(context.Context, *tickets.Session) error
	SessionByHashFn  func(context.Context, []byte) (*tickets.Session, error)
	DeleteSessionFn  func(context.Context, []byte) error
	CreateTokenFn    func(context.Context, *tickets.APIToken) error
	TokenByHashFn    func(context.Context, []byte) (*tickets.APIToken, error)
	EndSessionsFn    func(context.Context, string, bool) error
	PingFn           func(context.Context) error
}

var _ tickets.Store = (*Store)(nil)

func (d *Store) CreateTicket(ctx context.Context, t *tickets.Ticket, actor string) error {
	if d.CreateTicketFn == nil {
		return unset("Store.CreateTicket")
	}
	return d.CreateTicketFn(ctx, t, actor)
}

func (d *Store) Ticket(ctx context.Context, number string) (*tickets.Ticket, error) {
	if d.TicketFn == nil {
		return nil, unset("Store.Ticket")
	}
	return d.TicketFn(ctx, number)
}

func (d *Store) ListTickets(ctx context.Context, f tickets.Filter) ([]*tickets.Ticket, int, error) {
	if d.ListTicketsFn == nil {
		return nil, 0, unset("Store.ListTickets")
	}
	return d.ListTicketsFn(ctx, f)
}

func (d *Store) Transition(ctx context.Context, number string, to tickets.State, c tickets.Change) (*tickets.Ticket, error) {
	if d.TransitionFn == nil {
		return nil, unset("Store.Transition")
	}
	return d.TransitionFn(ctx, number, to, c)
}

func (d *Store) Update(ctx context.Context, number string, p tickets.Patch, c tickets.Change) (*tickets.Ticket, error) {
	if d.UpdateFn == nil {
		return nil, unset("Store.Update")
	}
	return d.UpdateFn(ctx, number, p, c)
}

func (d *Store) AddNote(ctx context.Context, number string, n *tickets.Note) error {
	if d.AddNoteFn == nil {
		return unset("Store.AddNote")
	}
	return d.AddNoteFn(ctx, number, n)
}

func (d *Store) Notes(ctx context.Context, number string, includeInternal bool) ([]tickets.Note, error) {
	if d.NotesFn == nil {
		return nil, unset("Store.Notes")
	}
	return d.NotesFn(ctx, number, includeInternal)
}

func (d *Store) History(ctx context.Context, number string) ([]tickets.HistoryEntry, error) {
	if d.HistoryFn == nil {
		return nil, unset("Store.History")
	}
	return d.HistoryFn(ctx, number)
}

func (d *Store) Link(ctx context.Context, child string, parent string, c tickets.Change) (*tickets.Ticket, error) {
	if d.LinkFn == nil {
		return nil, unset("Store.Link")
	}
	return d.LinkFn(ctx, child, parent, c)
}

func (d *Store) Children(ctx context.Context, parent string) ([]*tickets.Ticket, error) {
	if d.ChildrenFn == nil {
		return nil, unset("Store.Children")
	}
	return d.ChildrenFn(ctx, parent)
}

func (d *Store) AddCall(ctx context.Context, number string, r tickets.CallRecord) error {
	if d.AddCallFn == nil {
		return unset("Store.AddCall")
	}
	return d.AddCallFn(ctx, number, r)
}

func (d *Store) UpdateCall(ctx context.Context, r tickets.CallRecord) error {
	if d.UpdateCallFn == nil {
		return unset("Store.UpdateCall")
	}
	return d.UpdateCallFn(ctx, r)
}

func (d *Store) Calls(ctx context.Context, number string) ([]tickets.CallRecord, error) {
	if d.CallsFn == nil {
		return nil, unset("Store.Calls")
	}
	return d.CallsFn(ctx, number)
}

func (d *Store) SaveContact(ctx context.Context, c *tickets.Contact) error {
	if d.SaveContactFn == nil {
		return unset("Store.SaveContact")
	}
	return d.SaveContactFn(ctx, c)
}

func (d *Store) Contact(ctx context.Context, id int64) (*tickets.Contact, error) {
	if d.ContactFn == nil {
		return nil, unset("Store.Contact")
	}
	return d.ContactFn(ctx, id)
}

func (d *Store) ContactByPhone(ctx context.Context, e164OrExtension string) (*tickets.Contact, error) {
	if d.ContactByPhoneFn == nil {
		return nil, unset("Store.ContactByPhone")
	}
	return d.ContactByPhoneFn(ctx, e164OrExtension)
}

func (d *Store) ListContacts(ctx context.Context, query string, limit int, offset int) ([]*tickets.Contact, error) {
	if d.ListContactsFn == nil {
		return nil, unset("Store.ListContacts")
	}
	return d.ListContactsFn(ctx, query, limit, offset)
}

func (d *Store) CreateUser(ctx context.Context, u *tickets.User) error {
	if d.CreateUserFn == nil {
		return unset("Store.CreateUser")
	}
	return d.CreateUserFn(ctx, u)
}

func (d *Store) User(ctx context.Context, username string) (*tickets.User, error) {
	if d.UserFn == nil {
		return nil, unset("Store.User")
	}
	return d.UserFn(ctx, username)
}

func (d *Store) ListUsers(ctx context.Context) ([]*tickets.User, error) {
	if d.ListUsersFn == nil {
		return nil, unset("Store.ListUsers")
	}
	return d.ListUsersFn(ctx)
}

func (d *Store) UpdateUser(ctx context.Context, u *tickets.User) error {
	if d.UpdateUserFn == nil {
		return unset("Store.UpdateUser")
	}
	return d.UpdateUserFn(ctx, u)
}

func (d *Store) CreateSession(ctx context.Context, s *tickets.Session) error {
	if d.CreateSessionFn == nil {
		return unset("Store.CreateSession")
	}
	return d.CreateSessionFn(ctx, s)
}

func (d *Store) SessionByHash(ctx context.Context, hash []byte) (*tickets.Session, error) {
	if d.SessionByHashFn == nil {
		return nil, unset("Store.SessionByHash")
	}
	return d.SessionByHashFn(ctx, hash)
}

func (d *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if d.DeleteSessionFn == nil {
		return unset("Store.DeleteSession")
	}
	return d.DeleteSessionFn(ctx, hash)
}

func (d *Store) CreateToken(ctx context.Context, t *tickets.APIToken) error {
	if d.CreateTokenFn == nil {
		return unset("Store.CreateToken")
	}
	return d.CreateTokenFn(ctx, t)
}

func (d *Store) TokenByHash(ctx context.Context, hash []byte) (*tickets.APIToken, error) {
	if d.TokenByHashFn == nil {
		return nil, unset("Store.TokenByHash")
	}
	return d.TokenByHashFn(ctx, hash)
}

func (d *Store) EndSessions(ctx context.Context, username string, tokens bool) error {
	if d.EndSessionsFn == nil {
		return unset("Store.EndSessions")
	}
	return d.EndSessionsFn(ctx, username, tokens)
}

func (d *Store) Ping(ctx context.Context) error {
	if d.PingFn == nil {
		return unset("Store.Ping")
	}
	return d.PingFn(ctx)
}

// ExtensionHolds is a tickets.ExtensionHolds of function fields.
type ExtensionHolds struct {
	HoldExtensionFn    func(context.Context, string, string) error
	ReleaseExtensionFn func(context.Context, string) error
	ExtensionHolderFn  func(context.Context, string) (string, error)
}

var _ tickets.ExtensionHolds = (*ExtensionHolds)(nil)

func (d *ExtensionHolds) HoldExtension(ctx context.Context, username string, extension string) error {
	if d.HoldExtensionFn == nil {
		return unset("ExtensionHolds.HoldExtension")
	}
	return d.HoldExtensionFn(ctx, username, extension)
}

func (d *ExtensionHolds) ReleaseExtension(ctx context.Context, username string) error {
	if d.ReleaseExtensionFn == nil {
		return unset("ExtensionHolds.ReleaseExtension")
	}
	return d.ReleaseExtensionFn(ctx, username)
}

func (d *ExtensionHolds) ExtensionHolder(ctx context.Context, extension string) (string, error) {
	if d.ExtensionHolderFn == nil {
		return "", unset("ExtensionHolds.ExtensionHolder")
	}
	return d.ExtensionHolderFn(ctx, extension)
}

// SurveyStats is a tickets.SurveyStatsStore of function fields.
type SurveyStats struct {
	SurveyStatsFn func(context.Context, time.Time, time.Time, int) (*tickets.SurveyStats, error)
}

var _ tickets.SurveyStatsStore = (*SurveyStats)(nil)

func (d *SurveyStats) SurveyStats(ctx context.Context, from time.Time, to time.Time, comments int) (*tickets.SurveyStats, error) {
	if d.SurveyStatsFn == nil {
		return nil, unset("SurveyStats.SurveyStats")
	}
	return d.SurveyStatsFn(ctx, from, to, comments)
}

// CatalogStore is a tickets.CatalogStore of function fields.
type CatalogStore struct {
	LatestCatalogFn   func(context.Context) (*tickets.CatalogVersion, error)
	SaveCatalogFn     func(context.Context, *tickets.CatalogVersion, int) error
	CatalogVersionsFn func(context.Context, int) ([]tickets.CatalogVersion, error)
}

var _ tickets.CatalogStore = (*CatalogStore)(nil)

func (d *CatalogStore) LatestCatalog(ctx context.Context) (*tickets.CatalogVersion, error) {
	if d.LatestCatalogFn == nil {
		return nil, unset("CatalogStore.LatestCatalog")
	}
	return d.LatestCatalogFn(ctx)
}

func (d *CatalogStore) SaveCatalog(ctx context.Context, v *tickets.CatalogVersion, base int) error {
	if d.SaveCatalogFn == nil {
		return unset("CatalogStore.SaveCatalog")
	}
	return d.SaveCatalogFn(ctx, v, base)
}

func (d *CatalogStore) CatalogVersions(ctx context.Context, limit int) ([]tickets.CatalogVersion, error) {
	if d.CatalogVersionsFn == nil {
		return nil, unset("CatalogStore.CatalogVersions")
	}
	return d.CatalogVersionsFn(ctx, limit)
}
