package tickets

import "context"

// ExtensionHolds enforces, in the store, one logged-in agent per phone
// extension. An agent holds an extension from going available (or paused,
// or in wrap-up) there until logging out.
type ExtensionHolds interface {
	// HoldExtension records that username is logged in at extension,
	// releasing any other extension they held. It fails with ECONFLICT
	// (an *ExtensionHeldError in the chain) when another agent holds it.
	HoldExtension(ctx context.Context, username, extension string) error
	// ReleaseExtension records that username is logged out.
	ReleaseExtension(ctx context.Context, username string) error
	// ExtensionHolder is who holds extension, or "".
	ExtensionHolder(ctx context.Context, extension string) (string, error)
}

// ExtensionHeldError says who holds the extension another agent asked for.
type ExtensionHeldError struct {
	Extension, Holder string
}

func (e *ExtensionHeldError) Error() string {
	return "extension " + e.Extension + " is held by " + e.Holder
}
