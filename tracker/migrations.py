"""Numbered schema migrations, applied by ``waypoint init`` and at start-up.

Each migration runs in its own transaction together with the row that records it in
``schema_migrations``, so a crash leaves the database at the previous version. Add a
new migration by appending to MIGRATIONS; never edit one that has shipped.
"""

from __future__ import annotations

from collections.abc import Callable

import duckdb

SCHEMA_1 = """
CREATE TABLE meta (
    revision BIGINT NOT NULL
);
INSERT INTO meta VALUES (0);

CREATE TABLE workspace (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    name VARCHAR NOT NULL,
    vision VARCHAR,
    timezone VARCHAR NOT NULL DEFAULT 'UTC'
);

-- Workspace settings (thresholds, job schedules...). Defaults live in tracker/settings.py.
CREATE TABLE settings (
    name VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
);

CREATE TABLE people (
    key VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    email VARCHAR,
    role VARCHAR NOT NULL CHECK (role IN ('manager', 'assistant', 'viewer')),
    hourly_rate DOUBLE,
    manager VARCHAR,
    archived BOOLEAN NOT NULL DEFAULT false,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE metrics (
    key VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    unit VARCHAR,
    channel VARCHAR,
    class VARCHAR NOT NULL
        CHECK (class IN ('outcome', 'engagement', 'reach', 'activity', 'effort')),
    behaviour VARCHAR NOT NULL CHECK (behaviour IN ('flow', 'stock')),
    qualified BOOLEAN NOT NULL DEFAULT false,
    archived BOOLEAN NOT NULL DEFAULT false,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE objectives (
    key VARCHAR PRIMARY KEY,
    title VARCHAR NOT NULL,
    outcome VARCHAR NOT NULL,
    people VARCHAR,
    strategy VARCHAR,
    channels VARCHAR[] NOT NULL DEFAULT [],
    owner VARCHAR,
    start DATE,
    deadline DATE,
    archived BOOLEAN NOT NULL DEFAULT false,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE campaigns (
    key VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    objective VARCHAR NOT NULL,
    channels VARCHAR[] NOT NULL DEFAULT [],
    owner VARCHAR,
    start DATE,
    "end" DATE,
    budget DOUBLE,
    archived BOOLEAN NOT NULL DEFAULT false,
    position INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE kpis (
    key VARCHAR PRIMARY KEY,
    objective VARCHAR NOT NULL,
    campaign VARCHAR,
    name VARCHAR,
    metric VARCHAR,
    numerator VARCHAR,
    denominator VARCHAR,
    aggregation VARCHAR NOT NULL CHECK (aggregation IN ('sum', 'latest', 'mean', 'ratio')),
    baseline DOUBLE,
    target DOUBLE,
    start DATE,
    deadline DATE,
    owner VARCHAR,
    cadence VARCHAR NOT NULL DEFAULT 'weekly' CHECK (cadence IN ('weekly', 'monthly')),
    per VARCHAR CHECK (per IN ('week', 'month')),
    stay VARCHAR CHECK (stay IN ('above', 'below')),
    archived BOOLEAN NOT NULL DEFAULT false,
    position INTEGER NOT NULL DEFAULT 0
);

-- Keyed by (metric, day, source): writing the same key again replaces the value, and
-- the old one goes to audit_log. Only non-key columns are ever updated.
CREATE TABLE observations (
    metric VARCHAR NOT NULL,
    day DATE NOT NULL,
    source VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    recorded_by VARCHAR,
    recorded_at TIMESTAMP NOT NULL,
    note VARCHAR,
    PRIMARY KEY (metric, day, source)
);

-- Ids are max(id) + 1 rather than sequences: writes are serialised, and a restore can
-- then load rows with their ids without a sequence falling behind.
CREATE TABLE checkins (
    id BIGINT PRIMARY KEY,
    kpi VARCHAR NOT NULL,
    person VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    confidence VARCHAR NOT NULL CHECK (confidence IN ('on_track', 'at_risk', 'off_track')),
    comment VARCHAR,
    progress VARCHAR,
    plans VARCHAR,
    problems VARCHAR,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE annotations (
    id BIGINT PRIMARY KEY,
    day DATE NOT NULL,
    text VARCHAR NOT NULL,
    campaign VARCHAR,
    metric VARCHAR,
    kind VARCHAR NOT NULL DEFAULT 'note',
    created_by VARCHAR,
    created_at TIMESTAMP NOT NULL
);

CREATE TABLE audit_log (
    id BIGINT PRIMARY KEY,
    "at" TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    action VARCHAR NOT NULL,
    entity VARCHAR NOT NULL,
    key VARCHAR NOT NULL,
    old_value JSON,
    new_value JSON
);

CREATE TABLE flag_acks (
    code VARCHAR NOT NULL,
    subject VARCHAR NOT NULL,
    reason VARCHAR NOT NULL,
    evidence JSON,
    acked_by VARCHAR NOT NULL,
    acked_at TIMESTAMP NOT NULL,
    PRIMARY KEY (code, subject)
);

CREATE TABLE job_runs (
    job VARCHAR NOT NULL,
    scheduled_for TIMESTAMP NOT NULL,
    started TIMESTAMP,
    finished TIMESTAMP,
    outcome VARCHAR,
    message VARCHAR,
    PRIMARY KEY (job, scheduled_for)
);

CREATE TABLE reminders (
    person VARCHAR NOT NULL,
    kpi VARCHAR NOT NULL,
    period VARCHAR NOT NULL,
    kind VARCHAR NOT NULL CHECK (kind IN ('reminder', 'escalation')),
    sent_at TIMESTAMP NOT NULL,
    PRIMARY KEY (person, kpi, period, kind)
);
"""


