"""Pinned CPU numerics: the variables torch and MKL read, and the processor vendor results are kept by."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from agent.core.numerics import PINNED_NUMERICS, pin_cpu_numerics, processor_vendor


def test_importing_agent_pins_the_numerics_and_keeps_a_value_set_before(monkeypatch: pytest.MonkeyPatch) -> None:
    assert {name: os.environ[name] for name in PINNED_NUMERICS} == pin_cpu_numerics()
    monkeypatch.setenv("MKL_CBWR", "AUTO")
    assert pin_cpu_numerics()["MKL_CBWR"] == "AUTO"


def test_the_vendor_is_the_first_processors_vendor_id(tmp_path: Path) -> None:
    cpuinfo = tmp_path / "cpuinfo"
    cpuinfo.write_text("processor\t: 0\nvendor_id\t: AuthenticAMD\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n")
    assert processor_vendor(cpuinfo) == "AuthenticAMD"
    assert processor_vendor(tmp_path / "absent")  # elsewhere: the platform's processor name, never empty
