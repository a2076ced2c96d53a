"""LED screens: what each screen should show, as a versioned feed its vendor gateway polls.

- gbk.py: text made GBK-safe (vendor controllers draw from GBK fonts);
- wrap.py: pre-wrapping into lines and pages for a screen's profile;
- colours.py: the level's colour and the fallback a one- or two-colour board can show;
- content.py: the texts of one warning on a screen, from the frozen snapshot only;
- feed.py: a screen's feed (JSON and GBK text), its version and ETag;
- publish.py: the set-based version bump and deliveries written when a revision is published;
- reports.py: heartbeats and "displayed version N" from the gateways;
- status.py: offline alarms and the console's view of the screens;
- tokens.py: per-screen gateway tokens;
- views.py: the HTTP endpoints gateways use.
"""
