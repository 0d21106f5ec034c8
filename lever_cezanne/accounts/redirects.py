"""Only ever redirect inside the app."""

from urllib.parse import unquote, urlsplit


def is_safe_next(target: str | None) -> bool:
    """Return whether `target` is a same-site path that is safe to redirect to."""
    if not target or not target.startswith("/"):
        return False
    decoded = unquote(target)
    # Browsers drop tabs and newlines and treat backslashes as slashes: "/\t/evil" is "//evil".
    if any(ord(ch) < 32 or ch.isspace() or ch == "\\" for ch in decoded):
        return False
    if decoded.startswith("//"):
        return False
    parts = urlsplit(decoded)
    return not parts.scheme and not parts.netloc
