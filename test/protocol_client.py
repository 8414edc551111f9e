#!/usr/bin/env python3
"""A minimal runtime that drives `sluice init` over the framed fd-3 protocol
(docs/protocol.md), the way a runtime in any language would: the config pipe
goes to the helper's fd 3 and the status pipe to its fd 4 (os.dup2, then
subprocess's pass_fds, as Go's exec.Cmd.ExtraFiles does).

usage: protocol_client.py [--timeout SECS] [--status-socket] [ACTION...] -- SLUICE [ARG...]

The actions are carried out in the order given; a well-behaved runtime
does "magic config=FILE go" (or "magic namespaces=N config=FILE go"):

  magic             the 8-byte preamble NUL "SLUICE" 1
  magic=HEX         another preamble (e.g. 00534c5549434502: version 2)
  namespaces=N      a NAMESPACES frame (u64 CLONE_NEW* flags, 0x... allowed)
  config=FILE       a CONFIG frame holding FILE's text
  go                a GO frame
  frame=TYPE[:TEXT] a frame of any type (decimal or 0x...), payload TEXT
  header=TYPE:LEN   only a frame header (a length the payload will not match)
  close             close fd 3 now (EOF for the helper)

fd 3 is closed after the last action in any case (or as soon as a write
finds the helper gone: the actions end there).  What the helper sends on
fd 4 is printed on stdout, one line per event, then how it ended:

  READY PID
  ERROR EXIT ERRNO STEP MESSAGE
  FRAME TYPE LEN          (a type the protocol does not define for fd 4)
  BAD TEXT                (a malformed frame)
  CONSOLE N master=pty|none   (process.terminal: the pty number, and
                          whether the pty master came with it)
  EOF
  EXIT N | SIGNAL N | TIMEOUT
  STDOUT line... / STDERR line...   (the helper's and workload's output)
  TTY line...             (with a master: what the workload wrote on its
                          terminal, read to the end)

--status-socket makes fd 4 a unix socketpair instead of a pipe, as a
runtime must for process.terminal: the master comes on it (SCM_RIGHTS).

The client exits 0 when it could run the exchange, 1 when it could not start
the helper, 2 on a usage error.
Standard library only.
"""
import array
import fcntl
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import time

MAGIC = b"\0SLUICE\1"
MSG_CONFIG, MSG_GO, MSG_NAMESPACES = 1, 2, 3
MSG_READY, MSG_ERROR, MSG_CONSOLE = 0x81, 0x82, 0x86
CONFIG_FD, STATUS_FD = 3, 4
TIOCGPTN = 0x80045430


def usage(msg):
    sys.stderr.write("protocol_client: %s\n" % msg)
    sys.exit(2)


def frame(ftype, payload=b""):
    return struct.pack(">II", ftype, len(payload)) + payload


def parse_actions(words):
    """The actions as (name, bytes-to-write or None)."""
    out = []
    for w in words:
        name, _, arg = w.partition("=")
        if w == "magic":
            out.append(("write", MAGIC))
        elif name == "magic":
            out.append(("write", bytes.fromhex(arg)))
        elif name == "namespaces":
            out.append(("write", frame(MSG_NAMESPACES, struct.pack(">Q", int(arg, 0)))))
        elif name == "config":
            with open(arg, "rb") as f:
                out.append(("write", frame(MSG_CONFIG, f.read())))
        elif w == "go":
            out.append(("write", frame(MSG_GO)))
        elif name == "frame":
            ftype, _, text = arg.partition(":")
            out.append(("write", frame(int(ftype, 0), text.encode())))
        elif name == "header":
            ftype, _, length = arg.partition(":")
            out.append(("write", struct.pack(">II", int(ftype, 0), int(length, 0))))
        elif w == "close":
            out.append(("close", None))
        else:
            usage("unknown action %r" % w)
    return out


