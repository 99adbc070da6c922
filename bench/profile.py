"""Where the server's time goes: py-spy samples a server process during a measurement.

    python -m bench.run --profile list_rep,create      (py-spy from PyPI; installed when missing)

Writes bench/results/profile-<scenario>-<target>-c<n>.txt (collapsed stacks, for flamegraph tools
or speedscope) and prints the functions with the largest inclusive share of the samples.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

log = logging.getLogger("bench.profile")

# Frames worth naming in the summary: the app and the libraries it spends time in.
INTERESTING = (
    "app/",
    "fastapi/",
    "starlette/",
    "sqlalchemy/",
    "pydantic",
    "jose/",
    "asyncpg/",
    "orjson",
    "uvicorn/",
    "json/",
    "bench/",
    "uuid",
    "dataclasses",
    "anyio/",
    "aiosmtplib/",
    "jinja2/",
    "email/",
    "html/",
    "re/",
    "base64",
    "asyncio/",
)


def ensure_py_spy() -> str:
    found = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if Path(found).exists():
        return found
    log.info("installing py-spy from PyPI")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True, timeout=300)
    return str(Path(sys.executable).with_name("py-spy"))


def start(pid: int, output: Path, duration: int, rate: int = 250) -> subprocess.Popen[bytes]:
    command = [
        ensure_py_spy(),
        "record",
        "--pid",
        str(pid),
        "--format",
        "raw",
        "--output",
        str(output),
        "--duration",
        str(duration),
        "--rate",
        str(rate),
        "--nonblocking",
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def finish(process: subprocess.Popen[bytes], output: Path, requests: int, rate: int = 250, top: int = 40) -> str:
    try:
        _, err = process.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        process.kill()
        return "py-spy did not finish"
    if not output.exists():
        return f"py-spy wrote nothing: {err.decode(errors='replace')[-500:]}"
    return summarize(output, top, requests=requests, rate=rate)


def _frame_name(frame: str) -> str:
    # py-spy raw frames look like "function (path/to/file.py:123)"
    name, _, where = frame.partition(" (")
    path = where.rsplit(":", 1)[0]
    for marker in ("site-packages/", "/work/main/", "lib/python3.11/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    return f"{name} ({path})"


def summarize(output: Path, top: int = 40, *, requests: int = 0, rate: int = 250) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in output.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_frame_name(f) for f in stack.split(";") if f]
        total += count
        for name in set(frames):
            inclusive[name] += count
        if frames:
            own[frames[-1]] += count
    if not total:
        return "no samples"
    per_request = f", {total / rate / requests * 1000:.2f} ms of GIL-holding CPU per request" if requests else ""
    lines = [f"{total} samples holding the GIL{per_request}; inclusive share:"]
    for name, count in inclusive.most_common():
        if any(k in name for k in INTERESTING):
            lines.append(f"  {count / total:6.1%}  {name}")
            if len(lines) > top:
                break
    lines.append("largest self time:")
    for name, count in own.most_common(15):
        lines.append(f"  {count / total:6.1%}  {name}")
    return "\n".join(lines)
