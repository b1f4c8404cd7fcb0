"""Child processes (parser workers, dbt, GX) die with the xxgk process that started them.

A killed xxgk (even by SIGKILL, which it cannot handle) must not leave dbt or GX running against a work
file that is about to be deleted. On Linux the kernel does it: ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` in the
child. Elsewhere these are no-ops.

dbt starts as a fork of a tool server: a child interpreter (``python -m xxgk.children``) that imports it once for
the xxgk process, not a new interpreter that imports it again for every command (its imports are 2 of a build's
8 s). The server dies with xxgk, and each fork with the server.
"""
from __future__ import annotations

import atexit
import ctypes
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import traceback
from collections.abc import Callable
from pathlib import Path

PR_SET_NAME = 15
PR_SET_PDEATHSIG = 1
# Resolved in the parent, before any fork: looking a symbol up between fork and exec could deadlock.
_prctl = ctypes.CDLL(None, use_errno=True).prctl if sys.platform.startswith("linux") else None


def die_with(parent: int) -> None:
    """In a child: ask to be killed when ``parent`` dies; exit now if it already has."""
    if _prctl is None:
        return
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the parent died before the request was made
        os._exit(1)


def dies_with_this_process() -> Callable[[], None] | None:
    """A ``preexec_fn`` for subprocess: the child is killed when this process dies."""
    if _prctl is None:
        return None
    parent = os.getpid()
    return lambda: die_with(parent)


# This process's tool server, once started.
_server: tuple[subprocess.Popen, socket.socket] | None = None
_one_at_a_time = threading.Lock()  # a request holds the server until its child's exit code is back


def start(args: list[str], main: str | None = None, env: dict | None = None, cwd: Path | None = None):
    """Start the command ``args`` as a child that dies with this process; its stdout and stderr are one text stream,
    ``.stdout``; ``.wait()`` gives its exit code (negative: killed by that signal).

    With ``main`` ("module:function", what the command ``args`` runs), the child is a fork of the tool server, which
    has imported the module, and runs the function with the ``sys.argv`` of ``args`` (``argv``)."""
    if main is None or _prctl is None:  # the server's children die with it by the parent-death signal: Linux's
        return subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                errors="replace", preexec_fn=dies_with_this_process())
    request = json.dumps({"main": main, "args": [str(a) for a in args], "cwd": str(cwd or os.getcwd()),
                          "env": dict(os.environ if env is None else env)}).encode()
    _one_at_a_time.acquire()
    read, write = os.pipe()
    try:
        server = _server_socket()
        socket.send_fds(server, [request], [write])
        pid = int(server.recv(64) or 0)
    except BaseException:
        os.close(read)
        _one_at_a_time.release()
        raise
    finally:
        os.close(write)
    return _Fork(pid, server, read)


def run(args: list[str], main: str | None = None, env: dict | None = None, cwd: Path | None = None,
        shown: bool = False) -> subprocess.CompletedProcess:
    """Run the command ``args`` as ``start`` does, to its end; its output is returned, or with ``shown`` written to
    this process's stdout as it comes (and not returned)."""
    child = start(args, main, env, cwd)
    if shown:
        shutil.copyfileobj(child.stdout, sys.stdout)
    output = None if shown else child.stdout.read()
    return subprocess.CompletedProcess(args, child.wait(), output, "")


class _Fork:
    """A fork of the tool server: of ``subprocess.Popen``, what xxgk uses (``stdout``, ``wait``, ``pid``)."""

    def __init__(self, pid: int, server: socket.socket, output: int):
        self.pid, self._server = pid, server
        self.stdout = open(output, encoding="utf-8", errors="replace")

    def wait(self) -> int:
        try:
            self.stdout.close()
            code = self._server.recv(64)
            return int(code) if code else -signal.SIGKILL  # the server was killed, and its fork with it
        finally:
            _one_at_a_time.release()


