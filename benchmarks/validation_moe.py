"""Training performance model against published mixture-of-experts runs (nothing here was fitted).

Every row is ``(case, metric, published, predicted)``; each run is given its
publication's own facts (shape, accelerator, count, precision, layout, batch,
recompute, all-to-all overlap) and nothing measured. No parameter of
``parameters-training.yaml`` was fitted to these rows: the MoE and fp8
parameters come from kernel measurements and papers (docs/sizing-training.md).

Sources
-------
- ``DeepSeek-V3``: DeepSeek-AI, "DeepSeek-V3 Technical Report", arXiv 2412.19437:
  §1 and Table 1 (2,664K H800 GPU-hours for 14.8T tokens, 180K per trillion),
  §3.1-3.3 (2,048 H800, PP16, EP64 over 8 nodes, ZeRO-1, no TP, DualPipe
  hiding the all-to-all, 20 of 132 SMs for communication, recompute of RMSNorm
  and the MLA up-projections, fp8 GEMMs), §4.2 (shape, batch 15,360 x 4K).
  Zhao et al., "Insights into DeepSeek-V3", arXiv 2505.09343: §4.1 (H800
  NVLink 400 GB/s, 8 x 400G InfiniBand per node) and Table 4 (19.93 s per step).
  Dense FFN 18,432 and vocabulary 129,280 from the released model config.
- ``DeepSeek-V2``: arXiv 2405.04434 §3.1-3.2 (172.8K H800 GPU-hours per
  trillion tokens, PP16, EP8, ZeRO-1, no TP, shared-expert computation
  overlapped with the all-to-all, device-limited routing M = 3, token dropping
  at capacity factor 1, batch 9,216 x 4K). The GPU count and the precision are
  not stated: 1,024 GPUs and bf16 (fp8 came with V3) are assumed.
- ``Megatron-Core``: NVIDIA, "Scalable Training of Mixture-of-Experts Models with
  Megatron Core" (Megatron-Core v0.16): Table 11 (tokens/s per GPU), Table 20
  (layouts), appendix B.2 (recompute, 1F1B all-to-all overlap on or off),
  Fig. 18 (93 % of the all-to-all hidden with the overlap on). All runs use
  force-balanced routing (imbalance 1). DeepSeek-V3 on H100 is PP8 as in
  Table 17 and §9.2.2 (Table 20 says PP4).
- ``OLMoE``: Muennighoff et al., arXiv 2409.02060 §4.1.1 (23,600 tokens/s per
  GPU for OLMoE-1B-7B and 37,500 for its 1.3B dense twin on 128 H100, same
  codebase, FSDP) and Table 10 (shape, batch 1,024 x 4K).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from rackforge.sizing.training import estimate_training

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from benchmarks.validation_training import Row, catalog_with, gpu_hours, workload

H800 = [{"id": "h100-sxm", "scale_up_gbps": 400, "source": "H800: NVLink cut to 400 GB/s (arXiv 2505.09343 §4.1)"}]
DEEPSEEK_V3: dict[str, Any] = {
    "parameters": 671e9, "active_parameters": 37e9, "layers": 61, "d_model": 7168, "heads": 128, "head_dim": 128,
    "mla": {"kv_rank": 512, "q_rank": 1536, "rope_dim": 64, "v_head_dim": 128}, "d_ff": 2048, "experts": 256,
    "experts_per_token": 8, "shared_experts": 1, "dense_layers": 3, "dense_d_ff": 18432, "expert_node_limit": 4,
    "mtp_modules": 1, "gated_mlp": True, "vocab": 129280, "seq_len": 4096,
}  # fmt: skip
DEEPSEEK_V2: dict[str, Any] = {
    "parameters": 236e9, "active_parameters": 21e9, "layers": 60, "d_model": 5120, "heads": 128, "head_dim": 128,
    "mla": {"kv_rank": 512, "q_rank": 1536, "rope_dim": 64, "v_head_dim": 128}, "d_ff": 1536, "experts": 160,
    "experts_per_token": 6, "shared_experts": 2, "dense_layers": 1, "dense_d_ff": 12288, "expert_node_limit": 3,
    "gated_mlp": True, "vocab": 102400, "seq_len": 4096,
}  # fmt: skip
QWEN3_235B: dict[str, Any] = {
    "parameters": 235e9, "active_parameters": 22e9, "layers": 94, "d_model": 4096, "heads": 64, "kv_heads": 4,
    "head_dim": 128, "d_ff": 1536, "experts": 128, "experts_per_token": 8, "gated_mlp": True, "vocab": 151936,
    "seq_len": 4096,
}  # fmt: skip
OLMOE: dict[str, Any] = {
    "parameters": 6.9e9, "active_parameters": 1.3e9, "layers": 16, "d_model": 2048, "heads": 16, "d_ff": 1024,
    "experts": 64, "experts_per_token": 8, "gated_mlp": True, "vocab": 50304, "seq_len": 4096,
}  # fmt: skip
OLMO_DENSE: dict[str, Any] = {**OLMOE, "parameters": 1.3e9, "active_parameters": None, "experts": None,
                              "experts_per_token": None, "d_ff": 8192}  # fmt: skip

FULL, ON, OFF = 1.0, 0.93, 0.0
"""All-to-all overlap: DualPipe (DeepSeek: fully hidden); Megatron-Core's 1F1B overlap (93 %); none."""

