"""Model dimensions for serving: the given shape, or one derived from the parameter count.

Derivation rule (when ``layers``, ``d_model`` or ``heads`` is missing)
--------------------------------------------------------------------
A decoder layer holds about ``c·h²`` parameters (``c = 12`` for attention
plus a 4x MLP, Kaplan et al. 2020), and large models keep the width-to-depth
ratio ``r = h/L`` near 128 (GPT-3 12288/96, Llama-3 8B 4096/32, 405B
16384/126). With ``N`` the parameters that do work per token::

    N = c·L·h² = c·h³/r   =>   h = (N·r/c)^(1/3)

``h`` is rounded to a whole number of 128-wide heads, that number to a
multiple of 8 (so tensor-parallel groups up to 8 divide it), and
``L = round(N/(c·h²))``. A derived shape uses grouped-query attention with 8
key/value heads, as Llama 2/3 70B and 405B and Mixtral do. For a mixture of
experts ``N`` is the *active* count (attention and width follow it). All four
constants are catalog parameters; :attr:`ModelDims.derived` records that the
rule was used.

Mixture of experts
------------------
With ``E`` experts of which ``e`` are routed per token, total ``N`` and
active ``Nₐ`` split into shared parameters ``S`` and one expert's parameters
over all layers ``x``::

    N = S + E·x,   Nₐ = S + e·x   =>   x = (N − Nₐ)/(E − e),   S = N − E·x
"""

from __future__ import annotations

from dataclasses import dataclass

from rackforge.scenario.models import ModelShape
from rackforge.sizing.inference.params import InferenceParams


@dataclass(frozen=True)
class ModelDims:
    """Resolved dimensions of one transformer (counts; bytes come later).

    Attributes
    ----------
    parameters, active
        Total and per-token parameters (count).
    layers, d_model, heads, kv_heads, head_dim
        Depth, width, query heads, key/value heads and head width.
    experts, experts_per_token
        Experts per MoE layer and experts routed per token (1, 1 when dense).
    shared_parameters, expert_parameters
        ``S`` and ``x`` of the module docstring (``S = N``, ``x = 0`` when dense).
    heads_given
        Whether ``heads`` came from the user (then a TP group must divide it).
    derived
        Whether layers/width/heads came from the derivation rule.
    """

    parameters: float
    active: float
    layers: int
    d_model: int
    heads: int
    kv_heads: int
    head_dim: float
    experts: int
    experts_per_token: int
    shared_parameters: float
    expert_parameters: float
    heads_given: bool
    derived: bool
    kv_latent: float = 0.0
    kv_rank: float = 0.0

    @property
    def score_flops(self) -> float:
        """Attention FLOPs per decoded token per cached token per layer.

        ``4·a·d`` (QKᵀ and AV) with grouped-query attention; with latent
        attention decoded on the latent (the up projections absorbed, as MLA
        decode kernels do), ``a·(4·r_kv + 2·r)``.
        """
        if self.kv_latent:
            return self.heads * (4.0 * self.kv_rank + 2.0 * (self.kv_latent - self.kv_rank))
        return 4.0 * self.heads * self.head_dim

    @property
    def moe(self) -> bool:
        """Whether weights read per step depend on routing."""
        return self.expert_parameters > 0


def resolve_dims(model: ModelShape, params: InferenceParams) -> ModelDims:
    """The model's dimensions, deriving the missing ones (see the module docstring)."""
    if model.layers and model.d_model and model.heads:
        layers, d_model, heads = model.layers, model.d_model, model.heads
        kv_heads = model.kv_heads or heads
        derived = False
    else:
        layers, d_model, heads = _derive(model.active, params)
        kv_heads = model.kv_heads or min(params.derived_kv_heads, heads)
        derived = True
    experts, per_token, shared, expert = _moe_split(model)
    latent = model.mla
    return ModelDims(
        parameters=model.parameters, active=model.active, layers=layers, d_model=d_model, heads=heads,
        kv_heads=kv_heads, head_dim=model.head_dim or d_model / heads, experts=experts, experts_per_token=per_token,
        shared_parameters=shared, expert_parameters=expert, heads_given=not derived, derived=derived,
        kv_latent=float(latent.kv_rank + latent.rope_dim) if latent else 0.0,
        kv_rank=float(latent.kv_rank) if latent else 0.0,
    )  # fmt: skip


def _derive(active: float, params: InferenceParams) -> tuple[int, int, int]:
    """``(layers, d_model, heads)`` from the active parameter count."""
    width = (active * params.d_model_per_layer / params.params_per_layer_coeff) ** (1 / 3)
    heads = max(8, 8 * round(width / params.head_dim / 8))
    d_model = heads * params.head_dim
    layers = max(1, round(active / (params.params_per_layer_coeff * d_model**2)))
    return layers, d_model, heads


def _moe_split(model: ModelShape) -> tuple[int, int, float, float]:
    """``(E, e, S, x)``; a dense model is ``(1, 1, N, 0)``."""
    experts, per_token = model.experts, model.experts_per_token
    if not experts or not per_token or per_token >= experts or model.active >= model.parameters:
        return 1, 1, model.parameters, 0.0
    expert = (model.parameters - model.active) / (experts - per_token)
    return experts, per_token, model.parameters - experts * expert, expert
