package storetest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/suyuan-trace/suyuan/epcis"
	"github.com/suyuan-trace/suyuan/internal/store"
)

// CrashRecords is the size of the batch that RunCrash kills mid-capture.
const CrashRecords = 200_000

// Environment variables that tell a re-executed test binary it is the
// child of RunCrash, and where the store is.
const (
	crashChildEnv    = "SUYUAN_STORETEST_CRASH_CHILD"
	crashLocationEnv = "SUYUAN_STORETEST_CRASH_LOCATION"
)

// OpenAt opens the store at location (a file path or a DSN) in the
// current process.
type OpenAt func(ctx context.Context, location string) (store.Store, error)

// RunCrash checks that a capture killed mid-way leaves none of its batch
// behind. It captures a small batch, then re-executes the test binary
// (os.Args[0], running only the calling test) as a child. The child opens
// the store at location and captures CrashRecords records in one call, and
// the parent sends it SIGKILL killAfter after the capture began. Reopened,
// the store must open cleanly and hold the first batch and either none or
// all of the big one, with an audit log that matches.
//
// RunCrash must be called from a top-level test function. In the child it
// runs the capture and never returns. location must name the same store
// in both processes, so a test computes it before calling RunCrash and the
// child takes it from the environment instead.
func RunCrash(t *testing.T, location string, open OpenAt, killAfter time.Duration) {
	var deadline time.Time
	runCrash(t, location, open, func(started time.Time) bool {
		if deadline.IsZero() {
			deadline = started.Add(killAfter)
		}
		return time.Now().After(deadline)
	})
}

// RunCrashWhen is RunCrash with the moment of the kill chosen by killNow,
// which the parent calls every 20 ms once the child has begun its capture.
// A backend uses it to kill the child while its transaction is writing,
// for example once the SQLite WAL file has grown.
func RunCrashWhen(t *testing.T, location string, open OpenAt, killNow func() bool) {
	runCrash(t, location, open, func(time.Time) bool { return killNow() })
}

func runCrash(t *testing.T, location string, open OpenAt, killNow func(started time.Time) bool) {
	ctx := context.Background()
	if os.Getenv(crashChildEnv) == "1" {
		crashChild(ctx, os.Getenv(crashLocationEnv), open)
		return
	}
	if strings.Contains(t.Name(), "/") {
		t.Fatalf("RunCrash must be called from a top-level test, not subtest %s", t.Name())
	}

	s, err := open(ctx, location)
	if err != nil {
		t.Fatalf("open %s: %v", location, err)
	}
	first := []store.Record{
		record(objectEvent(0, epcis.ActionAdd, sgtin1)),
		record(objectEvent(1, epcis.ActionAdd, sgtin2)),
	}
	capture(t, s, "before-crash", first...)
	if err := s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}

	cmd := exec.Command(os.Args[0], "-test.run=^"+regexp.QuoteMeta(t.Name())+"$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashChildEnv+"=1", crashLocationEnv+"="+location)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatalf("child stdout: %v", err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatalf("start child: %v", err)
	}
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	capturing := false
	timeout := time.After(2 * time.Minute)
	for !capturing {
		select {
		case line, ok := <-lines:
			if !ok {
				_ = cmd.Wait()
				t.Fatalf("child exited before starting its capture")
			}
			capturing = line == "capturing"
		case <-timeout:
			_ = cmd.Process.Kill()
			t.Fatalf("child did not start its capture within 2 minutes")
		}
	}
	started := time.Now()
	finished := false
	childDone := false
	for !childDone && !killNow(started) {
		select {
		case line, ok := <-lines:
			if !ok {
				childDone = true
			}
			if line == "captured" {
				finished = true
			}
		case <-time.After(20 * time.Millisecond):
		}
	}
	killedAt := time.Since(started)
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Logf("SIGKILL child: %v (it may have finished)", err)
	}
	for line := range lines {
		if line == "captured" {
			finished = true
		}
	}
	_ = cmd.Wait()
	t.Logf("child killed %v after its capture began", killedAt.Round(time.Millisecond))

	s, err = open(ctx, location)
	if err != nil {
		t.Fatalf("reopen after kill: %v", err)
	}
	defer s.Close()

	for _, r := range first {
		mustEvent(t, s, r.Event.EventID)
	}
	big := countJob(t, s)
	if big != 0 && big != CrashRecords {
		t.Fatalf("events of the killed batch: got %d, want 0 or %d", big, CrashRecords)
	}
	if finished && big != CrashRecords {
		t.Errorf("child reported its capture done, but %d of %d events are stored", big, CrashRecords)
	}
	t.Logf("killed batch: %d of %d events stored (child finished: %v)", big, CrashRecords, finished)
	if got, want := logSize(t, s), uint64(len(first)+big); got != want {
		t.Errorf("LogSize after kill: got %d, want %d", got, want)
	}

	// The store takes new captures after the crash.
	res := capture(t, s, "after-crash", record(objectEvent(2, epcis.ActionAdd, sgtin3)))
	checkOutcomes(t, res, store.Stored)
}

// countJob counts the events of the killed batch: those with the crash
// batch's EPC.
func countJob(t *testing.T, s store.Store) int {
	t.Helper()
	n := 0
	q := store.Query{PerPage: 10_000, Matches: []store.IDMatch{{Roles: []store.Role{store.RoleEPC}, Values: []string{sscc1 + "/crash/*"}}}}
	for {
		p, err := s.QueryEvents(context.Background(), q)
		if err != nil {
			t.Fatalf("QueryEvents: %v", err)
		}
		n += len(p.Events)
		if p.Next == nil {
			return n
		}
		q.After = p.Next
	}
}

// crashChild captures the big batch and reports progress on stdout; the
// parent kills it mid-way.
func crashChild(ctx context.Context, location string, open OpenAt) {
	s, err := open(ctx, location)
	if err != nil {
		fmt.Fprintf(os.Stderr, "crash child: open %s: %v\n", location, err)
		os.Exit(2)
	}
	records := make([]store.Record, CrashRecords)
	for i := range records {
		e := objectEvent(i%100000, epcis.ActionObserve,
			fmt.Sprintf("%s/crash/%d", sscc1, i), fmt.Sprintf("%s/crash/%d/b", sscc1, i))
		e.BizStep = bizShipping
		e.ReadPoint = loc(gln1)
		records[i] = record(e)
	}
	fmt.Println("capturing")
	if _, err := s.Capture(ctx, "crash", records); err != nil {
		fmt.Fprintf(os.Stderr, "crash child: capture: %v\n", err)
		os.Exit(2)
	}
	fmt.Println("captured")
	os.Exit(0)
}
