package tickets

import "time"

// Contact is a person in the directory: a caller Atiende can recognise.
type Contact struct {
	ID         int64     `json:"id"`
	Name       string    `json:"name"`
	Department string    `json:"department"`
	Area       string    `json:"area,omitempty"` // site or area, used for major-incident matching
	Email      string    `json:"email"`
	Phones     []string  `json:"phones"`             // E.164
	Extensions []string  `json:"extensions"`         // internal extensions, digits only
	Language   string    `json:"language,omitempty"` // "es" (default) or "en"
	CreatedAt  time.Time `json:"created_at"`
	UpdatedAt  time.Time `json:"updated_at"`
}
