"""Power-usage monitoring of production and pollution-control equipment (DESIGN.md §5)."""
