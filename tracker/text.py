"""User text on its way in: notes, comments and names, cleaned once.

Control characters are never stored in text people read elsewhere: an escape sequence
in a check-in note would reach a manager's terminal through `waypoint checkins`, a
newline in a name would break a mail header. Tabs and newlines stay in notes.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable

from tracker.errors import BadInput

NOTE_LIMIT = 4000
# control characters but tab and line feed: as a pattern for Python and for DuckDB
CONTROL_CHARACTERS = r"[\x00-\x08\x0b-\x1f\x7f-\x9f]"
_CONTROL = re.compile(CONTROL_CHARACTERS)
# What a note loses: those, and the characters that hide or reorder text (a zero-width
# space, direction overrides and isolates, a byte-order mark), which names and plan text
# refuse (a direction override makes a note read as other words in `values` and the CSV
# export). Those as characters: DuckDB's RE2 reads no \u escapes, Python reads both.
NOTE_STRIPPED = CONTROL_CHARACTERS[:-1] + "\u200b\u202a-\u202e\u2066-\u2069\ufeff]"
_NOTE_STRIPPED = re.compile(NOTE_STRIPPED)
# every control character, tab and line feed included (labels, names, file names)
ANY_CONTROL_CHARACTER = r"[\x00-\x1f\x7f-\x9f]"
_CONTROL_ANY = re.compile(ANY_CONTROL_CHARACTER)
# A file name (or an argument) whose bytes are not UTF-8 reaches Python with each such
# byte as a lone surrogate (os.fsdecode): no UTF-8 text can hold one, so a message, a
# stored name or a file written under it failed whole ("café.csv" saved as Latin-1).
_UNSHOWABLE = re.compile(ANY_CONTROL_CHARACTER[:-1] + "\ud800-\udfff]")


def clean_note(text: str | None, what: str, limit: int = NOTE_LIMIT) -> str | None:
    """A note without control characters (tabs and newlines kept); None when blank.

    Raises BadInput naming ``what`` when it is longer than ``limit`` characters.
    """
    if text is None:
        return None
    text = _NOTE_STRIPPED.sub("", text).strip()
    if not text:
        return None
    if len(text) > limit:
        raise BadInput(f"{what}: {len(text):,} characters; keep it under {limit:,}")
    return text


def printable(text: str | None) -> str:
    """Text safe to print on a terminal: every control character but newline removed."""
    if not text:
        return ""
    return (
        _CONTROL_ANY.sub("", text.replace("\n", " ⏎ "))
        if "\n" in text
        else _CONTROL_ANY.sub("", text)
    )


# what a terminal must not receive from text people typed or files carried: control
# characters (an escape sequence writes the clipboard or clears the screen) but tab and
# line ends, and a carriage return that does not end a line (it overwrites what came before)
_TERMINAL_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|\r(?!\n)")


def terminal_text(text: str) -> str:
    """Text as the command line prints it: every control character but tab and line
    ends shown as '?', as file names are (file_label), and so is a byte of a file name
    that was not UTF-8 (printing it raised UnicodeEncodeError)."""
    return _TERMINAL_UNSAFE.sub("?", text)


def has_control(text: str) -> bool:
    return bool(_CONTROL_ANY.search(text))


_SURROGATE = re.compile("[\ud800-\udfff]")


def not_utf8(text: str) -> bool:
    """Did ``text`` come from bytes that are not UTF-8 (an argument or a file name, each
    such byte a lone surrogate)? No database, message or UTF-8 file can hold it."""
    return bool(_SURROGATE.search(text))


def clip(text: str, limit: int = 80) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis: a name from a file (a
    metric cell, a column) as a summary line names it."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def quoted(text: str, limit: int = 80) -> str:
    """``text`` quoted for a message, cut past ``limit`` characters with its length: a
    2,000,000-character metric cell was echoed whole in its reject, on stdout, stderr
    and three times in the rejects file."""
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}... ({len(text):,} characters)"


def file_label(name: str) -> str:
    """A file's name as messages show it: control characters (an escape sequence that
    retitles a terminal, a line break that forges a log line) become '?', and a name
    longer than 120 characters is cut with an ellipsis."""
    # and the characters that hide or reorder text (a direction override made an
    # imported file's name read backwards in `changes` and the Audit log): removed
    return clip(_NOTE_STRIPPED.sub("", _UNSHOWABLE.sub("?", name)), 120)


def safe_file_name(name: str, room: int = 160) -> str:
    """A name Waypoint can give a file it writes or moves: control characters and bytes
    that are not UTF-8 become '_', and a name longer than ``room`` bytes is cut, its
    extension kept. A name changed either way gets a hash of the whole, so two files the
    same cleaning would name alike (café.csv and cafè.csv, both Latin-1) stay apart:
    moved into one folder, the second replaced the first."""
    import hashlib

    clean = _UNSHOWABLE.sub("_", name)
    if clean == name and len(clean.encode()) <= room:
        return clean
    stem, dot, ext = clean.rpartition(".")
    ext = dot + ext if dot and len(ext) <= 10 else ""
    stem = stem if ext else clean
    digest = hashlib.sha256(name.encode(errors="surrogateescape")).hexdigest()[:10]
    return stem.encode()[: room - len(ext) - 11].decode(errors="ignore") + "-" + digest + ext


def spelled_like(typed: str, known: Iterable[str]) -> str:
    """ " (did you mean 'leads'?)" for an unknown key that is a known one in other case or
    nearly the same (difflib's close match), else "": a key typed ``LEADS`` in a file
    was only "unknown", though keys differ by case alone."""
    folded = {k.casefold(): k for k in known}
    want = typed.strip().casefold()
    close = [want] if want in folded else difflib.get_close_matches(want, folded, n=1, cutoff=0.8)
    return f" (did you mean {folded[close[0]]!r}?)" if close else ""


_EMAIL = re.compile(r"[\w.!#$%&'*+/=?^`{|}~-]+@[\w-]+(?:\.[\w-]+)*")  # root@localhost too


def hide_emails(text: str) -> str:
    """``text`` with every email address shown as "(an address)": a job's message ("sent to
    maria@...", "refused omar@...") read by someone who may not see people's emails."""
    return _EMAIL.sub("(an address)", text)


# A mail server as the mailer names it, host:port: a name or address holding a letter or
# a dot (a time of day, 09:00, is neither)
_MAIL_SERVER = re.compile(r"(?<![\w.-])[A-Za-z0-9-]*[A-Za-z.][A-Za-z0-9.-]*:\d{1,5}\b")


def for_non_managers(message: str) -> str:
    """A job's message as an assistant or viewer reads it: without the email addresses it
    mailed or that refused it, and without the mail server's name ("mail to
    smtp.example.com:587 failed"), which are a manager's to see."""
    return _MAIL_SERVER.sub("(the mail server)", hide_emails(message))


def email_key(email: str) -> str:
    """An email as two addresses are compared: case folded, but never a letter folded
    into ASCII from outside it (the Kelvin sign K to k, as Unicode lower-casing does),
    which would make another address, perhaps verified for someone else, the same one.
    JOSÉ and josé are one address; jay@copper\u212aettle.example and jay@copperkettle.
    example are two."""
    return "".join(
        c if not c.isascii() and c.lower().isascii() else c.lower() for c in email.strip()
    )
