#!/usr/bin/env python3
"""Two commands on a fresh machine with Python 3.11 and pip (see README, Quick start):

    python3 dev.py demo    install into .venv, create the SQLite demo city, serve http://127.0.0.1:8000
    python3 dev.py test    install into .venv (with test tools) and run the whole test suite

Only the standard library is used here, because nothing else is installed yet."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
PY = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def run(*args: str, env: dict[str, str] | None = None) -> None:
    print("+", " ".join(args), flush=True)
    subprocess.run(args, check=True, cwd=ROOT, env=env)


def install(extra: str) -> None:
    if sys.version_info < (3, 11):  # noqa: UP036 - dev.py may be run by an older python3
        sys.exit(f"Python 3.11 or newer is needed; this is {sys.version.split()[0]}")
    if not PY.exists():
        print(f"creating the virtual environment in {VENV}", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    spec = f".[{extra}]" if extra else "."
    run(str(PY), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-e", spec)


def manage(*args: str) -> None:
    run(str(PY), "-m", "sharingcity", *args)


def demo(argv: list[str]) -> None:
    install("")
    manage("compile_translations")
    manage("migrate", "--noinput", "-v", "0")
    manage("demo_city", "--if-empty")
    worker = subprocess.Popen([str(PY), "-m", "sharingcity", "run_huey", "--quiet"], cwd=ROOT)
    print("\nSharing City is starting on http://127.0.0.1:8000  (Ctrl+C to stop)\n", flush=True)
    try:
        manage("runserver", "127.0.0.1:8000", *argv)
    except KeyboardInterrupt:
        pass
    finally:
        worker.terminate()


def test(argv: list[str]) -> None:
    install("dev")
    manage("compile_translations")
    if not any(a == "-n" or a.startswith("-n") or a.startswith("--numprocesses") for a in argv):
        # One worker per core; a test file's tests stay on one worker (one Spark session each).
        argv = ["-n", "auto", "--dist", "loadfile", *argv]
    result = subprocess.run([str(PY), "-m", "pytest", *argv], cwd=ROOT)
    sys.exit(result.returncode)


def main() -> None:
    commands = {"demo": demo, "test": test}
    if len(sys.argv) < 2 or sys.argv[1] not in commands:
        sys.exit(__doc__)
    commands[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    main()
