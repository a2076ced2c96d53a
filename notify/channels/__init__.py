"""Channels: one module per channel or gateway, each rendering only from a revision's snapshot."""
