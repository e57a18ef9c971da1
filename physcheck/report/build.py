"""Build the HTML report of a run from its results document (the ``--physcheck-json`` content
plus the per-step ``series`` the plugin adds when a report is asked for).

``write_report(document, out_dir)`` writes ``index.html`` (self-contained: images embedded),
one PNG per figure and ``results.json``. Every model in the document shares the figures'
axes, which is the comparison mode: a checkpoint against its predecessor, or a model with
and without solenoidal projection (``demo`` and ``demo-proj=demo+projection``).
"""

from __future__ import annotations

import io
import json
import warnings
from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from physcheck.checks.result import test_id
from physcheck.config import check_names, check_spec
from physcheck.config.thresholds import Thresholds
from physcheck.outputs.provenance import summary_lines as provenance_lines
from physcheck.report.availability import INSTALL_HINT, matplotlib_missing_reason
from physcheck.report.html import Figure, Section, render_page, results_table, summary_table


def _arr(values: Any) -> np.ndarray:
    def clean(v: Any) -> Any:
        if isinstance(v, list):
            return [clean(x) for x in v]
        if isinstance(v, str):
            return {"NaN": np.nan, "Infinity": np.inf, "-Infinity": -np.inf}.get(v, np.nan)
        return np.nan if v is None else v

    return np.asarray(clean(values), dtype=float)


#: the PNG text chunk that lists the bounds a figure draws (JSON: ``[[name, value], ...]``)
BOUNDS_KEY = "physcheck-bounds"


def _png(fig: Any) -> bytes:
    """The figure as PNG bytes, with the bounds it draws (``figures.bounds_of``) in the
    ``physcheck-bounds`` text chunk."""
    from physcheck.report.figures import bounds_of

    buffer = io.BytesIO()
    drawn = [[name, value] for name, value in bounds_of(fig)]
    fig.savefig(buffer, format="png", dpi=100, metadata={BOUNDS_KEY: json.dumps(drawn)})
    import matplotlib.pyplot as plt

    plt.close(fig)
    return buffer.getvalue()


def png_bounds(png: bytes) -> list[tuple[str, float]]:
    """The bounds recorded in a report PNG (``[]`` when none)."""
    from PIL import Image

    text = Image.open(io.BytesIO(png)).info.get(BOUNDS_KEY)
    return [(str(n), float(v)) for n, v in json.loads(text)] if text else []


