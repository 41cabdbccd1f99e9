"""The last layer computed at [CLS] only gives the full model's logits."""

import pytest
import torch
from helpers import tiny_bert
from transformers import (
    AutoTokenizer,
    BertForSequenceClassification,
    DistilBertConfig,
    DistilBertForSequenceClassification,
)

from claimtype.cls_only import (
    ClsOnlyBertLayer,
    ClsOnlyLastLayer,
    supports_cls_only,
    with_cls_only_last_layer,
)
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


@pytest.mark.parametrize("attention", ["sdpa", "eager"])
@pytest.mark.parametrize("padded", [True, False])
def test_training_at_cls_only_gives_the_full_models_loss_and_gradients(tokenizer, attention, padded):
    torch.manual_seed(0)
    full = tiny_bert(tokenizer, attn_implementation=attention).eval()  # eval: no dropout, comparable
    fast = tiny_bert(tokenizer, attn_implementation=attention).eval()
    fast.load_state_dict(full.state_dict())
    with_cls_only_last_layer(fast)
    assert isinstance(fast.bert.encoder.layer[-1], ClsOnlyBertLayer)
    assert fast.state_dict().keys() == full.state_dict().keys()  # checkpoints and resume states alike
    sentences = ["Kyiv said the bridge was hit.", "Moscow denied it, calling the report a fake today."]
    batch = tokenizer(sentences if padded else sentences[:1], padding=True, return_tensors="pt")
    labels = torch.tensor([1, 3] if padded else [1])
    losses = [model(**batch, labels=labels).loss for model in (full, fast)]
    for loss in losses:
        loss.backward()
    assert torch.allclose(losses[0], losses[1], atol=1e-6)
    full_grads, fast_grads = dict(full.named_parameters()), dict(fast.named_parameters())
    for name, parameter in full_grads.items():
        if parameter.grad is None:  # e.g. position embeddings beyond the batch's length have zeros
            continue
        assert torch.allclose(fast_grads[name].grad, parameter.grad, atol=1e-6), name


def test_a_cls_only_trained_model_saves_a_plain_bert(tokenizer, tmp_path):
    torch.manual_seed(0)
    model = with_cls_only_last_layer(tiny_bert(tokenizer))
    model.train()
    batch = tokenizer(
        ["Kyiv said the bridge was hit.", "Moscow denied it."], padding=True, return_tensors="pt"
    )
    model(**batch, labels=torch.tensor([0, 1])).loss.backward()  # dropout on: it trains
    model.save_pretrained(tmp_path)
    loaded = BertForSequenceClassification.from_pretrained(tmp_path).eval()
    assert not any(isinstance(layer, ClsOnlyBertLayer) for layer in loaded.bert.encoder.layer)
    model.eval()
    with torch.inference_mode():
        assert torch.allclose(loaded(**batch).logits, model(**batch).logits, atol=1e-5)


def test_cls_only_training_refuses_other_models():
    config = DistilBertConfig(vocab_size=100, dim=32, n_layers=1, n_heads=2, hidden_dim=64, num_labels=4)
    with pytest.raises(TypeError, match="needs a BertForSequenceClassification"):
        with_cls_only_last_layer(DistilBertForSequenceClassification(config))
