"""Enterprises and their emission-reduction duties (seed 000 §5.3 ①, §5.6, 附件11; seed 001 §五–§六)."""
