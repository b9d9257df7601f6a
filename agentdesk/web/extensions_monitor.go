package web

import (
	"context"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// ExtensionMonitor is the extension monitor (agentdesk/extmon's *Monitor)
// as the network page needs it.
type ExtensionMonitor interface {
	Extensions(ctx context.Context) ([]agentdesk.ExtensionView, error)
	History(ctx context.Context, ext string, limit int) ([]ivr.ExtensionStatus, error)
}

// MonitorExtensions is the ExtensionSource of an extension monitor.
func MonitorExtensions(m ExtensionMonitor) ExtensionSource { return monitorSource{m} }

type monitorSource struct{ m ExtensionMonitor }

func (s monitorSource) Extensions(ctx context.Context) ([]ExtensionInfo, error) {
	list, err := s.m.Extensions(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]ExtensionInfo, len(list))
	for i, x := range list {
		out[i] = ExtensionInfo{Extension: x.Extension, Owner: x.Owner, State: string(x.State), Contact: x.Contact,
			UserAgent: x.UserAgent, RTTMillis: ivr.RTTMillis(x.RTT), Since: x.Since,
			DownSince: x.DownSince, Reason: x.Reason, Ticket: x.Ticket, Calls: x.Calls, CallsSince: x.CallsSince}
	}
	return out, nil
}

func (s monitorSource) ExtensionHistory(ctx context.Context, ext string, limit int) ([]ExtensionEvent, error) {
	h, err := s.m.History(ctx, ext, limit)
	if err != nil {
		return nil, err
	}
	out := make([]ExtensionEvent, len(h))
	for i, st := range h {
		out[i] = ExtensionEvent{Extension: st.Extension, State: string(st.State), Contact: st.Contact,
			UserAgent: st.UserAgent, RTTMillis: ivr.RTTMillis(st.RTT), Reason: st.Reason, At: st.Since}
	}
	return out, nil
}
