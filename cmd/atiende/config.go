package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/atiende/atiende/agentdesk"
	"gopkg.in/yaml.v3"
)

// Config is the whole of Atiende's configuration: one YAML file, decoded
// strictly, then environment overrides. Secrets may come from env or from a
// file named by the *_FILE variant of the variable.
type Config struct {
	HTTP     HTTPConfig     `yaml:"http"`
	Database DatabaseConfig `yaml:"database"`
	Engine   string         `yaml:"engine"` // "sip" (default) or "asterisk"
	SIP      SIPConfig      `yaml:"sip"`
	Asterisk AsteriskConfig `yaml:"asterisk"`
	Phones   PhonesConfig   `yaml:"phones"`
	// PriorityMatrix rows are impact high, medium, low; columns urgency
	// high, medium, low; cells 1-4.
	PriorityMatrix [][]int     `yaml:"priority_matrix"`
	CatalogFile    string      `yaml:"catalog_file"`
	FlowFile       string      `yaml:"flow_file"`
	Admin          AdminConfig `yaml:"admin"`
	Log            LogConfig   `yaml:"log"`
	// Queues tunes every queue (one per catalog group); Overrides by name.
	Queues QueuesConfig `yaml:"queues"`
	// PublicURL is how users reach the web (links in emails).
	PublicURL  string           `yaml:"public_url"`
	Extensions ExtensionsConfig `yaml:"extensions"`
	SMTP       SMTPConfig       `yaml:"smtp"`
	Escalation EscalationConfig `yaml:"escalation"`
	Calls      CallsConfig      `yaml:"calls"`
}

// CallsConfig is the help desk's capacity, whatever the engine: past
// MaxConcurrent calls at once (IVR, queue, agent), a new call is refused
// before answer (SIP 503 with RetryAfter; congestion on Asterisk) rather
// than answered and left to wait on a saturated database. Calls in
// progress are never touched. 0 (the default) is what the embedded engine's
// RTP ports hold (two per call: RTP and RTCP), past which a call could not
// have been answered anyway; no limit on Asterisk. Set it lower to what
// `make bench` measures the machine and its database sustain.
type CallsConfig struct {
	MaxConcurrent int      `yaml:"max_concurrent"`
	RetryAfter    Duration `yaml:"retry_after"`
}

// SMTPConfig is the mail relay. With no addr, emails wait as pending timers
// (visible, never lost) until one is configured.
type SMTPConfig struct {
	Addr     string `yaml:"addr"`
	From     string `yaml:"from"`
	Username string `yaml:"username"`
	Password string `yaml:"password"` // better: ATIENDE_SMTP_PASSWORD
	TLS      string `yaml:"tls"`      // "" (STARTTLS if offered), "required", "off"
}

// ExtensionsConfig tunes the extension monitor: an extension down longer
// than DownAfter (default 5m) opens a ticket for network staff; StartGrace
// holds tickets back after a restart while phones re-register.
type ExtensionsConfig struct {
	DownAfter  Duration `yaml:"down_after"`
	StartGrace Duration `yaml:"start_grace"`
	// RingTimeout is how long a call between extensions rings (default
	// 20s); Rules say, per extension, where its calls go when it is busy,
	// not registered or does not answer (extroute.go).
	RingTimeout Duration                 `yaml:"ring_timeout"`
	Rules       map[string]ExtensionRule `yaml:"rules"`
}

// EscalationConfig points at the SLA policies, calendars and directory.
type EscalationConfig struct {
	File            string `yaml:"file"` // empty: the built-in policies of DOMAIN.md
	SupervisorEmail string `yaml:"supervisor_email"`
	SurveySecret    string `yaml:"survey_secret"` // better: ATIENDE_SURVEY_SECRET
	AlertCallerID   string `yaml:"alert_caller_id"`
	// WeeklyReportTo receives the weekly fault report every Monday at 08:00
	// (Mexico City); empty: not emailed.
	WeeklyReportTo []string `yaml:"weekly_report_to"`
}

