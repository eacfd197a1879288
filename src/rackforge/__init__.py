"""rackforge: from AI compute demand to a buildable, US-manufactured hardware programme."""

__version__ = "0.1.0"
