"""Directory index pages as real servers write them (Python's http.server shows no sizes), for tests."""

from __future__ import annotations

import html


def apache_size(size: int) -> str:
    """How Apache's mod_autoindex prints a size (apr_strfsize in APR's apr_strings.c)."""
    if size < 973:
        return str(size)
    units = "KMGTPE"
    unit = 0
    while True:
        remain = size & 1023
        size >>= 10
        if size >= 973:
            unit += 1
            continue
        if size < 9 or (size == 9 and remain < 973):
            remain = (remain * 5 + 256) // 512
            if remain >= 10:
                size, remain = size + 1, 0
            return f"{size}.{remain}{units[unit]}"
        if remain >= 512:
            size += 1
        return f"{size}{units[unit]}"


def nginx_size(size: int) -> str:
    """nginx's ``autoindex_exact_size off``: whole units of 1024, rounded to nearest."""
    for power, unit in ((3, "G"), (2, "M"), (1, "K")):
        if size >= 1024**power:
            whole, rest = divmod(size, 1024**power)
            return f"{whole + (rest >= 1024**power // 2)}{unit}"
    return str(size)


def apache_table(title: str, entries: dict[str, str]) -> str:
    """mod_autoindex with ``FancyIndexing HTMLTable`` (CAIDA, RouteViews): name -> size as shown."""
    rows = "".join(
        f'<tr><td valign="top"><img src="/icons/compressed.gif" alt="[   ]"></td><td><a href="{html.escape(name)}">'
        f'{html.escape(name)}</a></td><td align="right">2022-03-15 10:12  </td><td align="right">{shown:>4}</td>'
        "<td>&nbsp;</td></tr>\n"
        for name, shown in entries.items()
    )
    return (f"<html><head><title>Index of {title}</title></head><body><h1>Index of {title}</h1><table>\n"
            '<tr><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th>'
            '<th><a href="?C=S;O=A">Size</a></th></tr>\n'
            '<tr><td valign="top"><img src="/icons/back.gif" alt="[PARENTDIR]"></td><td><a href="../">'
            'Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>\n'
            f"{rows}</table></body></html>\n")


def apache_pre(title: str, entries: dict[str, str]) -> str:
    """mod_autoindex with plain ``FancyIndexing`` (a ``<pre>`` block; RIPE RIS)."""
    lines = "".join(
        f'<img src="/icons/compressed.gif" alt="[   ]"> <a href="{html.escape(name)}">{html.escape(name)}</a>'
        f"{'':>8}2022-05-01 00:05  {shown:>4}\n"
        for name, shown in entries.items()
    )
    return (f"<html><head><title>Index of {title}</title></head><body><h1>Index of {title}</h1>"
            '<pre><img src="/icons/blank.gif" alt="Icon "> <a href="?C=N;O=D">Name</a>    '
            '<a href="?C=M;O=A">Last modified</a>      <a href="?C=S;O=A">Size</a><hr>'
            f'<img src="/icons/back.gif" alt="[PARENTDIR]"> <a href="../">Parent Directory</a>      -\n{lines}<hr></pre>'
            "</body></html>\n")


def nginx_index(title: str, entries: dict[str, str]) -> str:
    """nginx ``autoindex`` (exact bytes by default)."""
    lines = "".join(f'<a href="{html.escape(name)}">{html.escape(name)}</a>{"":>20}15-Mar-2022 10:12{shown:>20}\n'
                    for name, shown in entries.items())
    return (f"<html><head><title>Index of {title}</title></head><body><h1>Index of {title}</h1><hr><pre>"
            f'<a href="../">../</a>\n{lines}</pre><hr></body></html>\n')


def plain_index(title: str, entries: dict[str, str]) -> str:
    """Python's http.server: names only, no sizes."""
    items = "".join(f'<li><a href="{html.escape(name)}">{html.escape(name)}</a></li>\n' for name in entries)
    return f"<html><body><h1>Directory listing for {title}</h1><hr><ul>\n{items}</ul><hr></body></html>\n"
