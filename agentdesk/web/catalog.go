package web

// catalogRoutes returns the routes of catalog editing (admin page, catalog tab).
func (s *Server) catalogRoutes() []route { return nil }
