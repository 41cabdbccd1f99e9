"""The last layer computed at [CLS] only gives the full model's logits."""

import pytest
import torch
from helpers import tiny_bert
from transformers import AutoTokenizer, DistilBertConfig, DistilBertForSequenceClassification

from claimtype.cls_only import ClsOnlyLastLayer, supports_cls_only
from claimtype.modeling import resolve_model_path


@pytest.fixture(scope="module")
def tokenizer():
    return AutoTokenizer.from_pretrained(resolve_model_path("default"))


@pytest.mark.parametrize("layers", [1, 2])
def test_same_logits_as_the_full_model_on_padded_pairs(tokenizer, layers):
    torch.manual_seed(layers)
    model = tiny_bert(tokenizer)
    model.bert.encoder.layer = model.bert.encoder.layer[:layers]
    model.eval()
    batch = tokenizer(
        ["Kyiv said the bridge was hit.", "Moscow denied it.", "No one could confirm the report at all."],
        ["Earlier sentence.", "", "A much longer previous sentence with many more words in it."],
        padding=True,
        return_tensors="pt",
    )
    assert batch["attention_mask"].min() == 0 and batch["token_type_ids"].max() == 1  # padding, pairs
    with torch.inference_mode():
        expected = model(**batch).logits
        actual = ClsOnlyLastLayer(model)(**batch)
    assert torch.allclose(actual, expected, atol=1e-5)


def test_only_bert_classifiers_are_wrapped():
    config = DistilBertConfig(vocab_size=100, dim=32, n_layers=1, n_heads=2, hidden_dim=64, num_labels=4)
    other = DistilBertForSequenceClassification(config)
    assert not supports_cls_only(other)
    with pytest.raises(TypeError, match="needs a BertForSequenceClassification"):
        ClsOnlyLastLayer(other)
