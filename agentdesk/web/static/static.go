// Package static holds Atiende's web pages: plain HTML, JavaScript modules
// and CSS with no build step and nothing loaded from other sites, so they
// run under "Content-Security-Policy: default-src 'self'" (no inline script
// or style, no eval). Serve FS at "/": index.html is the login page.
//
// Pages: index.html (login), agent.html (console and screen-pop),
// wallboard.html (supervisors), report.html (the weekly fault report, for
// supervisors), network.html (extensions), tickets.html (list, search,
// detail). They call the JSON API under /api/v1 and the
// websocket hub at /ws. Text from callers and phones is always inserted as
// text (textContent, never innerHTML).
package static

import "embed"

// FS is the embedded pages.
//
//go:embed *.html css js
var FS embed.FS
