"""Catalog stage: the built-in parts and systems data, plus scenario extensions.

Every number is data with a ``source`` (see ``catalog/data/*.yaml``); nothing in
code holds a catalog fact.
"""

from rackforge.catalog.catalog import Catalog
from rackforge.catalog.load import load_catalog
from rackforge.catalog.models import Accelerator, BomLine, Item, Parameter, Switch, System
from rackforge.catalog.structure import BomMatrix

__all__ = ["Accelerator", "BomLine", "BomMatrix", "Catalog", "Item", "Parameter", "Switch", "System", "load_catalog"]
