package main

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/meridian-sync/meridian/server"
	"github.com/meridian-sync/meridian/web"
)

// runServe is `meridian serve`: it runs a node until SIGINT or SIGTERM, then shuts down gracefully (drains
// connections, flushes the store). Flags also come from MERIDIAN_* environment variables.
func runServe(args []string, _ io.Reader, _, stderr io.Writer) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	return server.RunServe(ctx, args, os.LookupEnv, logger, web.Handler())
}

// runToken is `meridian token`: it mints a JWT from the configured HS256 secret.
func runToken(args []string, _ io.Reader, stdout, _ io.Writer) error {
	return server.RunToken(args, os.LookupEnv, stdout)
}
