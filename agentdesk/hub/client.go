package hub

import (
	"encoding/json"
	"net"
	"sync"
	"time"

	"github.com/gorilla/websocket"
)

// client is one open page.
type client struct {
	h    *Hub
	conn *websocket.Conn
	p    Principal
	view view
	send chan *websocket.PreparedMessage
	done chan struct{}
	once sync.Once
	// closeCode and closeText are the close frame's; set before done is
	// closed.
	closeCode int
	closeText string
}

// CloseSessionEnded is the close code of a socket whose user's sessions
// ended (logout, password reset, disabled): the page goes to the login
// instead of reconnecting.
const CloseSessionEnded = 4401

// end stops the client with a close frame of code and text.
func (c *client) end(code int, text string) {
	c.once.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.done)
	})
}

// stop ends the client. abrupt closes the socket at once (a stalled writer
// unblocks); otherwise the writer says goodbye with a close frame.
func (c *client) stop(abrupt bool) {
	c.once.Do(func() { close(c.done) })
	if abrupt {
		_ = c.conn.Close()
	}
}

func (c *client) writePump() {
	cfg := &c.h.cfg
	ping := time.NewTicker(cfg.PingInterval)
	defer func() {
		ping.Stop()
		_ = c.conn.Close()
		c.h.unregister(c)
	}()
	for {
		select {
		case <-c.done:
			code, text := c.closeCode, c.closeText
			if code == 0 {
				code, text = websocket.CloseGoingAway, "server closing"
			}
			_ = c.conn.WriteControl(websocket.CloseMessage,
				websocket.FormatCloseMessage(code, text), time.Now().Add(time.Second))
			return
		case pm := <-c.send:
			_ = c.conn.SetWriteDeadline(time.Now().Add(cfg.WriteTimeout))
			if err := c.conn.WritePreparedMessage(pm); err != nil {
				if ne, ok := err.(net.Error); ok && ne.Timeout() {
					// Stalled: the socket stayed full for WriteTimeout.
					c.h.stats.slowDropped.Add(1)
					c.h.log.Info("hub: dropping stalled client", "username", c.p.Username, "role", c.p.Role)
				}
				return
			}
		case <-ping.C:
			if err := c.conn.WriteControl(websocket.PingMessage, nil, time.Now().Add(cfg.WriteTimeout)); err != nil {
				return
			}
		}
	}
}

// readPump reads until the page goes away or stays silent longer than
// PongWait. The only message the hub acts on is an agent console's
// "popped" (the screen-pop is painted); reading also keeps pongs and close
// frames flowing.
func (c *client) readPump() {
	wait := c.h.cfg.PongWait
	c.conn.SetReadLimit(maxClientMessage)
	_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	c.conn.SetPongHandler(func(string) error { return c.conn.SetReadDeadline(time.Now().Add(wait)) })
	for {
		_, data, err := c.conn.ReadMessage()
		if err != nil {
			break
		}
		var m ClientMessage
		if json.Unmarshal(data, &m) == nil && m.Type == TypePopped && m.CallID != "" && c.p.Username != "" {
			c.h.popped(c.p.Username, m.CallID, time.Now())
		}
		_ = c.conn.SetReadDeadline(time.Now().Add(wait))
	}
	c.stop(true)
	c.h.unregister(c)
}

func (h *Hub) unregister(c *client) {
	select {
	case h.unreg <- c:
	case <-h.done:
	}
}
