package web

import (
	"context"
	"errors"
	"math"
	"net/http"
	"strconv"
	"time"

	"github.com/atiende/atiende/agentdesk"
)

// Queue settings (admin page, queues tab): supervisors and admins see every
// queue's tuning, where it comes from and how the queue is doing, change it
// (applied at once, kept over the configuration file across restarts) and
// go back to the configuration file's values. The routes exist when
// Deps.Queues is set.

// QueueAdmin shows and tunes the desk's queues (agentdesk/acd.QueueAdmin
// over the ACD, the configuration and the store). Errors carry tickets codes:
// ENOTFOUND for a queue the desk does not run, ECONFLICT for a stale
// version, EINVALID for a bad value (a *agentdesk.QueueSettingError names the
// field).
type QueueAdmin interface {
	// Queues returns every queue the desk runs, by name.
	Queues(ctx context.Context) ([]QueueInfo, error)
	// SaveQueueSettings saves s (s.UpdatedBy says who) over the queue's
	// configured values if its settings are still at version expected (0:
	// never saved), and applies them to the desk at once.
	SaveQueueSettings(ctx context.Context, s agentdesk.QueueSettings, expected int) (QueueInfo, error)
	// ResetQueueSettings puts the queue back on its configured values if its
	// settings are still at version expected; a queue already on them is
	// left as it is.
	ResetQueueSettings(ctx context.Context, queue string, expected int, actor string) (QueueInfo, error)
}

// QueueInfo is one queue as the admin page shows it.
type QueueInfo = agentdesk.QueueInfo

// QueueLive is how the desk runs a queue right now.
type QueueLive = agentdesk.QueueLive

// queueSources say where a queue's values come from.
const (
	queueFromConfig = "config"
	queueFromAdmin  = "admin"
)

type queueValues struct {
	Strategy         string  `json:"strategy"`
	RingTimeout      float64 `json:"ring_timeout_s"`
	WrapUp           float64 `json:"wrap_up_s"` // 0: none
	MaxWait          float64 `json:"max_wait_s"`
	AnnounceInterval float64 `json:"announce_interval_s"` // 0: off
	ServiceLevel     float64 `json:"service_level_s"`
	AutoPause        bool    `json:"auto_pause"`
	// NoAgents: what a caller gets when nobody is logged in to the queue
	// (callback, wait, overflow); Overflow: the queue of overflow.
	NoAgents string `json:"no_agents"`
	Overflow string `json:"overflow,omitempty"`
}

type queueLive struct {
	Strategy        string  `json:"strategy"`
	WrapUp          float64 `json:"wrap_up_s"`
	ServiceLevel    float64 `json:"service_level_s"`
	Waiting         int     `json:"waiting"`
	LongestWait     float64 `json:"longest_wait_s"`
	AgentsStaffed   int     `json:"agents_staffed"`
	AgentsAvailable int     `json:"agents_available"`
}

// queueView is one queue in the API.
type queueView struct {
	Name string `json:"name"`
	// Source is "admin" while settings saved from the admin page are in
	// force, else "config".
	Source   string      `json:"source"`
	Settings queueValues `json:"settings"` // in force
	Config   queueValues `json:"config"`   // the configuration file's
	// Version is the one a change must name (0: never saved).
	Version int `json:"version"`
	// Reverted: the queue went back to its configured values; UpdatedBy
	// and UpdatedAt then say who did it and when.
	Reverted  bool       `json:"reverted,omitempty"`
	UpdatedBy string     `json:"updated_by,omitempty"`
	UpdatedAt *time.Time `json:"updated_at,omitempty"`
	Live      queueLive  `json:"live"`
}

type queueList struct {
	Items []queueView `json:"items"`
}

// queueSettingsRequest replaces a queue's settings: every field is
// required except auto_pause. Durations are in seconds.
type queueSettingsRequest struct {
	// Version is the version the change is based on (GET's; 0: never saved).
	Version          int     `json:"version"`
	Strategy         string  `json:"strategy"` // longest_idle, ring_all, round_robin, fewest_calls
	RingTimeout      float64 `json:"ring_timeout_s"`
	WrapUp           float64 `json:"wrap_up_s"` // 0: none
	MaxWait          float64 `json:"max_wait_s"`
	AnnounceInterval float64 `json:"announce_interval_s"` // 0: off
	ServiceLevel     float64 `json:"service_level_s"`
	// AutoPause pauses an agent whose phone rang out; omitted: true.
	AutoPause *bool `json:"auto_pause,omitempty"`
	// NoAgents is what a caller gets when nobody is logged in to the queue:
	// callback (told so, called back keeping their place), wait (in line
	// anyway) or overflow (to the queue named by overflow). Omitted: the
	// configuration file's choice.
	NoAgents string `json:"no_agents,omitempty"`
	Overflow string `json:"overflow,omitempty"`
}

// queueFields maps QueueSettings' field names to the API's.
var queueFields = map[string]string{
	"queue": "name", "ring_timeout": "ring_timeout_s", "wrap_up": "wrap_up_s", "max_wait": "max_wait_s",
	"announce_interval": "announce_interval_s", "service_level": "service_level_s",
}

