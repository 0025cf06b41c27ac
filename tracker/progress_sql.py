"""The progress engine's SQL: every KPI's window and aggregates at once.

``PROGRESS_QUERY`` is one statement over all active KPIs (DESIGN.md, "Progress rules"
and "Other kinds of KPI"); tracker/progress_rules.py applies the rules to each of its
rows, and docs/progress.md states them in words. Parameters: ``$d`` (the as-of day),
``$only`` (an objective key or NULL), ``$kpi`` (a KPI key or NULL). Every value is a
parameter; nothing is ever formatted into these strings.

The shape: ``k`` (one row per KPI) -> ``w`` (its window) -> ``sides`` (one row per
metric the KPI reads: one, or two for a ratio, numbered ``sid``) joined with
``daily_values`` -> one row per KPI side with the KPI's columns and every aggregate the
rules need (the window's days in one GROUP BY on ``sid``, the days before its start in
another, the forecast's last 56 days in a third). ``progress_rules.kpi_rows`` puts a
KPI's sides side by side in Python: as three more joins of the sides and a sort of
forty columns, that took a fifth of the statement's time at 1,000 KPIs
(docs/performance.md). The ``daily`` CTE (each wanted metric's value per day) serves
the history and chart queries.
"""

from __future__ import annotations

from tracker.periods import sql_first, sql_last, sql_step

# The daily values (tracker/daily.py keeps them) of each metric listed in
# ``wanted(metric, behaviour)``, up to ``$d``: nothing after the as-of day is ever read.
DAILY = """
daily AS (
    SELECT metric, day, value FROM daily_values
    WHERE day <= $d AND metric IN (SELECT metric FROM wanted)
)
"""

KPIS = f"""
k AS (
    SELECT k.key AS kpi, k.objective, k.name, k.metric, k.numerator, k.denominator,
           k.aggregation, k.baseline AS given_baseline, k.target, k.owner, k.per, k.stay,
           k.position AS kpos, o.position AS opos,
           coalesce(k.start, o.start) AS kstart, coalesce(k.deadline, o.deadline) AS kdeadline
    FROM kpis k
    JOIN objectives o ON o.key = k.objective
    WHERE NOT k.archived AND NOT o.archived
      AND ($only IS NULL OR k.objective = $only) AND ($kpi IS NULL OR k.key = $kpi)
),
-- A recurring (per) KPI is judged on the period holding the as-of day, kept inside the
-- KPI's own span: before its start the first period, after its deadline the last one.
anchored AS (
    SELECT *,
           CASE WHEN kdeadline IS NOT NULL AND $d > kdeadline THEN kdeadline
                WHEN kstart IS NOT NULL AND $d < kstart THEN kstart
                ELSE $d END AS anchor
    FROM k
),
periods AS (
    SELECT *, {sql_first("per", "anchor")} AS pstart, {sql_last("per", "anchor")} AS pend
    FROM anchored
),
w AS (
    SELECT *,
           CASE WHEN per IS NULL THEN kstart ELSE greatest(pstart, coalesce(kstart, pstart)) END
               AS wstart,
           CASE WHEN per IS NULL THEN kdeadline ELSE least(pend, coalesce(kdeadline, pend)) END
               AS wdeadline
    FROM periods
),
win AS (
    SELECT *, CASE WHEN wdeadline IS NULL THEN $d ELSE least($d, wdeadline) END AS wend
    FROM w
),
-- Each KPI reads one metric, or two for a ratio: each side by its own metric's behaviour.
sides AS (
    -- sid: a number per KPI side, so the big GROUP BY below hashes one integer.
    -- ``reads``: the side's metric, NULL when there is none (a ratio's value side) or
    -- it is not a metric of the plan: such a side reads no day. Every KPI keeps its
    -- value side, the row its own columns come on. Each side's metric brings its unit
    -- and class, from which progress_rules gives the KPI its unit (joined here once
    -- rather than twice more for the KPI rows: 3-5 ms of planning at L).
    SELECT row_number() OVER () AS sid, s.*, m.key AS reads, m.behaviour,
           m.unit, m.class AS metric_class
    FROM (
        -- one row per side (two unnests in one SELECT run side by side; a lateral
        -- join of VALUES does the same and took a third of the KPI part's planning)
        SELECT kpi, objective, name, metric, numerator, denominator, aggregation, per,
               stay, owner, target, given_baseline, kstart, kpos, opos,
               wstart, wend, wdeadline,
               unnest(['value', 'num', 'den']) AS side,
               unnest([metric, numerator, denominator]) AS side_metric,
               -- the window's first day for the joins: a BETWEEN is a fifth cheaper
               -- than "wstart IS NULL OR day >= wstart" over a million rows
               coalesce(wstart, '-infinity'::DATE) AS wfrom,
               -- the bounds of the recent days, worked out once per side rather than
               -- per row: the last min(28, n) days of the window are its days after
               -- end - 28; the forecast's fit reads the last 56 (only for "latest":
               -- NULL matches no day)
               wend - 28 AS recent_from,
               CASE WHEN aggregation = 'latest' THEN wend - 56 END AS fit_from
        FROM win
    ) s
    LEFT JOIN metrics m ON m.key = s.side_metric
    WHERE m.key IS NOT NULL OR s.side = 'value'
)
"""

