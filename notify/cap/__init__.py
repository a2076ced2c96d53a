"""CAP 1.2 (OASIS Common Alerting Protocol): the document of each published revision, the
identifiers they go out under, validation against the OASIS schema, the Atom feeds that list them
for alert aggregators, and importing CAP files as drafts.
"""

NS = "urn:oasis:names:tc:emergency:cap:1.2"
MIMETYPE = "application/cap+xml"
