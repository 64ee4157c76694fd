"""tools.browser_setup decides how to get Chromium; these tests fake every check and install nothing."""

import pytest

from tools import browser_setup
from tools.browser_setup import APT_COMMANDS, Plan, main, plan


def _never():
    raise AssertionError("this check must not run")


def test_installed_headless_shell_means_nothing_to_do():
    decided = plan(find=lambda: "/usr/bin/chromium-headless-shell", root=_never, sudo=_never, fallback=_never)
    assert decided == Plan(found="/usr/bin/chromium-headless-shell")


def test_the_full_browser_serves_when_the_shell_cannot_be_installed():
    decided = plan(
        find=lambda: None, root=lambda: False, sudo=lambda: False, fallback=lambda: "/usr/bin/chromium"
    )
    assert decided == Plan(found="/usr/bin/chromium")


def test_root_installs_the_shell_even_beside_the_full_browser():
    decided = plan(find=lambda: None, root=lambda: True, sudo=_never, fallback=lambda: "/usr/bin/chromium")
    assert decided.commands == APT_COMMANDS
    assert decided.fallback == "/usr/bin/chromium"


def test_a_failed_install_falls_back_to_the_full_browser(capsys):
    todo = Plan(commands=APT_COMMANDS, fallback="/usr/bin/chromium")
    code = main(decide=lambda: todo, execute=lambda command: 100, find=_never)
    assert code == 0
    assert "use the full browser (/usr/bin/chromium)" in capsys.readouterr().out


def test_root_installs_with_apt_get_after_an_update():
    decided = plan(find=lambda: None, root=lambda: True, sudo=_never, fallback=lambda: None)
    assert decided.commands == (
        ("apt-get", "update"),
        ("apt-get", "install", "-y", "chromium-headless-shell"),
    )
    assert not decided.error


def test_passwordless_sudo_installs_through_sudo_n():
    decided = plan(find=lambda: None, root=lambda: False, sudo=lambda: True, fallback=lambda: None)
    assert decided.commands == tuple(("sudo", "-n", *command) for command in APT_COMMANDS)
    assert decided.commands[0] == ("sudo", "-n", "apt-get", "update")


def test_no_root_and_no_sudo_is_an_error_that_says_what_to_install():
    decided = plan(find=lambda: None, root=lambda: False, sudo=lambda: False, fallback=lambda: None)
    assert not decided.commands
    assert "apt-get install chromium-headless-shell" in decided.error


def test_main_runs_nothing_when_chromium_is_there(capsys):
    ran = []
    code = main(decide=lambda: Plan(found="/usr/bin/chromium"), execute=ran.append)
    assert code == 0
    assert ran == []
    assert "installed" in capsys.readouterr().out


def test_main_runs_the_commands_in_order_then_finds_chromium():
    ran = []

    def execute(command):
        ran.append(tuple(command))
        return 0

    code = main(decide=lambda: Plan(commands=APT_COMMANDS), execute=execute, find=lambda: "/usr/bin/chromium")
    assert code == 0
    assert ran == list(APT_COMMANDS)


def test_main_stops_at_a_failing_command(capsys):
    ran = []

    def execute(command):
        ran.append(tuple(command))
        return 100

    code = main(decide=lambda: Plan(commands=APT_COMMANDS), execute=execute, find=_never)
    assert code == 100
    assert ran == [APT_COMMANDS[0]]
    assert "failed with exit status 100" in capsys.readouterr().err


def test_main_fails_when_the_install_leaves_no_chromium(capsys):
    code = main(decide=lambda: Plan(commands=APT_COMMANDS), execute=lambda command: 0, find=lambda: None)
    assert code == 1
    assert "no Chromium binary" in capsys.readouterr().err


def test_main_without_root_or_sudo_exits_non_zero_with_the_hint(capsys):
    code = main(decide=lambda: Plan(error=browser_setup.MANUAL_HINT), execute=_never)
    assert code == 1
    err = capsys.readouterr().err
    assert "sudo apt-get install chromium-headless-shell" in err
    assert "make test" in err


def test_chromium_path_prefers_the_headless_shell(monkeypatch):
    monkeypatch.setattr(browser_setup.os, "access", lambda path, mode: True)
    assert browser_setup.chromium_path() == "/usr/bin/chromium-headless-shell"
    monkeypatch.setattr(browser_setup.os, "access", lambda path, mode: path == browser_setup.CHROMIUM)
    monkeypatch.setattr(browser_setup.shutil, "which", lambda name: None)
    assert browser_setup.chromium_path() == "/usr/bin/chromium"
    monkeypatch.setattr(browser_setup.os, "access", lambda path, mode: False)
    monkeypatch.setattr(browser_setup.shutil, "which", lambda name: None)
    assert browser_setup.chromium_path() is None


@pytest.mark.parametrize(("returncode", "expected"), [(0, True), (1, False)])
def test_sudo_check_asks_sudo_without_a_password(monkeypatch, returncode, expected):
    calls = []

    class Done:
        def __init__(self, code):
            self.returncode = code

    def run(command, **kwargs):
        calls.append(command)
        return Done(returncode)

    monkeypatch.setattr(browser_setup.shutil, "which", lambda name: f"/usr/bin/{name}")
    monkeypatch.setattr(browser_setup.subprocess, "run", run)
    assert browser_setup.has_passwordless_sudo() is expected
    assert calls == [["sudo", "-n", "true"]]


def test_no_sudo_binary_means_no_sudo(monkeypatch):
    monkeypatch.setattr(browser_setup.shutil, "which", lambda name: None)
    monkeypatch.setattr(browser_setup.subprocess, "run", _never)
    assert browser_setup.has_passwordless_sudo() is False
