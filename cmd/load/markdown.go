package main

import (
	"fmt"
	"strings"
	"time"
)

// budgetUsers is the size of the admin search budget and of the
// comparison of GET /account across sizes.
const budgetUsers = 1_000_000

// markdown is the run's section of docs/PERFORMANCE.md; doc is the file
// as it is, for the figures of a run of 1,000 users to compare with.
func (r *report) markdown(doc string) string {
	var b strings.Builder
	o := r.opts
	fmt.Fprintf(&b, "## %s users, %s\n\n", thousands(float64(o.users)), r.date.Format("2006-01-02"))
	fmt.Fprintf(&b, "`%s`: %s users from `cmd/genusers`, %d guests signed in, each scenario %s at %d connections, bcrypt cost %d. "+
		"The run took %s, of which generating the users %s.\n\n",
		r.command, thousands(float64(o.users)), o.sessions, o.duration, o.connections, o.bcryptCost, round(r.took), round(r.generated))
	fmt.Fprintf(&b, "- Machine: %s.\n", r.machine)
	fmt.Fprintf(&b, "- Load average (1, 5, 15 min): %s before the run, %s after it (whatever else the machine runs shares its CPUs).\n", r.loadBefore, r.loadAfter)
	fmt.Fprintf(&b, "- bcrypt at cost %d, on %d goroutines (one per CPU) while the servers wait: %.1f checks/s (%.1f per CPU second) just before the sign-ins, "+
		"%.1f (%.1f) just after.\n", o.bcryptCost, r.machine.cpus, r.bcrypt[0].perSecond, r.bcrypt[0].perCPUSecond, r.bcrypt[1].perSecond, r.bcrypt[1].perCPUSecond)
	admin := fmt.Sprintf("`%s`", r.admin)
	if r.promoted {
		admin += " (the generated users had no admin; the load command made this guest one)"
	}
	fmt.Fprintf(&b, "- Merchant admin for the search and the API key: %s. Search terms, in turn: %s.\n\n", admin, codeList(r.searchTerms))

	b.WriteString(tableHeader)
	for _, pair := range r.rounds {
		b.WriteString(pair[0].row())
		b.WriteString(pair[1].row())
	}
	for _, res := range []result{r.reference, r.account, r.profile, r.signIn, r.mixedSignIn, r.mixedPage, r.search, r.searchFew, r.apiGet, r.apiPatch} {
		b.WriteString(res.row())
	}
	fmt.Fprintf(&b, "\nThe admin search by term, %d at a time, the slowest first:\n\n"+partHeader, o.searchConnections)
	for _, p := range r.searchFew.Parts {
		b.WriteString(p.partRow())
	}
	b.WriteString("\n")

	ratios := make([]string, len(r.rounds))
	for i, pair := range r.rounds {
		ratios[i] = fmt.Sprintf("%.2f", ratio(pair[1].Throughput, pair[0].Throughput))
	}
	fmt.Fprintf(&b, "- GET /account ÷ the reference page, by round: %s; all rounds: %.2f.\n", strings.Join(ratios, ", "), ratio(r.account.Throughput, r.reference.Throughput))
	fmt.Fprintf(&b, "- POST /account/profile: %s answers were 303s; the guests' record versions rose by %s (one per save).",
		thousands(float64(r.profile.Codes[303])), thousands(float64(r.profileSave)))
	if n := o.sessions - r.writable; n > 0 {
		fmt.Fprintf(&b, " It rotated over %d guests: the form of the other %d is refused (422) with only the city changed, "+
			"the stored values flagged being %s.", r.writable, n, countList(r.refused))
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "- PATCH /api/v1/users/{id}: %s answers were 200s; the versions rose by %s.\n",
		thousands(float64(r.apiPatch.Codes[200])), thousands(float64(r.apiSave)))
	fmt.Fprintf(&b, "- The application's peak resident memory over the whole run (VmHWM): %s.\n\n", mb(r.peakRSS))

	b.WriteString("| budget (SPEC §8) | measured | |\n|---|---|---|\n")
	for _, c := range r.checks(doc) {
		b.WriteString(c.row())
	}
	b.WriteString("\n" + accountMark(r.accountFigures()) + "\n")
	return b.String()
}

