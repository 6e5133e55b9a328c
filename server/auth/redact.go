package auth

import (
	"context"
	"log/slog"
	"regexp"
)

// jwtPattern matches anything shaped like a compact JWS: three base64url segments, the first starting with
// "eyJ" (the encoding of `{"`). Matching the shape, not known tokens, also catches tokens we never verified.
var jwtPattern = regexp.MustCompile(`eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*`)

// queryTokenPattern catches a token=... query parameter whatever its shape.
var queryTokenPattern = regexp.MustCompile(`((?:^|[?&\s])token=)[^&\s"]*`)

// Redact removes tokens from s.
func Redact(s string) string {
	s = jwtPattern.ReplaceAllString(s, "[REDACTED]")
	return queryTokenPattern.ReplaceAllString(s, "${1}[REDACTED]")
}

// redactingHandler rewrites messages and string attributes through Redact before the inner handler sees them.
type redactingHandler struct{ inner slog.Handler }

// NewRedactingHandler wraps h so no log record it writes can carry a token.
func NewRedactingHandler(h slog.Handler) slog.Handler { return redactingHandler{inner: h} }

func (h redactingHandler) Enabled(ctx context.Context, l slog.Level) bool {
	return h.inner.Enabled(ctx, l)
}

func (h redactingHandler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, Redact(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(redactAttr(a))
		return true
	})
	return h.inner.Handle(ctx, out)
}

func (h redactingHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	clean := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		clean[i] = redactAttr(a)
	}
	return redactingHandler{inner: h.inner.WithAttrs(clean)}
}

func (h redactingHandler) WithGroup(name string) slog.Handler {
	return redactingHandler{inner: h.inner.WithGroup(name)}
}

func redactAttr(a slog.Attr) slog.Attr {
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, Redact(v.String()))
	case slog.KindGroup:
		group := v.Group()
		clean := make([]any, len(group))
		for i, g := range group {
			clean[i] = redactAttr(g)
		}
		return slog.Group(a.Key, clean...)
	case slog.KindAny:
		if err, ok := v.Any().(error); ok {
			return slog.String(a.Key, Redact(err.Error()))
		}
		return slog.String(a.Key, Redact(v.String()))
	}
	return slog.Attr{Key: a.Key, Value: v}
}
