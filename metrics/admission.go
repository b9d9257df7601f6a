package metrics

import "github.com/prometheus/client_golang/prometheus"

// AdmissionCounts are the figures of the call admission (ivr.Admission).
type AdmissionCounts struct {
	Active int64  // calls being handled now
	Limit  int64  // the most taken at once; 0: no limit
	Shed   uint64 // calls refused at the limit since start
}

var (
	admissionShedDesc = prometheus.NewDesc("atiende_ivr_calls_shed_total",
		"Calls refused before answer because the help desk was handling its limit of calls (SIP 503 with Retry-After; congestion on Asterisk).", nil, nil)
	admissionActiveDesc = prometheus.NewDesc("atiende_ivr_calls_active",
		"Calls the help desk is handling now (IVR, queue or agent).", nil, nil)
	admissionLimitDesc = prometheus.NewDesc("atiende_ivr_calls_limit",
		"The most calls the help desk handles at once (calls.max_concurrent); 0 means no limit.", nil, nil)
)

// RegisterAdmission exports counts, called at each scrape, on reg:
// atiende_ivr_calls_shed_total, atiende_ivr_calls_active and
// atiende_ivr_calls_limit. counts must be cheap and must not block.
func RegisterAdmission(reg prometheus.Registerer, counts func() AdmissionCounts) {
	reg.MustRegister(admissionCollector(counts))
}

type admissionCollector func() AdmissionCounts

func (admissionCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- admissionShedDesc
	ch <- admissionActiveDesc
	ch <- admissionLimitDesc
}

func (f admissionCollector) Collect(ch chan<- prometheus.Metric) {
	c := f()
	ch <- prometheus.MustNewConstMetric(admissionShedDesc, prometheus.CounterValue, float64(c.Shed))
	ch <- prometheus.MustNewConstMetric(admissionActiveDesc, prometheus.GaugeValue, float64(c.Active))
	ch <- prometheus.MustNewConstMetric(admissionLimitDesc, prometheus.GaugeValue, float64(c.Limit))
}
