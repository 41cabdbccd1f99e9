"""claimtype: label every sentence of a news article with its claim type."""

from claimtype.labels import ID2LABEL, LABEL2ID, LABELS

__all__ = ["LABELS", "LABEL2ID", "ID2LABEL"]
__version__ = "0.1.0"
