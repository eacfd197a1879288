"""The transformer shape the performance model works on, completed from whatever the workload gives.

A :class:`~rackforge.scenario.models.ModelShape` only requires ``parameters``.
:func:`resolve_shape` fills every missing field with a documented rule:

* hidden size h and layers L from N when both are missing, by the aspect
  ratio ``h/L = training_aspect_ratio`` (128: GPT-3 175B, LLaMA 7B/13B, Llama 3
  8B/405B) and the per-layer count ``12·h²`` (4h² attention + 8h² MLP, true for
  a 4h MLP and for a gated MLP of width 8h/3)::

      N - 2·V·h = 12·L·h²,  L = h/128   =>   h = (128·(N - 2·V·h)/12)^(1/3)

  with h rounded to a whole number of 128-wide heads, their count a multiple
  of 8 from 8 heads up so that tensor parallelism up to 8 divides them; one of
  h, L alone is solved from the same equation;
* heads ``h/training_head_dim`` and KV heads equal to heads (no GQA);
* MLP width from N when h and L are known (``(N/L - 2·V·h/L - attention) /
  (matrices·h)``), else ``4h`` (two matrices) or ``8h/3`` rounded up to a
  multiple of 256 (gated, three matrices, the LLaMA rule);
* sequence length and vocabulary from the ``training_seq_len_default`` and
  ``training_vocab_default`` parameters.

MoE: ``experts`` experts of width ``d_ff`` per layer, ``experts_per_token`` of
them active. Missing h and L come from the *active* parameters; the expert
width from the total. ``active_parameters`` below ``parameters`` without
``experts`` implies an MoE with one routed expert per token, of the rule width,
and as many experts as the total needs. Embeddings are untied (input and output
matrices). ``shared_experts`` experts of width ``d_ff`` see every token; the
first ``dense_layers`` layers have a dense MLP of width ``dense_d_ff`` (the
rule width when omitted); a solved expert width counts both and the router's
``h·E`` weights per MoE layer::

    N - 2·V·h = L·P_attn + L_d·c·h·f_dense + L_moe·(h·E + (E + S)·c·h·f)

Attention is grouped-query unless ``mla`` is given. Latent attention
(DeepSeek-V2/V3) with query rank r_q, key/value rank r_kv, rotary width r and
head widths d (query/key, without r) and d_v has, per layer::

    P_attn = h·r_q + r_q·a·(d + r) + h·(r_kv + r) + r_kv·a·(d + d_v) + a·d_v·h

(``h·a·(d + r)`` replaces the first two terms without a query latent).
Each of ``mtp_modules`` multi-token prediction modules (DeepSeek-V3) is one
more layer of the main kind with its own pass through the output layer; its
weights are outside N.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from rackforge.catalog import Catalog
from rackforge.scenario.models import ModelShape

WIDTH_QUANTUM = 128
HEADS_QUANTUM = 8
GATED_QUANTUM = 256


@dataclass(frozen=True)
class Shape:
    """A complete decoder-only transformer shape (counts; widths in elements).

    ``params`` and ``active`` are the workload's stated totals (used for the
    MFU convention); everything physical (weights, GEMMs) uses the shape.
    """

    layers: int
    hidden: int
    heads: int
    kv_heads: int
    head_dim: int
    ffn: int
    gated: bool
    vocab: int
    seq: int
    experts: int
    top_k: int
    params: float
    active: float
    shared: int = 0
    dense_layers: int = 0
    dense_ffn: int = 0
    node_limit: int = 0
    mtp: int = 0
    kv_rank: int = 0
    q_rank: int = 0
    rope_dim: int = 0
    v_dim: int = 0

    @property
    def mlp_matrices(self) -> int:
        """Weight matrices per MLP: 3 when gated (up, gate, down), else 2."""
        return 3 if self.gated else 2

    @property
    def mla(self) -> bool:
        """Whether attention is latent (MLA) rather than grouped-query."""
        return self.kv_rank > 0

    @property
    def qk_dim(self) -> int:
        """Query/key width per head (the rotary part included under MLA)."""
        return self.head_dim + self.rope_dim

    @property
    def value_dim(self) -> int:
        """Value width per head."""
        return self.v_dim or self.head_dim

    @property
    def qkv_width(self) -> int:
        """Output width of the fused Q, K, V projection (GQA)."""
        return (self.heads + 2 * self.kv_heads) * self.head_dim

    @property
    def attention_params(self) -> float:
        """Q, K, V and output projection weights of one layer (GQA or MLA, module docstring)."""
        h, a = self.hidden, self.heads
        if not self.mla:
            return float(h * (self.qkv_width + a * self.head_dim))
        q = h * self.q_rank + self.q_rank * a * self.qk_dim if self.q_rank else h * a * self.qk_dim
        kv = h * (self.kv_rank + self.rope_dim) + self.kv_rank * a * (self.head_dim + self.value_dim)
        return float(q + kv + a * self.value_dim * h)

    @property
    def expert_params(self) -> float:
        """Weights of one MLP (one expert)."""
        return float(self.mlp_matrices * self.hidden * self.ffn)

    @property
    def moe_layers(self) -> int:
        """Layers whose MLP is a mixture of experts (all but the leading dense ones)."""
        return self.layers - self.dense_layers if self.moe else 0

    @property
    def dense_mlp_params(self) -> float:
        """Weights of the MLP of one dense layer."""
        return float(self.mlp_matrices * self.hidden * (self.dense_ffn or self.ffn))

    def counted(self, experts_used: int) -> float:
        """Parameters of the shape with ``experts_used`` routed experts per MoE layer (embeddings included)."""
        moe = self.moe_layers
        per_moe = self.hidden * self.experts + (experts_used + self.shared) * self.expert_params
        layers = self.layers * self.attention_params + (self.layers - moe) * self.dense_mlp_params + moe * per_moe
        return 2.0 * self.embedding_params + layers

    @property
    def shape_total(self) -> float:
        """The parameter count the shape holds (``N`` of the module docstring, from its fields)."""
        return self.counted(self.experts)

    @property
    def shape_active(self) -> float:
        """The parameters a token passes through (k routed experts per MoE layer)."""
        return self.counted(self.top_k)

    @property
    def embedding_params(self) -> float:
        """One V x h embedding matrix."""
        return float(self.vocab * self.hidden)

    @property
    def moe(self) -> bool:
        """Whether the MLP is a mixture of experts."""
        return self.experts > 1


def _round_to(x: float, quantum: int) -> int:
    return max(quantum, round(x / quantum) * quantum)


def _round_hidden(h: float) -> int:
    """h as whole 128-wide heads, the head count a multiple of 8 from 8 heads up (tensor parallelism to 8)."""
    coarse = HEADS_QUANTUM * WIDTH_QUANTUM
    return _round_to(h, coarse if h >= coarse else WIDTH_QUANTUM)


def _hidden_from_params(body: float, aspect: float) -> int:
    """h with ``12·L·h² = body`` and ``L = h/aspect``."""
    return _round_hidden((aspect * body / 12.0) ** (1.0 / 3.0))


def _body(total: float, vocab: int, hidden: int) -> float:
    """Parameters outside the two embedding matrices (never below 1 % of the total)."""
    return max(total - 2.0 * vocab * hidden, 0.01 * total)


def _hidden_and_layers(m: ModelShape, vocab: int, aspect: float, moe: bool) -> tuple[int, int]:
    """h and L from the model, solving ``12·L·h² = N - 2·V·h`` for what is missing (N active for MoE)."""
    n = m.active if moe else m.parameters
    if m.d_model and m.layers:
        return m.d_model, m.layers
    if m.d_model:
        return m.d_model, max(1, round(_body(n, vocab, m.d_model) / (12.0 * m.d_model**2)))
    if m.layers:
        h = float(_hidden_from_params(n, aspect))
        for _ in range(4):
            h = math.sqrt(_body(n, vocab, round(h)) / (12.0 * m.layers))
        return _round_hidden(h), m.layers
    h = _hidden_from_params(n, aspect)
    for _ in range(4):
        h = _hidden_from_params(_body(n, vocab, h), aspect)
    return h, max(1, round(_body(n, vocab, h) / (12.0 * h * h)))


def _rule_ffn(m: ModelShape, hidden: int) -> int:
    """The default MLP width: 8h/3 rounded up to 256 when gated, else 4h."""
    if m.gated_mlp:
        return math.ceil(8 * hidden / 3 / GATED_QUANTUM) * GATED_QUANTUM
    return 4 * hidden


def _ffn(m: ModelShape, hidden: int, layers: int, vocab: int, attention: float) -> int:
    """MLP (expert) width: given, solved from N when plausible, else the 4h or 8h/3 rule."""
    if m.d_ff:
        return m.d_ff
    experts = m.experts or 1
    c = 3 if m.gated_mlp else 2
    if experts > 1:
        moe = max(layers - m.dense_layers, 1)
        dense = m.dense_layers * c * hidden * (m.dense_d_ff or _rule_ffn(m, hidden))
        body = _body(m.parameters, vocab, hidden) - layers * attention - dense - moe * hidden * experts
        return max(1, round(body / (moe * c * hidden * (experts + m.shared_experts))))
    solved = (_body(m.parameters, vocab, hidden) / layers - attention) / (c * hidden)
    if m.d_model and m.layers and 1.5 * hidden <= solved <= 16.0 * hidden:
        return round(solved)
    return _rule_ffn(m, hidden)


def _experts(m: ModelShape, hidden: int, layers: int, vocab: int, attention: float, ffn: int) -> tuple[int, int]:
    """Experts and experts per token; implied by ``active_parameters < parameters`` when not given."""
    if m.experts:
        return m.experts, min(m.experts_per_token or 1, m.experts)
    if m.active >= m.parameters:
        return 1, 1
    per_expert = (3 if m.gated_mlp else 2) * hidden * ffn
    return max(2, round((_body(m.parameters, vocab, hidden) / layers - attention) / per_expert)), 1


def resolve_shape(m: ModelShape, catalog: Catalog) -> Shape:
    """Complete ``m`` with the rules of this module."""
    vocab = m.vocab or round(catalog.param("training_vocab_default"))
    seq = m.seq_len or round(catalog.param("training_seq_len_default"))
    moe = (m.experts or 1) > 1 or m.active < m.parameters
    hidden, layers = _hidden_and_layers(m, vocab, catalog.param("training_aspect_ratio"), moe)
    heads = m.heads or max(1, round(hidden / catalog.param("training_head_dim")))
    head_dim = m.head_dim or max(1, hidden // heads)
    kv_heads = m.kv_heads or heads
    latent = m.mla
    base = Shape(
        layers=layers, hidden=hidden, heads=heads, kv_heads=kv_heads, head_dim=head_dim, ffn=0,
        gated=m.gated_mlp, vocab=vocab, seq=seq, experts=1, top_k=1, params=m.parameters, active=m.active,
        kv_rank=latent.kv_rank if latent else 0, q_rank=(latent.q_rank or 0) if latent else 0,
        rope_dim=latent.rope_dim if latent else 0, v_dim=(latent.v_head_dim or 0) if latent else 0,
    )  # fmt: skip
    attention = base.attention_params
    ffn = _rule_ffn(m, hidden) if moe and not m.experts and not m.d_ff else _ffn(m, hidden, layers, vocab, attention)
    experts, top_k = _experts(m, hidden, layers, vocab, attention, ffn)
    dense_layers = min(m.dense_layers, layers - 1) if experts > 1 else 0
    return replace(
        base, ffn=ffn, experts=experts, top_k=top_k, shared=m.shared_experts if experts > 1 else 0,
        dense_layers=dense_layers, dense_ffn=(m.dense_d_ff or _rule_ffn(m, hidden)) if dense_layers else 0,
        node_limit=m.expert_node_limit or 0, mtp=m.mtp_modules,
    )  # fmt: skip


def contradiction(sh: Shape, tolerance_total: float, tolerance_active: float) -> tuple[str, str, str] | None:
    """``(field, what, fix)`` when the given fields hold a count far from the stated one, else ``None``.

    Only given fields can disagree: missing ones are solved from the counts.
    """
    total, active = sh.shape_total, sh.shape_active
    if abs(total / sh.params - 1.0) > tolerance_total:
        what = (
            f"the shape given (layers, d_model, d_ff, experts, ...) holds {total:.3g} parameters, "
            f"{total / sh.params - 1.0:+.0%} from `parameters` {sh.params:.3g}"
        )
        return "parameters", what, "fix `parameters` or the shape's fields (or omit some and let them be solved)"
    if sh.moe and abs(active / sh.active - 1.0) > tolerance_active:
        what = (
            f"a token passes through {active:.3g} parameters of this shape ({sh.top_k} of {sh.experts} experts), "
            f"{active / sh.active - 1.0:+.0%} from `active_parameters` {sh.active:.3g}"
        )
        return "active_parameters", what, "give `active_parameters` (it defaults to `parameters`) or fix the shape"
    return None
