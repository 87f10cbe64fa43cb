package handlers

import (
	"net/http"

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
	f, q, err := parseAuditFilter(c)
	if err != nil {
		return err
	}
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
// typed, to show again, and the query it asks for (models.AuditFilter).
func parseAuditFilter(c echo.Context) (views.AuditFilter, store.AuditQuery, error) {
	var f views.AuditFilter
	if err := bindQuery(c, &f.AuditFilter); err != nil {
		return f, store.AuditQuery{}, err
	}
	days, errs := f.Validate()
	f.Errors = errs
	return f, store.AuditQuery{
		Actor: f.Actor, Subject: f.Subject, Action: f.Action, From: days.From, To: days.To,
		After: c.QueryParam("after"), Before: c.QueryParam("before"), Limit: auditPageSize,
	}, nil
}
