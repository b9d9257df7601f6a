package aritest

import "slices"

// BridgeState is a snapshot of a bridge.
type BridgeState struct {
	Exists   bool
	Type     string // bridge_type as created: mixing, holding
	Channels []string
}

// Bridge returns a snapshot of bridge id.
func (s *Server) Bridge(id string) BridgeState {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := s.bridges[id]
	if b == nil {
		return BridgeState{}
	}
	return BridgeState{Exists: true, Type: b.typ, Channels: slices.Clone(b.channels)}
}
