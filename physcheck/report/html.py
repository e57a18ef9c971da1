"""One self-contained HTML page: summary table, then one section per check.

Images are embedded as base64 PNG ``data:`` URIs, so the page needs no network and
no files beside it. Every failing result links to the figure that shows it.
"""

from __future__ import annotations

import base64
import html
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

CSS = """
body { font-family: system-ui, -apple-system, Segoe UI, sans-serif; margin: 2em auto; max-width: 1200px;
       color: #1b1b1b; padding: 0 1em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
.settings { color: #555; font-size: 0.9em; }
table { border-collapse: collapse; margin: 1em 0; font-size: 0.9em; }
table.summary { table-layout: fixed; width: 100%; font-size: 0.8em; }
table.summary th { word-break: break-word; }
th, td { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.pass, span.pass { background: #dff3df; color: #155215; }
td.fail, span.fail { background: #f9d6d5; color: #8a1c17; font-weight: 600; }
td.skip, span.skip { background: #eee; color: #666; }
span.pass, span.fail, span.skip { padding: 0.1em 0.4em; border-radius: 3px; }
figure { margin: 1em 0; }
figure img { max-width: 100%; border: 1px solid #ddd; }
figcaption { font-size: 0.85em; color: #444; }
.note { background: #fff8dc; border: 1px solid #e6d58a; padding: 0.6em; }
ul.failures li { margin: 0.2em 0; }
"""


@dataclass
class Figure:
    """A rendered PNG with its anchor id and caption."""

    anchor: str
    caption: str
    png: bytes


@dataclass
class Section:
    """One section of the page: a check (or a diagnostic family) and its figures."""

    anchor: str
    title: str
    text: str = ""
    figures: list[Figure] = field(default_factory=list)


def _status(result: Mapping[str, object]) -> str:
    if result.get("skipped"):
        return "skip"
    return "pass" if result.get("passed") else "fail"


def _format_value(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else str(value)


def summary_table(
    results: Sequence[Mapping[str, object]], checks: Sequence[str], models: Sequence[str]
) -> str:
    """Model x check table of pass/fail counts, coloured, each cell linking to its section."""
    rows = ["<table class='summary'><tr><th>model</th>"]
    rows += [f"<th><a href='#check-{html.escape(c)}'>{html.escape(c)}</a></th>" for c in checks]
    rows.append("</tr>")
    for model in models:
        rows.append(f"<tr><th>{html.escape(model)}</th>")
        for check in checks:
            mine = [r for r in results if r.get("model") == model and r.get("check") == check]
            if not mine:
                rows.append("<td></td>")
                continue
            statuses = [_status(r) for r in mine]
            failed, passed = statuses.count("fail"), statuses.count("pass")
            css = "fail" if failed else ("pass" if passed else "skip")
            text = f"{passed} pass" + (f", {failed} fail" if failed else "")
            if not passed and not failed:
                text = "skipped"
            rows.append(f"<td class='{css}'><a href='#check-{html.escape(check)}'>{text}</a></td>")
        rows.append("</tr>")
    rows.append("</table>")
    return "".join(rows)


def results_table(results: Iterable[Mapping[str, object]], figure_for: Mapping[str, str]) -> str:
    """Every result of one check; failing rows link to the figure (anchor) that shows them."""
    rows = [
        "<table><tr><th>model</th><th>traj</th><th>channel</th><th>status</th><th>value</th>"
        "<th>threshold</th><th>message</th></tr>"
    ]
    for r in results:
        status = _status(r)
        message = html.escape(str(r.get("skipped") or r.get("message") or ""))
        anchor = figure_for.get(str(r.get("check")))
        if status == "fail" and anchor:
            message += f" <a href='#{anchor}'>[figure]</a>"
        rows.append(
            "<tr>"
            f"<td>{html.escape(str(r.get('model')))}</td><td>{html.escape(str(r.get('trajectory')))}</td>"
            f"<td>{html.escape(_format_value(r.get('channel')))}</td>"
            f"<td class='{status}'>{status}</td>"
            f"<td>{html.escape(_format_value(r.get('value')))}</td>"
            f"<td>{html.escape(_format_value(r.get('threshold')))}</td>"
            f"<td>{message}</td></tr>"
        )
    rows.append("</table>")
    return "".join(rows)


def figure_html(figure: Figure) -> str:
    data = base64.b64encode(figure.png).decode("ascii")
    return (
        f"<figure id='{html.escape(figure.anchor)}'><img alt='{html.escape(figure.caption)}' "
        f"src='data:image/png;base64,{data}'><figcaption>{html.escape(figure.caption)}</figcaption></figure>"
    )


def render_page(
    *,
    title: str,
    settings_line: str,
    summary: str,
    failures: Sequence[tuple[str, str]],
    sections: Sequence[Section],
    notes: Sequence[str] = (),
) -> str:
    """The whole page. ``failures``: (label, anchor) of each failing result, listed at the top."""
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        f"<title>{html.escape(title)}</title><style>{CSS}</style></head><body>",
        f"<h1>{html.escape(title)}</h1><p class='settings'>{html.escape(settings_line)}</p>",
    ]
    parts += [f"<p class='note'>{html.escape(n)}</p>" for n in notes]
    parts.append("<h2>Summary</h2>" + summary)
    if failures:
        parts.append("<h3>Failing checks</h3><ul class='failures'>")
        parts += [
            f"<li><span class='fail'>fail</span> <a href='#{html.escape(a)}'>{html.escape(label)}</a></li>"
            for label, a in failures
        ]
        parts.append("</ul>")
    for section in sections:
        parts.append(
            f"<section id='{html.escape(section.anchor)}'><h2>{html.escape(section.title)}</h2>"
        )
        parts.append(section.text)
        parts += [figure_html(f) for f in section.figures]
        parts.append("</section>")
    parts.append("</body></html>")
    return "\n".join(parts)
