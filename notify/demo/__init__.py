"""Loading jurisdictions from data files, and the Yu County demo."""
