package ivr

import "time"

// MaxCollectDigits bounds a collect node's max_digits.
const MaxCollectDigits = 32

// CollectResult is how a digit collection ended.
type CollectResult int

const (
	CollectPending  CollectResult = iota // still collecting
	CollectOK                            // terminator, max digits, or inter-digit timeout with enough digits
	CollectNoInput                       // nothing keyed (first-digit timeout, or the terminator alone)
	CollectTooShort                      // fewer than the minimum
)

func (r CollectResult) String() string {
	switch r {
	case CollectOK:
		return "ok"
	case CollectNoInput:
		return "no_input"
	case CollectTooShort:
		return "too_short"
	}
	return "pending"
}

// DigitCollector is the digit-collection state machine, free of I/O so it
// can be fuzzed: feed it keys and timeouts until Result is not pending.
// Keys other than digits and the terminator ('*', 'A'-'D') are ignored.
type DigitCollector struct {
	max, min   int
	terminator rune // 0: none
	first      time.Duration
	inter      time.Duration
	digits     []byte
	result     CollectResult
}

// NewDigitCollector returns a collector of at most max digits (clamped to
// 1..MaxCollectDigits) and at least min; terminator 0 means none.
func NewDigitCollector(maxDigits, minDigits int, terminator rune, first, inter time.Duration) *DigitCollector {
	maxDigits = min(max(maxDigits, 1), MaxCollectDigits)
	minDigits = min(max(minDigits, 0), maxDigits)
	return &DigitCollector{max: maxDigits, min: minDigits, terminator: terminator, first: first, inter: inter,
		digits: make([]byte, 0, maxDigits)}
}

// Key feeds a pressed key and returns the result so far.
func (d *DigitCollector) Key(k rune) CollectResult {
	if d.result != CollectPending {
		return d.result
	}
	switch {
	case d.terminator != 0 && k == d.terminator:
		d.finish()
	case k >= '0' && k <= '9':
		d.digits = append(d.digits, byte(k))
		if len(d.digits) >= d.max {
			d.finish()
		}
	}
	return d.result
}

// Timeout feeds the expiry of the current wait (first-digit or inter-digit)
// and returns the result, which is never pending afterwards.
func (d *DigitCollector) Timeout() CollectResult {
	if d.result == CollectPending {
		d.finish()
	}
	return d.result
}

func (d *DigitCollector) finish() {
	switch {
	case len(d.digits) == 0:
		d.result = CollectNoInput
	case len(d.digits) < d.min:
		d.result = CollectTooShort
	default:
		d.result = CollectOK
	}
}

// Wait is how long to wait for the next key: the first-digit timeout until a
// digit is keyed, then the inter-digit timeout.
func (d *DigitCollector) Wait() time.Duration {
	if len(d.digits) == 0 {
		return d.first
	}
	return d.inter
}

// Result is the result so far.
func (d *DigitCollector) Result() CollectResult { return d.result }

// Digits returns the digits keyed so far.
func (d *DigitCollector) Digits() string { return string(d.digits) }
