package hub

import (
	"encoding/json"

	"github.com/atiende/atiende/agentdesk"
	"github.com/atiende/atiende/ivr"
)

// Message types sent to the browser. Every message is one JSON object with
// "type" and one payload field of the same name.
const (
	TypeEvent      = "event"      // {"type":"event","event":agentdesk.Event}
	TypeSnapshot   = "snapshot"   // {"type":"snapshot","snapshot":...,"offers":[Event...]}
	TypeExtension  = "extension"  // {"type":"extension","extension":ivr.ExtensionStatus}
	TypeExtensions = "extensions" // {"type":"extensions","extensions":[...]}
	// TypeExtensionCalls: an extension's internal calls changed.
	TypeExtensionCalls = "extension_calls" // {"type":"extension_calls","extension_calls":ivr.ExtensionCalls}
)

// TypePopped is the one message a page sends: an agent console says it
// painted the screen-pop of call CallID ({"type":"popped","call_id":...}).
// The hub measures the time from the offer (atiende_screenpop_seconds).
const TypePopped = "popped"

// ClientMessage is what a page may send.
type ClientMessage struct {
	Type   string `json:"type"`
	CallID string `json:"call_id,omitempty"`
}

// Message is the wire format; exported so tests and tools can decode it.
type Message struct {
	Type     string              `json:"type"`
	Event    *agentdesk.Event    `json:"event,omitempty"`
	Snapshot *agentdesk.Snapshot `json:"snapshot,omitempty"`
	// Offers are the calls ringing or talking at the snapshot's moment,
	// as their last call_offered or call_answered event: a console that
	// resumes from a snapshot pops them (its Seq is at most Snapshot.Seq).
	Offers     []agentdesk.Event     `json:"offers,omitempty"`
	Extension  *ivr.ExtensionStatus  `json:"extension,omitempty"`
	Extensions []ivr.ExtensionStatus `json:"extensions,omitempty"`
	Calls      *ivr.ExtensionCalls   `json:"extension_calls,omitempty"`
}

func encode(m Message) []byte {
	b, err := json.Marshal(m)
	if err != nil {
		// Only unsupported values fail; the types above have none.
		panic("hub: encode message: " + err.Error())
	}
	return b
}
