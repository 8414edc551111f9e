#!/usr/bin/env python3
"""A console-socket receiver, as conmon and containerd's shim are: it makes a
unix socket, runs a runtime with that socket's path, takes the pty master
the runtime sends (SCM_RIGHTS) and talks to the workload through it.

usage: console_receiver.py [--dir DIR] [--timeout SECS] [STEP...] -- CMD [ARG...]

Every argument of CMD that is exactly @SOCKET@ is replaced by the socket's
path (DIR/console.sock; DIR defaults to a new temporary directory, removed
at the end).  The socket listens (SOCK_STREAM, as runc's callers make it)
before CMD starts.  CMD's own stdin is /dev/null; its stdout and stderr are
this program's.

Once the master has come, the steps run in order:

  expect=TEXT   wait until TEXT has appeared in the workload's output
  send=TEXT     write TEXT to the master (escapes as tty_driver.py)
  resize=RxC    set the terminal's size

Printed, one per line: what came with the fd, as conmon reads it

  message: TEXT       the data bytes of the message (runc: /dev/ptmx)
  fds: N              how many fds came with it
  master: pty N       the fd is a pty master (TIOCGPTN), or "master: not a pty"

then the workload's output read from the master (carriage returns dropped)
until it ends (EIO: every holder of the terminal closed it) and

  status: N           CMD's exit status

Exits 0 if all this happened, 1 if the master never came, the socket could
not be made, or a timeout hit (then "TIMEOUT ..."), 2 on usage.
Standard library only.
"""
import array
import codecs
import fcntl
import os
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import termios
import time

TIOCGPTN = 0x80045430


def usage(msg):
    sys.stderr.write("console_receiver: %s\n" % msg)
    sys.exit(2)


def parse_args(argv):
    sockdir, timeout, steps = None, 30.0, []
    while argv and argv[0] != "--":
        a = argv.pop(0)
        if a == "--dir":
            sockdir = argv.pop(0)
        elif a == "--timeout":
            timeout = float(argv.pop(0))
        else:
            name, _, arg = a.partition("=")
            if name not in ("expect", "send", "resize"):
                usage("unknown step %r" % a)
            steps.append((name, arg))
    if len(argv) < 2:
        usage("no command (put it after --)")
    return sockdir, timeout, steps, argv[1:]


def listen(path):
    """Bound and listening before the path appears, so a client never meets
    a socket that refuses (rename is atomic)."""
    tmp = path + ".tmp"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(tmp)
    s.listen(1)
    os.rename(tmp, path)
    return s


def recv_master(conn):
    """One recvmsg, as conmon's recvfd and go-runc's RecvFd do."""
    fds = array.array("i")
    data, anc, _, _ = conn.recvmsg(4096, socket.CMSG_SPACE(4 * fds.itemsize))
    for level, kind, payload in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
    return data, list(fds)


class Master:
    def __init__(self, fd, deadline):
        self.fd, self.deadline, self.out, self.seen = fd, deadline, b"", 0

    def pump(self, timeout):
        r, _, _ = select.select([self.fd], [], [], max(0.0, timeout))
        if not r:
            return True
        try:
            data = os.read(self.fd, 65536)
        except OSError:
            data = b""
        self.out += data
        return bool(data)

    def expect(self, text):
        want = text.encode()
        while self.out.find(want, self.seen) < 0:
            left = self.deadline - time.monotonic()
            if left <= 0 or not self.pump(left):
                return False
        self.seen = self.out.find(want, self.seen) + len(want)
        return True


def accept(srv, child, deadline):
    """The runtime's connection, or None if it ended (or time ran out)
    without connecting."""
    while time.monotonic() < deadline:
        r, _, _ = select.select([srv], [], [], 0.05)
        if r:
            return srv.accept()[0]
        if child.poll() is not None:
            r, _, _ = select.select([srv], [], [], 0)
            return srv.accept()[0] if r else None
    return None


def converse(m, steps):
    for name, arg in steps:
        if name == "expect" and not m.expect(arg):
            return "TIMEOUT waiting for %r" % arg
        if name == "send":
            os.write(m.fd, codecs.escape_decode(arg.encode())[0])
        elif name == "resize":
            r, _, c = arg.partition("x")
            fcntl.ioctl(m.fd, termios.TIOCSWINSZ, struct.pack("HHHH", int(r), int(c), 0, 0))
    return None


def serve(srv, child, steps, deadline):
    conn = accept(srv, child, deadline)
    if conn is None:
        print("no connection")
        return 1
    data, fds = recv_master(conn)
    conn.close()
    print("message: %s" % data.decode(errors="replace"))
    print("fds: %d" % len(fds))
    if not fds:
        return 1
    for extra in fds[1:]:
        os.close(extra)
    try:
        n = struct.unpack("I", fcntl.ioctl(fds[0], TIOCGPTN, b"\0" * 4))[0]
        print("master: pty %d" % n)
    except OSError:
        print("master: not a pty")
        return 1
    m = Master(fds[0], deadline)
    failed = converse(m, steps)
    # to the end: EIO once nothing in the container holds the terminal
    while not failed and m.pump(deadline - time.monotonic()):
        if time.monotonic() >= deadline:
            failed = "TIMEOUT waiting for the terminal to close"
    sys.stdout.write(m.out.decode(errors="replace").replace("\r", ""))
    os.close(fds[0])
    if failed:
        print("\n" + failed)
        return 1
    return 0


def main():
    sockdir, timeout, steps, cmd = parse_args(sys.argv[1:])
    deadline = time.monotonic() + timeout
    own = sockdir is None
    if own:
        sockdir = tempfile.mkdtemp(prefix="console-receiver.")
    path = os.path.join(sockdir, "console.sock")
    try:
        srv = listen(path)
        child = subprocess.Popen([path if a == "@SOCKET@" else a for a in cmd],
                                 stdin=subprocess.DEVNULL)
        rc = serve(srv, child, steps, deadline)
        srv.close()
        try:
            child.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
            print("TIMEOUT waiting for the command to end")
            rc = 1
        st = child.returncode
        print("status: %d" % (128 - st if st < 0 else st))
        return rc
    finally:
        if own:
            shutil.rmtree(sockdir, ignore_errors=True)
        elif os.path.exists(path):
            os.unlink(path)


if __name__ == "__main__":
    sys.exit(main())
