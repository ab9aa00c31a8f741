"""Texts a citizen or officer reads: the gettext catalogue, Persian formatting, renderers."""
