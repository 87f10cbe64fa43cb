package main

import (
	"bufio"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"
)

// load is one stream of requests: from target, with connections requests
// in flight, each sent as soon as one is answered (vegeta at rate 0).
type load struct {
	name        string
	connections int
	target      vegeta.Targeter
	// answered, when set, is told of each request as its answer's
	// headers arrive (resp nil when there was none).
	answered func(*http.Request, *http.Response, error)
	// part, when set, names the part of the load a request was, and each
	// part is summed up too.
	part func(*vegeta.Result) string
}

// requestTimeout bounds one request of a scenario.
const requestTimeout = 10 * time.Second

// drive runs loads side by side for d against the process pid and sums
// each up, with the process's peak resident memory and the CPUs it kept
// busy while they ran.
func drive(ctx context.Context, d time.Duration, pid int, loads ...load) []result {
	rss := watchRSS(pid, 50*time.Millisecond)
	cpu0, _ := cpuTime(pid)
	began := time.Now()
	tallies := make([]*tally, len(loads))
	var wg sync.WaitGroup
	for i, l := range loads {
		tallies[i] = newTally()
		atk := vegeta.NewAttacker(
			vegeta.Client(l.client()),
			vegeta.Workers(uint64(l.connections)), vegeta.MaxWorkers(uint64(l.connections)),
			vegeta.Redirects(vegeta.NoFollow), vegeta.Timeout(requestTimeout), vegeta.MaxBody(0),
		)
		wg.Go(func() {
			stop := context.AfterFunc(ctx, func() { atk.Stop() })
			defer stop()
			for r := range atk.Attack(l.target, vegeta.Rate{}, d, l.name) {
				tallies[i].add(r)
				if l.part != nil {
					tallies[i].part(l.part(r)).add(r)
				}
			}
		})
	}
	wg.Wait()
	peak := rss()
	cpu1, _ := cpuTime(pid)
	cpus := (cpu1 - cpu0).Seconds() / time.Since(began).Seconds()
	out := make([]result, len(loads))
	for i, l := range loads {
		out[i] = tallies[i].result(l.name, l.connections)
		out[i].PeakRSS, out[i].CPUs = peak, cpus
	}
	return out
}

// client is the load's HTTP client: at most its connections to the
// server, all kept open.
func (l load) client() *http.Client {
	tr := &http.Transport{
		DialContext:         (&net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConnsPerHost: l.connections,
		MaxConnsPerHost:     l.connections,
	}
	var rt http.RoundTripper = tr
	if l.answered != nil {
		rt = answeredTransport{tr, l.answered}
	}
	return &http.Client{Transport: rt}
}

// answeredTransport tells answered of each answer.
type answeredTransport struct {
	base     http.RoundTripper
	answered func(*http.Request, *http.Response, error)
}

func (t answeredTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	res, err := t.base.RoundTrip(r)
	t.answered(r, res, err)
	return res, err
}

// rotate is a Targeter that makes the n-th request with build(n, t),
// n counting up from 0 over every connection.
func rotate(build func(n int, t *vegeta.Target)) vegeta.Targeter {
	var count atomic.Int64
	return func(t *vegeta.Target) error {
		build(int(count.Add(1)-1), t)
		return nil
	}
}

// turnHeader names which account a request of a lending is for.
const turnHeader = "X-Load-Account"

// lending lends each of a set of accounts to one request at a time, so
// that an account's next write starts from what its last one left:
// a request takes a free account, and the account is free again when
// the answer to it arrives.
type lending struct {
	ctx  context.Context
	free chan int
	// build makes the request for account i; done learns its answer
	// (status 0 when there was none).
	build func(i int, t *vegeta.Target) error
	done  func(i, status int)
}

func newLending(ctx context.Context, n int, build func(int, *vegeta.Target) error, done func(i, status int)) *lending {
	l := &lending{ctx: ctx, free: make(chan int, n), build: build, done: done}
	for i := range n {
		l.free <- i
	}
	return l
}

func (l *lending) target(t *vegeta.Target) error {
	var i int
	select {
	case i = <-l.free:
	case <-l.ctx.Done():
		return l.ctx.Err()
	}
	if err := l.build(i, t); err != nil {
		l.free <- i
		return err
	}
	if t.Header == nil {
		t.Header = http.Header{}
	}
	t.Header.Set(turnHeader, strconv.Itoa(i))
	return nil
}

func (l *lending) answered(r *http.Request, res *http.Response, _ error) {
	i, err := strconv.Atoi(r.Header.Get(turnHeader))
	if err != nil {
		return
	}
	status := 0
	if res != nil {
		status = res.StatusCode
	}
	l.done(i, status)
	l.free <- i
}

// watchRSS samples the process's resident memory every interval until
// the returned function is called, which answers the highest sample in kB.
func watchRSS(pid int, interval time.Duration) func() int64 {
	var peak atomic.Int64
	stop := make(chan struct{})
	done := make(chan struct{})
	sample := func() {
		if kb, err := procField(fmt.Sprintf("/proc/%d/status", pid), "VmRSS"); err == nil && kb > peak.Load() {
			peak.Store(kb)
		}
	}
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			sample()
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	return func() int64 {
		close(stop)
		<-done
		sample()
		return peak.Load()
	}
}

// clockTicks is the unit of /proc/<pid>/stat's times (USER_HZ, 100 on
// Linux everywhere).
const clockTicks = 100

// cpuTime is the CPU time the process pid has used, in user and kernel
// mode, from fields 14 and 15 of /proc/<pid>/stat.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	_, rest, ok := strings.Cut(string(b), ") ")
	f := strings.Fields(rest)
	if !ok || len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	var ticks int64
	for _, v := range f[11:13] { // fields 14 and 15, counted from field 3
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return 0, err
		}
		ticks += n
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// procField reads a field in kB of a /proc file: VmRSS or VmHWM of
// /proc/<pid>/status, MemTotal of /proc/meminfo.
func procField(path, field string) (int64, error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		if v, ok := strings.CutPrefix(s.Text(), field+":"); ok {
			return strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		}
	}
	return 0, fmt.Errorf("%s has no %s", path, field)
}
