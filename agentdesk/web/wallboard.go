package web

// wallboardRoutes returns the routes of the wallboard's day history.
func (s *Server) wallboardRoutes() []route { return nil }
