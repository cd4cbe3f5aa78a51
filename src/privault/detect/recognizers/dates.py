"""DATE_TIME for personal dates only (birth, death, medical, employment).

Business text is full of dates (invoices, renewals, log stamps) that are not
personal data. A date shape alone scores below the threshold; a personal
context word nearby ("DOB", "admitted", "start date") lifts it, and a business
context word nearer than any personal one ("invoice", "due", "shipped") drops it.
"""

from __future__ import annotations

import re

from privault.detect._scan import plain_led, word_gate
from privault.detect._trie import trie_pattern
from privault.detect.recognizer import (
    Pattern,
    PatternRecognizer,
    Recognizer,
    context_regex,
    context_scan,
)
from privault.detect.recognizers._words import word_set

__all__ = ["date_recognizers"]

_MONTH_WORDS = word_set(
    "jan january januar janvier feb february februar fev fév fevrier février mar march mars "
    "marz märz apr april avr avril may mai jun june juni juin jul july juli juil juillet aug "
    "august aout août sep sept september oct october okt oktober nov november dec december dez "
    "dezember déc decembre décembre"
)
_MONTHS = rf"(?i:{trie_pattern(_MONTH_WORDS)})"
_NO_TIME = r"(?![\w/-]|\.\d|[T ]\d{1,2}:\d{2}|,? \d{1,2}:\d{2})"
_NUMERIC = re.compile(
    rf"(?=\d)(?<![\w/.:-])(?:\d{{1,2}}([./-])\d{{1,2}}\1(?:19|20)\d{{2}}"
    rf"|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}|\d{{1,2}}([./])\d{{1,2}}\2\d{{2}}){_NO_TIME}"
)
#: Digit-led (see ``plain_led``), the left boundary checked after the first digit.
_DAY_MONTH = re.compile(
    plain_led("0-9", r"\d") + rf"(?<![\w].)\d?(?:st|nd|rd|th)?\.?\s+(?:of\s+)?{_MONTHS}\.?,?"
    rf"\s+(?:19|20)\d{{2}}{_NO_TIME}"
)
_MONTH_DAY = re.compile(
    rf"(?<![\w]){_MONTHS}\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}{_NO_TIME}"
)
_WORDS = (
    "born", "birth", "date of birth", "dob", "d.o.b", "birthday", "b.", "geboren", "née le",
    "died", "death", "date of death", "deceased", "passed away", "dod",
    "admitted", "admission", "discharged", "discharge", "appointment", "appt", "treatment",
    "treated", "surgery", "operation", "procedure", "vaccination", "vaccinated", "dose",
    "consultation", "examined", "diagnosed", "diagnosis", "scan", "x-ray", "mri", "seen on",
    "hospital", "clinic", "consent", "follow-up", "follow up", "referral",
    "hired", "hire date", "start date", "start", "started", "starting", "starts", "joined",
    "joining", "join", "joins", "new starter", "first working day",
    "employment", "employed", "worked", "last working day", "last day", "first day",
    "end date", "leave", "maternity", "paternity", "sick", "terminated", "termination",
    "resigned", "resignation", "leaving", "leaver", "probation", "onboarding", "notice",
)  # fmt: skip
_CONTEXT = context_regex(_WORDS)
_NEGATIVE = context_regex(
    ("invoice", "due", "renewal", "renews", "renew", "shipped", "shipping", "delivery",
     "delivered", "release", "released", "maintenance", "expiry", "expires", "exp", "expiration",
     "valid until", "since", "effective", "created", "updated", "logged", "timestamp", "order",
     "paid", "payment", "ticket", "deadline", "backup", "deploy", "deployed", "salary",
     "contract", "billing", "statement", "period", "wrote", "sent", "received", "posted",
     "meeting", "crash", "error", "before", "pay", "reply", "respond", "submit")
)  # fmt: skip


#: Right before a date, these make it a deadline, not a personal date ("follow up by …").
_DEADLINE = context_regex(("by", "until", "till", "before", "no later than"))


def date_recognizers() -> list[Recognizer]:
    """Return the personal-date recognizer."""
    return [
        PatternRecognizer(
            "personal_date",
            "DATE_TIME",
            (
                # every numeric form holds four digits and only run characters
                Pattern("numeric", _NUMERIC, 0.2, min_digits=4),
                Pattern("day_month", _DAY_MONTH, 0.2),
                Pattern("month_day", _MONTH_DAY, 0.2),
            ),
            context=_CONTEXT,
            negative_context=_NEGATIVE,
            requires_context=True,
            adjacent_negative=_DEADLINE,
            context_gate=word_gate(_WORDS),
            context_scan=context_scan(_WORDS),
        )
    ]
