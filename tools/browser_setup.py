"""Make sure Debian's headless Chromium is installed for the browser tests (tests/browser/).

Run as ``.venv/bin/python -m tools.browser_setup`` (``make browser-deps``). Playwright
drives the system's Chromium: it cannot download a browser of its own here. The tests want
``chromium-headless-shell``, the build of Chromium without the browser's window layer that
Playwright itself uses for headless runs: on this machine a page load costs it half the
CPU time of the full browser, and a new tab a tenth (same Blink, same layout). The script

- does nothing when the headless shell is installed;
- runs ``apt-get update`` and ``apt-get install -y chromium-headless-shell`` when running
  as root;
- runs the same two commands through ``sudo -n`` when passwordless sudo works
  (GitHub's hosted runners);
- otherwise makes do with the full ``chromium`` if it is installed (slower, same results);
- otherwise exits non-zero and says what to install.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

HEADLESS_SHELL = "/usr/bin/chromium-headless-shell"
CHROMIUM = "/usr/bin/chromium"
PACKAGE = "chromium-headless-shell"
APT_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("apt-get", "update"),
    ("apt-get", "install", "-y", PACKAGE),
)
MANUAL_HINT = (
    f"Chromium is missing ({HEADLESS_SHELL} or {CHROMIUM}) and this script cannot install it: "
    "it is neither root nor allowed passwordless sudo.\n"
    f"Install it yourself, e.g. `sudo apt-get install {PACKAGE}` on Debian or Ubuntu, then run "
    "`make test` again. The browser tests (tests/browser/) need it."
)


def headless_shell_path() -> str | None:
    """Debian's chromium-headless-shell binary, or None when it is not installed."""
    if os.access(HEADLESS_SHELL, os.X_OK):
        return HEADLESS_SHELL
    return shutil.which("chromium-headless-shell")


def full_chromium_path() -> str | None:
    """The full Chromium browser, or None when it is not installed."""
    if os.access(CHROMIUM, os.X_OK):
        return CHROMIUM
    return shutil.which("chromium")


def chromium_path() -> str | None:
    """The Chromium binary the browser tests use: the headless shell, else the full browser."""
    return headless_shell_path() or full_chromium_path()


def is_root() -> bool:
    return os.geteuid() == 0


def has_passwordless_sudo() -> bool:
    if shutil.which("sudo") is None:
        return False
    done = subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False)
    return done.returncode == 0


@dataclass(frozen=True)
class Plan:
    """What to do: run ``commands`` in order, or fail with ``error`` (both empty: nothing).

    ``fallback``: an installed full Chromium that serves if the commands fail.
    """

    commands: tuple[tuple[str, ...], ...] = ()
    error: str = ""
    found: str | None = field(default=None)
    fallback: str | None = field(default=None)


def plan(
    *,
    find: Callable[[], str | None] = headless_shell_path,
    root: Callable[[], bool] = is_root,
    sudo: Callable[[], bool] = has_passwordless_sudo,
    fallback: Callable[[], str | None] = full_chromium_path,
) -> Plan:
    """Decide how to get Chromium; the checks are parameters so tests can fake them."""
    found = find()
    if found:
        return Plan(found=found)
    if root():
        return Plan(commands=APT_COMMANDS, fallback=fallback())
    if sudo():
        return Plan(commands=tuple(("sudo", "-n", *command) for command in APT_COMMANDS), fallback=fallback())
    full = fallback()
    if full:
        return Plan(found=full)
    return Plan(error=MANUAL_HINT)


def main(
    *,
    decide: Callable[[], Plan] = plan,
    execute: Callable[[Sequence[str]], int] | None = None,
    find: Callable[[], str | None] = chromium_path,
) -> int:
    if execute is None:

        def execute(command: Sequence[str]) -> int:
            env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
            return subprocess.run(list(command), env=env, check=False).returncode

    todo = decide()
    if todo.found:
        print(f"browser-deps: Chromium is installed ({todo.found})")
        return 0
    if todo.error:
        print(f"browser-deps: {todo.error}", file=sys.stderr)
        return 1
    for command in todo.commands:
        print("browser-deps: $ " + " ".join(command), flush=True)
        returncode = execute(command)
        if returncode != 0:
            failed = f"browser-deps: `{' '.join(command)}` failed with exit status {returncode}"
            if todo.fallback:
                print(f"{failed}; the tests use the full browser ({todo.fallback}) instead, more slowly.")
                return 0
            print(f"{failed}; install {PACKAGE} yourself and run `make test` again.", file=sys.stderr)
            return returncode
    installed = find()
    if not installed:
        print(
            f"browser-deps: the {PACKAGE} package installed but no Chromium binary was found.",
            file=sys.stderr,
        )
        return 1
    print(f"browser-deps: Chromium is installed ({installed})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
