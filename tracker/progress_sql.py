"""The progress engine's SQL: every KPI's window, aggregates, status and forecast at once.

One statement over all active KPIs (DESIGN.md, "Progress rules" and "Other kinds of
KPI"). Parameters: ``$d`` (the as-of day), ``$on`` and ``$risk`` (pace thresholds),
``$only`` (an objective key or NULL). Read docs/progress.md for the rules in words.
"""

from __future__ import annotations

# Daily value of a metric: flow metrics add up across sources, stock metrics take the
# latest-recorded value of the day.
DAILY = """
daily AS (
    SELECT o.metric, o.day,
           CASE WHEN any_value(m.behaviour) = 'flow' THEN fsum(o.value)
                ELSE arg_max(o.value, o.recorded_at) END AS value
    FROM observations o JOIN metrics m ON m.key = o.metric
    WHERE o.metric IN (SELECT metric FROM sides)
    GROUP BY o.metric, o.day
)
"""

KPIS = """
k AS (
    SELECT k.key AS kpi, k.objective, k.name, k.metric, k.numerator, k.denominator,
           k.aggregation, k.baseline AS given_baseline, k.target, k.owner, k.per, k.stay,
           k.position AS kpos, o.position AS opos,
           coalesce(k.start, o.start) AS kstart, coalesce(k.deadline, o.deadline) AS kdeadline,
           coalesce(m.unit, mn.unit) AS unit
    FROM kpis k
    JOIN objectives o ON o.key = k.objective
    LEFT JOIN metrics m ON m.key = k.metric
    LEFT JOIN metrics mn ON mn.key = k.numerator
    WHERE NOT k.archived AND NOT o.archived AND ($only IS NULL OR k.objective = $only)
),
-- A recurring (per) KPI is judged on the period that holds the as-of day, kept inside
-- the KPI's own start and deadline.
anchored AS (
    SELECT *,
           CASE WHEN kdeadline IS NOT NULL AND $d > kdeadline THEN kdeadline
                WHEN kstart IS NOT NULL AND $d < kstart THEN kstart
                ELSE $d END AS anchor
    FROM k
),
win AS (
    SELECT *,
           CASE per
               WHEN 'week' THEN greatest(date_trunc('week', anchor)::DATE,
                                         coalesce(kstart, date_trunc('week', anchor)::DATE))
               WHEN 'month' THEN greatest(date_trunc('month', anchor)::DATE,
                                          coalesce(kstart, date_trunc('month', anchor)::DATE))
               ELSE kstart END AS wstart,
           CASE per
               WHEN 'week' THEN least(date_trunc('week', anchor)::DATE + 6,
                                      coalesce(kdeadline, date_trunc('week', anchor)::DATE + 6))
               WHEN 'month' THEN least(last_day(anchor), coalesce(kdeadline, last_day(anchor)))
               ELSE kdeadline END AS wdeadline
    FROM anchored
),
win2 AS (
    SELECT *, CASE WHEN wdeadline IS NULL THEN $d ELSE least($d, wdeadline) END AS wend
    FROM win
),
-- Each KPI reads one metric, or two for a ratio (each side by its own behaviour).
sides AS (
    SELECT w.kpi, 'value' AS side, w.metric, m.behaviour, w.wstart, w.wend
    FROM win2 w JOIN metrics m ON m.key = w.metric
    UNION ALL
    SELECT w.kpi, 'num', w.numerator, m.behaviour, w.wstart, w.wend
    FROM win2 w JOIN metrics m ON m.key = w.numerator
    UNION ALL
    SELECT w.kpi, 'den', w.denominator, m.behaviour, w.wstart, w.wend
    FROM win2 w JOIN metrics m ON m.key = w.denominator
)
"""

