package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/atiende/atiende/agentdesk/acd"
	"github.com/atiende/atiende/ivr"
)

// ExtensionRule is extensions.rules.<ext>: where calls to the extension go
// when it is busy, not registered or does not answer in its ring timeout.
// One of forward, queue and menu; none: the caller hears busy or
// unavailable.
//
//	extensions:
//	  ring_timeout: 20s
//	  rules:
//	    "1002": {forward: "1003"}         # another extension
//	    "1004": {queue: network, ring_timeout: 15s}
//	    "1005": {menu: true}              # the help-desk menu
type ExtensionRule struct {
	RingTimeout Duration `yaml:"ring_timeout"`
	Forward     string   `yaml:"forward"`
	Queue       string   `yaml:"queue"`
	Menu        bool     `yaml:"menu"`
}

func (c ExtensionsConfig) routerRules() map[string]ivr.ExtRule {
	out := make(map[string]ivr.ExtRule, len(c.Rules))
	for ext, r := range c.Rules {
		out[ext] = ivr.ExtRule{RingTimeout: time.Duration(r.RingTimeout), Forward: r.Forward, Queue: r.Queue, Menu: r.Menu}
	}
	return out
}

// checkExtensionRules checks extensions.ring_timeout and rules; queues are
// checked at start, against the catalog (checkRuleQueues).
func (c Config) checkExtensionRules() error {
	if rt := time.Duration(c.Extensions.RingTimeout); rt < 0 || (rt > 0 && rt < time.Second) || rt > 5*time.Minute {
		return fmt.Errorf("extensions.ring_timeout: %s is not between 1s and 5m", rt)
	}
	known := func(ext string) bool {
		if c.Engine == "sip" {
			_, ok := c.SIP.Extensions[ext]
			return ok
		}
		return isDialable(ext) // Asterisk's PJSIP endpoints are not in this file
	}
	if err := ivr.CheckRules(c.Extensions.routerRules(), known, nil); err != nil {
		return fmt.Errorf("extensions.rules: %w", err)
	}
	return nil
}

// checkRuleQueues reports a rule whose queue is not one of desk's.
func checkRuleQueues(c ExtensionsConfig, desk *acd.ACD) error {
	queues := map[string]bool{}
	for _, q := range desk.Snapshot().Queues {
		queues[q.Name] = true
	}
	err := ivr.CheckRules(c.routerRules(), nil, func(q string) bool { return queues[q] })
	if err != nil {
		return fmt.Errorf("extensions.rules: %w (the queues are the catalog's groups)", err)
	}
	return nil
}

// newExtRouter is the router of calls between extensions, for both engines;
// its Dialer, Queue, Menu and Activity are set by wireExtRouter once the
// engine and the desk exist.
func newExtRouter(cfg Config, log *slog.Logger) *ivr.ExtRouter {
	return &ivr.ExtRouter{RingTimeout: time.Duration(cfg.Extensions.RingTimeout), Rules: cfg.Extensions.routerRules(),
		Log: log.With("component", "extroute")}
}

// wireExtRouter completes r: it rings through engine, queues through desk
// (whose queues the rules of c must name), sends to menu, and reports
// activity to the desk (an agent on an internal call gets no offer) and to
// the network page.
func wireExtRouter(r *ivr.ExtRouter, c ExtensionsConfig, engine ivr.Engine, desk *acd.ACD, menu ivr.Handler, activity ...ivr.CallActivity) error {
	if err := checkRuleQueues(c, desk); err != nil {
		return err
	}
	r.Dialer = engine
	r.Menu = menu
	r.Queue = func(ctx context.Context, c ivr.Call, queue string) error {
		_, err := desk.Enqueue(ctx, c, acd.CallInfo{Queue: queue, Lang: "es"})
		return err
	}
	r.Activity = ivr.CallActivities(activity)
	return nil
}
