package agentdesk

import "time"

// Snapshot is the desk at a moment: where a wallboard or a reconnecting
// console starts before applying events with Seq greater than Snapshot.Seq.
type Snapshot struct {
	At     time.Time       `json:"at"`
	Seq    uint64          `json:"seq"` // last event published before it was taken
	Queues []QueueSnapshot `json:"queues"`
	Agents []Agent         `json:"agents"`
}

// QueueSnapshot is one queue's live state and counters since start.
type QueueSnapshot struct {
	Name     string   `json:"name"`
	Strategy Strategy `json:"strategy"`
	// WrapUp is how long an agent stays in wrap-up after a call (0: none),
	// so consoles can count it down.
	WrapUp time.Duration `json:"wrap_up_ns"`
	// Waiting counts calls in the queue, callbacks included.
	Waiting          int           `json:"waiting"`
	CallbacksPending int           `json:"callbacks_pending"`
	LongestWait      time.Duration `json:"longest_wait_ns"`
	Calls            []WaitingCall `json:"calls"`  // in queue order
	Agents           []string      `json:"agents"` // usernames with the skill
	Stats            QueueStats    `json:"stats"`
}

// QueueStats are a queue's counters since the ACD started. Sums (not
// averages) are kept so that any window can be computed by difference.
type QueueStats struct {
	Entered   int `json:"entered"`
	Answered  int `json:"answered"`
	Abandoned int `json:"abandoned"`
	// ShortAbandoned: abandoned within the queue's ShortAbandon.
	ShortAbandoned int `json:"short_abandoned"`
	Callbacks      int `json:"callbacks"` // requested
	CallbacksDone  int `json:"callbacks_done"`
	Timeouts       int `json:"timeouts"`
	NoAgents       int `json:"no_agents"`
	// AnsweredInSL: answered within ServiceLevel of entering the queue.
	AnsweredInSL int           `json:"answered_in_sl"`
	ServiceLevel time.Duration `json:"service_level_ns"`
	// TotalAnswerWait sums queue entry to answer over answered calls.
	TotalAnswerWait time.Duration `json:"total_answer_wait_ns"`
	TotalTalk       time.Duration `json:"total_talk_ns"`
	// AvgHandle is the moving average of talk plus wrap-up used for the
	// expected-wait announcement.
	AvgHandle time.Duration `json:"avg_handle_ns"`
}

// ASA is the average speed of answer.
func (s QueueStats) ASA() time.Duration {
	if s.Answered == 0 {
		return 0
	}
	return s.TotalAnswerWait / time.Duration(s.Answered)
}

// ServiceLevelShare is the share of answered-or-abandoned calls answered
// within the threshold, not counting short abandons; 1 when there were none.
func (s QueueStats) ServiceLevelShare() float64 {
	n := s.Answered + s.Abandoned - s.ShortAbandoned
	if n <= 0 {
		return 1
	}
	return float64(s.AnsweredInSL) / float64(n)
}

// AbandonRate is the share of finished calls that were abandoned.
func (s QueueStats) AbandonRate() float64 {
	n := s.Answered + s.Abandoned
	if n == 0 {
		return 0
	}
	return float64(s.Abandoned) / float64(n)
}
