package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"myaccount/config"
)

// The server answers /readyz once started, and when its context ends (as
// on SIGTERM) it drains and run returns nil.
func TestRunServesAndStopsCleanly(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cfg, err := config.Parse([]string{"--addr", addr, "--database-url", filepath.Join(t.TempDir(), "run.db"), "--bcrypt-cost", "4"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- run(ctx, cfg, slog.New(slog.NewTextHandler(io.Discard, nil))) }()

	ready := false
	for range 200 {
		res, err := http.Get("http://" + addr + "/readyz")
		if err == nil {
			res.Body.Close()
			ready = res.StatusCode == http.StatusOK
			break
		}
		time.Sleep(25 * time.Millisecond)
	}
	if !ready {
		cancel()
		t.Fatalf("/readyz: never answered 200")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: got %v, want a clean stop", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("run did not return after the context ended")
	}
	if _, err := http.Get("http://" + addr + "/healthz"); err == nil {
		t.Errorf("the server still answers after stopping")
	}
}
