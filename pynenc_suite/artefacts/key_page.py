"""A key failure as a page: the pair (or the one value and its key per hash seed), the cause, the fix and the
replay command, in one self-contained HTML file that loads nothing (no script, font, image or stylesheet link).

Keys and values are shown whole, wrapped inside their cells, so a long model repr never overlaps its
neighbours; every text comes from the failure's ``meta.json`` and is HTML-escaped.
"""

from __future__ import annotations

from html import escape
from typing import Any

STYLE = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 24px; color: #222; max-width: 1200px; }
h1 { font-size: 20px; margin: 0 0 4px; }
.verdict { display: inline-block; background: #b03a2e; color: #fff; padding: 1px 8px; border-radius: 3px; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; margin: 8px 0 16px; }
th, td { border: 1px solid #ccc; padding: 6px 8px; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
code, pre { font: 12px/1.4 ui-monospace, monospace; white-space: pre-wrap; overflow-wrap: anywhere; }
.key { background: #fbf3e6; }
.note { color: #555; }
"""


def key_page(meta: dict[str, Any], replay: str) -> str:
    """The page of a key failure whose ``meta.json`` is ``meta`` (see :mod:`pynenc_suite.artefacts.key_failures`)."""
    title = f"{meta['task']}({meta['argument']}=...): {meta['verdict']} ({meta['family']})"
    finding = (
        f" This is an instance of the recorded pynenc defect {meta['finding']} (FINDINGS.md)."
        if meta.get("finding")
        else ""
    )
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{escape(title)}</title><style>{STYLE}</style></head><body>",
        f'<h1 id="title">{escape(title)}</h1>',
        f'<p><span class="verdict">{escape(meta["verdict"])}</span> app <code>{escape(meta["app"])}</code>, '
        f"engine {escape(meta['engine'])}, {escape(meta['mode'])} key"
        + (f", normaliser <code>{escape(meta['normaliser'])}</code>" if meta.get("normaliser") else "")
        + "</p>",
        _values(meta),
        f'<h2>Cause</h2><p id="cause">{escape(meta["cause"])}.{escape(finding)}</p>',
        f'<h2>Fix</h2><p id="fix">{escape(meta["fix"])}.</p>',
        f'<h2>Replay</h2><pre id="replay">{escape(replay)}</pre>',
        '<p class="note">The replay recomputes both keys with the installed pynenc and says '
        "<code>reproduced:</code> or <code>did NOT reproduce</code>.</p>",
        "</body></html>",
    ]
    return "\n".join(parts) + "\n"


def _values(meta: dict[str, Any]) -> str:
    sides = meta["sides"]
    if meta["verdict"] == "process-split":
        side = sides[0]
        rows = "".join(f'<tr><td>{escape(str(seed))}</td><td class="key"><code>{escape(key)}</code></td></tr>'
                       for seed, key in meta["seeds"].items())  # fmt: skip
        return (
            f'<h2>One value, keyed in processes with different hash seeds</h2><p><code id="value">'
            f"{escape(side['how'])}</code> ({escape(side['type'])})</p>"
            f'<table id="sides"><colgroup><col style="width:14em"><col></colgroup>'
            f"<tr><th>PYTHONHASHSEED</th><th>pynenc's key for it</th></tr>{rows}</table>"
        )
    rows = "".join(
        f"<tr><td><code>{escape(s['how'])}</code></td><td>{escape(s['type'])}</td>"
        f'<td class="key"><code>{escape(s["key"])}</code></td></tr>'
        for s in sides
    )
    heading = "Two values your code treats as one" if meta["verdict"] == "split" else "The values"
    return (
        f'<h2>{heading}</h2><table id="sides"><colgroup><col style="width:34%"><col style="width:10em"><col>'
        f"</colgroup><tr><th>value, as built</th><th>type</th><th>pynenc's key for it</th></tr>{rows}</table>"
    )
