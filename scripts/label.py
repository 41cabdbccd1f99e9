"""Label articles: `python scripts/label.py model_dir=... input=... output=out.jsonl [output_html=view.html]`.

Input: a .txt article, a directory of them, a .jsonl/.json of {"id", "text"} records, a .csv, or -.
Re-running the same command resumes: documents already written are skipped.
"""

import logging
from pathlib import Path

import hydra
from omegaconf import DictConfig

from claimtype.cli import user_errors_exit

log = logging.getLogger("claimtype.label")


@hydra.main(config_path="../configs", config_name="label", version_base="1.3")
@user_errors_exit
def main(cfg: DictConfig) -> None:
    import torch

    from claimtype import labeller
    from claimtype.html_view import render_html
    from claimtype.inference import ClaimTypeClassifier
    from claimtype.io import atomic_write_text

    # Everything that can be wrong with the configuration or the model fails here, before any output.
    output = Path(cfg.output)
    labeller.check_output(cfg.output)
    labeller.check_input(str(cfg.input))
    if cfg.output_html and not str(cfg.output_html).endswith(".html"):
        raise ValueError(f"output_html must end in .html, got {cfg.output_html!r}")
    if not 0.0 <= cfg.min_score <= 1.0:
        raise ValueError(f"min_score must be between 0 and 1, got {cfg.min_score}")
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    classifier = ClaimTypeClassifier.from_pretrained(
        cfg.model_dir, quantize=cfg.quantize, batch_size=cfg.batch_size
    )

    documents = labeller.read_documents(str(cfg.input), cfg.glob, cfg.text_field)
    summary = labeller.label_documents(
        classifier, documents, output, cfg.split_sentences, cfg.min_score, overwrite=cfg.overwrite
    )
    if cfg.output_html:
        atomic_write_text(cfg.output_html, render_html(labeller.read_output_rows(output)))
        log.info("HTML view: %s", cfg.output_html)
    print(summary.render())
    print(
        f"output: {output}" + (f" (skipped documents: {labeller_skipped(output)})" if summary.skipped else "")
    )


def labeller_skipped(output: Path) -> Path:
    return output.with_name(output.stem + ".skipped.jsonl")


if __name__ == "__main__":
    main()
