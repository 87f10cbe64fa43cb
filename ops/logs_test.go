package ops_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"myaccount/ops"
)

// A line logged with a request's context carries its id, in JSON and in
// text; one without, none.
func TestLoggerRequestID(t *testing.T) {
	for _, format := range []string{"json", "text"} {
		var buf bytes.Buffer
		log := ops.NewLogger(&buf, format, slog.LevelInfo).With("component", "test")
		log.InfoContext(ops.WithRequestID(context.Background(), "req-42"), "with")
		log.Info("without")
		lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
		if len(lines) != 2 || !strings.Contains(lines[0], "req-42") || strings.Contains(lines[1], "request_id") {
			t.Errorf("%s: got\n%s", format, buf.String())
		}
		if format == "json" {
			var v map[string]any
			if err := json.Unmarshal([]byte(lines[0]), &v); err != nil || v["request_id"] != "req-42" || v["component"] != "test" {
				t.Errorf("json line: %v %v", v, err)
			}
		}
	}
	if ops.RequestID(context.Background()) != "" {
		t.Error("a context without a request has an id")
	}
}