// QueueConfig is one queue's tuning; zero values take the ACD's defaults
// (15 s ring, 10 s wrap-up, 120 s before the callback offer, 30 s
// announcements, 20 s service level, longest-idle).
type QueueConfig struct {
	Strategy         string   `yaml:"strategy"`
	RingTimeout      Duration `yaml:"ring_timeout"`
	WrapUp           Duration `yaml:"wrap_up"`
	MaxWait          Duration `yaml:"max_wait"`
	AnnounceInterval Duration `yaml:"announce_interval"`
	ServiceLevel     Duration `yaml:"service_level"`
	// NoAgents is what a caller gets when nobody is logged in to the queue:
	// callback (default), wait, or overflow to the queue named by Overflow.
	NoAgents string `yaml:"no_agents"`
	Overflow string `yaml:"overflow"`
}

type QueuesConfig struct {
	QueueConfig `yaml:",inline"`
	Overrides   map[string]QueueConfig `yaml:"overrides"`
}

type HTTPConfig struct {
	Addr           string   `yaml:"addr"`
	AllowedOrigins []string `yaml:"allowed_origins"`
	SecureCookies  bool     `yaml:"secure_cookies"`
	SessionTTL     Duration `yaml:"session_ttl"`
	// TrustedProxies are the reverse proxies (addresses or CIDRs) whose
	// X-Forwarded-For names the client for the login throttle. Default
	// none: the header is ignored.
	TrustedProxies []string `yaml:"trusted_proxies"`
	// Pprof serves Go's profiler to admins at /debug/pprof/ on this
	// listener (README "Profiling"). Default off.
	Pprof bool `yaml:"pprof"`
}

