"""Text a submission controls (file and folder names, messages its code raises), made safe for where
it is written: a terminal, a CSV cell a spreadsheet opens, Markdown."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")  # what makes a spreadsheet evaluate a cell
MARKDOWN_SPECIAL = "\\`*_{}[]<>()#+-.!|~"


def printable(text) -> str:
    """Plain printable Unicode: bytes that were not UTF-8 (a name read with surrogateescape) become
    U+FFFD, control characters (terminal escape sequences, newlines) a visible \\xNN."""
    text = str(text).encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)


def csv_cell(value):
    """A CSV cell that a spreadsheet shows as text, never evaluates: a string starting like a
    formula gets a leading apostrophe (numbers are left as they are)."""
    if not isinstance(value, str):
        return value
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def markdown(text) -> str:
    """Printable text with Markdown's special characters escaped: shown as written, never as markup."""
    return "".join("\\" + c if c in MARKDOWN_SPECIAL else c for c in printable(text))