def _server_socket() -> socket.socket:
    """This process's tool server (started at the first request, or again if it died), as the socket to it."""
    global _server
    if _server is not None and _server[0].poll() is not None:
        stop_server()
    if _server is None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # The server imports what this process would: its sys.path, as multiprocessing gives its children.
        path = os.pathsep.join(os.path.abspath(entry or os.curdir) for entry in sys.path)
        with theirs:
            proc = subprocess.Popen([sys.executable, "-m", __name__, str(theirs.fileno())],
                                    env={**os.environ, "PYTHONPATH": path}, pass_fds=[theirs.fileno()],
                                    stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    preexec_fn=dies_with_this_process())
        _server = proc, ours
    return _server[1]


def stop_server() -> None:
    """Stop this process's tool server, if it runs (the next request starts a new one): close the socket, the
    server's cue to exit, and reap it. At exit too, so that its CPU time and its forks' count as this process's
    children's, as a subprocess's would."""
    global _server
    if _server is None:
        return
    (proc, sock), _server = _server, None
    sock.close()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


atexit.register(stop_server)


def serve(sock: socket.socket) -> None:
    """The tool server: for each request, import its tool (once) and fork a child that runs it; send back the
    child's pid, then its exit code; until the xxgk process that started it closes the socket (or dies, and the
    server with it)."""
    while True:
        message, fds, _, _ = socket.recv_fds(sock, 1 << 20, 1)
        if not message:
            return
        request = json.loads(message)
        try:
            __import__(request["main"].partition(":")[0])
        except Exception:  # noqa: BLE001 - the fork imports it again and shows why it fails, where the caller looks
            pass
        # A fork has only the thread that forked: a lock another thread held (an allocator's, a thread pool's) is
        # held for ever in it. A tool whose import starts threads (GX's numpy and arrow do) is run as its own
        # command (exec), like a subprocess; the server itself stays single-threaded for the others.
        threaded = len(os.listdir("/proc/self/task")) > 1
        server = os.getpid()
        pid = os.fork()
        if pid == 0:
            sock.close()
            _become(request, fds[0], server, threaded)
        os.close(fds[0])
        try:
            sock.send(str(pid).encode())
            _, status = os.waitpid(pid, 0)
            sock.send(str(os.waitstatus_to_exitcode(status)).encode())
        except (BrokenPipeError, ConnectionResetError):  # the caller has gone (interrupted): so does the server
            return


def _become(request: dict, output: int, server: int, exec_it: bool) -> None:
    """In a fork of the tool ``server``: become the command the request names, run its main (or, ``exec_it``,
    execute the command), exit with its code."""
    code = 1
    try:
        die_with(server)  # the server dies with xxgk: so does this fork
        signal.signal(signal.SIGINT, signal.default_int_handler)  # the server ignores Ctrl-C; the tool does not
        sys.argv = argv(request["args"])
        _prctl(PR_SET_NAME, Path(sys.argv[0]).name.rpartition(".")[2].encode()[:15], 0, 0, 0)  # what ps calls it
        for fd in (1, 2):
            os.dup2(output, fd)
        os.close(output)
        os.chdir(request["cwd"])
        if exec_it:
            os.execve(request["args"][0], request["args"], request["env"])
        os.environ.clear()
        os.environ.update(request["env"])
        module, _, function = request["main"].partition(":")
        try:
            code = getattr(__import__(module, fromlist=[function]), function)() or 0
        except SystemExit as done:
            code = done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    except BaseException:  # noqa: BLE001 - what failed goes where the caller reads the tool's output
        traceback.print_exc()
    # The interpreter's own exit, as the command's would be: dbt-duckdb closes its database (checkpointing it into
    # the file, no WAL left beside it) only then.
    raise SystemExit(code)


def argv(args: list[str]) -> list[str]:
    """The ``sys.argv`` the command ``args`` gives its program, as Python sets it.

    >>> argv(["/venv/bin/dbt", "build"])
    ['/venv/bin/dbt', 'build']
    >>> argv(["/venv/bin/python", "-m", "xxgk.checks.validate", "w.duckdb"])
    ['xxgk.checks.validate', 'w.duckdb']
    """
    return [args[2], *args[3:]] if args[1:2] == ["-m"] else list(args)


if __name__ == "__main__":
    # Ctrl-C reaches the whole process group: the tool it interrupts says so, and xxgk, whose exit ends the server.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    serve(socket.socket(fileno=int(sys.argv[1])))
