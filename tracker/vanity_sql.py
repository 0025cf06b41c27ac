"""SQL behind the vanity flags: growth over 8 weeks and lagged weekly correlations.

Parameters: ``$d`` (the audit day). Daily values follow the usual rule (flow adds up
across sources, stock takes the latest-recorded value of the day).
"""

from __future__ import annotations

from tracker.periods import SQL_LAST_SUNDAY, sql_monday

# Inlined, not materialized: the weekly series reads it twice (the last 26 weeks, and
# each metric's first day), and DuckDB would otherwise copy every daily value first
# (a third of the audit's weekly query at L).
DAILY = """
daily AS NOT MATERIALIZED (
    SELECT d.metric, d.day, m.behaviour, d.value
    FROM daily_values d JOIN metrics m ON m.key = d.metric
    WHERE d.day <= $d AND NOT m.archived
)
"""

# Growth over the last 8 weeks: stock = last value vs the value 56 days before it;
# flow = the last 28 days' sum vs the 28 days before.
GROWTH = (
    "WITH "
    + DAILY
    + """
,
-- a stock's 8 weeks end on its last value: 56 days before that day, not before $d (a
-- level read yesterday is compared with the level 56 days before yesterday)
lasts AS (SELECT metric, max(day) AS last_day FROM daily GROUP BY metric)
SELECT metric, any_value(behaviour) AS behaviour,
       CASE WHEN any_value(behaviour) = 'stock' THEN arg_max(value, day) END AS now_level,
       CASE WHEN any_value(behaviour) = 'stock'
            -- a last value older than the 8 weeks is no growth in them: none (the metric
            -- is stale, which stale_metric says)
            AND any_value(last_day) > $d - 56::INTEGER
            THEN arg_max(value, day) FILTER (day <= last_day - 56::INTEGER) END AS then_level,
       sum(value) FILTER (day > $d - 28::INTEGER) AS last28,
       -- a flow metric's days without a value between its first and its latest are 0 (as
       -- in the weekly series): values before and after the earlier 28 days, none in them,
       -- is growth from 0, not "no data"
       CASE WHEN count(*) FILTER (day > $d - 56::INTEGER AND day <= $d - 28::INTEGER) > 0
            THEN sum(value) FILTER (day > $d - 56::INTEGER AND day <= $d - 28::INTEGER)
            WHEN min(day) <= $d - 56::INTEGER AND max(day) > $d - 28::INTEGER THEN 0.0
       END AS prev28,
       count(*) FILTER (day > $d - 56::INTEGER) AS recent_days
FROM daily JOIN lasts USING (metric)
GROUP BY metric
"""
)


# Weekly series over complete ISO weeks (the last one ends on or before $d), the last
# 26 of them: flow = weekly sums (weeks without a value are 0 between the metric's first
# and last week), stock = week-to-week change of the week's last level.
_WEEK = sql_monday("d.day")
# The first Monday on or after a metric's first day: a metric whose data starts mid-week
# has a partial first week, left out, or every flow metric would look low together that
# week and seem to correlate.
_FIRST_FULL = sql_monday("min(day) + 6")

WEEKLY = f"""
WITH {DAILY},
last_complete AS (SELECT {SQL_LAST_SUNDAY} AS sunday),
weeks AS (
    SELECT d.metric, any_value(d.behaviour) AS behaviour, {_WEEK} AS week,
           sum(d.value) AS total, arg_max(d.value, d.day) AS level
    FROM daily d, last_complete l
    WHERE d.day <= l.sunday AND d.day > l.sunday - 182::INTEGER
    GROUP BY d.metric, week
),
firsts AS (SELECT metric, {_FIRST_FULL} AS first_full FROM daily GROUP BY metric),
span AS (
    SELECT w.metric, any_value(w.behaviour) AS behaviour, min(w.week) AS first_week,
           max(w.week) AS last_week, count(*) AS weeks_with_data
    FROM weeks w JOIN firsts f ON f.metric = w.metric
    WHERE w.week >= f.first_full
    GROUP BY w.metric
),
grid AS (
    SELECT s.metric, s.behaviour, s.weeks_with_data, g.week::DATE AS week
    FROM span s, generate_series(s.first_week, s.last_week, INTERVAL 7 DAY) g(week)
),
filled AS (
    SELECT g.metric, g.behaviour, g.weeks_with_data, g.week, w.total, w.level
    FROM grid g LEFT JOIN weeks w ON w.metric = g.metric AND w.week = g.week
)
SELECT metric, behaviour, weeks_with_data, week,
       CASE WHEN behaviour = 'flow' THEN coalesce(total, 0)
            ELSE level - lag(level) OVER (PARTITION BY metric ORDER BY week) END AS value
FROM filled
"""  # noqa: S608 (constant SQL fragments only)
