"""What a browser sees when someone opens a printed code's URL outside the app."""

from __future__ import annotations

import html

from litestar import MediaType, get

PAGE = """<!doctype html><html lang="zh-CN"><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>双防 · 风险点二维码</title><body style="font-family:sans-serif;margin:2em">
<h1>请使用“双防”App扫描此二维码</h1>
<p>此二维码用于企业安全风险分级管控与隐患排查治理。请在“双防”App中登录后扫码查看风险点信息、记录巡查。</p>
<p>Open this code with the Shuangfang app to see the risk point and record an inspection.</p>
<p style="color:#888;font-size:small">{token}</p></body></html>"""


@get(["/Q/{token:str}", "/q/{token:str}"], media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
def code_landing(token: str) -> str:
    """A plain page: the app resolves the token; the page reveals nothing about what it names."""
    return PAGE.format(token=html.escape(token[:80]))
