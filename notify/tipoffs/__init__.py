"""Citizen tip-offs (举报, plan §7.3): submission, handling, deadlines, rewards, clarifications.

The web layers (notify/public/tipoffs.py, admin/views/tipoffs.py) call these modules; every
change of a ticket's state goes through notify.tipoffs.guard.perform.
"""