MEGATRON = [
    ("DeepSeek-V3", DEEPSEEK_V3, "gb300", 256, "fp8", (1, 4, 64, 4, 1, 8192, "none"), ON, 4730),
    ("DeepSeek-V3", DEEPSEEK_V3, "gb200", 256, "fp8", (1, 4, 64, 4, 1, 8192, "selective"), OFF, 4020),
    ("DeepSeek-V3", DEEPSEEK_V3, "gb200", 256, "bf16", (1, 8, 32, 4, 1, 4096, "selective"), OFF, 3298),
    ("DeepSeek-V3", DEEPSEEK_V3, "h100-sxm", 1024, "fp8", (2, 8, 64, 4, 1, 8192, "selective"), ON, 1412),
    ("Qwen3-235B", QWEN3_235B, "gb300", 256, "fp8", (1, 4, 64, 6, 2, 3072, "selective"), OFF, 6583),
    ("Qwen3-235B", QWEN3_235B, "gb200", 256, "fp8", (1, 4, 64, 6, None, 3072, "selective"), ON, 6212),
    ("Qwen3-235B", QWEN3_235B, "gb200", 256, "bf16", (1, 4, 32, 12, 1, 8192, "selective"), ON, 5100),
    ("Qwen3-235B", QWEN3_235B, "h100-sxm", 256, "bf16", (2, 8, 32, 4, 1, 2048, "selective"), ON, 2132),
]  # fmt: skip
"""(model, shape, accelerator, GPUs, precision, (TP, PP, EP, VPP, MBS, GBS, recompute), overlap, tokens/s/GPU).

Qwen3-235B on GB200 in fp8 ran MBS 3, which needs 190 GB in this model's memory
accounting (167 GB usable): its microbatch is left to the search."""


def software(overlap: float, imbalance: float | None = None, **records: list[dict[str, Any]]) -> Any:
    """The built-in catalog with the run's all-to-all overlap (and routing imbalance) set."""
    params = {"training_ep_overlap": overlap} | ({} if imbalance is None else {"training_expert_imbalance": imbalance})
    return catalog_with(params, **records)


def layout(t: int, p: int, e: int, v: int, m: int | None, recompute: str) -> dict[str, Any]:
    """A pinned parallel layout."""
    return {"tensor": t, "pipeline": p, "expert": e, "interleave": v, "microbatch": m, "recompute": recompute}


def deepseek_rows() -> list[Row]:
    """DeepSeek-V3 as run and with a planner's defaults, and DeepSeek-V2, on H800."""
    run = {"model": DEEPSEEK_V3, "accelerator": "h100-sxm", "precision": "fp8", "tokens": 14.8e12,
           "batch_tokens": 15360 * 4096}  # fmt: skip
    par = {"tensor": 1, "pipeline": 16, "expert": 64, "recompute": "selective"}
    v3 = workload(**run, parallelism=par)
    as_run = estimate_training(v3, software(FULL, accelerators=H800), 2048)
    planner = estimate_training(workload(**run), catalog_with(accelerators=H800), 2048)
    v2 = workload(model=DEEPSEEK_V2, accelerator="h100-sxm", tokens=1e12, batch_tokens=9216 * 4096,
                  parallelism={"tensor": 1, "pipeline": 16, "expert": 8, "recompute": "selective"})  # fmt: skip
    v2_hours = gpu_hours(v2, estimate_training(v2, software(0.5, 1.0, accelerators=H800), 1024), 1024, False)
    return [
        ("MoE DeepSeek-V3, 2048 H800, fp8 (as run)", "GPU-hours", 2.664e6, gpu_hours(v3, as_run, 2048, False)),
        ("MoE DeepSeek-V3, 2048 H800, fp8 (as run)", "step s", 19.93, as_run.step_time_s),
        ("planner DeepSeek-V3, 2048 H800 (default software)", "GPU-hours", 2.664e6, gpu_hours(v3, planner, 2048, False)),
        ("partial facts DeepSeek-V2, 1024 H800 (count and precision assumed)", "GPU-hours per 1T", 172.8e3, v2_hours),
    ]  # fmt: skip


def megatron_rows() -> list[Row]:
    """Megatron-Core v0.16 throughput (Table 11) with each run's layout, precision and overlap."""
    rows: list[Row] = []
    for name, shape, acc, n, precision, (t, p, e, v, m, gbs, recompute), overlap, published in MEGATRON:
        w = workload(model=shape, accelerator=acc, precision=precision, batch_tokens=gbs * 4096,
                     parallelism=layout(t, p, e, v, m, recompute))  # fmt: skip
        est = estimate_training(w, software(overlap, 1.0), n)
        label = f"MoE Megatron-Core {name}, {n} {acc.upper().replace('-SXM', '')}, {precision}"
        rows.append((label, "tokens/s/GPU", published, est.tokens_per_second / n))
    return rows


def olmoe_rows() -> list[Row]:
    """OLMoE-1B-7B against its dense twin on 128 H100 in the same codebase (the ratio the MoE costs)."""
    cat, rates = catalog_with(), []
    for shape in (OLMOE, OLMO_DENSE):
        model = {k: v for k, v in shape.items() if v is not None}
        w = workload(model=model, accelerator="h100-sxm", batch_tokens=1024 * 4096, parallelism={"pipeline": 1})
        rates.append(estimate_training(w, cat, 128).tokens_per_second / 128)
    return [
        ("MoE OLMoE-1B-7B / dense 1.3B twin, 128 H100", "throughput ratio", 23600 / 37500, rates[0] / rates[1]),
        ("framework OLMoE-1B-7B, 128 H100 (FSDP codebase)", "tokens/s/GPU", 23600, rates[0]),
    ]


def rows() -> list[Row]:
    """Every MoE row: DeepSeek, Megatron-Core, OLMoE."""
    return deepseek_rows() + megatron_rows() + olmoe_rows()


def main() -> None:
    for case, metric, published, predicted in rows():
        print(f"{case:<58} {metric:<18} {published:>12,.4g} {predicted:>12,.4g} {predicted / published - 1:>+8.1%}")


if __name__ == "__main__":
    main()
