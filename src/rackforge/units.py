"""Unit conversions. Names carry units; values are exact definitions, not catalog facts."""

SECONDS_PER_DAY = 86_400.0
HOURS_PER_DAY = 24.0
DAYS_PER_WEEK = 7
TERA = 1e12
W_PER_KW = 1_000.0
KW_PER_MW = 1_000.0


def tflops_to_flops(tflops: float) -> float:
    """TFLOP/s -> FLOP/s."""
    return tflops * TERA
