package handlers

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/a-h/templ"
	"github.com/labstack/echo/v4"

	"myaccount/internal/slots"
)

// turnChecker is a ResponseWriter that, when the answer is written, asks
// whether the read's turn is free again.
type turnChecker struct {
	http.ResponseWriter
	reads *slots.Slots
	free  []bool
}

func (w *turnChecker) Write(b []byte) (int, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	ok := w.reads.Acquire(ctx) == nil
	if ok {
		w.reads.Release()
	}
	w.free = append(w.free, ok)
	return w.ResponseWriter.Write(b)
}

// A read gives its turn back before its answer is written, so a client
// slow to read it keeps no other read waiting.
func TestTurnLeftBeforeTheAnswer(t *testing.T) {
	reads := slots.New(1, ErrReadsBusy)
	e := echo.New()
	var during bool
	page := templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		// While the page renders, the turn is held.
		short, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		defer cancel()
		if reads.Acquire(short) == nil {
			reads.Release()
			during = true
		}
		_, err := io.WriteString(w, "<p>page</p>")
		return err
	})
	h := takeTurns(reads)(func(c echo.Context) error { return render(c, http.StatusOK, page, nil) })
	w := &turnChecker{ResponseWriter: httptest.NewRecorder(), reads: reads}
	c := e.NewContext(httptest.NewRequest(http.MethodGet, "/account", nil), w)
	if err := h(c); err != nil {
		t.Fatal(err)
	}
	if during {
		t.Error("the turn was free while the page rendered")
	}
	if len(w.free) == 0 || !w.free[0] {
		t.Errorf("turn free when the answer was written: %v, want true", w.free)
	}
}
