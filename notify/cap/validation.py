"""Reading CAP documents safely and validating them against the OASIS CAP 1.2 schema.

schema/CAP-v1.2.xsd is the OASIS schema text (CAP 1.2, OASIS Standard, 1 July 2010); it is
vendored because validation must not fetch anything. Uploaded XML is untrusted: the parser
resolves no entities, loads no DTD, touches no network and refuses documents that declare a DTD
at all (a CAP document never needs one), so XXE and entity-expansion bombs are inert.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from lxml import etree

SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "CAP-v1.2.xsd"


class CapError(ValueError):
    """Base of the reasons a CAP file is refused; str() is a message for the uploader."""


class NotXml(CapError):
    pass


class UnsafeXml(CapError):
    pass


@dataclass
class SchemaInvalid(CapError):
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return "; ".join(self.errors)


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        load_dtd=False,
        no_network=True,
        dtd_validation=False,
        huge_tree=False,
        remove_pis=True,
    )


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA_PATH), parser=_parser()))


_DECLARATIONS = [
    m.encode(enc)
    for m in ("<!DOCTYPE", "<!ENTITY", "<!doctype")
    for enc in ("ascii", "utf-16-le", "utf-16-be")
]


def parse(data: bytes) -> etree._Element:
    """The root element of untrusted XML bytes, or NotXml / UnsafeXml."""
    if not data or not data.strip():
        raise NotXml("empty")
    # Refused before parsing, so that not even libxml2's own entity limits are put to the test.
    if any(marker in data for marker in _DECLARATIONS):
        raise UnsafeXml("DOCTYPE")
    try:
        tree = etree.fromstring(data, parser=_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise NotXml(str(exc)) from None
    except ValueError as exc:  # e.g. text with an encoding declaration lxml cannot honour
        raise NotXml(str(exc)) from None
    docinfo = tree.docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise UnsafeXml("DOCTYPE")
    for element in tree.iter():
        if isinstance(element, etree._Entity):
            raise UnsafeXml("ENTITY")
    return tree.getroot()


def errors_of(root: etree._Element) -> list[str]:
    """Schema errors of a parsed document, as `line N: message`; empty when it is valid CAP 1.2."""
    validator = schema()
    if validator.validate(root):
        return []
    return [f"line {e.line}: {e.message}" for e in validator.error_log]


def validate(data: bytes) -> etree._Element:
    """Parse and validate; the root of a valid CAP 1.2 document, else a CapError."""
    root = parse(data)
    errors = errors_of(root)
    if errors:
        raise SchemaInvalid(errors)
    return root
