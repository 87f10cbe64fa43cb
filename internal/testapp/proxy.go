package testapp

import (
	"net"
	"net/url"
	"sync"
	"testing"
)

// Proxy is a TCP proxy on 127.0.0.1 in front of a database server, for
// tests of what the application does when its database hangs or goes
// away. It forwards until told otherwise: Hold stops forwarding bytes but
// keeps every connection open (a hung server, a network dropping packets),
// Cut closes every connection and refuses new ones (a server that is
// down), Restore forwards again. It never touches the server itself.
type Proxy struct {
	t      testing.TB
	target string
	addr   string

	mu    sync.Mutex
	moved *sync.Cond // broadcast on every change of state
	state proxyState
	ln    net.Listener
	conns map[net.Conn]struct{}
	wg    sync.WaitGroup
}

type proxyState int

const (
	forwarding proxyState = iota
	holding
	cut
)

// NewProxy starts a proxy to the host and port of dbURL; it stops when
// the test ends.
func NewProxy(t testing.TB, dbURL string) *Proxy {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil || u.Host == "" {
		t.Fatalf("proxy: %q names no host and port to forward to", dbURL)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("proxy: %v", err)
	}
	p := &Proxy{t: t, target: u.Host, addr: ln.Addr().String(), conns: map[net.Conn]struct{}{}}
	p.moved = sync.NewCond(&p.mu)
	p.serve(ln)
	t.Cleanup(func() {
		p.Cut()
		p.wg.Wait()
	})
	return p
}

// URL is dbURL with the proxy in place of the server.
func (p *Proxy) URL(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		p.t.Fatalf("proxy: %v", err)
	}
	u.Host = p.addr
	return u.String()
}

// Hold stops forwarding: what either side sends is kept back, connections
// stay open and new ones are accepted, so the application waits as for a
// server that hangs.
func (p *Proxy) Hold() { p.set(holding) }

// Cut closes every connection and refuses new ones, as a server that is
// down does.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == cut {
		return
	}
	p.state = cut
	p.ln.Close()
	for c := range p.conns {
		c.Close()
	}
	p.moved.Broadcast()
}

// Restore forwards again, listening again on the same address if the link
// was cut.
func (p *Proxy) Restore() {
	p.mu.Lock()
	wasCut := p.state == cut
	p.mu.Unlock()
	if wasCut {
		ln, err := net.Listen("tcp", p.addr)
		if err != nil {
			p.t.Fatalf("proxy: listen again on %s: %v", p.addr, err)
		}
		p.serve(ln)
	}
	p.set(forwarding)
}

func (p *Proxy) set(s proxyState) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.state = s
	p.moved.Broadcast()
}

func (p *Proxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.wg.Add(1)
			go func() {
				defer p.wg.Done()
				p.link(c)
			}()
		}
	}()
}

// link connects client to the server once forwarding, and copies both
// ways until either side or Cut ends it.
func (p *Proxy) link(client net.Conn) {
	defer p.drop(client)
	if !p.keep(client) || !p.proceed() {
		return
	}
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		return
	}
	defer p.drop(server)
	if !p.keep(server) {
		return
	}
	done := make(chan struct{}, 2)
	go func() { p.copy(server, client); done <- struct{}{} }()
	go func() { p.copy(client, server); done <- struct{}{} }()
	<-done
	client.Close()
	server.Close()
	<-done
}

// copy forwards from src to dst, holding back what it read while the link
// is held.
func (p *Proxy) copy(dst, src net.Conn) {
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			if !p.proceed() {
				return
			}
			if _, err := dst.Write(buf[:n]); err != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// proceed waits while the link is held and reports whether to go on
// forwarding: false once it is cut.
func (p *Proxy) proceed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	for p.state == holding {
		p.moved.Wait()
	}
	return p.state == forwarding
}

// keep tracks c so Cut can close it; a connection that arrives as the
// link is cut is refused.
func (p *Proxy) keep(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.state == cut {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) drop(c net.Conn) {
	c.Close()
	p.mu.Lock()
	delete(p.conns, c)
	p.mu.Unlock()
}