def build_figures(series: Mapping[str, Mapping[str, Any]]) -> dict[str, Figure]:
    """Every figure of the report, keyed by anchor (needs matplotlib). All-NaN steps (a
    rollout that went non-finite) are gaps in the curves, not warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return _build_figures(series)


def _build_figures(series: Mapping[str, Mapping[str, Any]]) -> dict[str, Figure]:
    from physcheck.report import figures as f

    models = list(series)
    first = series[models[0]]
    out: dict[str, Figure] = {}
    # the thresholds the run judged by (documents written before they were recorded: the
    # defaults)
    th: dict[str, Any] = dict(first.get("thresholds") or asdict(Thresholds()))

    def add(anchor: str, caption: str, fig: Any) -> None:
        out[anchor] = Figure(anchor, caption, _png(fig))

    vrmse = {m: _arr(series[m]["vrmse"]) for m in models}
    persistence = first.get("persistence_vrmse")
    add(
        "fig-vrmse",
        "Channel-mean VRMSE per step: median over trajectories, interquartile band; persistence "
        "(the last input frame held) is the do-nothing baseline a model must beat early on.",
        f.vrmse_per_step(
            vrmse,
            persistence=_arr(persistence) if persistence is not None else None,
            ceiling=float(th["stability_threshold"]),
            step1_bound=float(th["vrmse_step1"]),
        ),
    )
    add(
        "fig-vrmse-traj",
        "VRMSE per trajectory, with the ceiling the stability horizon judges.",
        f.vrmse_per_trajectory(
            vrmse, first["trajectories"], ceiling=float(th["stability_threshold"])
        ),
    )
    if "spectra_truth" in first:  # a dataset without a guide field has no perpendicular spectrum
        steps = first["spectrum_steps"]
        spectra = {
            m: {
                s: np.nanmedian(_arr(series[m]["spectra"])[:, j], axis=0)
                for j, s in enumerate(series[m]["spectrum_steps"])
            }
            for m in models
        }
        truth_spectra = {
            s: np.nanmedian(_arr(first["spectra_truth"])[:, j], axis=0)
            for j, s in enumerate(steps)
        }
        add(
            "fig-spectra",
            "Perpendicular spectrum of (B_y, B_z), E(n_perp | n_par <= N/16), median over trajectories, against truth.",
            f.perpendicular_spectra(
                spectra,
                truth_spectra,
                component="(B_y, B_z)",
                cutoff=first.get("spectrum_cutoff"),
            ),
        )
    if "divb_truth" in first:  # nor one without a magnetic field a div B
        add(
            "fig-divb",
            "div B ratio per step against the truth's floor, and the bound (a factor of the truth's).",
            f.divb_per_step(
                {m: _arr(series[m]["divb"]) for m in models},
                _arr(first["divb_truth"]),
                operator=first["divergence_method"],
                factor=float(th["solenoidality_factor"]),
            ),
        )
    n_steps = vrmse[models[0]].shape[1]
    band = (float(th["variance_low"]), float(th["variance_high"]))
    ratios = {m: _arr(series[m]["variance_ratio"]) for m in models if "variance_ratio" in series[m]}
    if ratios:
        add(
            "fig-variance-time",
            "Channel variance over time, prediction / truth, per channel (thin: trajectories; "
            "thick: median), with the pass band channel_variance judges.",
            f.variance_over_time(ratios, first["channels"], band=band),
        )
    if ratios and all("variance" in series[m] for m in models):
        step, why = f.failing_step(list(ratios.values()), *band)
        shown = {m: _arr(series[m]["variance"])[:, step - 1] for m in models}
        truth_shown = _arr(first["variance_truth"])[:, step - 1]
    else:  # an older document: the last step only
        step, why = n_steps, "the last step"
        shown = {m: _arr(series[m]["variance_last"]) for m in models}
        truth_shown = _arr(first["variance_last_truth"])
    add(
        "fig-variance",
        f"Channel variance at step {step}, {why} (bars: median; dots: trajectories), with the "
        "pass band around the truth.",
        f.channel_variance_last_step(
            shown, truth_shown, first["channels"], step=step, band=band, why=why
        ),
    )
    panels = {
        label: ({m: _arr(series[m][key]) for m in models if key in series[m]}, _arr(first[truth]))
        for label, key, truth in (
            ("E_b'/E_K (fluctuation energies)", "alfven_ratio", "alfven_ratio_truth"),
            ("<|B|>", "mean_abs_b", "mean_abs_b_truth"),
            ("mass <rho>", "mass", "mass_truth"),
            ("E_B / E_K (total)", "energy_ratio", "energy_ratio_truth"),
        )
        if truth in first
    }
    energy_bounds = {
        "E_b'/E_K (fluctuation energies)": ("energy_factor", "factor", float(th["energy_factor"])),
        "<|B|>": ("energy_factor", "factor", float(th["energy_factor"])),
        "mass <rho>": ("mass_tolerance", "fraction", float(th["mass_tolerance"])),
    }
    if panels:  # none for a dataset without the MHD fields
        add(
            "fig-energy",
            "Energies per step against truth (medians over trajectories): the ratio E_b'/E_K of the "
            "fluctuating magnetic energy to the kinetic energy (the inverse of the Alfven ratio "
            "r_A = E_K/E_M) and the mean magnitude <|B|> the energy check judges, the mass the "
            "mean_field check judges, and the total E_B/E_K for reference.",
            f.energies_per_step(panels, bounds=energy_bounds),
        )
    spread = {
        m: _arr(series[m]["perturbation_spread"])
        for m in models
        if series[m].get("perturbation_spread") is not None
    }
    if spread:
        add(
            "fig-perturbation",
            "max VRMSE between perturbed and unperturbed rollouts per step.",
            f.perturbation_spread(spread, eps=float(first.get("noise_eps", 1e-6))),
        )
    precision = {
        m: _arr(series[m]["precision_relative"])
        for m in models
        if series[m].get("precision_relative") is not None
    }
    if precision:
        v64 = {m: _arr(series[m]["vrmse_float64"]) for m in precision}
        add(
            "fig-precision",
            "float32 vs float64: pointwise difference (reported) and VRMSE of both runs.",
            f.precision_comparison(precision, {m: vrmse[m] for m in precision}, v64),
        )
    eq = {m: series[m]["equivariance"] for m in models if series[m].get("equivariance")}
    if eq:
        bounds = {
            m: (
                e["threshold"]["name"],
                float(e["threshold"]["value"]),
                float(e["step1_bound_median"]),
            )
            for m, e in eq.items()
            if e.get("threshold") and e.get("step1_bound_median") is not None
        }
        reported = sorted({t for e in eq.values() for t in e.get("reported", [])})
        add(
            "fig-equivariance",
            "Equivariance gap per symmetry and step (median over trajectories): VRMSE between the "
            "model's rollout from the transformed input and the transformed rollout; dashed: the "
            "reflections that reverse the guide field (reported, not judged); the mark at step 1 "
            "is the model's tier's bound.",
            f.equivariance_gaps(
                {
                    m: {t: _arr(v).tolist() for t, v in e["gap_per_step_median"].items()}
                    for m, e in eq.items()
                },
                bounds=bounds,
                reported=reported,
            ),
        )
    maps = {m: series[m]["basin_map"] for m in models if series[m].get("basin_map")}
    if maps:
        add(
            "fig-basin-map",
            "Basin map: the final basin of rollouts from several start frames per trajectory, with "
            "the blow-up onset and how many perturbed rollouts agree.",
            f.basin_map(maps),
        )
    return out


def _parameters_notes(numbers: Mapping[str, Any], settings: Mapping[str, Any]) -> list[str]:
    """One line naming each checked trajectory's simulation parameters (Ma, Ms, ...)."""
    for values in numbers.values():
        params = values.get("parameters") or []
        if any(params):
            chosen = settings.get("trajectories")
            ids = chosen if isinstance(chosen, list) else list(range(len(params)))
            described = "; ".join(
                f"traj {t}: " + ", ".join(f"{k} {v:g}" for k, v in p.items())
                for t, p in zip(ids, params, strict=False)
            )
            return [f"Trajectories: {described}."]
    return []


