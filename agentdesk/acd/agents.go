package acd

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/tickets"
)

// Users finds the user records agents are made from.
type Users interface {
	User(ctx context.Context, username string) (*tickets.User, error)
	ListUsers(ctx context.Context) ([]*tickets.User, error)
}

// Agents keeps the ACD's agents in line with the user records, for the
// web server (web.AgentControl) and the restore at start. Errors carry
// tickets codes.
type Agents struct {
	desk  *ACD
	users Users
	// picked holds the extension each agent chose at login, over the one
	// configured on their user, until they log out.
	mu     sync.Mutex
	picked map[string]string
}

// NewAgents adds to desk an agent, logged out, for every enabled user with
// an extension.
func NewAgents(ctx context.Context, desk *ACD, users Users) (*Agents, error) {
	list, err := users.ListUsers(ctx)
	if err != nil {
		return nil, fmt.Errorf("agents: %w", err)
	}
	for _, u := range list {
		if ag, ok := AgentOf(u); ok {
			if err := desk.AddAgent(ag); err != nil {
				return nil, fmt.Errorf("agent %s: %w", u.Username, err)
			}
		}
	}
	return &Agents{desk: desk, users: users, picked: map[string]string{}}, nil
}

// AgentOf is the desk's view of a user: one with an extension who is not
// disabled takes calls in the queues named by their skills.
func AgentOf(u *tickets.User) (agentdesk.Agent, bool) {
	if u.Disabled || u.Extension == "" {
		return agentdesk.Agent{}, false
	}
	skills := map[string]int{}
	for _, s := range u.Skills {
		skills[s] = 0
	}
	return agentdesk.Agent{Username: u.Username, Name: u.Name, Extension: u.Extension, Skills: skills}, true
}

// PutAgent updates the agent, or adds it (logged out) when the desk does
// not have it yet.
func (a *ACD) PutAgent(ag agentdesk.Agent) error {
	if err := a.UpdateAgent(ag); !errors.Is(err, agentdesk.ErrUnknownAgent) {
		return err
	}
	return a.AddAgent(ag)
}

// User is the user record of username.
func (a *Agents) User(ctx context.Context, username string) (*tickets.User, error) {
	return a.users.User(ctx, username)
}

// SetAgentExtension lets an agent take calls on the phone they sit at today.
func (a *Agents) SetAgentExtension(ctx context.Context, username, ext string) error {
	u, err := a.users.User(ctx, username)
	if err != nil {
		return err
	}
	if u.Disabled {
		return tickets.Errorf(tickets.EFORBIDDEN, "%s is disabled", username)
	}
	a.mu.Lock()
	a.picked[username] = ext
	a.mu.Unlock()
	cp := *u
	cp.Extension = ext
	ag, _ := AgentOf(&cp)
	return a.desk.PutAgent(ag) // added: a user with no configured extension
}

// Agents lists every agent of the desk.
func (a *Agents) Agents(context.Context) ([]agentdesk.AgentStatus, error) {
	list := a.desk.Agents()
	out := make([]agentdesk.AgentStatus, 0, len(list))
	for _, ag := range list {
		st := agentdesk.AgentStatus{Username: ag.Username, Name: ag.Name, Extension: ag.Extension, State: string(ag.State),
			Reason: ag.PauseReason, Since: ag.StateSince, InternalCall: ag.InternalCall}
		for q := range ag.Skills {
			st.Queues = append(st.Queues, q)
		}
		out = append(out, st)
	}
	return out, nil
}

// SyncAgent brings the desk's agent in line with the user record after an
// admin changed it (web.Deps.AgentSync): added logged out, or its extension
// (unless one was picked for today) and skills updated with its state left
// alone; a disabled user, or one left with no extension, is logged out (at
// the end of a call in progress).
func (a *Agents) SyncAgent(ctx context.Context, username string) error {
	u, err := a.users.User(ctx, username)
	if err != nil {
		return err
	}
	a.mu.Lock()
	if e := a.picked[username]; e != "" && !u.Disabled {
		u.Extension = e
	}
	a.mu.Unlock()
	if ag, ok := AgentOf(u); ok {
		return a.desk.PutAgent(ag)
	}
	if err := a.desk.SetAgentState(username, agentdesk.StateLoggedOut, ""); err != nil && !errors.Is(err, agentdesk.ErrUnknownAgent) {
		return err
	}
	return nil
}

// SetAgentState first brings the desk's agent in line with the user record,
// so users created or edited by an admin since start take calls at once.
func (a *Agents) SetAgentState(ctx context.Context, username, state, reason string) error {
	if u, err := a.users.User(ctx, username); err == nil {
		a.mu.Lock()
		if e := a.picked[username]; e != "" {
			u.Extension = e
		}
		if agentdesk.AgentState(state) == agentdesk.StateLoggedOut {
			delete(a.picked, username)
		}
		a.mu.Unlock()
		if ag, ok := AgentOf(u); ok {
			_ = a.desk.PutAgent(ag)
		}
	}
	err := a.desk.SetAgentState(username, agentdesk.AgentState(state), reason)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, agentdesk.ErrUnknownAgent):
		return tickets.Errorf(tickets.ENOTFOUND, "%s is not an agent with an extension", username)
	case errors.Is(err, agentdesk.ErrInvalid), errors.Is(err, agentdesk.ErrBadState):
		return tickets.Errorf(tickets.EINVALID, "%v", err)
	}
	return err
}
