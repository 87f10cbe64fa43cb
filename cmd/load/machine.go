package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/crypto/bcrypt"
)

// machine describes where a run ran.
type machine struct {
	cpus     int
	cpuModel string
	memory   string
	postgres string
	goVer    string
}

func describeMachine() machine {
	m := machine{cpus: runtime.NumCPU(), cpuModel: "unknown CPU", memory: "unknown", goVer: runtime.Version()}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.cpuModel = strings.TrimSpace(strings.TrimLeft(v, " \t:"))
				break
			}
		}
	}
	if kb, err := procField("/proc/meminfo", "MemTotal"); err == nil {
		m.memory = fmt.Sprintf("%.1f GiB RAM", float64(kb)/(1024*1024))
	}
	return m
}

func (m machine) String() string {
	return fmt.Sprintf("%d CPUs (%s), %s; %s; %s %s/%s", m.cpus, m.cpuModel, m.memory, m.postgres, m.goVer, runtime.GOOS, runtime.GOARCH)
}

// loadAverage is /proc/loadavg's 1, 5 and 15 minute figures.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// bcryptRate measures bcrypt checks of hash with one goroutine per CPU
// over d: how many a second (the most sign-ins a second the password
// check allows, when the machine is this command's alone) and how many
// per second of CPU time (which other programs on the machine do not
// change).
func bcryptRate(ctx context.Context, hash []byte, d time.Duration) (perSecond, perCPUSecond float64) {
	var count atomic.Int64
	cpu0, _ := cpuTime(os.Getpid())
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for time.Now().Before(deadline) && ctx.Err() == nil {
				_ = bcrypt.CompareHashAndPassword(hash, []byte(password))
				count.Add(1)
			}
		})
	}
	wg.Wait()
	wall := time.Since(start)
	cpu1, _ := cpuTime(os.Getpid())
	n := float64(count.Load())
	return n / wall.Seconds(), n / max((cpu1-cpu0).Seconds(), 1e-3)
}