def _anchor(figure: str | None, figures: Mapping[str, Figure], check: str) -> str:
    """Where a failing result links to: its check's figure when drawn, else its section."""
    return figure if figure is not None and figure in figures else f"check-{check}"


def write_report(document: Mapping[str, Any], out_dir: str | Path) -> Path:
    """Write ``index.html``, the PNGs and ``results.json`` into ``out_dir``; returns the page."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    results = list(document.get("results", []))
    models = sorted({r["model"] for r in results} | set(document.get("models", {})))
    known = check_names()
    checks = [c for c in known if any(r["check"] == c for r in results)]
    figure_for = {c: check_spec(c).figure for c in known}
    settings = document.get("settings", {})
    notes: list[str] = []
    figures: dict[str, Figure] = {}
    series = document.get("series") or {}
    reason = matplotlib_missing_reason()
    if reason:
        notes.append(f"No figures: {INSTALL_HINT}.")
    elif not series:
        notes.append(
            "No figures: the results file has no per-step series (write it with --physcheck-report, not only --physcheck-json)."
        )
    else:
        figures = build_figures(series)
        for fig in figures.values():
            (out / f"{fig.anchor}.png").write_bytes(fig.png)
    sections = []
    for check in checks:
        mine = [r for r in results if r["check"] == check]
        anchor = figure_for.get(check)
        links = {check: anchor} if anchor in figures else {}
        figs = [figures[a] for a in check_spec(check).figures if a in figures]
        sections.append(
            Section(
                f"check-{check}",
                check,
                f"<p>{check_spec(check).summary}</p>" + results_table(mine, links),
                figs,
            )
        )
    failures = [
        (
            f"{test_id(r['check'], r['model'], r['trajectory'], r.get('channel'))}: {r['message']}",
            _anchor(figure_for.get(r["check"]), figures, r["check"]),
        )
        for r in results
        if not r["passed"] and not r.get("skipped")
    ]
    numbers = document.get("models") or {}
    devices = sorted({str(k.get("device")) for k in numbers.values() if k.get("device")})
    settings_line = (
        f"models {settings.get('models')}; data {settings.get('data') or 'not recorded'} "
        f"[{settings.get('split')}]; window {settings.get('window')}; trajectories "
        f"{settings.get('trajectories')}; device {', '.join(devices) or settings.get('device')}"
    )
    notes = [
        *_parameters_notes(numbers, settings),
        *provenance_lines(document.get("provenance")),
        *notes,
    ]
    page = render_page(
        title="physcheck report",
        settings_line=settings_line,
        summary=summary_table(results, checks, models),
        failures=failures,
        sections=sections,
        notes=notes,
    )
    (out / "index.html").write_text(page)
    (out / "results.json").write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")
    return out / "index.html"


def write_report_safely(document: Mapping[str, Any], out_dir: str | Path) -> str:
    """``write_report`` for the plugin: never raises; returns the line to print."""
    try:
        page = write_report(document, out_dir)
    except Exception as exc:  # a report problem must not fail a physics run
        return f"physcheck report: not written ({type(exc).__name__}: {exc})"
    reason = matplotlib_missing_reason()
    return f"physcheck report: {page}" + (f" (without figures: {INSTALL_HINT})" if reason else "")
