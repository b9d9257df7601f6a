package tickets

import "fmt"

// Priority P1 (most urgent) to P4.
type Priority int

const (
	P1 Priority = 1 + iota
	P2
	P3
	P4
)

func (p Priority) String() string { return fmt.Sprintf("P%d", int(p)) }

// Level3 is a three-step scale used for impact and urgency.
type Level3 string

const (
	Low    Level3 = "low"
	Medium Level3 = "medium"
	High   Level3 = "high"
)

func (l Level3) Valid() bool { return l == Low || l == Medium || l == High }

func (l Level3) index() int {
	switch l {
	case High:
		return 0
	case Medium:
		return 1
	}
	return 2
}

// PriorityMatrix maps impact (rows: high, medium, low) x urgency (columns:
// high, medium, low) to a priority. It is configurable; DefaultMatrix is the
// ITIL-style default.
type PriorityMatrix [3][3]Priority

// DefaultMatrix: high/high is P1, low/low is P4.
var DefaultMatrix = PriorityMatrix{
	{P1, P2, P3},
	{P2, P3, P4},
	{P3, P4, P4},
}

// Priority returns the priority for impact x urgency.
func (m PriorityMatrix) Priority(impact, urgency Level3) Priority {
	return m[impact.index()][urgency.index()]
}

// Validate checks every cell is P1..P4.
func (m PriorityMatrix) Validate() error {
	for i := range m {
		for j := range m[i] {
			if m[i][j] < P1 || m[i][j] > P4 {
				return Errorf(EINVALID, "priority matrix cell [%d][%d] = %d is not between 1 and 4", i, j, m[i][j])
			}
		}
	}
	return nil
}
