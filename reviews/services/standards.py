"""The standards check every seller response goes through before it is shown.

SayPro's guidance for answering reviews (acknowledge, thank, apologise, offer a solution; never
blame the customer) becomes five checks, each a plain rule a seller can understand from the reason
they are told:

- ``insult``: insulting words ("idiot", "liar", "pathetic"...);
- ``blaming``: putting the fault on the customer ("your fault", "you should have read"...);
- ``shouting``: mostly capital letters, or runs of exclamation marks ("!!!");
- ``contact_details``: an email address or a phone number (take the conversation off the platform);
- ``external_link``: a link to another site (``http(s)://``, ``www.``, a bare domain) other than
  the platform's own.

A response that breaks any of them is ``flagged`` and waits for a moderator. The check errs on the
side of flagging: a moderator approves a false positive in one click, while an insult shown to a
customer cannot be taken back. Order numbers like ``SP-2026-000123`` are not phone numbers.
"""

import re
from urllib.parse import urlsplit

from django.conf import settings

from reviews.models import Violation

_INSULTS = (
    r"idiot\w*",
    r"stupid\w*",
    r"dumb",
    r"moron\w*",
    r"liars?",
    r"lying",
    r"pathetic",
    r"clueless",
    r"incompetent",
    r"fools?",
    r"foolish",
    r"ignorant",
    r"shut up",
    r"loser\w*",
    r"crazy",
    r"ridiculous",
    r"nonsense",
    r"rubbish",
    r"scammers?",
)
_INSULT_RE = re.compile(r"\b(?:" + "|".join(_INSULTS) + r")\b", re.IGNORECASE)

_BLAMING = (
    r"(?:your|you're|you are) (?:own )?fault",
    r"you should(?:'ve| have) (?:read|checked|known|looked|ordered)",
    r"you (?:didn't|did not|failed to|never) (?:read|check|follow|look|understand)",
    r"you (?:obviously|clearly) (?:didn't|did not|don't|do not|can't|cannot)",
    r"(?:you're|you are) (?:wrong|lying|mistaken)",
    r"blame yourself",
    r"user error",
    r"learn (?:to|how to) (?:read|use)",
    r"if you had (?:read|bothered)",
    r"you (?:broke|misused|damaged) it",
)
_BLAMING_RE = re.compile(r"\b(?:" + "|".join(_BLAMING) + r")\b", re.IGNORECASE)

_EXCLAMATIONS_RE = re.compile(r"!{3,}")
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A run of digits with phone separators; counted as a phone number from 9 digits on. Not preceded
# by a letter, digit or hyphen, so an order number's digits ("SP-2026-000123") never start one.
_PHONE_CANDIDATE_RE = re.compile(r"(?<![\w-])\+?\(?\d[\d\s().-]{6,}\d(?![\w-])")
_URL_RE = re.compile(r"\b(?:https?://|www\.)[^\s<>\"']+", re.IGNORECASE)
_BARE_DOMAIN_RE = re.compile(
    r"(?<![@\w.-])(?:[a-z0-9-]+\.)+(?:com|net|org|io|co|shop|store|info|biz|me|app|online|site|za|uk|de)\b(?![@\w-])",
    re.IGNORECASE,
)


def _platform_host() -> str:
    return (urlsplit(settings.SITE_URL).hostname or "").lower()


def _is_platform_link(text: str) -> bool:
    host = text if "://" not in text else (urlsplit(text).hostname or "")
    host = host.lower().removeprefix("www.").split("/")[0]
    platform = _platform_host().removeprefix("www.")
    return bool(platform) and (host == platform or host.endswith("." + platform))


def _is_shouting(text: str) -> bool:
    letters = [character for character in text if character.isalpha()]
    if len(letters) < settings.REVIEWS_SHOUTING_MIN_LETTERS:
        return False
    capitals = sum(1 for character in letters if character.isupper())
    return capitals / len(letters) > settings.REVIEWS_SHOUTING_CAPS_SHARE


def _has_phone(text: str) -> bool:
    for match in _PHONE_CANDIDATE_RE.finditer(text):
        digits = sum(character.isdigit() for character in match.group(0))
        if 9 <= digits <= 15:
            return True
    return False


def _has_external_link(text: str) -> bool:
    without_emails = _EMAIL_RE.sub(" ", text)
    links = [match.group(0) for match in _URL_RE.finditer(without_emails)]
    links += [match.group(0) for match in _BARE_DOMAIN_RE.finditer(without_emails)]
    return any(not _is_platform_link(link if "://" in link else link.lower()) for link in links)


def standards_check(text: str) -> list[str]:
    """The violations in ``text``, as ``Violation`` codes in a fixed order (empty: it passes)."""
    found: list[str] = []
    if _INSULT_RE.search(text):
        found.append(Violation.INSULT)
    if _BLAMING_RE.search(text):
        found.append(Violation.BLAMING)
    if _is_shouting(text) or _EXCLAMATIONS_RE.search(text):
        found.append(Violation.SHOUTING)
    if _EMAIL_RE.search(text) or _has_phone(text):
        found.append(Violation.CONTACT_DETAILS)
    if _has_external_link(text):
        found.append(Violation.EXTERNAL_LINK)
    return found


def describe_violations(codes: list[str]) -> str:
    """The reasons as a sentence for the seller: "Shouting (capitals or !!!); Link off the platform"."""
    labels = dict(Violation.choices)
    return "; ".join(str(labels.get(code, code)) for code in codes)
