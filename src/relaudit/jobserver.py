"""Run Snakemake's script jobs in forks of one warm process: the job server.

Every Snakemake job is a new Python process, and before doing any work ours
spend 0.7 to 1.7 s importing pandas, pyarrow, matplotlib and the rest, about
a third of the whole build (see benchmarks/RESULTS.md). The job server imports
them once. A job still starts as Snakemake starts it (a short-lived "client"
process running the rule's script), but the script's first call,
`hand_off()`, sends the script to the server and waits. The server forks a
child that already has everything imported; the child takes over the
client's working directory, environment and standard streams, runs the same
script file (Snakemake's copy with its preamble), and reports the exit status,
which the client exits with. To Snakemake it is an ordinary job: same files,
same log, same exit status.

Whenever no server is reachable (it is switched off in the config, not yet
listening after a wait, or gone), `hand_off()` returns and the script runs in
its own process as before, so a job always runs.

Each child is a fresh fork of a server that has only imported modules and
never run a job, so one job cannot leak state into another: outputs are the
same as from a new process.

Security: the socket lives in a private (mode 0700) temporary folder of the
user running Snakemake. Requests are JSON, never pickled, and name a script
file that Snakemake wrote.
"""

from __future__ import annotations

import contextlib
import importlib
import json
import logging
import os
import runpy
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from pathlib import Path

# Where a client finds the server; set by `start()` for the jobs Snakemake starts.
SOCKET_ENV = "RELAUDIT_JOB_SERVER"
# Set in a server's child: the script is already running in the server.
CHILD_ENV = "RELAUDIT_JOB_SERVER_CHILD"
# What the server imports before forking: everything the scripts need.
PRELOAD = (
    "pandas",
    "pyarrow.parquet",
    "jinja2",
    "yaml",
    "snakemake.script",
    "relaudit.clean",
    "relaudit.ingest",
    "relaudit.score",
    "relaudit.text",
    "relaudit.figures",
    "relaudit.document",
    "relaudit.findings",
    "relaudit.render",
    "relaudit.provenance",
    "typst",
    "pypandoc",
)
# How long a client waits for the server's socket to appear before running alone
# (overridden by the environment variable WAIT_ENV, in seconds).
CONNECT_WAIT_S = 5.0
WAIT_ENV = "RELAUDIT_JOB_SERVER_WAIT"
# How often the server checks that Snakemake is still running.
PARENT_CHECK_S = 1.0
MAX_REQUEST_BYTES = 4 * 2**20
STREAMS = (0, 1, 2)


# --- client --------------------------------------------------------------------


def _connect(path: str, wait_s: float) -> socket.socket | None:
    """A connection to the server at `path`, or None when it does not answer in time."""
    deadline = time.monotonic() + wait_s
    while True:
        client = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            client.connect(path)
            return client
        except OSError:
            client.close()
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.05)


def _read_line(conn: socket.socket) -> bytes | None:
    """One newline-terminated message, or None when the peer closed first."""
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(4096)
        if not chunk:
            return None
        data += chunk
    return data


def hand_off(script: str | None = None) -> None:
    """Run this job's script in the job server and exit with its status.

    Call it first thing in a rule's script. Returns (and the script runs
    here) when there is no server, or when already inside the server.
    """
    path = os.environ.get(SOCKET_ENV)
    if not path or os.environ.get(CHILD_ENV):
        return
    conn = _connect(path, float(os.environ.get(WAIT_ENV, CONNECT_WAIT_S)))
    if conn is None:
        return
    request = {
        "script": os.path.abspath(script or sys.argv[0]),
        "argv": sys.argv,
        "cwd": os.getcwd(),
        "env": dict(os.environ),
        "path": sys.path,
    }
    payload = json.dumps(request).encode("utf-8")
    with conn:
        try:
            socket.send_fds(conn, [len(payload).to_bytes(8, "big") + payload], list(STREAMS))
            started = _read_line(conn)
        except OSError:
            started = None
        if started is None:
            return  # the server never took the job: run it here
        finished = _read_line(conn)
    if finished is None:
        sys.stderr.write("relaudit: the job server lost this job (its process ended)\n")
        sys.exit(1)
    sys.exit(int(json.loads(finished)["status"]))


# --- server --------------------------------------------------------------------