AGGREGATES = """
joined AS (
    SELECT s.kpi, s.side, s.behaviour, s.wstart, s.wend, d.day, d.value,
           (s.wstart IS NULL OR d.day >= s.wstart) AND d.day <= s.wend AS in_window
    FROM sides s JOIN daily d ON d.metric = s.metric
),
firsts AS (
    SELECT kpi, side, min(day) FILTER (in_window) AS first_day
    FROM joined GROUP BY kpi, side
),
agg AS (
    SELECT j.kpi, j.side, any_value(j.behaviour) AS behaviour,
           count(*) FILTER (j.in_window) AS n_values,
           fsum(j.value) FILTER (j.in_window) AS w_sum,
           avg(j.value) FILTER (j.in_window) AS w_mean,
           arg_max(j.value, j.day) FILTER (j.in_window) AS w_latest,
           max(j.day) FILTER (j.in_window) AS last_day,
           arg_min(j.value, j.day) FILTER (j.in_window) AS w_first,
           arg_max(j.value, j.day) FILTER (j.wstart IS NOT NULL AND j.day <= j.wstart)
               AS before_start,
           -- the last min(28, n) days of the window, n = days in the window
           fsum(j.value) FILTER (j.in_window AND j.day > j.wend - least(28,
               j.wend - coalesce(j.wstart, f.first_day) + 1)::INTEGER) AS recent_sum,
           least(28, any_value(j.wend) - coalesce(any_value(j.wstart), any_value(f.first_day))
                 + 1) AS recent_days,
           regr_slope(j.value, epoch(j.day) / 86400)
               FILTER (j.in_window AND j.day > j.wend - 56::INTEGER) AS slope,
           regr_intercept(j.value, epoch(j.day) / 86400)
               FILTER (j.in_window AND j.day > j.wend - 56::INTEGER) AS intercept,
           count(*) FILTER (j.in_window AND j.day > j.wend - 56::INTEGER) AS n56
    FROM joined j JOIN firsts f ON f.kpi = j.kpi AND f.side = j.side
    GROUP BY j.kpi, j.side
),
sided AS (
    SELECT w.*,
           v.n_values, v.w_sum, v.w_mean, v.w_latest, v.w_first, v.before_start, v.recent_sum,
           v.recent_days, v.slope, v.intercept, v.n56,
           coalesce(v.last_day, greatest(n.last_day, d.last_day)) AS last_day,
           CASE WHEN n.behaviour = 'flow' THEN n.w_sum ELSE n.w_latest END AS num_value,
           CASE WHEN d.behaviour = 'flow' THEN d.w_sum ELSE d.w_latest END AS den_value
    FROM win2 w
    LEFT JOIN agg v ON v.kpi = w.kpi AND v.side = 'value'
    LEFT JOIN agg n ON n.kpi = w.kpi AND n.side = 'num'
    LEFT JOIN agg d ON d.kpi = w.kpi AND d.side = 'den'
)
"""