class StatusReader:
    """Reads frames from the helper's fd 4 and prints them."""

    def __init__(self, fd, deadline, sock=None):
        self.fd = fd
        self.sock = sock  # a socket object for fd: recvmsg, fds kept
        self.fds = []
        self.deadline = deadline
        self.buf = b""
        self.eof = False
        self.timed_out = False

    def _read(self):
        if self.sock is None:
            return os.read(self.fd, 65536)
        fds = array.array("i")
        data, anc, _, _ = self.sock.recvmsg(65536, socket.CMSG_SPACE(16))
        for level, kind, payload in anc:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.frombytes(payload[:len(payload) - len(payload) % fds.itemsize])
        self.fds += list(fds)
        return data

    def _fill(self):
        left = self.deadline - time.monotonic()
        if left <= 0:
            self.timed_out = True
            return False
        ready, _, _ = select.select([self.fd], [], [], left)
        if not ready:
            self.timed_out = True
            return False
        data = self._read()
        if not data:
            self.eof = True
            return False
        self.buf += data
        return True

    def next_event(self):
        """One printed event: 'READY', 'ERROR', 'FRAME', 'BAD', 'EOF' or None
        (timed out)."""
        while len(self.buf) < 8:
            if not self._fill():
                return self._ended()
        ftype, length = struct.unpack(">II", self.buf[:8])
        while len(self.buf) < 8 + length:
            if not self._fill():
                if self.eof:
                    print("BAD frame %#x cut short: %d of %d bytes"
                          % (ftype, len(self.buf) - 8, length))
                    return "BAD"
                return None
        payload, self.buf = self.buf[8:8 + length], self.buf[8 + length:]
        return self._print(ftype, payload)

    def _ended(self):
        if self.timed_out:
            return None
        if self.buf:
            print("BAD %d stray bytes before EOF" % len(self.buf))
            return "BAD"
        print("EOF")
        return "EOF"

    def _print(self, ftype, payload):
        if ftype == MSG_CONSOLE and len(payload) == 4:
            master = "none"
            if self.fds:
                try:
                    fcntl.ioctl(self.fds[0], TIOCGPTN, b"\0" * 4)
                    master = "pty"
                except OSError:
                    pass
            print("CONSOLE %d master=%s" % (struct.unpack(">I", payload)[0], master))
            return "CONSOLE"
        if ftype == MSG_READY and len(payload) == 4:
            print("READY %d" % struct.unpack(">I", payload)[0])
            return "READY"
        if ftype == MSG_ERROR and len(payload) >= 8:
            code, err = struct.unpack(">II", payload[:8])
            step, nul, msg = payload[8:].partition(b"\0")
            if nul:
                print("ERROR %d %d %s %s" % (code, err, step.decode(errors="replace"),
                                             msg.rstrip(b"\0").decode(errors="replace")))
                return "ERROR"
        print("FRAME %#x %d" % (ftype, len(payload)))
        return "FRAME"


def above_status_fd(fd):
    """fd moved above 4 (close-on-exec), so that dup2 onto 3 and 4 cannot
    clobber it."""
    if fd > STATUS_FD:
        return fd
    new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, STATUS_FD + 1)
    os.close(fd)
    return new


def read_tty(fd, deadline):
    """The workload's terminal output, to the end (EIO)."""
    out = b""
    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], deadline - time.monotonic())
        try:
            data = os.read(fd, 65536) if ready else b""
        except OSError:
            data = b""
        if not data:
            break
        out += data
    for line in out.decode(errors="replace").replace("\r", "").splitlines():
        print("TTY %s" % line)


def status_ends(status_socket):
    if not status_socket:
        return os.pipe()
    a, b = socket.socketpair()
    return a.detach(), b.detach()


def run(actions, argv, timeout, status_socket=False):
    cfg_r, cfg_w, st_r, st_w = (above_status_fd(fd)
                                for fd in os.pipe() + status_ends(status_socket))
    # The helper's ends go to 3 and 4 (dup2 makes them inheritable) and
    # pass_fds keeps exactly those open in the child: Go's ExtraFiles.
    os.dup2(cfg_r, CONFIG_FD)
    os.dup2(st_w, STATUS_FD)
    os.close(cfg_r)
    os.close(st_w)
    try:
        helper = subprocess.Popen(argv, pass_fds=[CONFIG_FD, STATUS_FD],
                                  stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE)
    except OSError as e:
        sys.stderr.write("protocol_client: cannot start %s: %s\n" % (argv[0], e.strerror))
        return 1
    os.close(CONFIG_FD)
    os.close(STATUS_FD)
    deadline = time.monotonic() + timeout
    status = StatusReader(st_r, deadline,
                          socket.socket(fileno=st_r) if status_socket else None)
    signal.signal(signal.SIGPIPE, signal.SIG_IGN)
    for name, data in actions:
        if cfg_w < 0:
            break
        if name == "close":
            os.close(cfg_w)
            cfg_w = -1
            continue
        try:
            os.write(cfg_w, data)
        except BrokenPipeError:
            # The helper is gone; what it said on fd 4 tells why.
            os.close(cfg_w)
            cfg_w = -1
    if cfg_w >= 0:
        os.close(cfg_w)
    ended = status.next_event()
    while ended not in ("EOF", None):
        ended = status.next_event()
    try:
        out, err = helper.communicate(timeout=max(0.1, deadline - time.monotonic()))
    except subprocess.TimeoutExpired:
        ended = None
        helper.kill()
        out, err = helper.communicate()
    if ended is None:
        print("TIMEOUT")
    rc = helper.returncode
    print("EXIT %d" % rc if rc >= 0 else "SIGNAL %d" % -rc)
    for label, text in (("STDOUT", out), ("STDERR", err)):
        for line in text.decode(errors="replace").splitlines():
            print("%s %s" % (label, line))
    if status.fds:
        read_tty(status.fds[0], deadline)
    return 0


def main(args):
    timeout = 20.0
    status_socket = False
    while args[:1] in (["--timeout"], ["--status-socket"]):
        if args[0] == "--status-socket":
            status_socket = True
            args = args[1:]
            continue
        if len(args) < 2:
            usage("--timeout needs a number")
        timeout = float(args[1])
        args = args[2:]
    if "--" not in args:
        usage("usage: protocol_client.py [--timeout SECS] [ACTION...] -- SLUICE [ARG...]")
    cut = args.index("--")
    words, argv = args[:cut], args[cut + 1:]
    if not argv:
        usage("no helper command after --")
    if not words:
        usage("no actions (e.g. magic config=FILE go)")
    sys.stdout.reconfigure(line_buffering=True)
    return run(parse_actions(words), argv, timeout, status_socket)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
