"""``make stack``: the production shape on one machine. Prepares the database (created if missing, migrated) and
the static files, then runs ``bench/Procfile`` with honcho; Ctrl-C stops every process.

    python -m bench.stack [--env bench/stack.env] [process ...]

The settings are ``bench/stack.env`` (honcho's env file: it wins over the shell's environment); the test of
``tests/stack`` runs the same Procfile with its own env file.
"""

import argparse
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg
from honcho.environ import parse
from psycopg import sql

from .processes import ROOT

PROCFILE = ROOT / "bench" / "Procfile"
ENV_FILE = ROOT / "bench" / "stack.env"


def read_env(path: Path) -> dict[str, str]:
    """The env file as honcho reads it."""
    return parse(path.read_text())


def process_environment(settings: dict[str, str]) -> dict[str, str]:
    """The shell's environment, the env file over it, and this virtualenv's ``python`` first on the path."""
    bin_dir = str(Path(sys.executable).parent)
    return {**os.environ, **settings, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", "")}


def create_database_if_missing(database_url: str) -> None:
    parsed = urlparse(database_url)
    name = parsed.path.lstrip("/")
    server = parsed._replace(path="/postgres").geturl()
    with psycopg.connect(server, autocommit=True) as connection:
        exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if not exists:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def prepare(env: dict[str, str], *, migrate: bool = True) -> None:
    """What compose's web service does before gunicorn (migrations), and the image's build (static files)."""
    if migrate:
        create_database_if_missing(env["DATABASE_URL"])
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True
    )


def honcho_command(env_file: Path, processes: list[str]) -> list[str]:
    honcho = str(Path(sys.executable).parent / "honcho")
    return [honcho, "-f", str(PROCFILE), "-d", str(ROOT), "-e", str(env_file), "start", *processes]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", type=Path, default=ENV_FILE)
    parser.add_argument("processes", nargs="*", help="only these processes of the Procfile (default: all)")
    args = parser.parse_args(argv)
    env = process_environment(read_env(args.env))
    prepare(env)
    ports = ", ".join(f"http://127.0.0.1:{env[name]}/" for name in ("WEB1_PORT", "WEB2_PORT"))
    print(f"Alliance Portal, production shape: {ports} (mail: http://127.0.0.1:{env['SMTP_STATS_PORT']}/messages)")
    command = honcho_command(args.env.resolve(), args.processes)
    os.chdir(ROOT)
    os.execve(command[0], command, env)


if __name__ == "__main__":
    main()
