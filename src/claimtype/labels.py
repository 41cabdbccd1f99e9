"""The label scheme, defined once (source of truth: ../shared/LABELS.md, docs/annotation_guidelines.md)."""

LABELS: tuple[str, ...] = ("assertion", "denial", "unverified", "counter-claim")
LABEL2ID: dict[str, int] = {label: i for i, label in enumerate(LABELS)}
ID2LABEL: dict[int, str] = dict(enumerate(LABELS))


def check_label(label: str) -> str:
    """Return ``label`` unchanged, or raise if it is not one of the four claim types."""
    if label not in LABEL2ID:
        raise ValueError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
    return label