def _schema_1(con: duckdb.DuckDBPyConnection) -> None:
    for statement in SCHEMA_1.split(";\n"):
        if statement.strip():
            con.execute(statement)


def _run(con: duckdb.DuckDBPyConnection, script: str) -> None:
    for statement in script.split(";\n"):
        if statement.strip():
            con.execute(statement)


# Entries, undoable changes, the maintained daily table and the new plan fields.
SCHEMA_2 = """
CREATE TABLE metrics_v2 (
    key VARCHAR PRIMARY KEY,
    name VARCHAR NOT NULL,
    unit VARCHAR,
    channel VARCHAR,
    class VARCHAR NOT NULL
        CHECK (class IN ('outcome', 'engagement', 'reach', 'activity', 'effort', 'spend')),
    behaviour VARCHAR NOT NULL CHECK (behaviour IN ('flow', 'stock')),
    qualified BOOLEAN NOT NULL DEFAULT false,
    -- the smallest value allowed (NULL: negatives allowed too)
    min_value DOUBLE DEFAULT 0,
    -- the source that counts on days two sources cover
    prefer VARCHAR,
    -- who may log it besides KPI owners (an assistant whose import created it)
    owner VARCHAR,
    archived BOOLEAN NOT NULL DEFAULT false,
    position INTEGER NOT NULL DEFAULT 0
);
-- Effort that is not counted in hours was money all along: it becomes class spend.
INSERT INTO metrics_v2
SELECT key, name, unit, channel,
       CASE WHEN class = 'effort'
             AND lower(coalesce(unit, '')) NOT IN ('h', 'hr', 'hrs', 'hour', 'hours')
            THEN 'spend' ELSE class END,
       behaviour, qualified, 0, NULL, NULL, archived, position
FROM metrics;
DROP TABLE metrics;
ALTER TABLE metrics_v2 RENAME TO metrics;

ALTER TABLE people ADD COLUMN since DATE;
ALTER TABLE people ADD COLUMN issuer VARCHAR;
ALTER TABLE people ADD COLUMN subject VARCHAR;
UPDATE people SET since = coalesce(
    (SELECT min(a."at")::DATE FROM audit_log a
     WHERE a.entity = 'person' AND a.key = people.key AND a.action = 'create'),
    current_date);

-- Every version of every value. A hand-logged entry is a row of source 'manual'; an
-- import row is keyed by (metric, day, source) among the live rows. A change never
-- updates a value: it removes versions (removed_by) and adds new ones (change_id),
-- so any change can be taken back and brought back. ``entry`` is the id people see:
-- it stays the same when an undo brings a value back.
CREATE TABLE observations_v2 (
    id BIGINT PRIMARY KEY,
    entry BIGINT NOT NULL,
    metric VARCHAR NOT NULL,
    day DATE NOT NULL,
    source VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    recorded_by VARCHAR,
    for_person VARCHAR,
    recorded_at TIMESTAMP NOT NULL,
    note VARCHAR,
    change_id BIGINT NOT NULL,
    removed_by BIGINT
);
INSERT INTO observations_v2
SELECT n, n, metric, day, source, value, recorded_by, recorded_by, recorded_at, note, 0, NULL
FROM (SELECT *, row_number() OVER (ORDER BY recorded_at, metric, day, source) AS n
      FROM observations);
DROP TABLE observations;
ALTER TABLE observations_v2 RENAME TO observations;

-- The day's value of each metric by DESIGN's rule, kept in step by every write.
CREATE TABLE daily_values (
    metric VARCHAR NOT NULL,
    day DATE NOT NULL,
    value DOUBLE NOT NULL,
    PRIMARY KEY (metric, day)
);

-- One row per change people can take back: a log, a set, a deletion, an import, a plan
-- apply, and the undos and redos themselves.
CREATE TABLE changes (
    id BIGINT PRIMARY KEY,
    "at" TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,
    kind VARCHAR NOT NULL
        CHECK (kind IN ('log', 'set', 'delete', 'import', 'plan', 'undo', 'redo')),
    summary VARCHAR NOT NULL,
    detail JSON,
    target BIGINT,
    undone_by BIGINT
);
ALTER TABLE audit_log ADD COLUMN change_id BIGINT;

-- Values far outside their metric's recent range, found when they were stored.
CREATE TABLE outliers (
    metric VARCHAR NOT NULL,
    day DATE NOT NULL,
    value DOUBLE NOT NULL,
    reference DOUBLE NOT NULL,
    change_id BIGINT,
    PRIMARY KEY (metric, day)
);

-- Saved import mappings (the plan's imports: list).
CREATE TABLE import_mappings (
    name VARCHAR PRIMARY KEY,
    spec JSON NOT NULL,
    archived BOOLEAN NOT NULL DEFAULT false,
    position INTEGER NOT NULL DEFAULT 0
);

ALTER TABLE job_runs ADD COLUMN attempts INTEGER DEFAULT 1;
"""


