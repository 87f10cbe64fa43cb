package handlers

import (
	"net/http"
	"strings"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/auth"
	"myaccount/models"
	"myaccount/store"
	"myaccount/views"
	"myaccount/views/layout"
)

// GET /admin/audit — the merchant's audit log, filtered by actor, subject,
// action and days, newest first, a page at a time.
func (a *App) handleAdminAudit(c echo.Context) error {
	f, q := parseAuditFilter(c)
	f.Labels = views.LabelsFor(auth.CurrentMerchant(c))
	if len(f.Errors) > 0 {
		return a.refused(c, http.StatusUnprocessableEntity, "Audit log", "admin-audit",
			func(p layout.Page) templ.Component {
				p.Wide = true
				return views.AdminAuditPage(p, f, models.AuditPage{})
			},
			func(layout.Page) templ.Component { return views.AuditUpdate(f, models.AuditPage{}) })
	}
	p := a.page(c, "Audit log", "admin-audit")
	p.Wide = true
	q.MerchantID = auth.CurrentMerchant(c).ID
	page, err := a.Audit.Search(c.Request().Context(), q)
	if err != nil {
		return err
	}
	return render(c, http.StatusOK, views.AdminAuditPage(p, f, page), views.AuditUpdate(f, page))
}

// auditPageSize is how many events one page of the log shows.
const auditPageSize = 50

// parseAuditFilter reads the filter from the query string: the form as
// typed, to show again, and the query it asks for. The days must be real
// dates in YYYY-MM-DD, the last no earlier than the first.
func parseAuditFilter(c echo.Context) (views.AuditFilter, store.AuditQuery) {
	f := views.AuditFilter{
		Actor:   strings.TrimSpace(c.QueryParam("actor")),
		Subject: strings.TrimSpace(c.QueryParam("subject")),
		Action:  strings.TrimSpace(c.QueryParam("action")),
		From:    strings.TrimSpace(c.QueryParam("from")),
		To:      strings.TrimSpace(c.QueryParam("to")),
		Errors:  models.FieldErrors{},
	}
	q := store.AuditQuery{
		Actor: f.Actor, Subject: f.Subject, Action: f.Action,
		After: c.QueryParam("after"), Before: c.QueryParam("before"), Limit: auditPageSize,
	}
	q.From = auditDay(f.Errors, "from", "From", f.From)
	q.To = auditDay(f.Errors, "to", "To", f.To)
	if q.From != nil && q.To != nil && q.To.Before(*q.From) {
		f.Errors.Add("to", "To must be the same as or after From")
	}
	return f, q
}

// auditDay parses one day of the filter, noting a message under name when
// it is not a date.
func auditDay(errs models.FieldErrors, name, label, value string) *time.Time {
	if value == "" {
		return nil
	}
	d, err := time.Parse(time.DateOnly, value)
	if err != nil {
		errs.Add(name, label+" must be a real date in the format YYYY-MM-DD, for example 2026-01-30")
		return nil
	}
	return &d
}
