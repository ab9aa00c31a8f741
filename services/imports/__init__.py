"""The office's file imports: bank reports and exhibitions, read, checked and applied whole.

Shared by every door: the ``homebiz`` commands (``office/``) and the web desk's upload page.
"""
