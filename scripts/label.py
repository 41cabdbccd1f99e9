"""Label articles: `python scripts/label.py model_dir=... input=... output=out.jsonl [output_html=view.html]`.

Input: a .txt article, a directory of them, a .jsonl/.json of {"id", "text"} records, a .csv, or -.
Re-running the same command resumes: documents already written are skipped (the README's "Label
articles" section lists the sidecar files, the lock and what a resume checks).
"""

import logging
from pathlib import Path

import hydra
from omegaconf import DictConfig

from claimtype.cli import check_numbers, user_errors_exit

log = logging.getLogger("claimtype.label")


@hydra.main(config_path="../configs", config_name="label", version_base="1.3")
@user_errors_exit
def main(cfg: DictConfig) -> None:
    import torch
    from transformers.utils import logging as hf_logging

    from claimtype import labeller
    from claimtype.html_view import render_html
    from claimtype.inference import ClaimTypeClassifier
    from claimtype.io import atomic_write_text
    from claimtype.modeling import checkpoint_fingerprint

    hf_logging.disable_progress_bar()  # "Loading weights" bars: stderr is for our one error line

    # Everything that can be wrong with the configuration or the model fails here, before any output.
    check_numbers(
        cfg, {"min_score": (float, 0.0, 1.0), "batch_size": (int, 1, None), "threads": (int, 0, None)}
    )
    output = Path(cfg.output)
    labeller.check_output(cfg.output)
    if cfg.output_html and not str(cfg.output_html).endswith(".html"):
        raise ValueError(f"output_html must end in .html, got {cfg.output_html!r}")
    labeller.check_input(str(cfg.input), cfg.glob, cfg.text_field)
    labeller.check_paths(str(cfg.input), cfg.output, cfg.output_html)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)
    classifier = ClaimTypeClassifier.from_pretrained(
        cfg.model_dir, quantize=cfg.quantize, batch_size=cfg.batch_size, backend=cfg.backend
    )
    if classifier.context != "none" and not cfg.split_sentences:
        log.warning(
            "this model reads the previous sentence (context=%s); with split_sentences=false each record "
            "is labelled without it",
            classifier.context,
        )
    settings = {
        "model_dir": str(Path(cfg.model_dir).resolve()),
        "model_fingerprint": checkpoint_fingerprint(cfg.model_dir),
        "quantize": cfg.quantize,
        "backend": cfg.backend,
        "context": classifier.context,
        "text_field": cfg.text_field,
    }
    documents = labeller.read_documents(str(cfg.input), cfg.glob, cfg.text_field)
    summary = labeller.label_documents(
        classifier,
        documents,
        output,
        cfg.split_sentences,
        cfg.min_score,
        overwrite=cfg.overwrite,
        settings=settings,
        total=labeller.count_documents(str(cfg.input), cfg.glob),
    )
    if cfg.output_html:
        atomic_write_text(cfg.output_html, render_html(labeller.read_output_rows(output)))
        log.info("HTML view: %s", cfg.output_html)
    print(summary.render())
    skipped = f" (skipped documents: {labeller.skipped_path(output)})" if summary.skipped else ""
    print(f"output: {output}{skipped}")


if __name__ == "__main__":
    main()
