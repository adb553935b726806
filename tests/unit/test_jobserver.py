"""The job server: jobs run in forks of a warm process, exactly as they would alone."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from relaudit import jobserver

# A job script as Snakemake would run it: hand off first, then the work.
SCRIPT = textwrap.dedent(
    """
    import os, sys
    from relaudit.jobserver import hand_off

    hand_off()

    import json
    out = sys.argv[1]
    leaked = hasattr(json, "RELAUDIT_TEST_MARK")
    json.RELAUDIT_TEST_MARK = True  # must not reach the next job
    with open(out, "w") as handle:
        handle.write(json.dumps({
            "pid": os.getpid(),
            "ppid": os.getppid(),
            "cwd": os.getcwd(),
            "mark": os.environ.get("JOB_MARK"),
            "argv": sys.argv[1:],
            "leaked": leaked,
        }))
    print("to stdout")
    print("to stderr", file=sys.stderr)
    mode = os.environ.get("JOB_MODE", "ok")
    if mode == "fail":
        raise ValueError("the job failed")
    if mode == "exit":
        sys.exit(3)
    if mode == "sleep":
        time_module = __import__("time")
        time_module.sleep(60)
    """
)


@pytest.fixture
def server(monkeypatch):
    """A running job server that preloads nothing heavy (fast to start)."""
    monkeypatch.delenv(jobserver.SOCKET_ENV, raising=False)
    running = jobserver.start(preload=("json",))
    yield running
    running.stop()


def run_job(tmp_path: Path, env: dict[str, str], *extra: str, mode: str = "ok"):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / f"out-{mode}-{len(list(tmp_path.iterdir()))}.json"
    work = tmp_path / "work"
    work.mkdir(exist_ok=True)
    result = subprocess.run(
        [sys.executable, str(script), str(out), *extra],
        cwd=work,
        env={**env, "JOB_MARK": "marked", "JOB_MODE": mode},
        capture_output=True,
        text=True,
        timeout=60,
    )
    import json

    return result, (json.loads(out.read_text()) if out.exists() else None)


def test_job_runs_in_the_server_with_the_clients_cwd_env_and_streams(server, tmp_path):
    result, seen = run_job(tmp_path, dict(os.environ), "extra-arg")
    assert result.returncode == 0, result.stderr
    # Forked by the server, not run by the client process itself.
    assert seen["ppid"] == server.process.pid
    assert seen["cwd"] == str(tmp_path / "work")
    assert seen["mark"] == "marked"
    assert seen["argv"][1:] == ["extra-arg"]
    assert result.stdout == "to stdout\n"
    assert result.stderr == "to stderr\n"


def test_jobs_do_not_share_state(server, tmp_path):
    env = dict(os.environ)
    first = run_job(tmp_path, env)[1]
    second = run_job(tmp_path, env)[1]
    assert first["pid"] != second["pid"]
    assert not first["leaked"] and not second["leaked"]


def test_exit_status_and_traceback_reach_the_client(server, tmp_path):
    env = dict(os.environ)
    exited, _ = run_job(tmp_path, env, mode="exit")
    assert exited.returncode == 3
    failed, _ = run_job(tmp_path, env, mode="fail")
    assert failed.returncode == 1
    assert "ValueError: the job failed" in failed.stderr


def test_without_a_server_the_job_runs_in_its_own_process(tmp_path, monkeypatch):
    monkeypatch.delenv(jobserver.SOCKET_ENV, raising=False)
    env = {k: v for k, v in os.environ.items() if k != jobserver.SOCKET_ENV}
    result, seen = run_job(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert seen["ppid"] == os.getpid()


def test_an_unreachable_server_falls_back_to_its_own_process(tmp_path):
    env = dict(os.environ)
    env[jobserver.SOCKET_ENV] = str(tmp_path / "no-such-socket")
    env[jobserver.WAIT_ENV] = "0.2"
    result, seen = run_job(tmp_path, env)
    assert result.returncode == 0, result.stderr
    assert seen["ppid"] == os.getpid()


def test_killing_the_client_ends_its_job(server, tmp_path):
    script = tmp_path / "job.py"
    script.write_text(SCRIPT, encoding="utf-8")
    out = tmp_path / "out-sleep.json"
    client = subprocess.Popen(
        [sys.executable, str(script), str(out)],
        cwd=tmp_path,
        env={**os.environ, "JOB_MODE": "sleep"},
    )
    deadline = time.monotonic() + 30
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    import json

    child = json.loads(out.read_text())["pid"]
    client.send_signal(signal.SIGKILL)
    client.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{child}").exists():
        time.sleep(0.05)
    assert not Path(f"/proc/{child}").exists()


def test_stop_ends_the_server_and_removes_its_socket(monkeypatch):
    monkeypatch.delenv(jobserver.SOCKET_ENV, raising=False)
    running = jobserver.start(preload=())
    socket_path = Path(os.environ[jobserver.SOCKET_ENV])
    assert socket_path.parent.stat().st_mode & 0o777 == 0o700
    running.stop()
    assert running.process.poll() is not None
    assert not socket_path.parent.exists()
    assert jobserver.SOCKET_ENV not in os.environ


def test_server_ends_when_its_parent_does(tmp_path):
    # A parent that starts a server and dies without stopping it.
    code = (
        "import time; from relaudit import jobserver; "
        "s = jobserver.start(preload=()); print(s.process.pid, flush=True)"
    )
    parent = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=30, check=True
    )
    pid = int(parent.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and Path(f"/proc/{pid}").exists():
        status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}").exists() else ""
        if "zombie" in status:
            break
        time.sleep(0.1)
    status = Path(f"/proc/{pid}/status").read_text() if Path(f"/proc/{pid}").exists() else ""
    assert not Path(f"/proc/{pid}").exists() or "zombie" in status
