"""Local stand-ins of the outside services the platform talks to (see README.md).

Nothing in the product (`notify/`) imports this package: the demo and the tests point the product
at these stand-ins through configuration (a URL, a key), exactly as production points it at the
real services.
"""