# Three GROUP BYs give every aggregate of every KPI side. The window's days (wstart to
# wend) go through one with no per-row filter but the recent days'; the days before the
# start, which only the look-backs need (the latest value, the last day, the value on
# the start day), through a second of two aggregates; the forecast's fit through a
# third. Nothing after the window's end (wend <= $d) is read: the baseline looks back
# before the start, never past the end.
AGGREGATES = """
inside AS (
    SELECT sid,
           count(*) AS n_in,
           fsum(value) AS w_sum,
           arg_max(value, day) AS w_latest,
           max(day) AS w_last,
           min(day) AS first_day,
           arg_min(value, day) AS w_first,
           fsum(value) FILTER (day > recent_from) AS recent_sum
    FROM sides s
    JOIN daily_values d ON d.metric = s.reads AND d.day BETWEEN s.wfrom AND s.wend
    GROUP BY sid
),
before AS (
    SELECT sid, arg_max(value, day) AS b_latest, max(day) AS b_last
    FROM sides s
    JOIN daily_values d ON d.metric = s.reads AND d.day < s.wstart AND d.day <= s.wend
    GROUP BY sid
),
-- The forecast's line for "latest" KPIs: its own GROUP BY over the last 56 days of
-- their windows only (in the one above it cost every row its filter and widened every
-- group's state: 2 ms more at L). x = days from the deadline, so the line read at the
-- deadline is the intercept. ORDER BY day: the fit's running sums are added in one
-- order, so its last bits (and a forecast on a rounding edge) do not move between runs
-- with the order threads finish in (unordered, 1 forecast in about 330 moved in its
-- 12th digit; about 4 ms at L). Plain sums of x, x*x, y and x*y, fsum'd in any order,
-- were tried instead: repeatable and 4 ms faster, but cancellation lost digits where a
-- KPI's days sit at one end of the 56 (docs/performance.md).
fit AS (
    SELECT sid, regr_intercept(value, (day - wdeadline)::DOUBLE ORDER BY day) AS at_deadline
    FROM sides s
    JOIN daily_values d ON d.metric = s.reads AND d.day > s.fit_from
        AND d.day BETWEEN s.wfrom AND s.wend
    WHERE s.fit_from IS NOT NULL
    GROUP BY sid
)
"""

# One row per KPI side, named and ordered as tracker/progress_rules.py's SIDE_FIELDS:
# the KPI's columns, then the side's aggregates. KPIs in plan order, each one's value
# side first ('value' sorts after 'num' and 'den'), then a ratio's two.
PROGRESS_QUERY = f"""
WITH {KPIS}, {AGGREGATES}
SELECT s.kpi, s.objective, s.name, s.metric, s.numerator, s.denominator, s.aggregation,
       s.per, s.stay, s.owner, s.target, s.given_baseline, s.kstart,
       s.wstart, s.wend, s.wdeadline, s.side, s.behaviour, s.unit, s.metric_class,
       i.n_in, i.w_sum,
       -- "latest": the last day with a value on or before the end (may precede start)
       coalesce(i.w_latest, b.b_latest) AS latest,
       coalesce(i.w_last, b.b_last) AS last_day,
       i.first_day, i.w_first,
       -- the value on the last day on or before the start
       CASE WHEN i.first_day = s.wstart THEN i.w_first ELSE b.b_latest END AS before_start,
       i.recent_sum, f.at_deadline
FROM sides s
LEFT JOIN inside i ON i.sid = s.sid
LEFT JOIN before b ON b.sid = s.sid
LEFT JOIN fit f ON f.sid = s.sid
ORDER BY s.opos, s.objective, s.kpos, s.kpi, s.side DESC
"""

OBJECTIVES_QUERY = """
SELECT key, title FROM objectives
WHERE NOT archived AND ($only IS NULL OR key = $only)
ORDER BY position, key
"""

