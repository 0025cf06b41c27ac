"""The names people read for the keys the plan uses (keys stay in --json and the plan)."""

from __future__ import annotations

import datetime as dt
import re

from tracker.store import Store

# What each kind of key is called: every item, archived or not (old rows still name them).
_NAME_SQL = {
    "person": "SELECT key, name FROM people",
    "kpi": "SELECT key, coalesce(name, key) FROM kpis",  # a KPI without a name: its key
    "metric": "SELECT key, name FROM metrics",
    "objective": "SELECT key, title FROM objectives",
    "campaign": "SELECT key, name FROM campaigns",
}


def names_of(store: Store, kind: str) -> dict[str, str]:
    """Key -> name for one kind (person, kpi, metric, objective, campaign)."""
    with store.read() as con:
        return dict(con.execute(_NAME_SQL[kind]).fetchall())


def people_names(store: Store) -> dict[str, str]:
    """Person key -> name; the CLI's local manager (key ``local``) too, so a change, an
    acknowledgement or a check-in it made names it rather than showing its key."""
    from tracker.records import LOCAL_MANAGER

    return {LOCAL_MANAGER.key: LOCAL_MANAGER.name, **names_of(store, "person")}


def kpi_names(store: Store) -> dict[str, str]:
    return names_of(store, "kpi")


# the kind of item a plan field names, so its key can be shown by name
FIELD_KIND = {
    "owner": "person",
    "manager": "person",
    "person": "person",
    "created_by": "person",
    # a value's author and the person it is for (audit rows of entries, imports, undos)
    "by": "person",
    "for": "person",
    "recorded_by": "person",
    "for_person": "person",
    "metric": "metric",
    "numerator": "metric",
    "denominator": "metric",
    "objective": "objective",
    "campaign": "campaign",
    "kpi": "kpi",
}


def names_by_kind(store: Store) -> dict[str, dict[str, str]]:
    """Kind -> key -> name; keys of one kind may repeat another's (a metric and a KPI
    both called leads). People include the CLI's local manager and the scheduler, which
    write values and changes too."""
    from tracker.records import LOCAL_MANAGER

    with store.read() as con:
        out = {kind: dict(con.execute(sql).fetchall()) for kind, sql in _NAME_SQL.items()}
    out["person"] = {
        LOCAL_MANAGER.key: LOCAL_MANAGER.name,
        "scheduler": "Scheduler",
        **out["person"],
    }
    return out


# The changes whose summary names a metric by key in a known place ("log KEY +2 on DAY",
# "set KEY 3 on DAY", "delete KEY on DAY (id 7)"); other summaries hold file names and
# words a key could equal.
_NAMED = ("log", "set", "delete")


# An undo or redo quotes the change it took back: "undo change 4 (log KEY +7 on DAY)".
_QUOTED = re.compile(r"^(.*?\()((?:log|set|delete) .*)(\))$")


# A plan apply of a few items names them (PlanChanges.items_in_words): " — updated kpi
# KEY: target; created metric KEY"
_PLAN_ITEM = re.compile(
    r"(created|updated|archived) (kpi|metric|objective|person|campaign) ([^\s:;]+)"
)


def change_summary(
    kind: str,
    summary: str,
    metric_names: dict[str, str],
    by_kind: dict[str, dict[str, str]] | None = None,
) -> str:
    """A change's stored summary as people read it: the metric of a log or set by name,
    also where an undo or redo quotes one; the items a plan apply names, by name
    (``by_kind``: names_by_kind's)."""
    # a plan apply's items, and those an undo or redo of one quotes ("undo change 39 (plan
    # apply — updated kpi orders-h2: target)" showed the key the apply's own row names)
    if by_kind and (kind == "plan" or (kind in ("undo", "redo") and "(plan apply" in summary)):
        from tracker.auditlog import subject  # it reads names from here

        return _PLAN_ITEM.sub(lambda m: f"{m[1]} {subject(m[2], m[3], by_kind)}", summary)
    if kind in _NAMED:
        return _days_in_words(with_names(summary, metric_names))
    quoted = _QUOTED.match(summary) if kind in ("undo", "redo") else None
    if quoted:
        return _days_in_words(
            quoted.group(1) + with_names(quoted.group(2), metric_names) + quoted.group(3)
        )
    return _days_in_words(summary)


# a day standing alone: never part of a file name (export-2026-11-01.csv stays as it is)
_ISO_DAY = re.compile(r"(?<![\w.-])(\d{4})-(\d{2})-(\d{2})(?![\w-]|\.\w)")


def _days_in_words(text: str) -> str:
    """ "log Leads +2 on 2026-12-06" as people read it: "... on 6 Dec 2026"."""

    def day(m: re.Match[str]) -> str:
        try:
            when = dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return m.group(0)
        return f"{when.day} {when:%b %Y}"

    return _ISO_DAY.sub(day, text)


def with_names(text: str, names: dict[str, str]) -> str:
    """A stored sentence (a change's summary: "log catering-orders +2 on 2026-12-04")
    with each key it holds as a whole word shown by its name ("log Catering orders
    ...")."""
    if not names or not text:
        return text
    keys = sorted((k for k in names if k), key=len, reverse=True)  # the longest first
    pattern = re.compile(r"(?<![\w.-])(" + "|".join(map(re.escape, keys)) + r")(?![\w.-])")
    return pattern.sub(lambda m: names[m.group(1)], text)
