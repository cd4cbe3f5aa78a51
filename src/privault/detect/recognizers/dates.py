"""DATE_TIME for personal dates only (birth, death, medical, employment).

Business text is full of dates (invoices, renewals, log stamps) that are not
personal data. A date shape alone scores below the threshold; a personal
context word nearby ("DOB", "admitted", "start date") lifts it, and a business
context word nearer than any personal one ("invoice", "due", "shipped") drops it.
"""

from __future__ import annotations

import re

from privault.detect.recognizer import Pattern, PatternRecognizer, Recognizer, context_regex

__all__ = ["date_recognizers"]

_MONTHS = (
    r"(?:jan(?:uary|uar|vier)?|feb(?:ruary|ruar)?|f[ée]v(?:rier)?|mar(?:ch|s)?|m[äa]rz|apr(?:il)?"
    r"|avr(?:il)?|may|mai|jun(?:e|i)?|juin|jul(?:y|i)?|juil(?:let)?|aug(?:ust)?|ao[uû]t"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|okt(?:ober)?|nov(?:ember)?|dec(?:ember)?|dez(?:ember)?"
    r"|d[ée]c(?:embre)?)"
)
_NO_TIME = r"(?![\w/-]|\.\d|[T ]\d{1,2}:\d{2}|,? \d{1,2}:\d{2})"
_NUMERIC = re.compile(
    rf"(?<![\w/.:-])(?:\d{{1,2}}([./-])\d{{1,2}}\1(?:19|20)\d{{2}}|(?:19|20)\d{{2}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}([./])\d{{1,2}}\2\d{{2}}){_NO_TIME}"
)
_DAY_MONTH = re.compile(
    rf"(?<![\w])\d{{1,2}}(?:st|nd|rd|th)?\.?\s+(?:of\s+)?(?i:{_MONTHS})\.?,?\s+(?:19|20)\d{{2}}{_NO_TIME}"
)
_MONTH_DAY = re.compile(
    rf"(?<![\w])(?i:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+(?:19|20)\d{{2}}{_NO_TIME}"
)
_CONTEXT = context_regex(
    ("born", "birth", "date of birth", "dob", "d.o.b", "birthday", "b.", "geboren", "née le",
     "died", "death", "date of death", "deceased", "passed away", "dod",
     "admitted", "admission", "discharged", "discharge", "appointment", "appt", "treatment",
     "treated", "surgery", "operation", "procedure", "vaccination", "vaccinated", "dose",
     "consultation", "examined", "diagnosed", "diagnosis", "scan", "x-ray", "mri", "seen on",
     "hospital", "clinic", "consent", "follow-up", "follow up", "referral",
     "hired", "hire date", "start date", "started", "starting", "starts", "joined", "joining",
     "employment", "employed", "worked", "last working day", "last day", "first day",
     "end date", "leave", "maternity", "paternity", "sick", "terminated", "termination",
     "resigned", "resignation", "leaving", "leaver", "probation", "onboarding", "notice")
)  # fmt: skip
_NEGATIVE = context_regex(
    ("invoice", "due", "renewal", "renews", "renew", "shipped", "shipping", "delivery",
     "delivered", "release", "released", "maintenance", "expiry", "expires", "exp", "expiration",
     "valid until", "since", "effective", "created", "updated", "logged", "timestamp", "order",
     "paid", "payment", "ticket", "deadline", "backup", "deploy", "deployed", "salary",
     "contract", "billing", "statement", "period", "wrote", "sent", "received", "posted",
     "meeting", "crash", "error", "before", "by")
)  # fmt: skip


def date_recognizers() -> list[Recognizer]:
    """Return the personal-date recognizer."""
    return [
        PatternRecognizer(
            "personal_date",
            "DATE_TIME",
            (
                Pattern("numeric", _NUMERIC, 0.2),
                Pattern("day_month", _DAY_MONTH, 0.2),
                Pattern("month_day", _MONTH_DAY, 0.2),
            ),
            context=_CONTEXT,
            negative_context=_NEGATIVE,
            requires_context=True,
        )
    ]