# Every complete period of recurring KPIs (one, or all with $kpi NULL) up to $d: the
# period's value (the sum of daily values in its part inside the KPI's span) and
# whether it met the target. A period is complete once its last day is before $d. A KPI
# without a start begins with its metric's first value.
HISTORY_QUERY = f"""
WITH k AS (
    SELECT k.key, k.metric, k.per, k.target, m.behaviour,
           coalesce(k.start, o.start) AS kstart, coalesce(k.deadline, o.deadline) AS kdeadline
    FROM kpis k
    JOIN objectives o ON o.key = k.objective
    JOIN metrics m ON m.key = k.metric
    WHERE k.per IS NOT NULL AND NOT k.archived AND NOT o.archived
      AND ($kpi IS NULL OR k.key = $kpi)
),
wanted AS (SELECT DISTINCT metric, behaviour FROM k),
{DAILY},
firsts AS (SELECT metric, min(day) AS first_day FROM daily GROUP BY metric),
periods AS (
    SELECT k.*, p::DATE AS pstart, {sql_last("k.per", "p::DATE")} AS pend
    FROM k
    LEFT JOIN firsts f ON f.metric = k.metric
    CROSS JOIN LATERAL generate_series(
        {sql_first("k.per", "coalesce(k.kstart, f.first_day)")}::TIMESTAMP,
        least($d, coalesce(k.kdeadline, $d))::TIMESTAMP,
        {sql_step("k.per")}) t(p)
),
bounded AS (
    SELECT *, greatest(pstart, coalesce(kstart, pstart)) AS bstart,
              least(pend, coalesce(kdeadline, pend)) AS bend
    FROM periods
    WHERE least(pend, coalesce(kdeadline, pend)) < $d
),
valued AS (
    SELECT b.key, b.pstart, b.bstart, b.bend, b.target,
           coalesce(fsum(d.value), 0.0) AS value
    FROM bounded b
    LEFT JOIN daily d ON d.metric = b.metric AND d.day BETWEEN b.bstart AND b.bend
    GROUP BY b.key, b.pstart, b.bstart, b.bend, b.target
)
-- hit = progress >= 1 with the recurring baseline 0 (a target of 0 is met by 0), within
-- a billionth of the target as progress_rules.judge compares the current period
SELECT key, pstart, bstart, bend, value, target,
       CASE WHEN target IS NULL THEN false
            WHEN target >= 0 THEN value >= target - 1e-9 * greatest(1.0, abs(target))
            ELSE value <= target + 1e-9 * greatest(1.0, abs(target)) END AS hit
FROM valued
ORDER BY key, pstart
"""

# One KPI's daily chart line. Parameters: $a, $b (the metric, or numerator and
# denominator), $abeh, $bbeh (their behaviours), $agg, $start, $end, $d.
SERIES_QUERY = f"""
WITH wanted AS (
    SELECT key AS metric, behaviour FROM metrics WHERE key IN ($a, $b)
),
{DAILY},
by_day AS (
    SELECT day,
           any_value(value) FILTER (metric = $a) AS a,
           any_value(value) FILTER (metric = $b) AS b,
           ($start IS NULL OR day >= $start) AS in_window
    FROM daily
    WHERE day <= $end
    GROUP BY day
),
run AS (
    SELECT day, a, b, in_window,
           sum(CASE WHEN in_window THEN a END) OVER upto AS a_sum,
           count(CASE WHEN in_window THEN a END) OVER upto AS a_count,
           sum(CASE WHEN in_window THEN b END) OVER upto AS b_sum,
           last_value(a IGNORE NULLS) OVER upto AS a_level,
           last_value(b IGNORE NULLS) OVER upto AS b_level
    FROM by_day
    WINDOW upto AS (ORDER BY day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
),
valued AS (
    SELECT day,
           CASE $agg
               WHEN 'sum' THEN CASE WHEN a IS NOT NULL THEN a_sum END
               WHEN 'latest' THEN a
               WHEN 'mean' THEN CASE WHEN a IS NOT NULL THEN a_sum / a_count END
               WHEN 'ratio' THEN
                   (CASE WHEN $abeh = 'flow' THEN a_sum ELSE a_level END)
                   / nullif(CASE WHEN $bbeh = 'flow' THEN b_sum ELSE b_level END, 0)
           END AS value
    FROM run
    WHERE in_window AND (a IS NOT NULL OR b IS NOT NULL)
)
SELECT day, value FROM valued WHERE value IS NOT NULL ORDER BY day
"""
