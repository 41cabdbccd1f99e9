"""Inference without the last encoder layer's wasted work: only the [CLS] position is computed there.

A BERT sequence classifier reads the last layer at [CLS] alone (pooler, then classifier). In that
layer every other position's query, attention output, output projection and feed-forward block are
computed and thrown away; only the keys and values of all positions are needed. Computing the layer
for [CLS] alone removes about 5/6 of one layer's work (a sixth of MiniLM-L6's encoder) and gives the
same logits up to float rounding. Used at inference only (training needs every position).
"""

from __future__ import annotations

import torch
from torch import nn
from transformers import BertForSequenceClassification


def supports_cls_only(model: nn.Module) -> bool:
    """Only BERT's classifier (MiniLM, the default, is one) has the layout this module relies on."""
    return isinstance(model, BertForSequenceClassification) and len(model.bert.encoder.layer) > 0


class ClsOnlyLastLayer(nn.Module):
    """A BertForSequenceClassification whose last encoder layer runs for [CLS] only; returns logits."""

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
        cls = self._last_layer_at_cls(hidden, attention_mask)
        return self.classifier(self.bert.pooler(cls))

    def _last_layer_at_cls(self, hidden: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        """The last BertLayer's output at position 0: (batch, 1, hidden)."""
        layer = self.last_layer
        attention = layer.attention.self
        batch, length, _ = hidden.shape
        heads, size = attention.num_attention_heads, attention.attention_head_size

        def split_heads(states: torch.Tensor) -> torch.Tensor:
            return states.view(batch, -1, heads, size).transpose(1, 2)

        cls_in = hidden[:, :1]
        context = nn.functional.scaled_dot_product_attention(
            split_heads(attention.query(cls_in)),
            split_heads(attention.key(hidden)),
            split_heads(attention.value(hidden)),
            attn_mask=attention_mask[:, None, None, :].bool(),
        )
        context = context.transpose(1, 2).reshape(batch, 1, heads * size)
        attended = layer.attention.output(context, cls_in)
        return layer.output(layer.intermediate(attended), attended)
