"""The production secret key's minimum standard, checked when the settings load.

Production mode (``DJANGO_DEBUG=0``) refuses to start with a key anyone could guess: a placeholder
from a deny list or containing one of its words (``changeme``, the development key...), one shorter
than 50 characters, or one with fewer than 5 distinct characters (Django's own ``security.W009``
rule, made an error here rather than a warning that a deploy can ignore).
"""

SECRET_KEY_MIN_LENGTH = 50
SECRET_KEY_MIN_UNIQUE_CHARACTERS = 5
# Exact keys seen in templates, tutorials and .env examples (compared lower-cased).
DENIED_SECRET_KEYS = frozenset(
    {
        "changeme",
        "change-me",
        "change_me",
        "secret",
        "secret-key",
        "secret_key",
        "secretkey",
        "password",
        "django",
        "saypro",
        "default",
        "development",
        "test",
        "xxx",
    }
)
# Words that mark a placeholder wherever they appear in a key.
DENIED_SECRET_KEY_WORDS = ("changeme", "change-me", "change_me", "insecure", "dev-only", "your-secret", "replace-me")


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` is not fit for production, or ``None`` when it is."""
    lowered = key.strip().lower()
    if lowered in DENIED_SECRET_KEYS:
        return "is a well-known placeholder"
    word = next((word for word in DENIED_SECRET_KEY_WORDS if word in lowered), None)
    if word is not None:
        return f"contains the placeholder word {word!r}"
    if len(key) < SECRET_KEY_MIN_LENGTH:
        return f"is shorter than {SECRET_KEY_MIN_LENGTH} characters"
    if len(set(key)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS:
        return f"has fewer than {SECRET_KEY_MIN_UNIQUE_CHARACTERS} distinct characters"
    return None
