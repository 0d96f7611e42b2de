// Package cli owns the suyuan command line: the table of subcommands, their
// flag sets, help texts and exit codes. Each subcommand lives in its own
// file and registers itself with register in an init function.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"sort"
)

// Exit codes shared by every subcommand.
const (
	ExitOK      = 0
	ExitFailure = 1 // the command ran and failed, or rejected input
	ExitUsage   = 2 // bad flags or arguments
)

// Env holds the standard streams of a subcommand.
type Env struct {
	Stdin  io.Reader
	Stdout io.Writer
	Stderr io.Writer
}

// Command is one subcommand.
type Command struct {
	Name string
	// Summary is one line for the command list, Chinese first with English
	// beside, such as "导入 EPCIS 文档 / import EPCIS documents".
	Summary string
	// Usage is the argument synopsis after the command name.
	Usage string
	// Run runs the command with the arguments left after its flags.
	Run func(ctx context.Context, env *Env, fs *flag.FlagSet, args []string) error
	// Setup declares flags on fs before parsing; it may be nil.
	Setup func(fs *flag.FlagSet)
}

// ErrUsage wraps errors about flags and arguments; Main exits with
// ExitUsage for them.
var ErrUsage = errors.New("usage")

// usageErrorf returns an error that Main reports with the command's usage.
func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrUsage, fmt.Sprintf(format, args...))
}

// parseError turns the error of a sub-command's FlagSet.Parse into what
// Main expects: flag.ErrHelp stays as it is (the flag set has printed its
// help), anything else is a usage error.
func parseError(err error) error {
	if errors.Is(err, flag.ErrHelp) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUsage, err)
}

// ExitError carries a specific exit code for Main, such as 1 when an import
// rejected a document but otherwise ran to the end.
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

var commands = map[string]*Command{}

// register adds a subcommand; it panics on a duplicate name, which is a
// programming error.
func register(c *Command) {
	if _, dup := commands[c.Name]; dup {
		panic("cli: duplicate command " + c.Name)
	}
	commands[c.Name] = c
}

// Main runs the subcommand named by args[0] and returns the process exit
// code.
func Main(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			if c, ok := commands[args[1]]; ok {
				fs := newFlagSet(c, env)
				fs.Usage()
				return ExitOK
			}
		}
		printCommands(stdout)
		if len(args) == 0 {
			return ExitUsage
		}
		return ExitOK
	}
	c, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "suyuan: 未知命令 unknown command %q; run \"suyuan help\" for the list\n", args[0])
		return ExitUsage
	}
	if _, err := logHasher(); err != nil {
		fmt.Fprintf(stderr, "suyuan: %v\n", err)
		return ExitUsage
	}
	fs := newFlagSet(c, env)
	if err := fs.Parse(args[1:]); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return ExitOK
		}
		return ExitUsage
	}
	err := c.Run(ctx, env, fs, fs.Args())
	var exit *ExitError
	if err == nil || errors.Is(err, flag.ErrHelp) || (errors.As(err, &exit) && exit.Code == ExitOK) {
		return ExitOK
	}
	fmt.Fprintf(stderr, "suyuan %s: %v\n", c.Name, err)
	switch {
	case errors.Is(err, ErrUsage):
		fmt.Fprintf(stderr, "usage: suyuan %s %s\n", c.Name, c.Usage)
		return ExitUsage
	case errors.As(err, &exit):
		return exit.Code
	}
	return ExitFailure
}

func newFlagSet(c *Command, env *Env) *flag.FlagSet {
	fs := flag.NewFlagSet("suyuan "+c.Name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	if c.Setup != nil {
		c.Setup(fs)
	}
	fs.Usage = func() {
		out := fs.Output()
		fmt.Fprintf(out, "%s\n\nusage: suyuan %s %s\n", c.Summary, c.Name, c.Usage)
		var any bool
		fs.VisitAll(func(*flag.Flag) { any = true })
		if any {
			fmt.Fprintln(out, "\n选项 flags:")
			fs.PrintDefaults()
		}
	}
	return fs
}

func printCommands(w io.Writer) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	fmt.Fprintln(w, "suyuan 溯源：重要产品追溯平台 / traceability platform for important products")
	fmt.Fprintln(w, "\n用法 usage: suyuan COMMAND [flags] [args]\n\n命令 commands:")
	width := 0
	for _, n := range names {
		width = max(width, len(n))
	}
	for _, n := range names {
		fmt.Fprintf(w, "  %-*s  %s\n", width, n, commands[n].Summary)
	}
	fmt.Fprintln(w, "\n\"suyuan help COMMAND\" 显示命令的选项 / shows a command's flags.")
}
