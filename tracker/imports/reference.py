"""The presets section of docs/imports.md, generated from the presets themselves (cog).

`cog -r docs/imports.md` rewrites it; a test runs `cog --check` so the page always says
what the code reads.
"""

from __future__ import annotations

from tracker.imports.engine import LANGUAGES
from tracker.imports.presets import ALL


def preset_reference() -> str:
    """One section per preset: how it is recognised, what it does, its columns."""
    out: list[str] = []
    for p in ALL:
        sheet = f" (sheet `{p.sheet}`)" if p.sheet else ""
        headers = ", ".join(f"`{h}`" for h in p.signature)
        out += [f"### `{p.name}` (source `{p.source}`)", ""]
        if p.signature:
            out.append(f"Recognised by the headers: {headers}{sheet}.")
        if p.note:
            out.append(p.note[:1].upper() + p.note[1:].rstrip(".") + ".")
        if p.languages:
            totals = " or ".join(f"`{t.title()}`" for t in p.totals)
            comma = "a decimal comma (`1.234,5`, `1 234,5`)" if p.decimal_comma else "a dot"
            out.append(
                f"Numbers with {comma}; dates may name the month in {LANGUAGES[p.languages[0]]}"
                f" or English; the totals row ({totals}) is skipped; the same metrics as the"
                " English export."
            )
        out += ["", "| column | metric | class | behaviour |", "| --- | --- | --- | --- |"]
        for c in p.columns:
            out.append(f"| {c.header} | `{c.metric}` | {c.klass} | {c.behaviour} |")
        if p.post_count is not None:
            c = p.post_count
            out.append(
                f"| (one per row: posts counted per day) | `{c.metric}` | {c.klass} |"
                f" {c.behaviour} |"
            )
        out.append("")
    return "\n".join(out)
