package web

// announcementRoutes returns the routes of IVR announcements (admin page).
func (s *Server) announcementRoutes() []route { return nil }
