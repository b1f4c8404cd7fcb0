"""The tool server (xxgk/children.py): dbt runs as a fork of one interpreter that imported it once, and behaves as
the command it stands for: its argv, environment, folder, output and exit code; a tool whose import starts threads
is executed instead."""
from __future__ import annotations

import json
import os
import sys

import pytest

from xxgk import children

TOOL = "tests.support.tool:main"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the tool server is Linux's")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.support.tool", *args]


@pytest.mark.parametrize("args, code, last_line", [
    (("0",), 0, "on stderr too"),
    (("6",), 6, "on stderr too"),
    (("0", "raise"), 1, "RuntimeError: the tool failed"),
])
def test_a_fork_exits_with_the_tools_code_its_stdout_and_stderr_one_stream(args, code, last_line, tmp_path):
    done = children.run(command(*args), TOOL, env={**os.environ, "XXGK_TOOL_TEST": "set"}, cwd=tmp_path)
    said = json.loads(done.stdout.splitlines()[0])
    assert done.returncode == code
    assert done.stdout.strip().splitlines()[-1] == last_line
    assert (said["argv"], said["cwd"], said["env"]) == (list(args), str(tmp_path), "set")


def test_forks_share_one_import_in_one_server_and_run_as_their_own_processes(tmp_path):
    runs = [json.loads(children.run(command("0"), TOOL, cwd=tmp_path).stdout.splitlines()[0]) for _ in range(3)]
    assert len({r["imported_in"] for r in runs}) == 1  # imported once, by the server
    assert len({r["pid"] for r in runs} | {runs[0]["imported_in"], os.getpid()}) == 5


def test_without_main_the_command_runs_as_a_new_interpreter(tmp_path):
    done = children.run(command("3"), cwd=ROOT)
    said = json.loads(done.stdout.splitlines()[0])
    assert done.returncode == 3 and said["imported_in"] == said["pid"]


def test_an_environment_without_the_variable_is_the_forks_environment(tmp_path):
    done = children.run(command("0"), TOOL, env={k: v for k, v in os.environ.items() if k != "XXGK_TOOL_TEST"},
                        cwd=tmp_path)
    assert json.loads(done.stdout.splitlines()[0])["env"] is None


def test_a_tool_whose_import_starts_threads_is_executed_not_forked(tmp_path):
    children.stop_server()  # a server of its own: it will not fork again (the other tests' dbt is run by the next)
    args = [sys.executable, "-m", "tests.support.threaded_tool", "4"]
    done = children.run(args, "tests.support.threaded_tool:main", cwd=ROOT)
    said = json.loads(done.stdout.splitlines()[0])
    assert done.returncode == 4 and said["imported_in"] == said["pid"]  # a process of its own imported it
    # The server imported it and has a thread since: the next tool, single-threaded, is executed too.
    again = json.loads(children.run(command("0"), TOOL, cwd=ROOT).stdout.splitlines()[0])
    children.stop_server()
    assert again["imported_in"] == again["pid"]
