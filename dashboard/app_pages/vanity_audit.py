"""Vanity audit: one card per metric with all its flags, the numbers behind them, its
weekly series beside the outcome's, and acknowledgements; then what's working."""

from __future__ import annotations

import streamlit as st

import charts
from dashboard import state, ui
from tracker.vanity import Flag, acknowledge_many, evidence_table

store = state.store()
actor = st.session_state["actor"]
with store.session():
    day = state.as_of()
    report = state.cached(state.audit, day)
    working = state.cached(state.working, day)
    names = state.cached(state.names)  # kind -> key -> name
metric_names = names["metric"]

st.title("Vanity audit")
st.caption(
    "What would you do differently if this number moved? If nothing, it is a vanity"
    " metric. Each card shows one metric's flags and the numbers behind them."
)
cards = report.cards()
untracked = report.untracked()
open_cards = sum(c.open for c in cards)
if not cards and not untracked:
    st.success(report.no_flags_sentence())
elif cards:
    st.markdown(
        f"**{open_cards} of {len(cards)}** metrics and goals need a look"
        if open_cards
        else "Every flag is acknowledged."
    )


def ack_form(
    flags: list[Flag],
    key: str,
    done: str,
    question: str = "Why is this acceptable?",
    label: str = "",
) -> None:
    """One reason for several open flags (a card's, or every untracked metric): a manager
    accepts them as they are, in one transaction. ``key`` names the card, not its place:
    an acknowledged card moves down, and a reason typed for it must not reappear in the
    card that takes its place (a second click would accept that card with it)."""
    with st.form(key, clear_on_submit=True):
        reason = st.text_input(question, key=f"{key}_reason")
        label = label or (
            f"Acknowledge “{flags[0].title}”" if len(flags) == 1 else "Acknowledge these flags"
        )
        if st.form_submit_button(label):
            ui.run_safely(
                lambda: acknowledge_many(
                    store, actor, [(f.code, f.subject) for f in flags], reason, day, field="Reason"
                ),
                done,
                rerun=True,  # the card above shows who acknowledged it and why
            )


for card in cards:
    with st.container(border=True):
        icon = "▲" if card.open else "✓"
        st.markdown(f"#### {icon} {ui.text(card.name)}")
        # open flags by title, then those accepted: a card's title line put them together
        accepted = [t for t in card.titles() if t not in card.titles(open_only=True)]
        st.caption(
            ", ".join(card.titles(open_only=True))
            + ("; " if card.open and accepted else "")
            + (f"acknowledged: {', '.join(accepted)}" if accepted else "")
        )
        for flag in card.flags:
            if flag.acknowledged:
                # greyed, as DESIGN has it: still visible, with who accepted it and why
                st.caption(
                    f"**{ui.text(flag.title)}.** {ui.text(flag.message)}  \n"
                    f"✓ Acknowledged by {ui.text(flag.acked_by_name)}: {ui.text(flag.ack_reason)}"
                )
            else:
                st.markdown(f"**{ui.text(flag.title)}.** {ui.text(flag.message)}")
                st.caption("What to do: " + ui.text(flag.next_step))
        if card.metric and card.outcome:
            with store.session():
                lead = state.cached(state.weekly, card.metric, day)
                out = state.cached(state.weekly, card.outcome, day)
            st.plotly_chart(
                charts.evidence_chart(
                    lead, out, metric_names.get(card.metric, ""), metric_names.get(card.outcome, "")
                ),
                key=f"vanity_evidence_{card.subject}",
            )
        with st.expander("The numbers behind it"):
            for flag in card.flags:
                st.dataframe(evidence_table(flag.evidence, names), hide_index=True)
        waiting = [f for f in card.flags if not f.acknowledged]
        if actor.role == "manager" and waiting:
            what = ", ".join(dict.fromkeys(f.title for f in waiting))
            ack_form(
                waiting,
                f"vanity_ack_{card.subject}",
                f"Acknowledged for {ui.text(card.name)}: {ui.text(what)}.",
            )

if untracked:
    waiting = [f for f in untracked if not f.acknowledged]
    if waiting:
        listed = ", ".join(f.subject_name for f in waiting)
        st.markdown(f"**Untracked numbers** ({len(waiting)}): {ui.text(listed)}.")
        st.caption(
            "No KPI uses them. Keep them if they help someone decide (the table of metrics"
            " that lead outcomes below shows which move before one); otherwise stop"
            " collecting them."
        )
    # those accepted: greyed, by who accepted them and why (they read as still open)
    kept: dict[tuple[str, str], list[str]] = {}
    for f in untracked:
        if f.acknowledged:
            kept.setdefault((f.acked_by_name or "", f.ack_reason or ""), []).append(f.subject_name)
    for (who, why), subjects in kept.items():
        st.caption(
            f"✓ Untracked numbers kept: {ui.text(', '.join(subjects))}. Acknowledged by"
            f" {ui.text(who)}: {ui.text(why)}"
        )
    if actor.role == "manager" and waiting:
        ack_form(
            waiting,
            "vanity_ack_untracked",
            f"Acknowledged: {ui.count(len(waiting), 'untracked number')}.",
            "Why keep them?",
            f"Acknowledge all {len(waiting)}",
        )

st.subheader("What's working")
ui.working_table(working)
if working.leaders:
    st.markdown("**Metrics that lead outcomes** (strongest weekly correlation)")
    if any(x.r < 0 for x in working.leaders):
        st.caption(
            "*Against*: weeks with more of the metric came before fewer outcomes; more"
            " hours on it would not bring more."
        )
    st.dataframe(
        [
            {
                # the number first and the pair in one cell: on a phone only the first
                # two columns show (0: never together, 1: always); the direction goes
                # in the pair, so a phone shows it too
                "how closely (|r|, 0 to 1)": round(x.best_abs_r, 2),
                "metric → outcome": f"{metric_names.get(x.metric, x.metric)} →"
                f" {metric_names.get(x.outcome, x.outcome)}" + (" (against)" if x.r < 0 else ""),
                "weeks later": x.lag_weeks,
            }
            for x in working.leaders[:10]
        ],
        hide_index=True,
    )
