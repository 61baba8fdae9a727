"""The printable survey sheet: one card per venue with its QR code and short instructions.

Planners print it (or save it as PDF from the browser's print dialog) and hand each station its
card; the staff scan the QR code with a phone camera and land on their venue's survey page.
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import segno

from geo.schema import KINDS, label

INSTRUCTIONS = (
    "1. 在阵地现场用手机扫描二维码；2. 点击“使用当前位置”并允许定位；"
    "3. 确认地图上的标记（可拖动）；4. 点击“提交”。本链接仅用于本阵地，请勿转发。"
)


def sheet_html(links: Iterable, township_names: dict[str, str], *, title: str, date: str) -> str:
    """Return the sheet as one self-contained HTML page (QR codes inline as SVG, no requests).

    Parameters
    ----------
    links
        ``SurveyLink`` values (id, name, kind, township_code, url).
    township_names
        Township code → name, for the card's second line.
    title, date
        The sheet's heading and the date the links were issued.
    """
    cards = "\n".join(_card(link, township_names) for link in links)
    return _SHEET.format(title=html.escape(title), date=html.escape(date), cards=cards)


def _card(link: object, township_names: dict[str, str]) -> str:
    qr = segno.make(link.url, error="m").svg_inline(scale=3, border=2)
    township = township_names.get(link.township_code or "", "")
    return (
        '<section class="card">'
        f"<h2>{html.escape(link.name)}</h2>"
        f'<p class="meta">{html.escape(label(KINDS, link.kind))} · {html.escape(township)}'
        f" · 编号 {html.escape(link.id)}</p>"
        f'<div class="qr">{qr}</div>'
        f'<p class="how">{INSTRUCTIONS}</p>'
        "</section>"
    )


_SHEET = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font: 14px/1.45 "Noto Sans CJK SC", "Microsoft YaHei", sans-serif; margin: 12mm; }}
h1 {{ font-size: 18px; margin: 0 0 4mm; }}
.grid {{ display: grid; grid-template-columns: 1fr 1fr; gap: 6mm; }}
.card {{ border: 1px dashed #888; padding: 4mm; break-inside: avoid; page-break-inside: avoid; }}
.card h2 {{ font-size: 15px; margin: 0 0 1mm; }}
.meta {{ margin: 0 0 2mm; color: #444; }}
.qr svg {{ width: 42mm; height: 42mm; }}
.how {{ font-size: 12px; margin: 2mm 0 0; }}
@page {{ size: A4; margin: 10mm; }}
</style></head><body>
<h1>{title}（{date}）</h1>
<div class="grid">
{cards}
</div></body></html>
"""
