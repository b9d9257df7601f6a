// Package benchload puts the machine's state next to a benchmark's figures:
// a rate measured on 2 busy cores means little without them. It imports the
// standard library only, so that every package's benchmarks can use it.
package benchload

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// Report adds the core count and the 1-minute load average to b's result
// line ("2 cores 3.41 load1"). Call it (deferred) in every benchmark that
// prints a line of its own, i.e. every leaf.
func Report(b *testing.B) {
	b.ReportMetric(float64(runtime.NumCPU()), "cores")
	if f := fields(); len(f) > 0 {
		if v, err := strconv.ParseFloat(f[0], 64); err == nil {
			b.ReportMetric(v, "load1")
		}
	}
}

// Averages is /proc/loadavg's 1, 5 and 15 minute figures ("3.41 2.10
// 1.05"), or "?".
func Averages() string {
	f := fields()
	if len(f) < 3 {
		return "?"
	}
	return strings.Join(f[:3], " ")
}

// Line is "nproc N, load average A B C", for a benchmark's own log lines.
func Line() string {
	return "nproc " + strconv.Itoa(runtime.NumCPU()) + ", load average " + Averages()
}

func fields() []string {
	raw, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return nil
	}
	return strings.Fields(string(raw))
}
