"""Demo PDF reports: a one-page 治理效果评估报告 drawn with the CJK font, deterministic for the same inputs."""

from __future__ import annotations

import io
from datetime import datetime

from PIL import Image, ImageDraw

from domain.inspections.model import LOCAL_TIME
from domain.printing.fonts import cjk_font

_PAGE = (827, 1169)  # A4 at 100 dpi: small, and legible on a phone
_LINE_CHARS = 20  # 24 px characters between the value column and the right margin


def evaluation_report_pdf(*, enterprise: str, hazard: str, evaluator: str, conclusion: str, when: datetime) -> bytes:
    """The evaluation report of a governed major hazard, as a one-page PDF (a scanned report, as most are)."""
    page = Image.new("L", _PAGE, 255)
    draw = ImageDraw.Draw(page)
    draw.text((_PAGE[0] // 2, 110), "重大事故隐患治理效果评估报告", fill=0, font=cjk_font(40), anchor="mm")
    local = when.astimezone(LOCAL_TIME)
    lines = [
        ("委托单位", enterprise),
        ("隐患名称", hazard),
        ("评估单位", evaluator),
        ("评估日期", f"{local:%Y年%m月%d日}"),
        ("评估依据", "《安全生产事故隐患排查治理暂行规定》第二十三条、治理方案及相关标准规范"),
        ("评估内容", "治理方案落实情况、现场复核、设施功能测试"),
        ("评估结论", conclusion),
    ]
    y = 220
    for label, value in lines:
        draw.text((90, y), f"{label}：", fill=0, font=cjk_font(26))
        # long values wrap (CJK text has no spaces to break at: a fixed number of characters a line)
        for start in range(0, max(len(value), 1), _LINE_CHARS):
            draw.text((230, y + 4), value[start : start + _LINE_CHARS], fill=0, font=cjk_font(24))
            y += 40
        y += 24
    draw.line((90, y + 20, _PAGE[0] - 90, y + 20), fill=0, width=2)
    draw.text((_PAGE[0] - 90, y + 80), f"{evaluator}（盖章）", fill=0, font=cjk_font(24), anchor="ra")
    draw.text((90, _PAGE[1] - 80), "演示数据 · 双防平台种子生成", fill=128, font=cjk_font(18))
    buffer = io.BytesIO()
    stamp = local.timetuple()  # fixed dates: the same report is the same bytes, so seeding again adds nothing
    page.save(
        buffer,
        "PDF",
        resolution=100,
        title="治理效果评估报告",
        producer="shuangfang seed",
        creationDate=stamp,
        modDate=stamp,
    )
    return buffer.getvalue()
