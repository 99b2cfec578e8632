"""``make load``'s fault scenarios, small: a hung store, a store that is down, slow clients.

Each starts the real service under gunicorn on loopback; the tool's own verdict (no error for
normal clients, no answer over 2 s) is what is asserted, with the figures it printed.
"""

from __future__ import annotations

import pytest

from muscle_guide_tools import load


def run(capsys, *args: str) -> tuple[int, str]:
    code = load.main([*args, "--fault-requests", "60", "--concurrency", "8"])
    return code, capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["store-hung", "store-down"])
def test_a_sick_store_costs_no_errors_and_no_answer_over_two_seconds(capsys, scenario: str):
    code, out = run(capsys, "--scenario", scenario)
    summary = next(line for line in out.splitlines() if line.startswith(scenario + " "))
    assert code == 0, out[-3000:]
    assert summary.split()[1:3] == ["60", "0"], summary  # all answered, no errors
    assert summary.endswith("ok")
    if scenario == "store-hung":
        assert "answered none" in out and "accepted 0 connections" not in out


@pytest.mark.slow
def test_slow_clients_beside_normal_ones_are_measured(capsys):
    # Fewer trickling connections than the server has threads: the normal clients must not
    # notice. (The default, as many as its threads, is the case `make load` reports.)
    code, out = run(capsys, "--scenario", "slow-clients", "--slow-clients", "2")
    assert "2 slow clients trickled" in out
    assert code == 0, out[-3000:]