// TrustedProxyPrefixes parses http.trusted_proxies (checked by Validate).
func (c HTTPConfig) TrustedProxyPrefixes() ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, s := range c.TrustedProxies {
		s = strings.TrimSpace(s)
		if a, err := netip.ParseAddr(s); err == nil {
			a = a.Unmap()
			out = append(out, netip.PrefixFrom(a, a.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(s)
		if err != nil {
			return nil, fmt.Errorf("%q is not an address or a CIDR like 10.0.0.0/24", s)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

type DatabaseConfig struct {
	URL      string `yaml:"url"`
	MaxConns int32  `yaml:"max_conns"`
}

type SIPConfig struct {
	Addr            string            `yaml:"addr"`
	HelpDeskNumbers []string          `yaml:"helpdesk_numbers"`
	Realm           string            `yaml:"realm"`
	RTPPorts        string            `yaml:"rtp_ports"`  // "min-max"
	Extensions      map[string]string `yaml:"extensions"` // extension -> password
	// MaxCallsPerSource bounds the calls to help-desk numbers one address
	// may have at once (more get 486 Busy Here); 0 means 10.
	MaxCallsPerSource int `yaml:"max_calls_per_source"`
	// RTPTimeout hangs up a call that receives no RTP for that long (a
	// phone gone without a BYE); 0 means 20s. Asterisk: rtp_timeout in
	// deploy/asterisk/pjsip.conf.
	RTPTimeout Duration `yaml:"rtp_timeout"`
	// RTPTimeoutHold replaces it while the phone holds the call (it may
	// stop sending); 0 means 60s. Asterisk: rtp_timeout_hold.
	RTPTimeoutHold Duration `yaml:"rtp_timeout_hold"`
	// AckTimeout is Timer H: a call answered and not ACKed within it is
	// torn down (RFC 3261: 64*T1 = 32 s).
	AckTimeout Duration `yaml:"ack_timeout"`
	// QualifyInterval is how often each registered phone gets an OPTIONS
	// (and right after it registers): one that does not answer within
	// QualifyTimeout shows as unreachable. 0 means 30s and 5s. Asterisk:
	// qualify_frequency and qualify_timeout in deploy/asterisk/pjsip.conf.
	QualifyInterval Duration `yaml:"qualify_interval"`
	QualifyTimeout  Duration `yaml:"qualify_timeout"`
}

type AsteriskConfig struct {
	URL      string `yaml:"url"`
	User     string `yaml:"user"`
	Password string `yaml:"password"`
	App      string `yaml:"app"`
	// MaxConns: REST connections to Asterisk at most (0: 50); below
	// http.conf's sessionlimit.
	MaxConns int `yaml:"max_conns"`
	// SoundsDir: Asterisk's sounds folder on this host (e.g.
	// /var/lib/asterisk/sounds); set, the uploaded recordings are written
	// there and Asterisk plays them.
	SoundsDir string `yaml:"sounds_dir"`
}

type PhonesConfig struct {
	Region string `yaml:"region"`
}

type AdminConfig struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
}

type LogConfig struct {
	Level  string `yaml:"level"`  // debug, info, warn, error
	Format string `yaml:"format"` // text or json
}

// Duration decodes "30s", "15m", "24h".
type Duration time.Duration

func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil {
		return fmt.Errorf("line %d: %q is not a duration like 30s or 12h", n.Line, n.Value)
	}
	*d = Duration(v)
	return nil
}

// DefaultConfig is what Atiende runs with when nothing is said.
func DefaultConfig() Config {
	return Config{
		HTTP:     HTTPConfig{Addr: "127.0.0.1:8080", SessionTTL: Duration(12 * time.Hour)},
		Database: DatabaseConfig{MaxConns: 32},
		Engine:   "sip",
		SIP: SIPConfig{
			Addr:            "127.0.0.1:5060",
			HelpDeskNumbers: []string{"6000", "*626"},
			Realm:           "atiende",
			RTPPorts:        "20000-29999",
			AckTimeout:      Duration(32 * time.Second),
		},
		Asterisk:       AsteriskConfig{URL: "http://127.0.0.1:8088/ari", App: "atiende"},
		Phones:         PhonesConfig{Region: "MX"},
		PriorityMatrix: [][]int{{1, 2, 3}, {2, 3, 4}, {3, 4, 4}},
		Admin:          AdminConfig{Username: "admin"},
		Escalation:     EscalationConfig{AlertCallerID: "6000"},
		Log:            LogConfig{Level: "info", Format: "text"},
		Calls:          CallsConfig{RetryAfter: Duration(10 * time.Second)},
	}
}

// LoadConfig reads path (empty: defaults only), applies env, and validates.
func LoadConfig(path string, getenv func(string) string) (Config, error) {
	cfg := DefaultConfig()
	if path != "" {
		b, err := os.ReadFile(path)
		if err != nil {
			return cfg, fmt.Errorf("config: %w", err)
		}
		if err := decodeStrict(b, &cfg); err != nil {
			return cfg, fmt.Errorf("config %s: %w", path, err)
		}
		// Files named in the configuration are relative to it (as in
		// Prometheus), so it works from any directory.
		for _, f := range []*string{&cfg.Escalation.File, &cfg.FlowFile, &cfg.CatalogFile} {
			if *f != "" && !filepath.IsAbs(*f) {
				*f = filepath.Join(filepath.Dir(path), *f)
			}
		}
	}
	if err := applyEnv(&cfg, getenv); err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fmt.Errorf("config: %w", err)
	}
	return cfg, nil
}

func decodeStrict(b []byte, cfg *Config) error {
	dec := yaml.NewDecoder(bytes.NewReader(b))
	dec.KnownFields(true)
	if err := dec.Decode(cfg); err != nil && !errors.Is(err, io.EOF) {
		// yaml.v3 says "line 3: field foo not found in type main.HTTPConfig":
		// keep the line, name the key plainly.
		msg := err.Error()
		msg = strings.TrimPrefix(msg, "yaml: unmarshal errors:\n  ")
		msg = strings.ReplaceAll(msg, "\n  ", "; ")
		if i := strings.Index(msg, " not found in type "); i > 0 {
			msg = msg[:i] + " is not a known key"
		}
		return errors.New(msg)
	}
	return nil
}

func applyEnv(cfg *Config, getenv func(string) string) error {
	secret := func(name string) (string, error) {
		if v := getenv(name); v != "" {
			return v, nil
		}
		if f := getenv(name + "_FILE"); f != "" {
			b, err := os.ReadFile(f)
			if err != nil {
				return "", fmt.Errorf("%s_FILE: %w", name, err)
			}
			return strings.TrimRight(string(b), "\r\n"), nil
		}
		return "", nil
	}
	set := func(dst *string, name string) error {
		v, err := secret(name)
		if err != nil {
			return err
		}
		if v != "" {
			*dst = v
		}
		return nil
	}
	for _, o := range []struct {
		dst  *string
		name string
	}{
		{&cfg.Database.URL, "ATIENDE_DATABASE_URL"},
		{&cfg.HTTP.Addr, "ATIENDE_HTTP_ADDR"},
		{&cfg.SIP.Addr, "ATIENDE_SIP_ADDR"},
		{&cfg.Engine, "ATIENDE_ENGINE"},
		{&cfg.Asterisk.URL, "ATIENDE_ARI_URL"},
		{&cfg.Asterisk.User, "ATIENDE_ARI_USER"},
		{&cfg.Asterisk.Password, "ATIENDE_ARI_PASSWORD"},
		{&cfg.Asterisk.App, "ATIENDE_ARI_APP"},
		{&cfg.Asterisk.SoundsDir, "ATIENDE_ASTERISK_SOUNDS_DIR"},
		{&cfg.Admin.Password, "ATIENDE_ADMIN_PASSWORD"},
		{&cfg.Log.Level, "ATIENDE_LOG_LEVEL"},
		{&cfg.SMTP.Password, "ATIENDE_SMTP_PASSWORD"},
		{&cfg.Escalation.SurveySecret, "ATIENDE_SURVEY_SECRET"},
	} {
		if err := set(o.dst, o.name); err != nil {
			return err
		}
	}
	if v := getenv("ATIENDE_ARI_MAX_CONNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("ATIENDE_ARI_MAX_CONNS: %q is not a number", v)
		}
		cfg.Asterisk.MaxConns = n
	}
	return nil
}

// Validate names the first bad key and why.
func (c *Config) Validate() error {
	bad := func(key, format string, args ...any) error {
		return fmt.Errorf("%s: %s", key, fmt.Sprintf(format, args...))
	}
	if err := checkHostPort(c.HTTP.Addr); err != nil {
		return bad("http.addr", "%v", err)
	}
	for _, o := range c.HTTP.AllowedOrigins {
		if u, err := url.Parse(o); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("http.allowed_origins", "%q is not an origin like https://desk.example.org", o)
		}
	}
	if _, err := c.HTTP.TrustedProxyPrefixes(); err != nil {
		return bad("http.trusted_proxies", "%v", err)
	}
	if c.HTTP.SessionTTL <= 0 {
		return bad("http.session_ttl", "must be positive")
	}
	if c.Calls.MaxConcurrent < 0 {
		return bad("calls.max_concurrent", "%d: want 0 (the RTP ports' worth) or more", c.Calls.MaxConcurrent)
	}
	if c.Calls.RetryAfter < 0 {
		return bad("calls.retry_after", "must not be negative")
	}
	if c.Database.URL != "" {
		if u, err := url.Parse(c.Database.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			return bad("database.url", "must be a postgres:// URL")
		}
	}
	if c.Database.MaxConns < 1 || c.Database.MaxConns > 1000 {
		return bad("database.max_conns", "%d is not between 1 and 1000", c.Database.MaxConns)
	}
	switch c.Engine {
	case "sip":
		if err := checkHostPort(c.SIP.Addr); err != nil {
			return bad("sip.addr", "%v", err)
		}
		if _, _, err := c.RTPRange(); err != nil {
			return bad("sip.rtp_ports", "%v", err)
		}
		if c.SIP.MaxCallsPerSource < 0 {
			return bad("sip.max_calls_per_source", "%d is negative", c.SIP.MaxCallsPerSource)
		}
		if c.SIP.RTPTimeout < 0 || (c.SIP.RTPTimeout > 0 && time.Duration(c.SIP.RTPTimeout) < 100*time.Millisecond) {
			return bad("sip.rtp_timeout", "must be at least 100ms (0: the default, 20s)")
		}
		if c.SIP.RTPTimeoutHold < 0 || (c.SIP.RTPTimeoutHold > 0 && time.Duration(c.SIP.RTPTimeoutHold) < 100*time.Millisecond) {
			return bad("sip.rtp_timeout_hold", "must be at least 100ms (0: the default, 60s)")
		}
		if c.SIP.QualifyInterval < 0 || (c.SIP.QualifyInterval > 0 && time.Duration(c.SIP.QualifyInterval) < time.Second) {
			return bad("sip.qualify_interval", "must be at least 1s (0: the default, 30s)")
		}
		if c.SIP.QualifyTimeout < 0 || (c.SIP.QualifyTimeout > 0 && time.Duration(c.SIP.QualifyTimeout) < 100*time.Millisecond) {
			return bad("sip.qualify_timeout", "must be at least 100ms (0: the default, 5s)")
		}
		if c.SIP.AckTimeout <= 0 {
			return bad("sip.ack_timeout", "must be positive")
		}
		if len(c.SIP.HelpDeskNumbers) == 0 {
			return bad("sip.helpdesk_numbers", "at least one number is needed")
		}
		for ext, pw := range c.SIP.Extensions {
			if !isDialable(ext) {
				return bad("sip.extensions", "%q is not an extension of digits", ext)
			}
			if len(pw) < 4 {
				return bad("sip.extensions", "the password of %s is shorter than 4 characters", ext)
			}
		}
		for _, n := range c.SIP.HelpDeskNumbers {
			if !isDialable(n) {
				return bad("sip.helpdesk_numbers", "%q is not a number of digits, * or #", n)
			}
			if _, clash := c.SIP.Extensions[n]; clash {
				return bad("sip.helpdesk_numbers", "%s is also an agent extension", n)
			}
		}
	case "asterisk":
		if u, err := url.Parse(c.Asterisk.URL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("asterisk.url", "%q is not an http(s) URL like http://127.0.0.1:8088/ari", c.Asterisk.URL)
		}
		if c.Asterisk.User == "" || c.Asterisk.Password == "" {
			return bad("asterisk.user", "the ARI user and password are required (ATIENDE_ARI_USER, ATIENDE_ARI_PASSWORD)")
		}
		if c.Asterisk.App == "" {
			return bad("asterisk.app", "the Stasis application name is required")
		}
		if c.Asterisk.MaxConns < 0 {
			return bad("asterisk.max_conns", "%d: must be 0 (the default, 50) or more", c.Asterisk.MaxConns)
		}
	default:
		return bad("engine", "%q is not sip or asterisk", c.Engine)
	}
	if len(c.Phones.Region) != 2 {
		return bad("phones.region", "%q is not a two-letter region like MX or VE", c.Phones.Region)
	}
	if len(c.PriorityMatrix) != 3 {
		return bad("priority_matrix", "needs 3 rows (impact high, medium, low), has %d", len(c.PriorityMatrix))
	}
	for i, row := range c.PriorityMatrix {
		if len(row) != 3 {
			return bad("priority_matrix", "row %d needs 3 cells (urgency high, medium, low), has %d", i+1, len(row))
		}
		for _, p := range row {
			if p < 1 || p > 4 {
				return bad("priority_matrix", "row %d has %d; priorities are 1 to 4", i+1, p)
			}
		}
	}
	for name, q := range c.Queues.all() {
		key := "queues"
		if name != "" {
			key = "queues.overrides." + name
		}
		if q.Strategy != "" && !slices.Contains(agentdesk.Strategies, agentdesk.Strategy(q.Strategy)) {
			return bad(key+".strategy", "%q is not one of %v", q.Strategy, agentdesk.Strategies)
		}
		if q.RingTimeout < 0 || (q.RingTimeout > 0 && time.Duration(q.RingTimeout) < time.Second) {
			return bad(key+".ring_timeout", "must be at least 1s")
		}
		switch q.NoAgents {
		case "", "callback", "wait", "overflow":
		default:
			return bad(key+".no_agents", "%q is not callback, wait or overflow", q.NoAgents)
		}
		if eff := c.Queues.For(name); eff.NoAgents == "overflow" {
			if eff.Overflow == "" {
				return bad(key+".overflow", "no_agents overflow needs the queue to overflow to")
			}
			// The overflow queue itself must not overflow to itself.
			if o := c.Queues.For(eff.Overflow); o.NoAgents == "overflow" && o.Overflow == eff.Overflow {
				return bad("queues.overrides."+eff.Overflow+".no_agents", "queue %s is the overflow queue: it cannot overflow to itself", eff.Overflow)
			}
		}
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return bad("public_url", "%q is not an http(s) URL", c.PublicURL)
		}
	}
	if c.SMTP.Addr != "" {
		if err := checkHostPort(c.SMTP.Addr); err != nil {
			return bad("smtp.addr", "%v", err)
		}
		if c.SMTP.From == "" {
			return bad("smtp.from", "the sender address is required with smtp.addr")
		}
	}
	switch c.SMTP.TLS {
	case "", "required", "off":
	default:
		return bad("smtp.tls", "%q is not required or off", c.SMTP.TLS)
	}
	if c.Escalation.SurveySecret != "" && len(c.Escalation.SurveySecret) < 16 {
		return bad("escalation.survey_secret", "is shorter than 16 characters")
	}
	if c.Extensions.DownAfter < 0 || (c.Extensions.DownAfter > 0 && time.Duration(c.Extensions.DownAfter) < 10*time.Second) {
		return bad("extensions.down_after", "must be at least 10s")
	}
	if c.Extensions.StartGrace < 0 {
		return bad("extensions.start_grace", "must not be negative")
	}
	if err := c.checkExtensionRules(); err != nil {
		return err
	}
	if c.Admin.Username == "" {
		return bad("admin.username", "must not be empty")
	}
	if c.Admin.Password != "" && len(c.Admin.Password) < 8 {
		return bad("admin.password", "is shorter than 8 characters")
	}
	switch c.Log.Level {
	case "debug", "info", "warn", "error":
	default:
		return bad("log.level", "%q is not debug, info, warn or error", c.Log.Level)
	}
	switch c.Log.Format {
	case "text", "json":
	default:
		return bad("log.format", "%q is not text or json", c.Log.Format)
	}
	return nil
}

