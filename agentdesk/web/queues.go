package web

// queueRoutes returns the routes of queue settings (admin page, queues tab).
func (s *Server) queueRoutes() []route { return nil }