func (s *Server) queueRoutes() []route {
	if s.queues == nil {
		return nil
	}
	return []route{
		{Method: "GET", Path: API + "/queues", Roles: leadRoles, Tag: "queues",
			Summary: "List the queues with their settings, where they come from, and live figures",
			Status:  200, Resp: queueList{}, Handle: s.listQueues},
		{Method: "PUT", Path: API + "/queues/{name}", Roles: leadRoles, Tag: "queues",
			Summary: "Change a queue's settings, at once and over the configuration file",
			Body:    queueSettingsRequest{}, Status: 200, Resp: queueView{}, Handle: s.putQueue},
		{Method: "DELETE", Path: API + "/queues/{name}/settings", Roles: leadRoles, Tag: "queues",
			Summary: "Put a queue back on the configuration file's settings",
			Query: []param{{Name: "version", Type: "integer", Required: true,
				Description: "the queue's current version (GET /queues); a stale one is refused with 409"}},
			Status: 200, Resp: queueView{}, Handle: s.resetQueue},
	}
}

func (s *Server) listQueues(w http.ResponseWriter, r *http.Request, _ *caller) error {
	qs, err := s.queues.Queues(r.Context())
	if err != nil {
		return err
	}
	out := queueList{Items: make([]queueView, len(qs))}
	for i, q := range qs {
		out.Items[i] = viewOfQueue(q)
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (s *Server) putQueue(w http.ResponseWriter, r *http.Request, c *caller) error {
	var req queueSettingsRequest
	if err := s.decodeJSON(w, r, &req); err != nil {
		return err
	}
	if req.Version < 0 {
		return queueFieldError("version", "must be 0 or more")
	}
	st := agentdesk.QueueSettings{Queue: r.PathValue("name"), Strategy: req.Strategy, AutoPause: req.AutoPause,
		NoAgents: req.NoAgents, Overflow: req.Overflow, UpdatedBy: c.User.Username}
	for _, f := range []struct {
		name string
		secs float64
		dst  *time.Duration
	}{
		{"ring_timeout_s", req.RingTimeout, &st.RingTimeout}, {"wrap_up_s", req.WrapUp, &st.WrapUp},
		{"max_wait_s", req.MaxWait, &st.MaxWait}, {"announce_interval_s", req.AnnounceInterval, &st.AnnounceInterval},
		{"service_level_s", req.ServiceLevel, &st.ServiceLevel},
	} {
		// Far beyond any range, and before a conversion could overflow.
		if math.Abs(f.secs) > 1e6 {
			return valueError(f.name, "%g seconds is out of range", f.secs)
		}
		*f.dst = time.Duration(math.Round(f.secs*1000)) * time.Millisecond
	}
	// Checked here too, so a bad value is refused the same way whatever
	// the desk behind does.
	st.Normalize()
	if err := st.Validate(); err != nil {
		return queueSettingErr(err)
	}
	q, err := s.queues.SaveQueueSettings(r.Context(), st, req.Version)
	if err != nil {
		return queueSettingErr(err)
	}
	writeJSON(w, http.StatusOK, viewOfQueue(q))
	return nil
}

func (s *Server) resetQueue(w http.ResponseWriter, r *http.Request, c *caller) error {
	raw := r.URL.Query().Get("version")
	if raw == "" {
		return queueFieldError("version", "is required: the queue's current version from GET /api/v1/queues")
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < 0 {
		return queueFieldError("version", "%q is not a version (an integer, 0 or more)", raw)
	}
	q, err := s.queues.ResetQueueSettings(r.Context(), r.PathValue("name"), v, c.User.Username)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewOfQueue(q))
	return nil
}

// queueFieldError is a 400 naming the field (as the API spells it).
func queueFieldError(field, format string, args ...any) error {
	e := badRequest(field+": "+format, args...).(*httpError)
	e.extra = map[string]any{"field": field}
	return e
}

// queueSettingErr turns a refused setting into a 400 naming the field;
// other errors pass.
func queueSettingErr(err error) error {
	var fe *agentdesk.QueueSettingError
	if !errors.As(err, &fe) {
		return err
	}
	field := fe.Field
	if api, ok := queueFields[field]; ok {
		field = api
	}
	return valueError(field, "%s", fe.Reason)
}

// valueError is a 422 naming the field: well formed, but a value the desk
// refuses (like every EINVALID of the API).
func valueError(field, format string, args ...any) error {
	e := queueFieldError(field, format, args...).(*httpError)
	e.status = http.StatusUnprocessableEntity
	return e
}

func queueSecs(d time.Duration) float64 { return d.Seconds() }

func queueValuesOf(st agentdesk.QueueSettings) queueValues {
	return queueValues{Strategy: st.Strategy, RingTimeout: queueSecs(st.RingTimeout), WrapUp: queueSecs(st.WrapUp),
		MaxWait: queueSecs(st.MaxWait), AnnounceInterval: queueSecs(st.AnnounceInterval), ServiceLevel: queueSecs(st.ServiceLevel),
		AutoPause: st.AutoPause == nil || *st.AutoPause, NoAgents: st.NoAgents, Overflow: st.Overflow}
}

func viewOfQueue(q QueueInfo) queueView {
	v := queueView{Name: q.Name, Source: queueFromConfig, Settings: queueValuesOf(q.Effective), Config: queueValuesOf(q.Config),
		Live: queueLive{Strategy: q.Live.Strategy, WrapUp: queueSecs(q.Live.WrapUp), ServiceLevel: queueSecs(q.Live.ServiceLevel),
			Waiting: q.Live.Waiting, LongestWait: queueSecs(q.Live.LongestWait), AgentsStaffed: q.Live.AgentsStaffed,
			AgentsAvailable: q.Live.AgentsAvailable}}
	if sv := q.Saved; sv != nil {
		at := sv.UpdatedAt
		v.Version, v.Reverted, v.UpdatedBy, v.UpdatedAt = sv.Version, sv.Reverted, sv.UpdatedBy, &at
		if !sv.Reverted {
			v.Source = queueFromAdmin
		}
	}
	return v
}