// RTPRange parses sip.rtp_ports.
func (c *Config) RTPRange() (int, int, error) {
	a, b, ok := strings.Cut(c.SIP.RTPPorts, "-")
	lo, err1 := strconv.Atoi(strings.TrimSpace(a))
	hi, err2 := strconv.Atoi(strings.TrimSpace(b))
	if !ok || err1 != nil || err2 != nil || lo < 1024 || hi > 65535 || hi-lo < 10 {
		return 0, 0, fmt.Errorf("%q is not a range like 20000-20999 (ports 1024-65535, at least 10)", c.SIP.RTPPorts)
	}
	return lo, hi, nil
}

// CallLimit is calls.max_concurrent, or when 0 what the embedded engine's
// RTP port range holds (two ports a call); 0 (no limit) on Asterisk.
func (c *Config) CallLimit() int {
	if c.Calls.MaxConcurrent > 0 || c.Engine != "sip" {
		return c.Calls.MaxConcurrent
	}
	lo, hi, err := c.RTPRange()
	if err != nil {
		return 0
	}
	return (hi - lo + 1) / 2
}

func checkHostPort(s string) error {
	host, port, err := net.SplitHostPort(s)
	if err != nil {
		return fmt.Errorf("%q is not host:port", s)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 0 || p > 65535 {
		return fmt.Errorf("%q has a bad port", s)
	}
	if host != "" && net.ParseIP(host) == nil && strings.ContainsAny(host, " /") {
		return fmt.Errorf("%q has a bad host", s)
	}
	return nil
}

func isDialable(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if (r < '0' || r > '9') && r != '*' && r != '#' {
			return false
		}
	}
	return true
}

