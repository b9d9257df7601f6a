package desk

import (
	"embed"
	"html/template"
	"log/slog"
	"net/http"
	"strconv"
	"strings"

	"github.com/atiende/atiende/escalation"
	"github.com/atiende/atiende/tickets"
)

//go:embed survey.html
var surveyFS embed.FS

var surveyPage = template.Must(template.ParseFS(surveyFS, "survey.html"))

// SurveyHandler serves the satisfaction survey at /survey/{token}: GET shows
// the form (1 to 5 and a comment), POST records it once. The unguessable
// single-use token in the URL is the only credential, so a forged POST
// from another site cannot answer someone else's survey, and a replayed
// POST finds it answered. The page links /css/app.css, the stylesheet of
// the desk's pages (agentdesk/web/static), so mount it on the mux that
// serves them:
//
//	mux.Handle("/survey/", desk.SurveyHandler{...})
type SurveyHandler struct {
	Surveys SurveyStore
	Clock   escalation.Clock
	Log     *slog.Logger
}

type surveyView struct {
	Lang, Token, Ticket, Error string
	State                      string // form, thanks, answered, missing
	Scores                     []int
}

func (h SurveyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimPrefix(r.URL.Path, "/survey/")
	if token == "" || strings.Contains(token, "/") || len(token) > 128 {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Referrer-Policy", "no-referrer") // the token is in the URL
	w.Header().Set("X-Frame-Options", "DENY")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'self'; form-action 'self'")
	v := surveyView{Token: token, Scores: []int{1, 2, 3, 4, 5}, Lang: "es"}
	hash := HashToken(token)
	number, lang, answered, err := h.Surveys.Survey(r.Context(), hash)
	switch {
	case tickets.ErrorCode(err) == tickets.ENOTFOUND:
		v.State = "missing"
		h.render(w, r, http.StatusNotFound, v)
		return
	case err != nil:
		h.fail(w, err)
		return
	}
	v.Ticket, v.Lang = number, lang
	if l := r.URL.Query().Get("lang"); l == "es" || l == "en" {
		v.Lang = l
	}
	if answered {
		v.State = "answered"
		status := http.StatusOK
		if r.Method == http.MethodPost {
			status = http.StatusConflict // single use
		}
		h.render(w, r, status, v)
		return
	}
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		v.State = "form"
		h.render(w, r, http.StatusOK, v)
	case http.MethodPost:
		h.answer(w, r, hash, v)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

func (h SurveyHandler) answer(w http.ResponseWriter, r *http.Request, hash []byte, v surveyView) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	score, err := strconv.Atoi(r.PostFormValue("score"))
	comment := strings.TrimSpace(r.PostFormValue("comment"))
	if err != nil || score < 1 || score > 5 || len(comment) > 2000 {
		v.State, v.Error = "form", "invalid"
		h.render(w, r, http.StatusBadRequest, v)
		return
	}
	clock := h.Clock
	if clock == nil {
		clock = escalation.SystemClock{}
	}
	err = h.Surveys.AnswerSurvey(r.Context(), hash, score, comment, clock.Now())
	switch tickets.ErrorCode(err) {
	case "":
		v.State = "thanks"
		h.render(w, r, http.StatusOK, v)
	case tickets.ECONFLICT:
		v.State = "answered"
		h.render(w, r, http.StatusConflict, v)
	default:
		h.fail(w, err)
	}
}

func (h SurveyHandler) render(w http.ResponseWriter, r *http.Request, status int, v surveyView) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	if r.Method == http.MethodHead {
		return
	}
	if err := surveyPage.Execute(w, v); err != nil && h.Log != nil {
		h.Log.Warn("survey page", "error", err)
	}
}

func (h SurveyHandler) fail(w http.ResponseWriter, err error) {
	if h.Log != nil {
		h.Log.Error("survey", "error", err)
	}
	http.Error(w, "temporarily unavailable / no disponible por el momento", http.StatusServiceUnavailable)
}