def _schema_2(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, SCHEMA_2)
    from tracker.daily import rebuild_daily

    rebuild_daily(con)


SCHEMA_3 = """
-- Money (hours x rates, spend) is shown in the workspace's currency (ISO 4217 code).
ALTER TABLE workspace ADD COLUMN currency VARCHAR DEFAULT 'USD';
UPDATE workspace SET currency = 'USD' WHERE currency IS NULL;
"""


def _schema_3(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, SCHEMA_3)


# Primary-key indexes made a 1,000,000-row import 1.35 s slower (DuckDB builds an ART
# index entry per row) and were never used to find rows: ids are handed out as max + 1
# under the store's write lock and rows are stored in id order (DuckDB's min/max zone
# maps find one id without an index); daily_values is written only by tracker.daily,
# which deletes a pair before inserting it, and `waypoint check` verifies both.
SCHEMA_4 = """
CREATE TABLE observations_v4 (
    id BIGINT NOT NULL,
    entry BIGINT NOT NULL,
    metric VARCHAR NOT NULL,
    day DATE NOT NULL,
    source VARCHAR NOT NULL,
    value DOUBLE NOT NULL,
    recorded_by VARCHAR,
    for_person VARCHAR,
    recorded_at TIMESTAMP NOT NULL,
    note VARCHAR,
    change_id BIGINT NOT NULL,
    removed_by BIGINT
);
INSERT INTO observations_v4 SELECT * FROM observations ORDER BY id;
DROP TABLE observations;
ALTER TABLE observations_v4 RENAME TO observations;

CREATE TABLE daily_values_v4 (
    metric VARCHAR NOT NULL,
    day DATE NOT NULL,
    value DOUBLE NOT NULL
);
INSERT INTO daily_values_v4 SELECT * FROM daily_values ORDER BY metric, day;
DROP TABLE daily_values;
ALTER TABLE daily_values_v4 RENAME TO daily_values;
"""


