package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

// phase runs f with its own time limit and says how long it took.
func phase[T any](ctx context.Context, name string, limit time.Duration, f func(context.Context) (T, error)) (T, error) {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	start := time.Now()
	fmt.Printf("== %s (limit %s)\n", name, limit)
	v, err := f(ctx)
	switch {
	case err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		err = fmt.Errorf("%s: not done within its limit of %s: %w", name, limit, err)
	case err != nil:
		err = fmt.Errorf("%s: %w", name, err)
	default:
		fmt.Printf("   %s: %.1fs\n", name, time.Since(start).Seconds())
	}
	return v, err
}

// binaries are the programs a run builds.
type binaries struct{ server, genusers, refpage string }

// build compiles the application, cmd/genusers and cmd/refpage of the
// module at root into dir.
func build(ctx context.Context, root, dir string) (binaries, error) {
	b := binaries{server: filepath.Join(dir, "myaccount"), genusers: filepath.Join(dir, "genusers"), refpage: filepath.Join(dir, "refpage")}
	for out, pkg := range map[string]string{b.server: ".", b.genusers: "./cmd/genusers", b.refpage: "./cmd/refpage"} {
		cmd := exec.CommandContext(ctx, "go", "build", "-o", out, pkg)
		cmd.Dir = root
		if msg, err := cmd.CombinedOutput(); err != nil {
			return b, fmt.Errorf("go build %s: %w\n%s", pkg, err, msg)
		}
	}
	return b, nil
}

// moduleRoot is the directory of the go.mod of the working directory.
func moduleRoot(ctx context.Context) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	mod := strings.TrimSpace(string(out))
	if mod == "" || mod == os.DevNull {
		return "", errors.New("run it inside the module: go run ./cmd/load")
	}
	return filepath.Dir(mod), nil
}

// databaseURL is base with its database replaced by name.
func databaseURL(base, name string) (string, error) {
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("--database-url must be a postgres:// URL")
	}
	u.Path = "/" + name
	return u.String(), nil
}

// recreateDatabase drops the database name, with any connection to it,
// and creates it empty.
func recreateDatabase(ctx context.Context, base, name string) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	id := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+id+" WITH (FORCE)"); err != nil {
		return err
	}
	_, err = conn.Exec(ctx, "CREATE DATABASE "+id)
	return err
}

// dropDatabase drops the database name.
func dropDatabase(ctx context.Context, base, name string) error {
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)")
	return err
}

// generate runs cmd/genusers for users users into dbURL, its output
// indented under ours.
func generate(ctx context.Context, bin, dbURL string, users int) error {
	cmd := exec.CommandContext(ctx, bin, "--database-url", dbURL, "--users", fmt.Sprint(users), "--merchant-code", merchantCode)
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// Interrupted, it exits and its transaction rolls back.
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	cmd.WaitDelay = 10 * time.Second
	out := &indented{w: os.Stdout, prefix: "   genusers "}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd.Run()
}

// indented writes each line with prefix in front.
type indented struct {
	w       io.Writer
	prefix  string
	midLine bool
}

func (w *indented) Write(p []byte) (int, error) {
	for _, line := range strings.SplitAfter(string(p), "\n") {
		if line == "" {
			continue
		}
		if !w.midLine {
			if _, err := io.WriteString(w.w, w.prefix); err != nil {
				return 0, err
			}
		}
		if _, err := io.WriteString(w.w, line); err != nil {
			return 0, err
		}
		w.midLine = !strings.HasSuffix(line, "\n")
	}
	return len(p), nil
}

// process is a server the run started, with its output in a log file.
type process struct {
	name string
	cmd  *exec.Cmd
	log  string
	done chan struct{}
	err  error
}

// start runs bin with args in a process group of its own, so a Ctrl-C in
// the terminal reaches only this command, which then stops it in order.
func start(name, bin string, args []string, log string) (*process, error) {
	f, err := os.Create(log)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, args...)
	// Only the flags configure it, not the settings of this shell.
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, fmt.Errorf("start %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, log: log, done: make(chan struct{})}
	go func() {
		p.err = cmd.Wait()
		f.Close()
		close(p.done)
	}()
	return p, nil
}

func (p *process) pid() int { return p.cmd.Process.Pid }

// stop asks the process to finish (SIGTERM) and kills it after wait.
func (p *process) stop(wait time.Duration) {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(wait):
		_ = p.cmd.Process.Kill()
		<-p.done
	}
}

// waitReady polls url until it answers 200, the process exits or ctx ends.
func waitReady(ctx context.Context, p *process, url string) error {
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
		if res, err := client.Do(req); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case <-p.done:
			return fmt.Errorf("%s exited (%v) before it was ready: see %s", p.name, p.err, p.log)
		case <-ctx.Done():
			return fmt.Errorf("%s not ready: %w (see %s)", p.name, ctx.Err(), p.log)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// freeAddr is a loopback address with a port nobody listens on now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// profileCPU fetches a CPU profile of d (whole seconds, at least one)
// from the profiler at addr and writes it to path.
func profileCPU(ctx context.Context, addr string, d time.Duration, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	seconds := max(1, int(d/time.Second))
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, fmt.Sprintf("http://%s/debug/pprof/profile?seconds=%d", addr, seconds), nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("the profiler answered %s", res.Status)
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, res.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// fileName makes a phase's name a file name: its letters and digits,
// the rest as dashes.
func fileName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if ('a' <= r && r <= 'z') || ('0' <= r && r <= '9') {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