RULES = """
cur AS (
    SELECT *,
           CASE aggregation
               WHEN 'sum' THEN CASE WHEN n_values > 0 THEN w_sum END
               WHEN 'latest' THEN w_latest
               WHEN 'mean' THEN w_mean
               WHEN 'ratio' THEN CASE WHEN den_value IS NOT NULL AND den_value <> 0
                                      THEN num_value / den_value END
           END AS current,
           CASE WHEN stay IS NOT NULL THEN NULL
                WHEN given_baseline IS NOT NULL THEN given_baseline
                WHEN per IS NOT NULL OR aggregation IN ('sum', 'ratio') THEN 0
                ELSE coalesce(before_start, w_first) END AS baseline,
           CASE WHEN wdeadline IS NULL THEN NULL ELSE greatest(wdeadline - $d, 0) END
               AS days_left
    FROM sided
),
prog AS (
    SELECT *,
           CASE WHEN stay IS NOT NULL OR current IS NULL OR target IS NULL
                     OR baseline IS NULL THEN NULL
                WHEN target = baseline THEN CASE WHEN current >= target THEN 1.0 ELSE 0.0 END
                ELSE (current - baseline) / (target - baseline) END AS progress,
           CASE WHEN stay IS NOT NULL OR wstart IS NULL OR wdeadline IS NULL THEN NULL
                WHEN wdeadline <= wstart THEN CASE WHEN $d >= wdeadline THEN 1.0 ELSE 0.0 END
                ELSE greatest(0.0, least(1.0, ($d - wstart) / (wdeadline - wstart))) END
               AS expected,
           CASE WHEN target IS NULL OR baseline IS NULL THEN 1
                WHEN target >= baseline THEN 1 ELSE -1 END AS direction
    FROM cur
),
paced AS (
    SELECT *, CASE WHEN expected > 0 THEN progress / expected END AS pace
    FROM prog
),
judged AS (
    SELECT *,
           CASE
               WHEN target IS NULL THEN 'no_target'
               WHEN current IS NULL THEN 'no_data'
               WHEN stay = 'above' THEN CASE WHEN current >= target THEN 'on_track'
                                             ELSE 'off_track' END
               WHEN stay = 'below' THEN CASE WHEN current <= target THEN 'on_track'
                                             ELSE 'off_track' END
               WHEN progress >= 1 THEN 'achieved'
               WHEN wdeadline IS NOT NULL AND $d > wdeadline THEN 'missed'
               WHEN expected IS NULL OR expected = 0 OR pace >= $on THEN 'on_track'
               WHEN pace >= $risk THEN 'at_risk'
               ELSE 'off_track'
           END AS status,
           CASE
               WHEN stay IS NOT NULL OR current IS NULL THEN NULL
               WHEN days_left IS NULL OR days_left = 0 THEN current
               WHEN aggregation = 'sum' THEN
                   current + coalesce(recent_sum, 0) / recent_days * days_left
               WHEN aggregation = 'latest' THEN
                   CASE WHEN n56 >= 2 AND slope IS NOT NULL
                        THEN intercept + slope * (epoch(wdeadline) / 86400)
                        ELSE current END
               ELSE current
           END AS forecast
    FROM paced
),
final AS (
    SELECT *,
           CASE WHEN stay IS NOT NULL OR current IS NULL OR target IS NULL THEN NULL
                WHEN direction > 0 AND forecast >= target THEN 'will_hit'
                WHEN direction < 0 AND forecast <= target THEN 'will_hit'
                ELSE 'will_miss' END AS forecast_status,
           CASE WHEN stay IS NOT NULL OR current IS NULL OR target IS NULL THEN NULL
                WHEN wdeadline IS NOT NULL AND $d > wdeadline THEN NULL
                WHEN progress >= 1 THEN 0.0
                WHEN days_left IS NULL THEN NULL
                ELSE (target - current) / greatest(days_left / 7.0, 1 / 7.0) END
               AS needed_per_week
    FROM judged
)
"""

PROGRESS_QUERY = (
    "WITH "
    + KPIS
    + ","
    + DAILY
    + ","
    + AGGREGATES
    + ","
    + RULES
    + """
SELECT kpi, objective, name,
       CASE WHEN aggregation = 'ratio' THEN numerator || '/' || denominator ELSE metric END,
       aggregation, per, stay, unit, wstart, wdeadline, current, baseline, target, progress,
       expected, pace, status, forecast, forecast_status, needed_per_week, owner, last_day,
       days_left
FROM final
ORDER BY opos, objective, kpos, kpi
"""
)

OBJECTIVES_QUERY = """
SELECT key, title FROM objectives
WHERE NOT archived AND ($only IS NULL OR key = $only)
ORDER BY position, key
"""

# Complete periods of recurring KPIs: value per period and whether the target was hit.
HISTORY_QUERY = """
WITH k AS (
    SELECT k.key, k.metric, k.per, k.target,
           coalesce(k.start, o.start) AS kstart, coalesce(k.deadline, o.deadline) AS kdeadline
    FROM kpis k JOIN objectives o ON o.key = k.objective
    WHERE k.key = $kpi
),
periods AS (
    SELECT k.*, p::DATE AS pstart,
           CASE WHEN k.per = 'week' THEN p::DATE + 6 ELSE last_day(p::DATE) END AS pend
    FROM k, generate_series(
        date_trunc(CASE WHEN k.per = 'week' THEN 'week' ELSE 'month' END,
                   coalesce(k.kstart, $first))::DATE,
        least($d, coalesce(k.kdeadline, $d)),
        CASE WHEN k.per = 'week' THEN INTERVAL 7 DAY ELSE INTERVAL 1 MONTH END) t(p)
),
bounded AS (
    SELECT *, greatest(pstart, coalesce(kstart, pstart)) AS bstart,
              least(pend, coalesce(kdeadline, pend)) AS bend
    FROM periods
    WHERE least(pend, coalesce(kdeadline, pend)) < $d
)
SELECT b.pstart, b.bstart, b.bend, coalesce(sum(o.value), 0) AS value, b.target
FROM bounded b
LEFT JOIN observations o ON o.metric = b.metric AND o.day BETWEEN b.bstart AND b.bend
GROUP BY ALL
ORDER BY b.pstart
"""
