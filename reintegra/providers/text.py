import unicodedata


def key(text: str) -> str:
    """Lower case without accents, for searching names."""
    decomposed = unicodedata.normalize("NFKD", text.strip().casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