// PriorityMatrixArray converts the validated matrix.
func (c *Config) priorityCells() [3][3]int {
	var m [3][3]int
	for i := range 3 {
		for j := range 3 {
			m[i][j] = c.PriorityMatrix[i][j]
		}
	}
	return m
}

func (q QueuesConfig) all() map[string]QueueConfig {
	m := map[string]QueueConfig{"": q.QueueConfig}
	for k, v := range q.Overrides {
		m[k] = v
	}
	return m
}

// For returns the tuning of queue name: the override's non-zero fields over
// the common ones.
func (q QueuesConfig) For(name string) QueueConfig {
	c := q.QueueConfig
	o, ok := q.Overrides[name]
	if !ok {
		return c
	}
	if o.Strategy != "" {
		c.Strategy = o.Strategy
	}
	if o.NoAgents != "" {
		c.NoAgents = o.NoAgents
	}
	if o.Overflow != "" {
		c.Overflow = o.Overflow
	}
	for _, f := range []struct{ dst, src *Duration }{
		{&c.RingTimeout, &o.RingTimeout}, {&c.WrapUp, &o.WrapUp}, {&c.MaxWait, &o.MaxWait},
		{&c.AnnounceInterval, &o.AnnounceInterval}, {&c.ServiceLevel, &o.ServiceLevel},
	} {
		if *f.src != 0 {
			*f.dst = *f.src
		}
	}
	return c
}
