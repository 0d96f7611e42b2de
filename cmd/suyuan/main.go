// Command suyuan is the Suyuan traceability platform: one binary whose
// subcommands serve the EPCIS repository, import and export documents, and
// trace, hash and verify events. Run "suyuan help" for the list.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/suyuan-trace/suyuan/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
