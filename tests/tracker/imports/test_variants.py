"""Variants of one platform's export: another language of its interface, an older layout.
Each file is built from the platform's documented layout (docs/imports.md) and must feed
the same metrics, from the same source, with the same daily values as its English twin."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from tracker.imports import parse_file

D = dt.date


def daily(parsed) -> dict[tuple[str, dt.date], float]:
    return {(r["metric"], r["day"]): r["value"] for r in parsed.rows.to_pylist()}


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding=encoding)
    return path


# Two videos published on 5 Oct 2024 and one on 28 Sep 2024, with a totals row first.
ENGLISH_BY_VIDEO = (
    "Content,Video title,Video publish time,Duration,Views,Watch time (hours),Subscribers,"
    "Estimated revenue (USD),Impressions,Impressions click-through rate (%)\n"
    'Total,,,,"4,031",310.25,37,12.5,"52,000",4.1\n'
    'a1,"Soup, the film","Oct 5, 2024",61,"1,234",100.5,10,4.25,"20,000",3.2\n'
    'a2,Bread,"Oct 5, 2024",45,797,9.75,2,0.25,"12,000",2.0\n'
    'a3,Stock,"Sep 28, 2024",300,"2,000",200,25,8,"20,000",5.5\n'
)
GERMAN_BY_VIDEO = (
    # Studio's German headers carry soft hyphens (U+00AD) and the file a byte-order mark.
    "Videos,Video\xadtitel,Veröffentlichungs\xadzeitpunkt des Videos,Dauer,Aufrufe,"
    "Wiedergabezeit (Stunden),Abonnenten,Geschätzter Umsatz (USD),Impressionen,"
    "Klickrate der Impressionen (%)\n"
    'Gesamt,,,,"4.031","310,25",37,"12,5","52.000","4,1"\n'
    'a1,"Soup, the film","Okt. 5, 2024",61,"1.234","100,5",10,"4,25","20.000","3,2"\n'
    'a2,Bread,"Okt. 5, 2024",45,797,"9,75",2,"0,25","12.000","2,0"\n'
    'a3,Stock,"Sept. 28, 2024",300,"2.000",200,25,8,"20.000","5,5"\n'
)
FRENCH_BY_VIDEO = (
    # Thousands grouped by a narrow no-break space (U+202F), decimal commas, "5 oct. 2024".
    "Contenu,Titre de la vidéo,Heure de publication de la vidéo,Durée,Vues,"
    "Durée de visionnage (heures),Abonnés,Revenus estimés (USD),Impressions,"
    "Taux de clics par impression (%)\n"
    'Total,,,,"4\u202f031","310,25",37,"12,5","52\u202f000","4,1"\n'
    'a1,"Soup, the film",5 oct. 2024,61,"1\u202f234","100,5",10,"4,25","20\u202f000","3,2"\n'
    'a2,Bread,5 oct. 2024,45,797,"9,75",2,"0,25","12\u202f000","2,0"\n'
    'a3,Stock,28 sept. 2024,300,"2\u202f000",200,25,8,"20\u202f000","5,5"\n'
)
SPANISH_BY_VIDEO = (
    "Contenido,Título del vídeo,Hora de publicación del vídeo,Duración,Visualizaciones,"
    "Tiempo de visualización (horas),Suscriptores,Ingresos estimados (USD),Impresiones,"
    "Porcentaje de clics de las impresiones (%)\n"
    'Total,,,,"4.031","310,25",37,"12,5","52.000","4,1"\n'
    'a1,"Soup, the film",5 oct 2024,61,"1.234","100,5",10,"4,25","20.000","3,2"\n'
    'a2,Bread,5 oct 2024,45,797,"9,75",2,"0,25","12.000","2,0"\n'
    'a3,Stock,28 sept 2024,300,"2.000",200,25,8,"20.000","5,5"\n'
)


@pytest.mark.parametrize(
    ("language", "text"),
    [("de", GERMAN_BY_VIDEO), ("fr", FRENCH_BY_VIDEO), ("es", SPANISH_BY_VIDEO)],
)
def test_youtube_by_video_in_another_language_reads_as_the_english_export(
    tmp_path: Path, language: str, text: str
) -> None:
    english = parse_file(write(tmp_path, "Table data.csv", ENGLISH_BY_VIDEO))
    other = parse_file(write(tmp_path, f"{language}.csv", text, encoding="utf-8-sig"))
    assert english.preset == "youtube_videos"
    assert other.preset == f"youtube_videos_{language}"
    assert other.rejects == []
    assert other.source == english.source  # a re-export in another language replaces
    assert daily(other) == daily(english)
    # Worked by hand: two videos on 5 Oct, the totals row left out.
    assert daily(other)[("youtube.views", D(2024, 10, 5))] == 1234 + 797
    assert daily(other)[("youtube.watch_hours", D(2024, 10, 5))] == pytest.approx(110.25)
    assert daily(other)[("youtube.videos", D(2024, 10, 5))] == 2
    assert daily(other)[("youtube.views", D(2024, 9, 28))] == 2000


ENGLISH_BY_DATE = (
    "Date,Views,Watch time (hours),Subscribers,Impressions\n"
    'Total,"3,500",55.5,12,"40,000"\n'
    '2024-10-04,"1,500",20.25,5,"15,000"\n'
    "2024-10-05,2000,35.25,7,25000\n"
)
LOCALIZED_BY_DATE = {
    "de": "Datum,Aufrufe,Wiedergabezeit (Stunden),Abonnenten,Impressionen\n"
    'Gesamt,"3.500","55,5",12,"40.000"\n'
    '2024-10-04,"1.500","20,25",5,"15.000"\n'
    '2024-10-05,2000,"35,25",7,25000\n',
    "fr": "Date,Vues,Durée de visionnage (heures),Abonnés,Impressions\n"
    'Total,"3\u202f500","55,5",12,"40\u202f000"\n'
    '2024-10-04,"1\u202f500","20,25",5,"15\u202f000"\n'
    '2024-10-05,2000,"35,25",7,25000\n',
    "es": "Fecha,Visualizaciones,Tiempo de visualización (horas),Suscriptores,Impresiones\n"
    'Total,"3.500","55,5",12,"40.000"\n'
    '2024-10-04,"1.500","20,25",5,"15.000"\n'
    '2024-10-05,2000,"35,25",7,25000\n',
}


@pytest.mark.parametrize("language", sorted(LOCALIZED_BY_DATE))
def test_youtube_by_date_in_another_language_reads_as_the_english_export(
    tmp_path: Path, language: str
) -> None:
    english = parse_file(write(tmp_path, "Chart data.csv", ENGLISH_BY_DATE))
    other = parse_file(write(tmp_path, f"{language}.csv", LOCALIZED_BY_DATE[language]))
    assert other.preset == f"youtube_dates_{language}"
    assert daily(other) == daily(english)
    assert daily(other)[("youtube.views", D(2024, 10, 4))] == 1500
    assert daily(other)[("youtube.watch_hours", D(2024, 10, 5))] == 35.25


def test_a_localized_month_that_is_not_a_date_is_rejected_with_its_line(tmp_path: Path) -> None:
    text = GERMAN_BY_VIDEO.replace('"Okt. 5, 2024",45', '"Oktoberfest",45')
    parsed = parse_file(write(tmp_path, "de.csv", text))
    assert [(r.line, r.column, r.value) for r in parsed.rejects] == [
        (4, "veröffentlichungszeitpunkt des videos", "Oktoberfest")
    ]
    assert daily(parsed)[("youtube.views", D(2024, 10, 5))] == 1234  # the others still count


# Meta Business Suite's content export; publish times are Pacific.
INSTAGRAM_NEW = (
    "Post ID,Account ID,Account username,Account name,Description,Duration (sec),"
    "Publish time,Permalink,Post type,Data comment,Date,Views,Reach,Likes,Shares,Follows,"
    "Comments,Saves\n"
    '1801,1784,cafe,Cafe,"Soup, today",0,03/27/2026 06:08,https://www.instagram.com/p/x/,'
    'IG image,,Lifetime,"1,600",450,50,3,1,2,4\n'
    "1802,1784,cafe,Cafe,Reel,32,03/27/2026 18:00,https://www.instagram.com/reel/y/,"
    "IG reel,,Lifetime,900,700,40,10,2,5,9\n"
    # 23:30 in Los Angeles is the next morning in UTC.
    "1803,1784,cafe,Cafe,Late,0,03/27/2026 23:30,https://www.instagram.com/p/z/,"
    "IG image,,Lifetime,100,80,5,0,0,1,0\n"
)
INSTAGRAM_OLD = INSTAGRAM_NEW.replace("Date,Views,Reach", "Date,Impressions,Reach")


def test_instagram_posts_add_up_per_pacific_day_in_the_workspace_zone(tmp_path: Path) -> None:
    parsed = parse_file(write(tmp_path, "posts.csv", INSTAGRAM_NEW), timezone="UTC")
    assert parsed.preset == "instagram_posts"
    values = daily(parsed)
    # 06:08 and 18:00 PDT are 13:08 and 01:00 (28th) UTC; 23:30 PDT is 06:30 on the 28th.
    assert values[("instagram.post_views", D(2026, 3, 27))] == 1600
    assert values[("instagram.post_views", D(2026, 3, 28))] == 900 + 100
    assert values[("instagram.posts", D(2026, 3, 28))] == 2
    assert values[("instagram.post_reach", D(2026, 3, 27))] == 450
    assert values[("instagram.saves", D(2026, 3, 28))] == 9
    local = daily(parse_file(tmp_path / "posts.csv", timezone="America/Los_Angeles"))
    assert local[("instagram.posts", D(2026, 3, 27))] == 3


def test_the_older_instagram_layout_feeds_the_same_metrics_but_keeps_impressions_apart(
    tmp_path: Path,
) -> None:
    new = daily(parse_file(write(tmp_path, "new.csv", INSTAGRAM_NEW)))
    old = daily(parse_file(write(tmp_path, "old.csv", INSTAGRAM_OLD)))
    shared = {k: v for k, v in new.items() if k[0] != "instagram.post_views"}
    assert {k: v for k, v in old.items() if k[0] != "instagram.post_impressions"} == shared
    assert old[("instagram.post_impressions", D(2026, 3, 27))] == 1600


GSC_DATES = {
    "en": "Date,Clicks,Impressions,CTR,Position\n2026-06-22,0,121,0%,32.9\n2026-06-23,2,145,1.38%,37\n",
    "es": "Fecha,Clics,Impresiones,CTR,Posición\n2026-06-22,0,121,0%,32.9\n2026-06-23,2,145,1.38%,37\n",
    "fr": "Date,Clics,Impressions,CTR,Position\n2026-06-22,0,121,0%,32.9\n2026-06-23,2,145,1.38%,37\n",
}


@pytest.mark.parametrize("language", ["es", "fr"])
def test_search_console_dates_in_another_language(tmp_path: Path, language: str) -> None:
    english = parse_file(write(tmp_path, "Dates.csv", GSC_DATES["en"]))
    other = parse_file(write(tmp_path, f"{language}.csv", GSC_DATES[language]))
    assert other.preset == f"gsc_dates_{language}" and english.preset == "gsc_dates"
    assert daily(other) == daily(english)
    assert daily(other)[("gsc.impressions", D(2026, 6, 23))] == 145
    assert daily(other)[("gsc.position", D(2026, 6, 22))] == 32.9  # a dot, not thousands


def test_search_console_french_queries_are_dated_like_the_english_ones(tmp_path: Path) -> None:
    text = (
        "Requêtes les plus fréquentes,Clics,Impressions,CTR,Position\n"
        "géobiologie yvelines,1,10,10%,8.4\nmaison saine,3,1250,0.24%,12.5\n"
    )
    parsed = parse_file(write(tmp_path, "Requêtes.csv", text), day=D(2026, 1, 31))
    assert parsed.preset == "gsc_queries_fr"
    assert daily(parsed)[("gsc.clicks", D(2026, 1, 31))] == 4
    assert daily(parsed)[("gsc.impressions", D(2026, 1, 31))] == 10 + 1250


def test_a_row_listed_twice_counts_once_and_a_note_says_so(tmp_path: Path) -> None:
    """A day-level export with one day pasted twice, a per-post export with one post twice:
    the file's own numbers, not twice them (the generic forms keep one row as well)."""
    lines = ENGLISH_BY_DATE.splitlines()
    by_date = parse_file(write(tmp_path, "by_date.csv", "\n".join([*lines, lines[2]]) + "\n"))
    assert daily(by_date)[("youtube.views", D(2024, 10, 4))] == 1500
    assert any("1 row(s) repeat an earlier row" in n and "line 5" in n for n in by_date.notes)
    lines = ENGLISH_BY_VIDEO.splitlines()
    by_video = parse_file(write(tmp_path, "by_video.csv", "\n".join([*lines, lines[2]]) + "\n"))
    assert daily(by_video)[("youtube.views", D(2024, 10, 5))] == 1234 + 797
    assert daily(by_video)[("youtube.videos", D(2024, 10, 5))] == 2
    # two different posts with the same numbers are two posts
    twin = ENGLISH_BY_VIDEO + 'a4,Bread,"Oct 5, 2024",45,797,9.75,2,0.25,"12,000",2.0\n'
    assert (
        daily(parse_file(write(tmp_path, "twin.csv", twin)))[("youtube.videos", D(2024, 10, 5))]
        == 3
    )


def test_a_row_cut_short_is_rejected_whole_with_its_line(tmp_path: Path) -> None:
    """A per-post row that ends after its date would count the post without its views."""
    text = ENGLISH_BY_VIDEO + 'a5,Cut,"Oct 5, 2024"\n'
    parsed = parse_file(write(tmp_path, "cut.csv", text))
    assert daily(parsed)[("youtube.videos", D(2024, 10, 5))] == 2  # not 3
    assert daily(parsed)[("youtube.views", D(2024, 10, 5))] == 1234 + 797
    (reject,) = parsed.rejects
    assert reject.line == 6 and "cut short" in reject.reason and "3 of" in reject.reason
