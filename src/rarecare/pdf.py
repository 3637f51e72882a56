"""What the PDF documents share (the quarterly report, the patient summary): an A4 page with
DejaVu Sans embedded (Vietnamese diacritics), a footer line with the page number, and tables."""

from __future__ import annotations

from importlib import resources
from typing import Literal

from fpdf import FPDF

FONT = "DejaVu"


class Document(FPDF):
    """An A4 document with the embedded fonts and ``footer_text`` · page / pages at the bottom."""

    def __init__(
        self,
        title: str,
        footer_text: str = "RareCare",
        orientation: Literal["portrait", "landscape"] = "portrait",
    ) -> None:
        super().__init__(orientation=orientation, format="A4")
        self.footer_text = footer_text
        fonts = resources.files("rarecare") / "data" / "fonts"
        self.add_font(FONT, "", str(fonts / "DejaVuSans.ttf"))
        self.add_font(FONT, "B", str(fonts / "DejaVuSans-Bold.ttf"))
        self.set_title(title)
        self.set_creator("RareCare")
        self.set_auto_page_break(auto=True, margin=15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FONT, size=8)
        self.set_text_color(110)
        self.cell(0, 8, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")

    def grid(
        self,
        header: list[str],
        rows: list[list[str]],
        widths: tuple[int, ...],
        empty: str = "–",
        line_height: float = 5,
    ) -> None:
        """A table with a header row; ``empty`` in its place when there are no rows."""
        if not rows:
            self.multi_cell(0, line_height, empty, new_x="LMARGIN", new_y="NEXT")
            return
        with self.table(col_widths=widths, text_align="LEFT", line_height=line_height) as grid:
            top = grid.row()
            for cell in header:
                top.cell(cell)
            for values in rows:
                line = grid.row()
                for value in values:
                    line.cell(value)
