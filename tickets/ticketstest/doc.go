// Package ticketstest has the test doubles of the tickets stores: structs of
// function fields (wtf's mock package is the model), one field per method,
// so that a test of web, intake or escalation that needs a store only in
// passing runs without PostgreSQL and says what the store answers. A
// method whose field is nil returns an error wrapping ErrUnset, so an
// unexpected call fails the test instead of passing silently. The stores'
// own behaviour is tested against PostgreSQL (tickets/postgres).
package ticketstest

import (
	"errors"
	"fmt"
)

// ErrUnset is what a double's method returns when the test did not set it.
var ErrUnset = errors.New("ticketstest: method not set")

func unset(method string) error { return fmt.Errorf("%s: %w", method, ErrUnset) }
