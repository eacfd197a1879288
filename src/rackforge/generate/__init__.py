"""Synthetic supply-planning scenarios of any size, drawn from a seed, for tests and scaling benchmarks.

Two or three rack-scale systems on the built-in ``gb200`` accelerator, each a module per family holding shared
sub-assemblies of about six bought leaf parts (:mod:`.parts`; leaves take 2-40 weeks to buy, at most
``0.6·T - 16`` on a horizon of ``T`` weeks). Factories specialize: each runs lines of some families, about 30 %
of factories build each family. Around them, one of two networks:

* the **programme** structure (the default, :mod:`.programme`): each assembly qualified at one or two of its
  family's factories, specialized suppliers with lanes to the factories that use their parts, a second source
  in another country for 30 % of the parts, and weekly or fortnightly deployment ramps from the earliest
  feasible week to the horizon's end;
* the **simple** structure (``simple=True``, ``rackforge generate --simple``, :mod:`.simple`): the first
  generator, byte for byte — every factory of a family qualified for all of it, blanket lanes, 1-3 offers per
  part, two or three late waves per site.

In both, each line runs at 1.1-1.8 times the rate the most pressing wave asks of it, so lines run full in busy
weeks while an on-time plan usually exists. The sites' fabric and facility equipment come from the built-in
catalog with their real lead times (switches 26 weeks, MV transformers 120); what no week-1 order could deliver
by its wave is declared the developer's stock (``on_hand``), so an on-time plan exists when lines and suppliers
keep pace.
"""

from rackforge.generate.document import generate, write_scenario

__all__ = ["generate", "write_scenario"]
