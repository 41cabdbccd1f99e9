"""The last encoder layer's wasted work removed: only the [CLS] position is computed there.

A BERT sequence classifier reads the last layer at [CLS] alone (pooler, then classifier). In that
layer every other position's query, attention output, output projection and feed-forward block are
computed and thrown away; only the keys and values of all positions are needed. Computing the layer
for [CLS] alone removes about 5/6 of one layer's work (a sixth of MiniLM-L6's encoder) and gives the
same logits up to float rounding. Training gains the same, backward included: the loss reads [CLS]
only, so the other positions of the last layer get no gradient (``with_cls_only_last_layer``; its
dropout draws fewer random numbers, so a seeded run differs from a full-layer one in its masks).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn
from transformers import BertForSequenceClassification


def supports_cls_only(model: nn.Module, training: bool = False) -> bool:
    """Only BERT's classifier (MiniLM, the default, is one) has the layout this module relies on;
    training also needs a tensor attention mask (sdpa or eager attention, not flash or flex)."""
    if not isinstance(model, BertForSequenceClassification) or not len(model.bert.encoder.layer):
        return False
    return not training or model.config._attn_implementation in ("sdpa", "eager")


def last_layer_at_cls(
    layer: nn.Module, hidden: torch.Tensor, key_mask: torch.Tensor | None, dropout: float = 0.0
) -> torch.Tensor:
    """A BertLayer's output at position 0: (batch, 1, hidden). ``key_mask`` broadcasts to (batch,
    heads, 1, length): bool (True: attend) or additive float; None attends to every position."""
    attention = layer.attention.self
    batch, _, _ = hidden.shape
    heads, size = attention.num_attention_heads, attention.attention_head_size

    def split_heads(states: torch.Tensor) -> torch.Tensor:
        return states.view(batch, -1, heads, size).transpose(1, 2)

    cls_in = hidden[:, :1]
    context = nn.functional.scaled_dot_product_attention(
        split_heads(attention.query(cls_in)),
        split_heads(attention.key(hidden)),
        split_heads(attention.value(hidden)),
        attn_mask=key_mask,
        dropout_p=dropout,
    )
    context = context.transpose(1, 2).reshape(batch, 1, heads * size)
    attended = layer.attention.output(context, cls_in)
    return layer.output(layer.intermediate(attended), attended)


class ClsOnlyLastLayer(nn.Module):
    """A BertForSequenceClassification whose last encoder layer runs for [CLS] only; returns logits.

    For inference and export: it takes the last layer out of the model it wraps."""

    def __init__(self, model: BertForSequenceClassification):
        super().__init__()
        if not supports_cls_only(model):
            raise TypeError(
                f"ClsOnlyLastLayer needs a BertForSequenceClassification, got {type(model).__name__}"
            )
        self.config = model.config
        self.bert = model.bert
        self.classifier = model.classifier
        self.last_layer = self.bert.encoder.layer[-1]
        self.bert.encoder.layer = self.bert.encoder.layer[:-1]  # the body: every layer but the last

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        token_type_ids: torch.Tensor | None = None,
    ) -> torch.Tensor:
        hidden = self.bert(
            input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
        ).last_hidden_state
        cls = last_layer_at_cls(self.last_layer, hidden, attention_mask[:, None, None, :].bool())
        return self.classifier(self.bert.pooler(cls))


class ClsOnlyBertLayer(nn.Module):
    """Stands in for a model's last BertLayer while it trains: the same submodules under the same
    names (so the same state-dict keys, checkpoints and resumable states), output at [CLS] only."""

    def __init__(self, layer: nn.Module):
        super().__init__()
        self.attention, self.intermediate, self.output = layer.attention, layer.intermediate, layer.output
        self.train(layer.training)  # a new module starts in training mode: keep the model's mode

    def forward(
        self, hidden_states: torch.Tensor, attention_mask: torch.Tensor | None = None, *_: Any, **__: Any
    ) -> torch.Tensor:
        # The encoder passes the attention implementation's 4-d mask (batch, 1, queries, keys), or
        # None where nothing is padded; [CLS] is query 0.
        if attention_mask is not None and not isinstance(attention_mask, torch.Tensor):
            raise TypeError(f"[CLS]-only training needs a tensor mask, got {type(attention_mask).__name__}")
        key_mask = None if attention_mask is None else attention_mask[:, :, :1, :]
        dropout = self.attention.self.dropout.p if self.training else 0.0
        return last_layer_at_cls(self, hidden_states, key_mask, dropout)


def with_cls_only_last_layer(model: BertForSequenceClassification) -> BertForSequenceClassification:
    """``model`` with its last layer computed at [CLS] only (in place), for training: its forward,
    loss, ``state_dict`` and ``save_pretrained`` are unchanged; the saved checkpoint is a plain BERT."""
    if not supports_cls_only(model, training=True):
        raise TypeError(
            "[CLS]-only training needs a BertForSequenceClassification with sdpa or eager attention, got "
            f"{type(model).__name__} ({getattr(model.config, '_attn_implementation', None)})"
        )
    layers = model.bert.encoder.layer
    layers[-1] = ClsOnlyBertLayer(layers[-1])
    return model
