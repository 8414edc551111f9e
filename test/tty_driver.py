#!/usr/bin/env python3
"""Runs a command on a new pseudo-terminal, as a person at a terminal would:
the command leads a session whose controlling terminal (and 0, 1, 2) is the
pty's slave; this driver holds the master and plays the person.

usage: tty_driver.py [--size ROWSxCOLS] [--timeout SECS] [STEP...] -- CMD [ARG...]

Steps, in order, while CMD runs:

  expect=TEXT     wait until TEXT has appeared in the output (after what
                  earlier expects matched)
  send=TEXT       type TEXT (escapes: \\n \\r \\t \\\\ \\xNN; \\x03 is Ctrl-C)
  resize=RxC      set the terminal's size (the kernel sends SIGWINCH to its
                  foreground process group)
  signal=SIG      send SIG (name or number) to CMD
  mode            print "mode: raw" or "mode: cooked" (the terminal's line
                  discipline right now: what CMD did to it)
  wait-mode=MODE  wait until the terminal is in MODE (raw or cooked)
  stopped         wait until CMD is stopped (job control)
  hangup          close the master: the terminal hangs up

Then it waits for CMD to end and prints the whole output (carriage returns
dropped), then

  termios: same | changed (FLAGS) | hung up
                                     the terminal's settings against the start
  status: N                          CMD's exit status, 128+N if killed by N

and exits 0; 1 if CMD could not start, an expect or the end timed out (the
output so far is printed, then "TIMEOUT ..."; CMD is killed), 2 on usage.
A driver at the terminal closes nothing but the master: it keeps a slave
open itself, so that the settings can be read after CMD has gone.
Standard library only.
"""
import codecs
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time


def usage(msg):
    sys.stderr.write("tty_driver: %s\n" % msg)
    sys.exit(2)


def parse_args(argv):
    size, timeout, steps = (24, 80), 30.0, []
    while argv and argv[0] != "--":
        a = argv.pop(0)
        if a == "--size":
            r, _, c = argv.pop(0).partition("x")
            size = (int(r), int(c))
        elif a == "--timeout":
            timeout = float(argv.pop(0))
        else:
            name, eq, arg = a.partition("=")
            if name not in ("expect", "send", "resize", "signal", "mode", "wait-mode",
                            "stopped", "hangup"):
                usage("unknown step %r" % a)
            steps.append((name, arg))
    if not argv or len(argv) < 2:
        usage("no command (put it after --)")
    return size, timeout, steps, argv[1:]


def set_size(fd, rows, cols):
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))


def signum(name):
    if name.isdigit():
        return int(name)
    name = name.upper()
    return int(getattr(signal, name if name.startswith("SIG") else "SIG" + name))


class Terminal:
    def __init__(self, size, deadline):
        self.master, self.slave = os.openpty()
        set_size(self.master, *size)
        self.start = termios.tcgetattr(self.slave)
        self.out = b""
        self.seen = 0  # how much of out earlier expects consumed
        self.deadline = deadline
        self.open = True

    def pump(self, timeout):
        """Reads what the master has within timeout; False at its end."""
        if not self.open:
            return False
        r, _, _ = select.select([self.master], [], [], max(0.0, timeout))
        if not r:
            return True
        try:
            data = os.read(self.master, 65536)
        except OSError:
            data = b""
        if not data:
            self.open = False
            return False
        self.out += data
        return True

    def expect(self, text):
        want = text.encode()
        while True:
            i = self.out.find(want, self.seen)
            if i >= 0:
                self.seen = i + len(want)
                return True
            left = self.deadline - time.monotonic()
            if left <= 0 or not self.pump(left):
                return self.out.find(want, self.seen) >= 0

    def mode(self):
        lflag = termios.tcgetattr(self.slave)[3]
        return "cooked" if lflag & termios.ICANON else "raw"

    def wait_for(self, cond):
        """Reads output meanwhile; False if the deadline passed first."""
        while not cond():
            if time.monotonic() >= self.deadline:
                return False
            self.pump(0.01)
        return True


def is_stopped(pid):
    """Asks without reaping anything (WNOWAIT): Popen still owns the exit."""
    try:
        r = os.waitid(os.P_PID, pid, os.WSTOPPED | os.WNOHANG | os.WNOWAIT)
    except ChildProcessError:
        return False
    return r is not None and r.si_code == os.CLD_STOPPED


def run(size, timeout, steps, cmd):
    deadline = time.monotonic() + timeout
    t = Terminal(size, deadline)
    try:
        child = subprocess.Popen(
            cmd, stdin=t.slave, stdout=t.slave, stderr=t.slave, close_fds=True,
            start_new_session=True,
            preexec_fn=lambda: fcntl.ioctl(0, termios.TIOCSCTTY, 0))
    except OSError as e:
        sys.stderr.write("tty_driver: cannot run %s: %s\n" % (cmd[0], e))
        return 1
    failed = None
    for name, arg in steps:
        if name == "expect" and not t.expect(arg):
            failed = "TIMEOUT waiting for %r" % arg
            break
        if name == "send":
            os.write(t.master, codecs.escape_decode(arg.encode())[0])
        elif name == "resize":
            r, _, c = arg.partition("x")
            set_size(t.master, int(r), int(c))
        elif name == "signal":
            child.send_signal(signum(arg))
        elif name == "mode":
            t.out += ("\nmode: %s\n" % t.mode()).encode()
            t.seen = len(t.out)
        elif name == "wait-mode" and not t.wait_for(lambda: t.mode() == arg):
            failed = "TIMEOUT waiting for mode %s" % arg
            break
        elif name == "stopped" and not t.wait_for(lambda: is_stopped(child.pid)):
            failed = "TIMEOUT waiting for the command to stop"
            break
        elif name == "hangup":
            os.close(t.master)
            t.open = False
    while failed is None and child.poll() is None:
        left = deadline - time.monotonic()
        if left <= 0:
            failed = "TIMEOUT waiting for the command to end"
            break
        if not t.pump(min(left, 0.05)):
            try:
                child.wait(timeout=left)
            except subprocess.TimeoutExpired:
                failed = "TIMEOUT waiting for the command to end"
    if failed:
        child.kill()
        child.wait()
    # The settings as CMD left them; then the last slave goes, and the
    # master reads to its end (EIO) with nothing lost.
    try:
        now = termios.tcgetattr(t.slave)
    except termios.error:
        now = None  # hung up: the terminal is gone
    os.close(t.slave)
    end = deadline + 5
    while time.monotonic() < end and t.pump(end - time.monotonic()):
        pass
    sys.stdout.write(t.out.decode(errors="replace").replace("\r", ""))
    if failed:
        print("\n" + failed)
        return 1
    if now is None:
        print("termios: hung up")
    elif now == t.start:
        print("termios: same")
    else:
        names = ("iflag", "oflag", "cflag", "lflag", "ispeed", "ospeed", "cc")
        print("termios: changed (%s)" % " ".join(
            n for n, a, b in zip(names, t.start, now) if a != b))
    rc = child.returncode
    print("status: %d" % (128 - rc if rc < 0 else rc))
    return 0


def main():
    sys.exit(run(*parse_args(sys.argv[1:])))


if __name__ == "__main__":
    main()
