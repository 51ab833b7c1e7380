"""Figure layout for sovcap's figures: writing PNGs, texts wrapped to the width they are
drawn at, figure legends that fit, and the room tight_layout leaves for figure-level texts.
Part of analysis/sovcap_plots.py."""

import math
import textwrap

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402  (after choosing the headless backend)
from matplotlib.ticker import FuncFormatter  # noqa: E402


def _save(fig, path, dpi, palette=False):
    """Writes the figure as PNG; palette: as an 8-bit palette PNG of at most 128 colours,
    about a third of the size and alike to the eye (for documents; needs Pillow)."""
    if palette:
        import io
        from PIL import Image

        buf = io.BytesIO()
        fig.savefig(buf, dpi=dpi, format="png")
        buf.seek(0)
        img = Image.open(buf).convert("RGB")
        img.quantize(colors=128, method=Image.Quantize.MEDIANCUT,
                     dither=Image.Dither.NONE).save(path, optimize=True)
    else:
        fig.savefig(path, dpi=dpi)
    plt.close(fig)


def _mw_formatter():
    return FuncFormatter(lambda v, _: f"{v:,.0f}")


def _wrap(text, width_px):
    """Re-wraps a Text artist at word boundaries until it is at most width_px wide, as
    measured (matplotlib's own wrap is measured neither by tight_layout nor by us). The
    text as first given is kept as the artist's label, so that it can be re-wrapped wider
    or narrower later."""
    if not text.get_label() or text.get_label().startswith("_"):
        text.set_label(text.get_text())
    paragraphs = text.get_label().split("\n")
    text.set_text(text.get_label())
    renderer = text.figure.canvas.get_renderer()
    chars = max(len(p) for p in paragraphs)
    while text.get_window_extent(renderer).width > width_px and chars > 12:
        chars = int(chars * 0.92)
        text.set_text("\n".join(textwrap.fill(p, chars, break_on_hyphens=False)
                                 for p in paragraphs))
    return text


def _fig_width_px(fig, margin=0.02):
    return fig.bbox.width * (1 - 2 * margin)


def _fig_text(fig, y, text, va, **kwargs):
    """A figure-level text (title, footnote) from the left edge, wrapped to the figure."""
    return _wrap(fig.text(0.01, y, text, ha="left", va=va, **kwargs), _fig_width_px(fig))


def _title(fig, text):
    return _fig_text(fig, 1 - 0.08 / fig.get_figheight(), text, "top", fontsize=11)


def _footnote(fig, text, y=0.005):
    return _fig_text(fig, y, text, "bottom", fontsize=7, color="#555555")


def _panel_title(ax, text, fontsize=8.5):
    """A panel's title from its left edge; _fit wraps it to the panel's width."""
    return ax.set_title(text, fontsize=fontsize, loc="left")


def _legend(fig, handles, ncol, **kwargs):
    """A figure legend of at most ncol columns, fewer where it would not fit the figure."""
    renderer = fig.canvas.get_renderer()
    while True:
        leg = fig.legend(handles=handles, ncol=ncol, frameon=False, fontsize=8, **kwargs)
        if ncol == 1 or leg.get_window_extent(renderer).width <= _fig_width_px(fig):
            return leg
        leg.remove()
        ncol -= 1


def _fit(fig, top=(), bottom=(), titles=(), pad_in=0.06):
    """tight_layout inside the room left by figure-level artists above and below the axes
    (titles, figure legends, footnotes: fig.text, which tight_layout ignores), measured
    after a draw; panel titles are wrapped to their panel's width, and the layout redone
    while that changes them."""
    def layout():
        renderer = fig.canvas.get_renderer()
        h = fig.bbox.height
        lo, hi = 0.0, 1.0
        for a in bottom:
            lo = max(lo, a.get_window_extent(renderer).y1 / h)
        for a in top:
            hi = min(hi, a.get_window_extent(renderer).y0 / h)
        pad = pad_in / fig.get_figheight()
        fig.tight_layout(rect=(0, lo + pad, 1, hi - pad))
    layout()
    for _ in range(3):
        before = [t.get_text() for t in titles]
        for t in titles:
            _wrap(t, t.axes.get_window_extent().width)
        if [t.get_text() for t in titles] == before:
            break
        layout()


def _below(fig, leg, foot):
    """Puts a figure legend just above the footnote."""
    renderer = fig.canvas.get_renderer()
    leg.set_bbox_to_anchor((0.01, foot.get_window_extent(renderer).y1 / fig.bbox.height))


def _grid(n, panel_w, panel_h, extra_h, single=(8.4, 4.4)):
    """Figure and axes for n panels sharing both axes (n == 1: one larger panel)."""
    ncols = 1 if n == 1 else 2 if n <= 4 else 3
    nrows = int(math.ceil(n / ncols))
    size = (single[0], single[1] + extra_h) if n == 1 else (
        panel_w * ncols + 0.6, panel_h * nrows + extra_h)
    fig, axes = plt.subplots(nrows, ncols, figsize=size, sharex=True, sharey=True,
                             squeeze=False)
    for i in range(n, nrows * ncols):
        axes.flat[i].set_visible(False)
    for i in range(n):
        if i + ncols >= n:  # the lowest panel of its column: x ticks and label
            axes.flat[i].tick_params(labelbottom=True)
    return fig, axes.flat[:n], ncols
