"""Undo and redo of entries, deletions, imports and plan applies (tracker.changes)."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tests.clirunner import waypoint
from tests.conftest import SMALL_PLAN, SMALL_PLAN_WITHOUT_WEEKLY_POSTS, values_table
from tests.tracker.test_imports_write import rows
from tracker.changes import list_changes, redo, undo
from tracker.daily import mismatches
from tracker.entries import delete_values, log_entry, metric_values
from tracker.errors import BadInput, PermissionDenied
from tracker.models import LOCAL_MANAGER, Actor
from tracker.observations import daily_values, write_observations
from tracker.plan import apply_plan_text, load_plan
from tracker.store import Store

AMY = Actor("amy", "assistant", "Amy")
RICARDO = Actor("ricardo", "manager", "Ricardo")
VIC = Actor("vic", "viewer", "Vic")
DAY = dt.date(2026, 8, 3)


def batch(values: dict[dt.date, float], source: str = "imp", metric: str = "leads") -> pa.Table:
    return values_table(values, metric, source)


def test_undo_an_entry_then_redo(plan_store: Store) -> None:
    log_entry(plan_store, AMY, "leads", 2, day=DAY)
    second = log_entry(plan_store, AMY, "leads", 1, day=DAY)
    undone = undo(plan_store, AMY)  # default: Amy's last change
    assert undone.target == second.change
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]
    redo(plan_store, AMY, second.change)
    assert daily_values(plan_store, "leads") == [(DAY, 3.0)]
    # the entry comes back with the id people saw
    assert second.entry in [e.id for e in metric_values(plan_store, "leads").entries]


def test_undo_a_deletion_and_a_set(plan_store: Store) -> None:
    first = log_entry(plan_store, AMY, "leads", 2, day=DAY)
    delete_values(plan_store, AMY, [first.entry])
    assert daily_values(plan_store, "leads") == []
    undo(plan_store, AMY)
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]
    log_entry(plan_store, AMY, "leads", 7, day=DAY, mode="set")
    undo(plan_store, AMY)
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]


def test_undo_a_whole_import_restores_what_it_replaced(plan_store: Store) -> None:
    write_observations(plan_store, RICARDO, batch({DAY: 1, DAY + dt.timedelta(1): 2}))
    second = write_observations(plan_store, RICARDO, batch({DAY: 5, DAY + dt.timedelta(2): 3}))
    assert daily_values(plan_store, "leads") == [
        (DAY, 5.0),
        (DAY + dt.timedelta(1), 2.0),
        (DAY + dt.timedelta(2), 3.0),
    ]
    undo(plan_store, RICARDO, second.change)
    assert daily_values(plan_store, "leads") == [(DAY, 1.0), (DAY + dt.timedelta(1), 2.0)]
    redo(plan_store, RICARDO, second.change)
    assert [v for _, v in daily_values(plan_store, "leads")] == [5.0, 2.0, 3.0]
    with plan_store.read() as con:
        assert mismatches(con)[0] == 0


def test_undo_a_plan_apply(plan_store: Store) -> None:
    changed = SMALL_PLAN.replace("target: 60", "target: 80")
    result = apply_plan_text(plan_store, changed, LOCAL_MANAGER)
    assert result.change is not None
    kpi = next(k for o in load_plan(plan_store).objectives for k in o.kpis if k.key == "leads-h2")
    assert kpi.target == 80
    undo(plan_store, LOCAL_MANAGER, result.change)
    kpi = next(k for o in load_plan(plan_store).objectives for k in o.kpis if k.key == "leads-h2")
    assert kpi.target == 60
    redo(plan_store, LOCAL_MANAGER, result.change)
    kpi = next(k for o in load_plan(plan_store).objectives for k in o.kpis if k.key == "leads-h2")
    assert kpi.target == 80


def test_undoing_an_apply_keeps_a_metric_it_created_that_holds_values_since(
    plan_store: Store,
) -> None:
    # DESIGN: an apply never archives a metric that holds values; its undo does not either
    metric = "  - {key: hours, name: Assistant hours, class: effort, behaviour: flow, unit: h}\n"
    added = SMALL_PLAN.replace(
        metric,
        metric + "  - {key: calls, name: Sales calls, class: activity, behaviour: flow}\n"
        "  - {key: demos, name: Demos, class: activity, behaviour: flow}\n",
    )
    created = apply_plan_text(plan_store, added, LOCAL_MANAGER).change
    assert created is not None
    log_entry(plan_store, LOCAL_MANAGER, "calls", 4, day=dt.date(2026, 8, 3))
    done = undo(plan_store, LOCAL_MANAGER, created)
    assert "kept Sales calls: it holds values logged since" in done.summary
    kept = {m.key for m in load_plan(plan_store).metrics}
    assert "calls" in kept and "demos" not in kept  # the empty one is archived as before
    assert daily_values(plan_store, "calls") == [(dt.date(2026, 8, 3), 4.0)]


_H2 = "      - {key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: amy}\n"
# the small plan with one KPI more: an apply that creates an item
WITH_Q4 = SMALL_PLAN.replace(
    _H2, _H2 + "      - {key: leads-q4, metric: leads, target: 30, owner: amy}\n"
)


def q4_kpis(store: Store) -> list:
    return [k for o in load_plan(store).objectives for k in o.kpis if k.key == "leads-q4"]


def test_a_plan_apply_that_created_an_item_changed_since_is_not_taken_back(
    plan_store: Store,
) -> None:
    created = apply_plan_text(plan_store, WITH_Q4, LOCAL_MANAGER).change
    raised = apply_plan_text(
        plan_store, WITH_Q4.replace("target: 30", "target: 40"), LOCAL_MANAGER
    ).change
    assert created is not None and raised is not None

    def q4() -> list:
        return q4_kpis(plan_store)

    with pytest.raises(BadInput, match=f"created kpi leads-q4, which change {raised} changed"):
        undo(plan_store, LOCAL_MANAGER, created)
    assert q4()[0].target == 40  # nothing moved
    undo(plan_store, LOCAL_MANAGER, raised)
    undo(plan_store, LOCAL_MANAGER, created)  # the later change is taken back: allowed
    assert q4() == []


def test_a_created_item_another_item_uses_since_is_not_taken_back(plan_store: Store) -> None:
    # a metric made by one apply, a KPI on it by the next: undoing the first archived
    # the metric under the live KPI, and every later apply and export failed on it
    from tracker.plan import export_plan

    def add(text: str, after: str, line: str) -> str:
        lines = text.split("\n")
        at = next(i for i, x in enumerate(lines) if after in x)
        indent = lines[at][: len(lines[at]) - len(lines[at].lstrip())]
        lines.insert(at + 1, indent + line)
        return "\n".join(lines)

    with_metric = add(
        SMALL_PLAN, "key: hours,", "- {key: calls, name: Calls, class: activity, behaviour: flow}"
    )
    made = apply_plan_text(plan_store, with_metric, LOCAL_MANAGER).change
    with_kpi = add(
        with_metric, "key: leads-h2", "- {key: calls-k, metric: calls, target: 10, owner: amy}"
    )
    used = apply_plan_text(plan_store, with_kpi, LOCAL_MANAGER).change
    assert made is not None and used is not None
    with pytest.raises(BadInput, match="created metric calls, which kpi calls-k .* uses"):
        undo(plan_store, LOCAL_MANAGER, made)
    assert apply_plan_text(plan_store, export_plan(plan_store), LOCAL_MANAGER).change is None
    undo(plan_store, LOCAL_MANAGER, used)  # the KPI first: then the metric may go
    undo(plan_store, LOCAL_MANAGER, made)
    assert "calls" not in {m.key for m in load_plan(plan_store).metrics}


def test_an_apply_that_created_an_item_is_undone_redone_and_undone_again(
    plan_store: Store,
) -> None:
    # docs/entries.md: after a redo, undo takes the change back again. The redo wrote the
    # created KPI back; it is not a later change standing in the way of its own change.
    created = apply_plan_text(plan_store, WITH_Q4, LOCAL_MANAGER).change
    assert created is not None

    def q4() -> list:
        return q4_kpis(plan_store)

    undo(plan_store, LOCAL_MANAGER, created)
    redone = redo(plan_store, LOCAL_MANAGER, created)
    assert q4()
    undo(plan_store, LOCAL_MANAGER, redone.id)  # the redo's number, as on the Audit log
    assert q4() == []
    redo(plan_store, LOCAL_MANAGER, created)
    undo(plan_store, LOCAL_MANAGER, created)  # the change's own number
    assert q4() == []
    # a later change to the item still stands in the way, after a redo too
    redo(plan_store, LOCAL_MANAGER, created)
    raised = apply_plan_text(
        plan_store, WITH_Q4.replace("target: 30", "target: 40"), LOCAL_MANAGER
    ).change
    with pytest.raises(BadInput, match=f"which change {raised} changed again since"):
        undo(plan_store, LOCAL_MANAGER, created)


def test_a_refused_undo_or_redo_of_an_apply_names_the_change_in_the_way(
    plan_store: Store,
) -> None:
    # docs/entries.md: the refusal names that change and the command that takes it back
    def apply(target: int) -> int:
        change = apply_plan_text(
            plan_store, SMALL_PLAN.replace("target: 60", f"target: {target}"), LOCAL_MANAGER
        ).change
        assert change is not None
        return change

    eighty = apply(80)
    seventy = apply(70)
    with pytest.raises(BadInput) as refused:
        undo(plan_store, LOCAL_MANAGER, eighty)
    assert str(refused.value).endswith(
        f"target was changed again since (70, not 80); change {seventy} set it; take that"
        f" back first (`waypoint undo {seventy}`, or Undo on the Audit log)"
    )
    undo(plan_store, LOCAL_MANAGER, seventy)
    undo(plan_store, LOCAL_MANAGER, eighty)
    sixty_five = apply(65)
    with pytest.raises(BadInput, match=f"change {sixty_five} set it; take that back first"):
        redo(plan_store, LOCAL_MANAGER, eighty)


def test_an_assistant_brings_back_her_entries_only_on_metrics_still_hers(
    plan_store: Store,
) -> None:
    # DESIGN "Roles": an assistant logs values of metrics she owns or is assigned. After
    # leads moved to Ricardo, her redo put a value of leads back, which `log` refuses her
    mine = log_entry(plan_store, AMY, "leads", 2, day=DAY)
    undo(plan_store, AMY, mine.change)
    moved = SMALL_PLAN.replace(
        "{key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: amy}",
        "{key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: ricardo}",
    )
    apply_plan_text(plan_store, moved, LOCAL_MANAGER)
    with pytest.raises(PermissionDenied):
        log_entry(plan_store, AMY, "leads", 2, day=DAY)
    with pytest.raises(PermissionDenied, match="it holds values of Qualified leads, no longer"):
        redo(plan_store, AMY, mine.change)
    assert daily_values(plan_store, "leads") == []
    redo(plan_store, RICARDO, mine.change)  # a manager may
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]
    undo(plan_store, AMY, mine.change)  # taking her own entry back stays hers, as deleting
    assert daily_values(plan_store, "leads") == []


def test_only_the_author_or_a_manager_may_take_back(plan_store: Store) -> None:
    mine = log_entry(plan_store, RICARDO, "leads", 2, day=DAY)
    with pytest.raises(PermissionDenied):
        undo(plan_store, AMY, mine.change)
    with pytest.raises(PermissionDenied):
        undo(plan_store, VIC, mine.change)
    hers = log_entry(plan_store, AMY, "leads", 1, day=DAY)
    undo(plan_store, RICARDO, hers.change)  # a manager may
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]


def test_undo_refuses_when_a_later_change_built_on_it(plan_store: Store) -> None:
    first = write_observations(plan_store, RICARDO, batch({DAY: 1}))
    write_observations(plan_store, RICARDO, batch({DAY: 2}))  # replaces first's value
    with pytest.raises(BadInput, match="changed again by change"):
        undo(plan_store, RICARDO, first.change)
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]


def test_undo_goes_on_past_a_later_change_that_was_itself_undone(plan_store: Store) -> None:
    # a set, a replacing import and a deletion each build on an earlier change; once
    # they are undone, the earlier change's value is live again (as a copy) and undo
    # goes on to take that change back too, down to nothing
    log_entry(plan_store, RICARDO, "leads", 1, day=DAY)
    log_entry(plan_store, RICARDO, "leads", 5, day=DAY, mode="set")
    undo(plan_store, RICARDO)
    assert daily_values(plan_store, "leads") == [(DAY, 1.0)]
    undo(plan_store, RICARDO)
    assert daily_values(plan_store, "leads") == []

    first = write_observations(plan_store, RICARDO, batch({DAY: 3}))
    second = write_observations(plan_store, RICARDO, batch({DAY: 30}))
    undo(plan_store, RICARDO, second.change)
    undo(plan_store, RICARDO, first.change)
    assert daily_values(plan_store, "leads") == []
    redo(plan_store, RICARDO, first.change)
    assert daily_values(plan_store, "leads") == [(DAY, 3.0)]

    imported = write_observations(plan_store, RICARDO, batch({DAY + dt.timedelta(1): 4}))
    entry = metric_values(plan_store, "leads").entries[-1].id
    delete_values(plan_store, RICARDO, [entry])
    undo(plan_store, RICARDO)  # the deletion
    undo(plan_store, RICARDO, imported.change)
    assert daily_values(plan_store, "leads") == [(DAY, 3.0)]
    with plan_store.read() as con:
        assert mismatches(con)[0] == 0


def test_undo_after_a_redo_takes_the_change_back_again(plan_store: Store) -> None:
    logged = log_entry(plan_store, RICARDO, "leads", 2, day=DAY)
    undo(plan_store, RICARDO)
    redone = redo(plan_store, RICARDO)
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]
    again = undo(plan_store, RICARDO)  # the last thing done was the redo: its change goes
    assert again.target == logged.change
    assert daily_values(plan_store, "leads") == []
    changes = {c.id: c for c in list_changes(plan_store)}
    assert changes[logged.change].undone_by == again.id
    assert changes[redone.id].undone_by == again.id  # the redo no longer holds either
    undo_of_redo = redo(plan_store, RICARDO)
    assert undo_of_redo.target == logged.change
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]
    # naming the redo itself is naming its change
    undo(plan_store, RICARDO, undo_of_redo.id)
    assert daily_values(plan_store, "leads") == []


def test_undo_is_refused_while_the_later_change_holds_and_names_it(plan_store: Store) -> None:
    first = log_entry(plan_store, RICARDO, "leads", 1, day=DAY)
    setting = log_entry(plan_store, RICARDO, "leads", 5, day=DAY, mode="set")
    undo(plan_store, RICARDO, setting.change)
    redo(plan_store, RICARDO, setting.change)  # the set holds again
    with pytest.raises(BadInput, match=rf"changed again by change {setting.change};"):
        undo(plan_store, RICARDO, first.change)
    assert daily_values(plan_store, "leads") == [(DAY, 5.0)]


def test_cli_undo_redo_changes(plan_store: Store) -> None:
    db = plan_store.path
    waypoint(db, "log", "leads", "2", "--day", str(DAY))
    waypoint(db, "log", "leads", "1", "--day", str(DAY))
    run = waypoint(db, "undo")
    assert run.code == 0 and "redo" in run.out
    assert waypoint(db, "values", "leads", "--json").json()["days"][0]["value"] == 2.0
    changes = waypoint(db, "changes", "--json").json()["changes"]
    undone = next(c for c in changes if c["undone_by"] is not None)
    assert waypoint(db, "redo", str(undone["id"])).code == 0
    assert waypoint(db, "values", "leads", "--json").json()["days"][0]["value"] == 3.0
    assert waypoint(db, "undo", "9999").code == 2
    assert waypoint(db, "--as", "vic", "undo").code == 2


def test_cli_reads_refuse_a_mistyped_metric_or_person(plan_store: Store) -> None:
    """`changes --metric leeds` listed nothing and `--as nobody status` read as the local
    manager: a typo that looks like an answer. Both are bad input naming the word."""
    db = plan_store.path
    waypoint(db, "log", "leads", "2", "--day", str(DAY))
    assert len(waypoint(db, "changes", "--metric", "leads", "--json").json()["changes"]) == 1
    typo = waypoint(db, "changes", "--metric", "leeds")
    assert typo.code == 2 and "leeds" in typo.err, typo
    for argv in (
        ["--as", "nobody", "status"],
        ["--as", "nobody", "audit-log"],
        ["changes", "--as", "nobody"],
        ["--as", "nobody", "export", "--format", "csv", "--out", "-"],
    ):
        run = waypoint(db, *argv)
        assert run.code == 2 and "nobody" in run.err, (argv, run)
    assert waypoint(db, "--as", "vic", "status").code == 0


# -- a plain-Python model of the same operations --------------------------------------------
@dataclass
class Version:
    id: int
    entry: int
    day: dt.date
    source: str
    value: float
    change: int
    removed: int | None = None
    parent: int | None = None  # the version an undo or redo copied


@dataclass
class Model:
    versions: list[Version] = field(default_factory=list)
    changes: dict[int, dict] = field(default_factory=dict)

    def _change(self, kind: str, target: int | None = None) -> int:
        cid = max(self.changes, default=0) + 1
        self.changes[cid] = {"kind": kind, "undone_by": None, "target": target}
        return cid

    def _add(
        self,
        day: dt.date,
        source: str,
        value: float,
        change: int,
        entry: int | None = None,
        parent: int | None = None,
    ) -> None:
        vid = max((v.id for v in self.versions), default=0) + 1
        self.versions.append(Version(vid, entry or vid, day, source, value, change, None, parent))

    def live(self) -> list[Version]:
        return [v for v in self.versions if v.removed is None]

    def log(self, day: dt.date, value: float) -> None:
        self._add(day, "manual", value, self._change("log"))

    def set(self, day: dt.date, value: float) -> None:
        c = self._change("set")
        for v in self.live():
            if v.day == day and v.source == "manual":
                v.removed = c
        self._add(day, "manual", value, c)

    def delete(self, *entries: int) -> None:
        c = self._change("delete")
        for v in self.live():
            if v.entry in entries:
                v.removed = c

    def import_(self, values: dict[dt.date, float]) -> None:
        c = self._change("import")
        changed = False
        for day, value in sorted(values.items()):
            old = [v for v in self.live() if v.day == day and v.source == "imp"]
            if old and old[0].value == value:
                continue
            changed = True
            if old:
                old[0].removed = c
            self._add(day, "imp", value, c, old[0].entry if old else None)
        if not changed:
            del self.changes[c]

    def lineage(self, x: int) -> list[Version]:
        """What x wrote: its versions and every copy made of them since."""
        ids = {v.id for v in self.versions if v.change == x}
        grown = True
        while grown:
            more = {v.id for v in self.versions if v.parent in ids} - ids
            grown = bool(more)
            ids |= more
        return [v for v in self.versions if v.id in ids]

    def _reverse(self, x: int, kind: str, target: int) -> bool:
        line = self.lineage(x)
        # refused when a value x wrote is no longer live in any copy
        for entry in {v.entry for v in line}:
            if all(v.removed is not None for v in line if v.entry == entry):
                return False
        own = {v.id for v in line}
        for v in self.versions:
            if v.removed == x and any(
                w.id not in own
                and (
                    w.entry == v.entry
                    or (v.source != "manual" and w.day == v.day and w.source == v.source)
                )
                for w in self.live()
            ):
                return False
        # a set brought back beside an entry logged on its day since would only add to it
        if kind == "redo" and self.changes[target]["kind"] == "set":
            for v in self.versions:
                if v.removed == x and any(
                    w.id not in own and w.day == v.day and w.source == "manual" for w in self.live()
                ):
                    return False
        # the mirror: an entry brought back beside a day set since (an entry first written
        # by a set, after the undo) would add to the set value
        if kind == "redo":
            first = {v.id: v for v in self.versions}
            for v in self.versions:
                if (
                    v.removed == x
                    and v.source == "manual"
                    and any(
                        w.id not in own
                        and w.day == v.day
                        and w.source == "manual"
                        and w.change > x
                        and self.changes[first[w.entry].change]["kind"] == "set"
                        for w in self.live()
                    )
                ):
                    return False
        c = self._change(kind, target)
        back = [v for v in self.versions if v.removed == x]
        for v in line:
            if v.removed is None:
                v.removed = c
        for v in sorted(back, key=lambda v: v.id):
            self._add(v.day, v.source, v.value, c, v.entry, v.id)
        self.changes[x]["undone_by"] = c
        return True

    def undo(self) -> bool | None:
        # the change in effect made, or last redone, most recently
        def latest(c: int) -> int:
            redos = [r for r, d in self.changes.items() if d["kind"] == "redo" and d["target"] == c]
            return max(redos, default=c)

        open_ = [
            c
            for c, d in self.changes.items()
            if d["undone_by"] is None and d["kind"] not in ("undo", "redo", "plan")
        ]
        if not open_:
            return None
        x = max(open_, key=latest)
        return self._reverse(x, "undo", x)

    def redo(self) -> bool | None:
        undos = [
            c for c, d in self.changes.items() if d["kind"] == "undo" and d["undone_by"] is None
        ]
        if not undos:
            return None
        u = max(undos)
        x = self.changes[u]["target"]
        ok = self._reverse(u, "redo", x)
        if ok:
            self.changes[x]["undone_by"] = None
        return ok

    def daily(self) -> list[tuple[dt.date, float]]:
        out: dict[dt.date, float] = {}
        for v in self.live():
            out[v.day] = out.get(v.day, 0.0) + v.value
        return sorted(out.items())


days = st.sampled_from([DAY - dt.timedelta(days=i) for i in range(4)])
amounts = st.integers(min_value=0, max_value=9).map(float)
operations = st.lists(
    st.one_of(
        st.tuples(st.just("log"), days, amounts),
        st.tuples(st.just("set"), days, amounts),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("import"), st.dictionaries(days, amounts, min_size=1, max_size=3)),
        st.tuples(st.just("undo")),
        st.tuples(st.just("redo")),
    ),
    min_size=1,
    max_size=12,
)


@pytest.fixture
def mem_store() -> Iterator[Store]:
    store = Store(":memory:", lock_timeout=5)
    with store.session():
        store.init()
        apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
        yield store


@pytest.mark.slow  # a property test that builds a database per example
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=operations)
# a redo, an undo of its change again, then another undo: two changes are undone by one
@example(ops=[("log", DAY, 0.0), ("undo",), ("redo",), ("undo",), ("log", DAY, 0.0), ("undo",)])
# a set undone, an entry logged on its day, then a redo of the set: refused
@example(ops=[("set", DAY, 5.0), ("undo",), ("log", DAY, 7.0), ("redo",)])
# the mirror: an entry undone, its day set, then a redo of the entry: refused
@example(ops=[("log", DAY, 0.0), ("undo",), ("set", DAY, 0.0), ("redo",)])
def test_any_sequence_matches_a_plain_model(ops: list[tuple]) -> None:
    store = Store(":memory:", lock_timeout=5)
    with store.session():
        store.init()
        apply_plan_text(store, SMALL_PLAN, LOCAL_MANAGER)
        model = Model()
        model._change("plan")  # the plan apply above is change 1, made by someone else
        for op in ops:
            kind = op[0]
            if kind == "log":
                log_entry(store, RICARDO, "leads", op[2], day=op[1])
                model.log(op[1], op[2])
            elif kind == "set":
                log_entry(store, RICARDO, "leads", op[2], day=op[1], mode="set")
                model.set(op[1], op[2])
            elif kind == "delete":
                live = sorted({v.entry for v in model.live()})
                if not live:
                    continue
                entry = live[op[1] % len(live)]
                delete_values(store, RICARDO, [entry])
                model.delete(entry)
            elif kind == "import":
                write_observations(store, RICARDO, batch(op[1]))
                model.import_(op[1])
            else:
                expected = model.undo() if kind == "undo" else model.redo()
                try:
                    (undo if kind == "undo" else redo)(store, RICARDO)
                    done = True
                except BadInput:
                    done = False if expected is not None else None
                assert done == expected, (kind, ops)
            assert daily_values(store, "leads") == model.daily(), ops
        with store.read() as con:
            assert mismatches(con)[0] == 0
        # every change is listed, and the live entries are the model's
        assert len(list_changes(store, limit=1000)) == len(model.changes)
        assert sorted(e.id for e in metric_values(store, "leads").entries) == sorted(
            v.entry for v in model.live()
        )
        # and the audit log, read in order, replays the same operations to the same values
        assert replay_audit_log(store).daily() == model.daily(), ops


def replay_audit_log(store: Store) -> Model:
    """A model driven only by the audit log: each row names its change; an import's
    rows are the versions its change wrote (the audit row holds only the counts)."""
    model = Model()
    model._change("plan")
    with store.read() as con:
        rows = con.execute(
            "SELECT action, entity, key, old_value, new_value, change_id FROM audit_log"
            " WHERE change_id > 1 ORDER BY id"
        ).fetchall()
        deleted: dict[int, list[int]] = {}  # a deletion of several values is one change
        for action, entity, key, old, new, change in rows:
            old, new = (json.loads(v) if isinstance(v, str) else v for v in (old, new))
            if deleted and change not in deleted:
                model.delete(*deleted.popitem()[1])
            if entity == "observation" and action in ("create", "set"):
                day = dt.date.fromisoformat(key.split("|")[1])
                (model.set if action == "set" else model.log)(day, float(new["value"]))
            elif entity == "observation" and action == "delete":
                deleted.setdefault(change, []).append(int(old["id"]))
            elif entity == "observations" and action == "import":
                written = con.execute(
                    "SELECT day, value FROM observations WHERE change_id = ?", [change]
                ).fetchall()
                model.import_({day: float(value) for day, value in written})
            elif entity == "change":
                assert (model.undo() if action == "undo" else model.redo()) is True
        if deleted:
            model.delete(*deleted.popitem()[1])
    return model


def test_a_set_comes_back_beside_an_entry_that_stood_beside_it_before_the_undo(
    plan_store: Store,
) -> None:
    # 2 logged, set to 4, 1 more logged (the day: 5); the set undone (2 + 1 = 3); its redo
    # brings back the day as it was before the undo, 5. Only an entry logged after the
    # undo stands in the way (docs/entries.md).
    log_entry(plan_store, AMY, "leads", 2, day=DAY)
    the_set = log_entry(plan_store, AMY, "leads", 4, day=DAY, mode="set")
    log_entry(plan_store, AMY, "leads", 1, day=DAY)
    assert daily_values(plan_store, "leads") == [(DAY, 5.0)]
    undo(plan_store, AMY, the_set.change)
    assert daily_values(plan_store, "leads") == [(DAY, 3.0)]
    redo(plan_store, AMY, the_set.change)
    assert daily_values(plan_store, "leads") == [(DAY, 5.0)]


def test_a_set_is_not_redone_over_an_entry_logged_since(plan_store: Store) -> None:
    log_entry(plan_store, AMY, "leads", 2, day=DAY)
    the_set = log_entry(plan_store, AMY, "leads", 5, day=DAY, mode="set")
    undo(plan_store, AMY)
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]
    later = log_entry(plan_store, AMY, "leads", 7, day=DAY)
    with pytest.raises(BadInput, match=f"logged it again since.*waypoint undo {later.change}"):
        redo(plan_store, AMY, the_set.change)
    assert daily_values(plan_store, "leads") == [(DAY, 9.0)]  # nothing moved
    undo(plan_store, AMY, later.change)
    redo(plan_store, AMY, the_set.change)
    assert daily_values(plan_store, "leads") == [(DAY, 5.0)]  # the set is the day again
    # another person's hours on the day do not stand in the way of a set of one's own
    log_entry(plan_store, RICARDO, "hours", 3, day=DAY, mode="set", for_person="amy")
    undo(plan_store, RICARDO)
    log_entry(plan_store, RICARDO, "hours", 4, day=DAY)
    redo(plan_store, RICARDO)
    assert daily_values(plan_store, "hours") == [(DAY, 7.0)]


def test_an_entry_is_not_redone_over_a_day_set_since(plan_store: Store) -> None:
    """The mirror case: log 2, undo it, set the day to 10; bringing the 2 back would
    make 12, neither the set nor the entry, so the redo is refused, naming the set."""
    logged = log_entry(plan_store, AMY, "leads", 2, day=DAY)
    undo(plan_store, AMY, logged.change)
    the_set = log_entry(plan_store, AMY, "leads", 10, day=DAY, mode="set")
    with pytest.raises(BadInput, match=f"change {the_set.change} set leads.*waypoint undo"):
        redo(plan_store, AMY, logged.change)
    assert daily_values(plan_store, "leads") == [(DAY, 10.0)]  # nothing moved
    # a set brought back by a redo is still a set
    undo(plan_store, AMY, the_set.change)
    redo(plan_store, AMY, the_set.change)
    with pytest.raises(BadInput, match="set leads"):
        redo(plan_store, AMY, logged.change)
    undo(plan_store, AMY, the_set.change)
    redo(plan_store, AMY, logged.change)
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]
    with plan_store.read() as con:
        assert mismatches(con)[0] == 0


def test_a_deletion_is_not_undone_over_values_imported_since_and_names_the_first(
    plan_store: Store,
) -> None:
    # An import, its values deleted, the same days imported again: bringing the deleted
    # values back would count those days twice, so the undo is refused, naming the first
    # clashing value by id (the file's first line is the later day).
    late, early = DAY + dt.timedelta(days=1), DAY
    first = rows((2, late, "leads", 1.0, "imp"), (3, early, "leads", 1.0, "imp"))
    write_observations(plan_store, RICARDO, first)
    ids = [e.id for e in metric_values(plan_store, "leads").entries]
    deletion = delete_values(plan_store, RICARDO, ids)
    write_observations(plan_store, RICARDO, batch({early: 5, late: 5}))
    with pytest.raises(BadInput, match=f"leads on {late} \\(imp\\) was written again since"):
        undo(plan_store, RICARDO, deletion)


def test_an_undo_audits_each_value_old_to_new(plan_store: Store) -> None:
    # DESIGN: every change of an observation is audited with its old and new value
    from tracker.auditlog import entries

    write_observations(plan_store, RICARDO, batch({DAY: 3}))
    replacing = write_observations(plan_store, RICARDO, batch({DAY: 30}))
    undo(plan_store, RICARDO, replacing.change)
    logged = log_entry(plan_store, RICARDO, "leads", 2, day=DAY + dt.timedelta(1))
    undo(plan_store, RICARDO, logged.change)
    taken, brought_back = [
        e
        for e in entries(plan_store, limit=100)
        if e.entity == "observation" and e.action == "undo"
    ]  # newest first
    assert brought_back.key == f"leads|{DAY}|imp"
    assert (brought_back.old_value["value"], brought_back.new_value["value"]) == (30, 3)
    assert taken.key == f"leads|{DAY + dt.timedelta(1)}|manual"
    assert taken.old_value["value"] == 2 and taken.new_value is None


def test_redo_naming_a_redo_brings_back_its_change(plan_store: Store) -> None:
    # log, undo, redo, undo again, then `redo <the first redo>`: the change is back in
    # effect, and may be undone again (found by a review: it was stuck both ways)
    logged = log_entry(plan_store, RICARDO, "leads", 2, day=DAY)
    undo(plan_store, RICARDO)
    first_redo = redo(plan_store, RICARDO)
    undo(plan_store, RICARDO)
    again = redo(plan_store, RICARDO, first_redo.id)
    assert again.target == logged.change
    assert daily_values(plan_store, "leads") == [(DAY, 2.0)]
    assert {c.id: c for c in list_changes(plan_store)}[logged.change].undone_by is None
    undo(plan_store, RICARDO)
    assert daily_values(plan_store, "leads") == []


def test_a_refusal_caused_by_an_undo_says_to_redo_what_it_undid(plan_store: Store) -> None:
    # log P, set X, undo X, undo P, redo X: X's set would remove what P's undo removed,
    # so the way out is to bring P back (`redo P`), not to undo an undo (refused)
    logged = log_entry(plan_store, RICARDO, "leads", 1, day=DAY)
    setting = log_entry(plan_store, RICARDO, "leads", 5, day=DAY, mode="set")
    undo(plan_store, RICARDO, setting.change)
    undo(plan_store, RICARDO, logged.change)
    with pytest.raises(
        BadInput, match=rf"first \(`waypoint redo {logged.change}`, or Redo on the Audit log\)"
    ):
        redo(plan_store, RICARDO, setting.change)
    redo(plan_store, RICARDO, logged.change)  # the way out works
    redo(plan_store, RICARDO, setting.change)
    assert daily_values(plan_store, "leads") == [(DAY, 5.0)]


def test_a_large_undo_lists_only_the_values_it_puts_back_in_place_of_others(
    plan_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # beyond the limit, values taken away with nothing in their place are counted in the
    # change's own audit row (as an import counts its inserts); replacements still listed
    import tracker.changes as changes
    from tracker.auditlog import entries

    monkeypatch.setattr(changes, "_LISTED_VALUES", 2)
    write_observations(plan_store, RICARDO, batch({DAY: 3}))
    days = {DAY + dt.timedelta(n): float(n) for n in range(1, 4)}
    second = write_observations(plan_store, RICARDO, batch({DAY: 30, **days}))
    undo(plan_store, RICARDO, second.change)
    listed = [e for e in entries(plan_store, limit=100) if e.entity == "observation"]
    undone = [e for e in listed if e.action == "undo"]
    assert [(e.old_value["value"], e.new_value["value"]) for e in undone] == [(30, 3)]
    counted = next(e for e in entries(plan_store, limit=100) if e.entity == "change")
    assert counted.new_value["removed"] == 4 and counted.new_value["restored"] == 1


def test_undo_without_an_id_asks_before_taking_back_a_plan_apply(plan_store: Store) -> None:
    """The last change of the person who set the workspace up is often the plan apply:
    `waypoint undo` alone must not archive every objective and KPI without asking."""
    before = load_plan(plan_store)
    run = waypoint(plan_store.path, "undo")
    assert run.code == 2 and "plan apply" in run.err and "--yes" in run.err
    assert load_plan(plan_store) == before  # nothing was taken back
    named = [c for c in list_changes(plan_store) if c.kind == "plan"][0]
    assert waypoint(plan_store.path, "undo", "--yes").code == 0
    assert load_plan(plan_store).objectives == []
    assert waypoint(plan_store.path, "redo", str(named.id)).code == 0
    # an entry is the last change: taken back at once, as before
    assert waypoint(plan_store.path, "log", "leads", "2", "--day", str(DAY)).code == 0
    assert waypoint(plan_store.path, "undo").code == 0


def test_a_refusal_tells_an_assistant_to_ask_and_a_redo_names_what_it_brings_back(
    plan_store: Store,
) -> None:
    mine = log_entry(plan_store, AMY, "leads", 2, day=DAY)
    the_set = log_entry(plan_store, RICARDO, "leads", 5, day=DAY, mode="set")  # replaces hers
    with pytest.raises(BadInput) as refused:
        undo(plan_store, AMY, mine.change)
    text = str(refused.value)
    assert f"change {mine.change} cannot be taken back" in text
    assert (
        f"ask ricardo or a manager to take that back first (`waypoint undo {the_set.change}`, or Undo on the Audit log)"
        in text
    )
    # a redo blocked by a value written since names the change it would bring back and
    # the change that wrote the value
    batch_change = write_observations(plan_store, RICARDO, batch({DAY: 3})).change
    undo(plan_store, RICARDO, batch_change)
    again = write_observations(plan_store, RICARDO, batch({DAY: 4})).change
    with pytest.raises(BadInput) as blocked:
        redo(plan_store, RICARDO, batch_change)
    text = str(blocked.value)
    assert f"change {batch_change} cannot be brought back" in text
    assert (
        f"change {again} wrote it; take that back first (`waypoint undo {again}`, or Undo on the Audit log)"
        in text
    )


def test_a_redo_refused_by_a_managers_set_tells_the_assistant_to_ask(plan_store: Store) -> None:
    logged = log_entry(plan_store, AMY, "leads", 2, day=DAY)
    undo(plan_store, AMY, logged.change)
    the_set = log_entry(plan_store, RICARDO, "leads", 10, day=DAY, mode="set")
    with pytest.raises(BadInput) as refused:
        redo(plan_store, AMY, logged.change)
    assert (
        f"ask ricardo or a manager to take that back first (`waypoint undo {the_set.change}`, or Undo on the Audit log)"
        in str(refused.value)
    )


def test_a_redo_may_not_bring_entries_back_below_the_metrics_min(plan_store: Store) -> None:
    # log refuses a day whose entries add up below min; a redo stored one (-7 under -5)
    apply_plan_text(
        plan_store,
        SMALL_PLAN.replace(
            "class: activity, behaviour: flow}", "class: activity, behaviour: flow, min: -5}"
        ),
        LOCAL_MANAGER,
    )
    log_entry(plan_store, AMY, "posts", -3, day=DAY)
    second = log_entry(plan_store, AMY, "posts", -2, day=DAY)
    undo(plan_store, AMY, second.change)
    log_entry(plan_store, AMY, "posts", -2, day=DAY)
    with pytest.raises(BadInput, match="would add up to -7, below the smallest allowed value -5"):
        redo(plan_store, AMY, second.change)
    assert daily_values(plan_store, "posts") == [(DAY, -5.0)]
    # taking entries away is never refused, even when what is left is below min
    plus = log_entry(plan_store, AMY, "posts", 4, day=DAY)
    log_entry(plan_store, AMY, "posts", -4, day=DAY)
    undo(plan_store, AMY, plus.change)
    assert daily_values(plan_store, "posts") == [(DAY, -9.0)]


def test_undoing_the_first_apply_puts_the_workspace_back_as_init_left_it(tmp_path) -> None:
    # its name and time zone stayed the apply's: every "today" and due date with them
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").code == 0
    plan = tmp_path / "p.yaml"
    plan.write_text("workspace: {name: Other Co, timezone: America/Chicago, vision: grow}\n")
    assert waypoint(db, "plan", "apply", str(plan)).code == 0
    before = waypoint(db, "plan", "export").out
    assert waypoint(db, "undo", "1").code == 0
    exported = waypoint(db, "plan", "export").out
    assert "name: Waypoint" in exported and "Chicago" not in exported and "grow" not in exported
    assert waypoint(db, "redo", "1").code == 0

    def without_revision(text: str) -> str:
        return "\n".join(line for line in text.splitlines() if not line.startswith("revision:"))

    assert without_revision(waypoint(db, "plan", "export").out) == without_revision(before)


def test_a_redo_may_not_bring_a_kpi_back_onto_archived_items(tmp_path) -> None:
    # redoing the apply that made k2 after undoing the one that made its metric brought
    # k2 back on an archived metric: hidden everywhere, archived again by the next apply
    mini = (
        "workspace: {name: Mini, timezone: UTC}\n"
        "people: [{key: rick, name: Rick, role: manager}, {key: amy, name: Amy, role: assistant}]\n"
        "metrics:\n"
        "  - {key: leads, name: Leads, class: outcome, behaviour: flow}\n"
        "  - {key: hours, name: Hours, class: effort, behaviour: flow}\n"
        "objectives:\n"
        "  - {key: o1, title: O1, outcome: leads, start: 2026-10-01, deadline: 2026-12-31,\n"
        "     kpis: [{key: k1, metric: leads, target: 60, owner: amy}KPI2]}\n"
    )
    store = Store(tmp_path / "w.duckdb")
    first = apply_plan_text(store, mini.replace("KPI2", ""), LOCAL_MANAGER)
    second = apply_plan_text(
        store, mini.replace("KPI2", ", {key: k2, metric: hours, target: 50, owner: amy}"),
        LOCAL_MANAGER,
    )  # fmt: skip
    undo(store, LOCAL_MANAGER, second.change)
    undo(store, LOCAL_MANAGER, first.change)
    with pytest.raises(
        BadInput, match=r"it would bring back kpi k2, whose metric hours is archived"
    ):
        redo(store, LOCAL_MANAGER, second.change)
    with store.read() as con:
        assert con.execute("SELECT archived FROM kpis WHERE key = 'k2'").fetchall() == [(True,)]
    redo(store, LOCAL_MANAGER, first.change)  # its metric first, then the KPI on it
    redo(store, LOCAL_MANAGER, second.change)
    with store.read() as con:
        assert con.execute("SELECT archived FROM kpis WHERE key = 'k2'").fetchall() == [(False,)]


def test_a_refusal_says_yes_and_no_not_true_and_false(plan_store: Store) -> None:
    # "kpi weekly-posts: archived was changed again since (False, not True)"
    without = SMALL_PLAN_WITHOUT_WEEKLY_POSTS
    archived = apply_plan_text(plan_store, without, LOCAL_MANAGER)
    apply_plan_text(plan_store, SMALL_PLAN, LOCAL_MANAGER)  # back again
    with pytest.raises(BadInput, match=r"archived was changed again since \(no, not yes\)"):
        undo(plan_store, LOCAL_MANAGER, archived.change)


def test_a_settings_change_is_undone_and_redone(plan_store: Store) -> None:
    # the check of references read a setting's old value ("5") as an item's fields:
    # every undo of a settings change crashed (exit 1, a traceback on the Audit log)
    def with_keep(n: int) -> str:
        return SMALL_PLAN + f"settings:\n  backup.keep: {n}\n"

    apply_plan_text(plan_store, with_keep(5), LOCAL_MANAGER)
    seven = apply_plan_text(plan_store, with_keep(7), LOCAL_MANAGER)
    undo(plan_store, LOCAL_MANAGER, seven.change)
    with plan_store.read() as con:
        stored = con.execute("SELECT value FROM settings WHERE name = 'backup.keep'").fetchall()
    assert stored == [("5",)]
    redo(plan_store, LOCAL_MANAGER, seven.change)
    with plan_store.read() as con:
        stored = con.execute("SELECT value FROM settings WHERE name = 'backup.keep'").fetchall()
    assert stored == [("7",)]


def test_undoing_an_older_settings_change_refuses_while_a_newer_one_holds(
    plan_store: Store,
) -> None:
    # undo of the 0.8 apply after a 0.85 one set the threshold back to its default and
    # the 0.85 was lost without a word (items refuse: "changed again since")
    def with_pace(p: float) -> str:
        return SMALL_PLAN + f"settings:\n  on_track_pace: {p}\n"

    first = apply_plan_text(plan_store, with_pace(0.8), LOCAL_MANAGER)
    second = apply_plan_text(plan_store, with_pace(0.85), LOCAL_MANAGER)
    with pytest.raises(
        BadInput,
        match=rf"setting on_track_pace was changed again since \('0.85', not '0.8'\);"
        rf" change {second.change} set it; take that back first",
    ):
        undo(plan_store, LOCAL_MANAGER, first.change)
    with plan_store.read() as con:
        stored = con.execute("SELECT value FROM settings WHERE name = 'on_track_pace'").fetchall()
    assert stored == [("0.85",)]
    undo(plan_store, LOCAL_MANAGER, second.change)  # the newer first, then the older
    undo(plan_store, LOCAL_MANAGER, first.change)
    with plan_store.read() as con:
        assert (
            con.execute("SELECT value FROM settings WHERE name = 'on_track_pace'").fetchall() == []
        )


def test_a_setting_changed_outside_any_change_says_so_when_its_undo_is_refused(
    plan_store: Store,
) -> None:
    # a restore sets refused settings back to their default without a change: the
    # refusal said "take that change back first" with no change to take back
    applied = apply_plan_text(
        plan_store, SMALL_PLAN + "settings:\n  on_track_pace: 0.8\n", LOCAL_MANAGER
    )
    with plan_store.write() as con:
        con.execute("DELETE FROM settings WHERE name = 'on_track_pace'")
    with pytest.raises(BadInput, match=r"no change since set it .*plan apply"):
        undo(plan_store, LOCAL_MANAGER, applied.change)


def test_undoing_an_older_time_zone_change_refuses_and_keeps_other_fields(tmp_path) -> None:
    # undo of the Berlin apply after a Tokyo one put the workspace on UTC, silently; and a
    # workspace undo rewrote every field, so a vision written since went back too
    db = tmp_path / "w.duckdb"
    assert waypoint(db, "init").code == 0
    plan = tmp_path / "p.yaml"

    def apply(**ws: str) -> None:
        fields = ", ".join(f"{k}: {v}" for k, v in ws.items())
        plan.write_text(f"workspace: {{name: Co, {fields}}}\n")
        assert waypoint(db, "plan", "apply", str(plan), "--yes").code == 0

    apply(timezone="UTC", vision="one")  # change 1
    apply(timezone="Europe/Berlin", vision="one")  # change 2
    apply(timezone="Asia/Tokyo", vision="one")  # change 3
    refused = waypoint(db, "undo", "2", "--yes")
    assert refused.code == 2
    assert "timezone was changed again since ('Asia/Tokyo', not 'Europe/Berlin')" in refused.err
    assert "change 3 set it" in refused.err
    assert "Asia/Tokyo" in waypoint(db, "plan", "export").out
    apply(timezone="Asia/Tokyo", vision="two")  # change 4: the vision alone
    assert waypoint(db, "undo", "3", "--yes").code == 0  # Tokyo -> Berlin, vision kept
    exported = waypoint(db, "plan", "export").out
    assert "Europe/Berlin" in exported and "vision: two" in exported


def test_a_workspace_whose_first_apply_was_undone_is_not_taken_for_a_new_one(tmp_path) -> None:
    # with no workspace row it looked unused: `demo` replaced it without --force
    db = tmp_path / "w.duckdb"
    plan = tmp_path / "p.yaml"
    plan.write_text("workspace: {name: Other Co, timezone: America/Chicago}\n")
    waypoint(db, "init")
    waypoint(db, "plan", "apply", str(plan))
    assert waypoint(db, "undo", "1").code == 0
    demo = waypoint(db, "demo", "--as-of", "2026-11-18")
    assert demo.code == 2 and "--force" in demo.err


def test_a_reversal_may_not_leave_a_kpi_on_an_archived_campaign_or_owner(tmp_path) -> None:
    # a KPI brought back on a campaign archived since, or set back to an owner archived
    # since: hidden from every page, and the next export failed to apply
    base = (
        "workspace: {name: Mini, timezone: UTC}\n"
        "people: [{key: rick, name: Rick, role: manager}, {key: amy, name: Amy, role: assistant}"
        "BO]\n"
        "metrics:\n  - {key: leads, name: Leads, class: outcome, behaviour: flow}\n"
        "objectives:\n"
        "  - key: o1\n    title: O1\n    outcome: leads\n    start: 2026-10-01\n"
        "    deadline: 2026-12-31\nCAMPAIGNS"
        "    kpis: [{key: k1, metric: leads, target: 60, owner: OWNER}K2]\n"
    )

    def plan(campaign: bool = False, k2: bool = False, owner: str = "amy", bo: bool = False):
        return (
            base.replace("BO", ", {key: bo, name: Bo, role: assistant}" if bo else "")
            .replace(
                "CAMPAIGNS",
                "    campaigns: [{key: c1, name: Launch, channels: [web], owner: rick}]\n"
                if campaign
                else "",
            )
            .replace("OWNER", owner)
            .replace(
                "K2",
                ", {key: k2, metric: leads, target: 5, owner: amy, campaign: c1}" if k2 else "",
            )
        )

    store = Store(tmp_path / "w.duckdb")
    apply_plan_text(store, plan(), LOCAL_MANAGER)
    with_campaign = apply_plan_text(store, plan(campaign=True), LOCAL_MANAGER)
    with_k2 = apply_plan_text(store, plan(campaign=True, k2=True), LOCAL_MANAGER)
    with pytest.raises(BadInput, match="kpi k2 .* uses as its campaign"):
        undo(store, LOCAL_MANAGER, with_campaign.change)  # k2 still runs in it
    undo(store, LOCAL_MANAGER, with_k2.change)
    undo(store, LOCAL_MANAGER, with_campaign.change)
    with pytest.raises(BadInput, match=r"bring back kpi k2, whose campaign c1 is archived"):
        redo(store, LOCAL_MANAGER, with_k2.change)
    # an owner set back to a person archived since
    store = Store(tmp_path / "v.duckdb")
    apply_plan_text(store, plan(bo=True), LOCAL_MANAGER)
    to_bo = apply_plan_text(store, plan(bo=True, owner="bo"), LOCAL_MANAGER)
    apply_plan_text(
        store,
        plan(bo=True, owner="bo").replace("{key: amy, name: Amy, role: assistant}, ", ""),
        LOCAL_MANAGER,
    )
    with pytest.raises(BadInput, match=r"set back kpi k1, whose owner \(person amy\) is archived"):
        undo(store, LOCAL_MANAGER, to_bo.change)


def test_after_a_handover_her_deletion_may_be_redone_it_only_takes_a_value_away(
    plan_store: Store,
) -> None:
    logged = log_entry(plan_store, AMY, "leads", 2, day=DAY)
    deleted = delete_values(plan_store, AMY, [logged.entry])
    undo(plan_store, AMY, deleted)  # still hers: her entry is back
    handed_over = SMALL_PLAN.replace(
        "{key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: amy}",
        "{key: leads-h2, metric: leads, aggregation: sum, target: 60, owner: ricardo}",
    )
    apply_plan_text(plan_store, handed_over, RICARDO)
    redo(plan_store, AMY, deleted)  # takes her entry away again, as a delete would
    assert daily_values(plan_store, "leads") == []
