"""Annotation tooling: which sentences annotators read, the files they read and return, the gold
corpus merged from those files, agreement, silver labels and the data card.

Which articles and sentences are read is decided by seeded draws (``pools``, ``audit``); *labels*
only ever come from annotators reading the sentences against docs/annotation_guidelines.md
(``packets`` reads their files, ``gold`` merges them). ``agreement`` measures the annotators
against each other, ``silver`` applies the labelling functions to the unlabelled sentences, and
``card`` computes the data card's figures (``claimtype data stats``); ``migrate`` re-keyed the files
after a splitter change. Paths are arguments, by default relative to the current folder
(``data/annotations``).
"""

from claimtype.annotation.gold import audit_changes, build_gold_rows, complete_labels, write_gold
from claimtype.annotation.packets import SKIP, read_label_file

__all__ = ["SKIP", "audit_changes", "build_gold_rows", "complete_labels", "read_label_file", "write_gold"]
