"""Weekly review: one ISO week, deltas, statuses that changed, check-ins, flags, decisions."""

from __future__ import annotations

import streamlit as st

from dashboard import state, ui
from tracker import formats
from tracker.annotations import add_annotation
from tracker.checkins import said
from tracker.periods import Period
from tracker.report import checked_in_again, render_html, render_markdown
from tracker.vocab import checkin_words

store = state.store()
actor = st.session_state["actor"]
day = state.as_of()
# the last 26 complete weeks, each shown as its days (9–15 Nov 2026)
spans = {
    p.label: formats.day_span(p.first, p.last)
    for p in (Period.week_of(day).previous(i) for i in range(1, 27))
}
weeks = list(spans)
# The digest links here with ?week=2026-W46: open that week.
linked = st.query_params.get("week")
if linked in weeks and "weekly_week" not in st.session_state:
    st.session_state["weekly_week"] = linked
week = st.selectbox("Week", weeks, key="weekly_week", format_func=spans.get)
review = state.cached(state.review, week, day).for_reader(st.session_state["actor"])

st.title(review.title)

# 1. The headline: statuses, and what changed since the end of the week before.
counts = review.counts()
st.markdown(
    " · ".join(f"{ui.status_label(s)} **{n}**" for s, n in counts.items() if n) or "No KPI yet."
)
if review.changed:
    st.markdown(
        f"Since {review.since}: " + "; ".join(ui.text(line) for line in review.changed_lines())
    )
else:
    st.caption(f"No status changed since {review.since}.")

# 2. What needs a decision.
st.subheader("Needs a decision")
for k in review.behind:
    st.markdown(
        f"{ui.status_label(k.now.status)} **{ui.text(k.now.name or k.now.kpi)}**"
        f" ({ui.text(review.owner_then(k))}): {ui.text(formats.kpi_numbers(k.now))}"
    )
for f in review.conflicts:
    st.markdown(f"▲ **{ui.text(f.title)}**: {ui.text(f.message)}")
for c in review.overdue:
    st.markdown(
        f"✕ Check-in missing: **{ui.text(review.kpi(c.kpi))}**"
        f" ({ui.text(review.person(c.owner))}, {formats.period(c.period)})"
    )
for job, message in review.failed_jobs:
    st.markdown(f"✕ **{ui.text(job)}** failed: {ui.text(message)}")
if review.other_flags:
    st.markdown(
        "▲ New measurement flags: "
        + "; ".join(
            f"{ui.text(title)} ({ui.text(', '.join(names))})"
            for title, names in review.other_flags.items()
        )
    )
if not review.decision_lines():
    st.write(ui.text(review.nothing_to_decide()))
if review.previous_decisions:
    st.markdown("**Decided at last week's review**")
    for d in review.previous_decisions:
        st.markdown(f"- {formats.long_day(d.day)}: {ui.text(d.text)}")

if review.campaigns_ended:
    st.subheader("Campaigns that ended")
    for name, findings in review.campaigns_ended:
        st.markdown(f"**{ui.text(name)}**")
        for line in findings:
            st.markdown(f"- {ui.text(line)}")

# 3. Check-ins, by person.
st.subheader("Check-ins")
for person in review.by_person():
    # one Markdown block per person, so each check-in's notes nest under it
    lines = [f"**{ui.text(person.name)}**: {person.summary()}", ""]
    for c in person.states:
        again = ui.text(checked_in_again(c, review.people))  # names people typed
        lines.append(
            f"- {ui.text(review.checkin_kpi(c))}: {checkin_words(c.state, c.confidence)}{again}"
        )
        lines += [f"    - {label}: {ui.text(value)}" for label, value in said(c)]
    st.markdown("\n".join(lines))
if not review.checkins:
    st.write("No check-in was due this week.")

st.subheader("Decisions")
for d in review.decisions:
    st.markdown(f"- {formats.long_day(d.day)}: {ui.text(d.text)}")
if not review.decisions:
    # a heading with nothing under it reads as a page that failed to load
    st.caption("No decision was written down at this review.")
if actor.role == "manager":
    with st.form("weekly_decision", clear_on_submit=True):
        text = st.text_area("Decision", placeholder="What we decided at this review")
        if st.form_submit_button("Save decision"):
            ui.run_safely(
                lambda: add_annotation(store, actor, review.end, text, kind="decision"),
                "Decision saved.",
                rerun=True,  # the list above shows it
            )

# the numbers are the week's (as of its Sunday, or today while it runs), not today's:
# headed "now", they read as today's beside the Summary's
numbers_as_of = f"as of {formats.short_day(review.as_of or review.end)}"
with st.expander("Every KPI this week"):
    st.dataframe(
        [
            {
                "KPI": k.now.name or k.now.kpi,
                "status": ui.status_label(k.now.status),
                "last week": ui.status_label(k.before.status) if k.before else "–",
                numbers_as_of: formats.kpi_numbers(k.now),
            }
            for k in review.kpis
        ],
        hide_index=True,
    )
    # every flag of the week; acknowledged ones greyed, with who accepted them and why
    for line in review.flag_lines():
        about = f"{ui.text(line.subject)}: {ui.text(line.message)}"
        if line.acknowledged:
            st.markdown(f":gray[✓ {ui.text(line.title)} · {about} ({ui.text(line.acknowledged)})]")
        else:
            st.markdown(f"▲ **{ui.text(line.title)}** · {about}")

left, right = st.columns(2)
left.download_button(
    "Download Markdown",
    render_markdown(review),
    f"weekly-{week}.md",
    mime="text/markdown",
    key="weekly_md",
)
right.download_button(
    "Download HTML", render_html(review), f"weekly-{week}.html", mime="text/html", key="weekly_html"
)