def _receive(conn: socket.socket) -> tuple[dict, list[int]]:
    """The client's request and its three standard stream descriptors."""
    data, fds, _flags, _addr = socket.recv_fds(conn, 65536, len(STREAMS))
    if len(fds) != len(STREAMS) or len(data) < 8:
        raise ValueError("malformed job request")
    size = int.from_bytes(data[:8], "big")
    if size > MAX_REQUEST_BYTES:
        raise ValueError("job request too large")
    body = data[8:]
    while len(body) < size:
        chunk = conn.recv(min(65536, size - len(body)))
        if not chunk:
            raise ValueError("job request cut short")
        body += chunk
    return json.loads(body.decode("utf-8")), fds


def _exit_status(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    sys.stderr.write(f"{exc.code}\n")
    return 1


def _watch_client(conn: socket.socket) -> None:
    """End this child when its client is gone (Snakemake killed the job)."""
    with contextlib.suppress(OSError):
        conn.recv(1)
    os._exit(1)


def _run_job(conn: socket.socket) -> int:
    """In a fresh child: become the client's job, run its script, report the status."""
    request, fds = _receive(conn)
    for fd, target in zip(fds, STREAMS, strict=True):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ[CHILD_ENV] = "1"
    sys.argv = list(request["argv"])
    sys.path[:] = list(request["path"])
    conn.sendall(b'{"started": true}\n')
    threading.Thread(target=_watch_client, args=(conn,), daemon=True).start()
    try:
        runpy.run_path(request["script"], run_name="__main__")
        status = 0
    except SystemExit as exc:
        status = _exit_status(exc)
    except BaseException:
        traceback.print_exc()
        status = 1
    logging.shutdown()
    with contextlib.suppress(Exception):
        sys.stdout.flush()
        sys.stderr.flush()
    conn.sendall(json.dumps({"status": status}).encode("utf-8") + b"\n")
    return status


def _child(conn: socket.socket, listener: socket.socket) -> None:
    """Run one job in a forked child, never returning into the server loop."""
    status = 1
    try:
        listener.close()
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        status = _run_job(conn)
    except BaseException:
        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        os._exit(status)


def serve(socket_path: str, parent_pid: int, preload: tuple[str, ...] = PRELOAD) -> None:
    """Listen at `socket_path` and fork a child per job until `parent_pid` ends."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    # Listen before importing, so clients queue instead of running alone.
    listener.listen(128)
    for module in preload:
        importlib.import_module(module)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # children are reaped automatically
    listener.settimeout(PARENT_CHECK_S)
    try:
        while os.getppid() == parent_pid:
            try:
                conn, _ = listener.accept()
            except TimeoutError:
                continue
            conn.settimeout(None)
            if os.fork() == 0:
                _child(conn, listener)
            conn.close()
    finally:
        listener.close()
        with contextlib.suppress(OSError):
            os.unlink(socket_path)
            os.rmdir(os.path.dirname(socket_path))  # the private folder start() made


# --- lifecycle, for the Snakefile -------------------------------------------------


class JobServer:
    """A running job server and its private folder."""

    def __init__(self, process: subprocess.Popen, folder: Path) -> None:
        self.process = process
        self.folder = folder

    def stop(self) -> None:
        """Stop the server (running jobs finish) and remove its folder."""
        if self.process.poll() is None:
            self.process.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.process.wait(timeout=5)
        os.environ.pop(SOCKET_ENV, None)
        for entry in self.folder.glob("*"):
            entry.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            self.folder.rmdir()


def start(preload: tuple[str, ...] = PRELOAD) -> JobServer:
    """Start a server for this process (Snakemake); the jobs it starts will find it.

    `preload` names the modules the server imports before its first fork.
    """
    folder = Path(tempfile.mkdtemp(prefix="relaudit-jobs-"))  # mode 0700
    path = str(folder / "socket")
    process = subprocess.Popen(
        [sys.executable, "-m", "relaudit.jobserver", path, str(os.getpid()), *preload],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
    )
    os.environ[SOCKET_ENV] = path
    return JobServer(process, folder)


if __name__ == "__main__":
    # socket path, parent pid, then the modules to preload
    serve(sys.argv[1], int(sys.argv[2]), tuple(sys.argv[3:]))
