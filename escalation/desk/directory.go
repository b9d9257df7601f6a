package desk

import (
	"context"

	"github.com/atiende/atiende/escalation"
)

// FallbackDirectory reads Primary (the editable table) and uses Fallback
// (the YAML config) while Primary is empty or failing, so escalations
// always have someone to tell.
type FallbackDirectory struct {
	Primary  DirectorySource
	Fallback escalation.Directory
}

func (f FallbackDirectory) Directory(ctx context.Context) (escalation.Directory, error) {
	if d, err := f.Primary.Directory(ctx); err == nil && len(d) > 0 {
		return d, nil
	}
	return f.Fallback, nil
}
