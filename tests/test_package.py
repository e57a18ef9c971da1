"""The package and its pytest plugin load without importing torch."""

from __future__ import annotations

import subprocess
import sys


def test_plugin_import_does_not_import_torch() -> None:
    code = "import sys, physcheck, physcheck.plugin; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_markers_registered(pytester) -> None:
    pytester.makepyfile("def test_x():\n    pass\n")
    result = pytester.runpytest("--markers")
    assert result.ret == 0
    result.stdout.fnmatch_lines(
        ["*@pytest.mark.gpu*", "*@pytest.mark.physics*", "*@pytest.mark.walrus*"]
    )


def test_gpu_marked_test_skips_with_reason_without_cuda(pytester) -> None:
    import torch

    pytester.makepyfile("import pytest\n@pytest.mark.gpu\ndef test_on_gpu():\n    assert True\n")
    result = pytester.runpytest("-rs")
    if torch.cuda.is_available():
        result.assert_outcomes(passed=1)
    else:
        result.assert_outcomes(skipped=1)
        result.stdout.fnmatch_lines(["*no CUDA device*"])
