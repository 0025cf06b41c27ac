"""The presets section of docs/imports.md, generated from the presets themselves (cog).

`cog -r docs/imports.md` rewrites it; a test runs `cog --check` so the page always says
what the code reads.
"""

from __future__ import annotations

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