def _schema_4(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, SCHEMA_4)


# A check-in the local manager (the command line without --as) enters for a KPI's owner
# counts for the owner, as before, and now says who typed it: the review and the
# confidence flag no longer read "Amy said" for words Amy never wrote.
SCHEMA_5 = """
ALTER TABLE checkins ADD COLUMN recorded_by VARCHAR;
"""


def _schema_5(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, SCHEMA_5)


# Two import presets created their metrics wrongly: Google Ads' cost as hours of work
# (effort), so ads money was priced per hour and open to every assistant, and YouTube's
# net subscribers with a floor of 0, so a day that lost subscribers was refused. Only
# the preset's own classing is corrected: a plan that chose otherwise keeps its choice.
SCHEMA_6 = """
UPDATE metrics SET class = 'spend'
WHERE key = 'google_ads.cost' AND class = 'effort' AND name = 'Google Ads spend';
UPDATE metrics SET min_value = NULL
WHERE key = 'youtube.subscribers_gained' AND min_value = 0
  AND name = 'YouTube subscribers gained';
"""


def _schema_6(con: duckdb.DuckDBPyConnection) -> None:
    _run(con, SCHEMA_6)


def _schema_7(con: duckdb.DuckDBPyConnection) -> None:
    """The day-value rule applies ``prefer`` to each person's hours apart (tracker.daily):
    the kept daily values of effort metrics are computed again by it."""
    from tracker.daily import refresh_metrics

    effort = con.execute("SELECT key FROM metrics WHERE class = 'effort'").fetchall()
    refresh_metrics(con, [r[0] for r in effort])


# (version, name, function). Append only.
MIGRATIONS: list[tuple[int, str, Callable[[duckdb.DuckDBPyConnection], None]]] = [
    (1, "initial schema", _schema_1),
    (2, "entries, changes, daily values, plan fields", _schema_2),
    (3, "workspace currency", _schema_3),
    (4, "no primary-key indexes on observations and daily values", _schema_4),
    (5, "who entered a check-in for its owner", _schema_5),
    (6, "ad spend is spend, YouTube's net subscribers may fall", _schema_6),
    (7, "each person's hours settled by prefer apart", _schema_7),
]

LATEST = MIGRATIONS[-1][0]


def current_version(con: duckdb.DuckDBPyConnection) -> int:
    # The table read directly, its absence caught: duckdb_tables() costs 9 ms on every
    # connection (information_schema.tables 10-16 ms), paid by every command and page
    # run before its work starts; this read 1 ms.
    try:
        row = con.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    except duckdb.CatalogException:
        return 0
    return int(row[0]) if row else 0


def migrate(con: duckdb.DuckDBPyConnection, upto: int | None = None) -> int:
    """Apply every migration newer than the database (up to version ``upto``, when
    given: an older backup is loaded at its own version); idempotent. Returns the
    version."""
    version = current_version(con)
    if version >= (LATEST if upto is None else upto):
        return version  # the usual case: nothing to create, nothing written
    con.execute(
        "CREATE TABLE IF NOT EXISTS schema_migrations ("
        " version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
    )
    version = current_version(con)
    for number, name, apply in MIGRATIONS:
        if number <= version or (upto is not None and number > upto):
            continue
        con.execute("BEGIN TRANSACTION")
        try:
            apply(con)
            con.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, now()::TIMESTAMP)", [number, name]
            )
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
        version = number
    return version
