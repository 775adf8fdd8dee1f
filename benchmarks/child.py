"""Run a benchmark stage as a child process: its wall time, exit code and peak memory."""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from core.settings import PROJECT_ROOT


def _status_kib(pid: int, field: str) -> int:
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _tree(pid: int) -> list[int]:
    """The process and its descendants (Linux /proc)."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    todo.extend(int(c) for c in handle.read().split())
        except OSError:
            continue
    return found


def run_child(
    command: list[str], log_dir: Path, name: str, timeout: float, env: dict | None = None
) -> dict:
    """Run a command; wall seconds, exit code and peak memory of the child.

    Peak memory is polled from /proc every 50 ms: the child's own high-water mark
    (VmHWM, which starts afresh at exec, unlike rusage's ru_maxrss that a forked child
    inherits from this large parent), or the summed RSS of the child and any processes
    it starts, whichever is larger.
    """
    stdout = (log_dir / f"{name}.stdout").open("wb")
    stderr = (log_dir / f"{name}.stderr").open("wb")
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, stdout=stdout, stderr=stderr, env=env)
    timed_out = False
    peak_kib = 0
    while True:
        tree = _tree(process.pid)
        peak_kib = max(
            peak_kib,
            _status_kib(process.pid, "VmHWM"),
            sum(_status_kib(p, "VmRSS") for p in tree),
        )
        pid, status, _usage = os.wait4(process.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - started > timeout:
            process.kill()
            timed_out = True
            pid, status, _usage = os.wait4(process.pid, 0)
            break
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    stdout.close()
    stderr.close()
    result = {
        "seconds": round(seconds, 2),
        "peak_rss_mib": round(peak_kib / 1024, 1),
        "exit_code": process.returncode,
    }
    if timed_out:
        result["error"] = f"timed out after {timeout:.0f} s"
    elif process.returncode != 0:
        tail = (log_dir / f"{name}.stderr").read_text(errors="replace").strip().splitlines()
        result["error"] = " | ".join(tail[-6:]) or f"exit code {process.returncode}"
    return result