// checks holds the run against each budget of SPEC §8.
func (r *report) checks(doc string) []check {
	o := r.opts
	acc, ref := r.account, r.reference
	conns := ""
	if o.connections != 32 {
		conns = fmt.Sprintf(" (measured at %d connections)", o.connections)
	}
	wall, perCPU := r.bounds()
	signInPerCPU := ratio(r.signIn.Throughput, r.signIn.CPUs)
	cs := []check{
		{budget: "GET /account ≥ 0.5 × the reference page's req/s", met: acc.Throughput >= 0.5*ref.Throughput,
			measured: fmt.Sprintf("%.2f × (%s against %s req/s, all rounds)", ratio(acc.Throughput, ref.Throughput), thousands(acc.Throughput), thousands(ref.Throughput))},
		{budget: "GET /account ≥ 5,000 req/s", met: acc.Throughput >= 5000, measured: thousands(acc.Throughput) + " req/s" + conns},
		{budget: "GET /account p99 < 15 ms at 32 connections", met: acc.P99 < 15*time.Millisecond, measured: ms(acc.P99) + conns},
		{budget: "POST /account/profile ≥ 1,500 req/s", met: r.profile.Throughput >= 1500, measured: thousands(r.profile.Throughput) + " req/s"},
		{budget: "sign-in ≥ 90% of what bcrypt allows", met: signInPerCPU >= 0.9*perCPU,
			measured: fmt.Sprintf("per CPU second of the application %.1f sign-ins against %.1f bcrypt checks (%.0f%%); "+
				"by the clock %.1f req/s against %.1f checks/s (%.0f%%)", signInPerCPU, perCPU, 100*ratio(signInPerCPU, perCPU),
				r.signIn.Throughput, wall, 100*ratio(r.signIn.Throughput, wall))},
		{budget: "GET /account p99 < 100 ms while sign-ins saturate bcrypt", met: r.mixedPage.P99 < 100*time.Millisecond,
			measured: fmt.Sprintf("%s (sign-ins meanwhile: %.1f req/s)", ms(r.mixedPage.P99), r.mixedSignIn.Throughput)},
		{budget: "admin search over 1,000,000 users: p95 < 50 ms", met: r.searchFew.P95 < 50*time.Millisecond, na: o.users < budgetUsers,
			measured: fmt.Sprintf("p95 %s over %s users, %d searches at a time (%d at a time: %s)",
				ms(r.searchFew.P95), thousands(float64(o.users)), o.searchConnections, o.connections, ms(r.search.P95))},
		{budget: "resident memory < 100 MB", met: r.peakRSS < 100*1024, measured: mb(r.peakRSS) + " (VmHWM)"},
	}
	small, ok := sectionAccount(doc, 1000)
	c := check{budget: "GET /account at 1,000,000 users no more than 10% below 1,000 users", na: o.users < budgetUsers || !ok,
		measured: "compared in a run of 1,000,000 users"}
	if big := r.accountFigures(); !c.na {
		// Runs at other times met another machine load: the ratio to the
		// reference page, measured beside it, is given too.
		c.met = big.rate >= 0.9*small.rate
		c.measured = fmt.Sprintf("%s against %s req/s (%+.0f%%); to the reference page %.2f against %.2f (%+.0f%%)",
			thousands(big.rate), thousands(small.rate), 100*(ratio(big.rate, small.rate)-1),
			big.toReference, small.toReference, 100*(ratio(big.toReference, small.toReference)-1))
	} else if o.users >= budgetUsers {
		c.measured = "no run of 1,000 users in the file to compare with"
	}
	return append(cs, c)
}

func (r *report) accountFigures() accountFigures {
	return accountFigures{r.account.Throughput, ratio(r.account.Throughput, r.reference.Throughput)}
}

// bounds are what bcrypt allows, the mean of the measures before and
// after the sign-ins: checks a second, and checks per CPU second.
func (r *report) bounds() (perSecond, perCPUSecond float64) {
	return (r.bcrypt[0].perSecond + r.bcrypt[1].perSecond) / 2, (r.bcrypt[0].perCPUSecond + r.bcrypt[1].perCPUSecond) / 2
}

func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

func round(d time.Duration) string {
	if d < time.Minute {
		return fmt.Sprintf("%.1f s", d.Seconds())
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%d min %d s", int(d.Minutes()), int(d.Seconds())%60)
}

// countList writes counts by name, most first: "`phone` ×4, `mobile_phone` ×3".
func countList(counts map[string]int) string {
	names := mostFirst(counts)
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("`%s` ×%d", n, counts[n])
	}
	return strings.Join(out, ", ")
}

func codeList(terms []string) string {
	out := make([]string, len(terms))
	for i, t := range terms {
		out[i] = "`" + t + "`"
	}
	return strings.Join(out, ", ")
}
