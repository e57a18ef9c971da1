"""The physics checks (``physics``), their results and thresholds (``result``), the per-step
diagnostic records behind them (``record``) and assertion helpers (``assertions``).

Importing this package is torch-free; the submodules with tensors load on use.
"""

from physcheck.checks.result import CHECK_NAMES, CheckResult, DiagnosticSettings, Thresholds

__all__ = ["CHECK_NAMES", "CheckResult", "DiagnosticSettings", "Thresholds"]
