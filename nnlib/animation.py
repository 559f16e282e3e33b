r"""Animated optimizer paths for the chapters: presentation only, no mathematics.

:func:`animate_paths` turns the points visited by several optimizers (the arrays that
:func:`nnlib.functions.descend` returns) into a small offline animation over the contour
lines of the objective, :func:`draw_paths` draws the same picture as a still figure, and
:func:`show_compact` shows any figure as a light palette PNG. The animation is displayed as
a MIME bundle: ``text/html`` (matplotlib's ``to_jshtml``, every frame a lossless WebP inside
the page, no network) for the website and ``image/png`` (the final frame) for a PDF or any
viewer without JavaScript. The frames are drawn at twice the resolution the page shows them
at, so that a phone's screen (two or three device pixels per CSS pixel) shows them sharp;
lossless WebP keeps such frames about as light as PNG frames of half the resolution. Used by
:ref:`chap-adaptive`.
"""

import base64
import io
import re

import matplotlib.pyplot as plt
import numpy as np
from matplotlib import animation, rc_context
from matplotlib.text import Text
from PIL import Image

# The player's buttons, as text: matplotlib's template asks a font-awesome style sheet
# from the network for its icons; the course's pages must work offline.
_BUTTON_TEXT = {
    "fa fa-minus": "&minus;",
    "fa fa-fast-backward": "|&#9664;&#9664;",
    "fa fa-step-backward": "|&#9664;",
    "fa fa-play fa-flip-horizontal": "&#9664;",
    "fa fa-pause": "||",
    "fa fa-play": "&#9654;",
    "fa fa-step-forward": "&#9654;|",
    "fa fa-fast-forward": "&#9654;&#9654;|",
    "fa fa-plus": "+",
}


def draw_paths(ax, objective, paths, xlim, ylim, upto=None, levels=14, colors=None):
    """Draw contour lines of ``objective`` and the optimizers' paths on ``ax``.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    objective : nnlib.functions.Objective
        A two-dimensional objective (``objective.dim == 2``).
    paths : dict
        ``{label: points}``, each ``points`` an array of shape ``(n, 2)``.
    xlim, ylim : (float, float)
        The window.
    upto : int, optional
        Draw only the first ``upto + 1`` points of each path (all by default).
    levels : int, default 14
        Number of contour lines, spaced geometrically between the window's lowest and
        highest value.
    colors : sequence of str, optional
        One color per path; matplotlib's cycle by default.

    Returns
    -------
    dict
        ``{label: (line, marker)}``, the artists of each path (for an animation).
    """
    if getattr(objective, "dim", None) != 2:
        raise ValueError(f"objective must be two-dimensional, got dim={getattr(objective, 'dim', None)!r}")
    if not isinstance(paths, dict) or not paths:
        raise TypeError(f"paths must be a non-empty dict {{label: points}}, got {type(paths).__name__}")
    g1, g2 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
    values = objective(np.stack([g1, g2], axis=-1))
    low = max(values.min(), 1e-3 * values.max())
    ax.contour(g1, g2, values, levels=np.geomspace(low, values.max(), levels), colors="0.8",
               linewidths=0.6)
    ax.plot(*objective.minimizer, "k*", markersize=10, zorder=5)
    colors = colors or [f"C{k}" for k in range(len(paths))]
    artists = {}
    for (label, points), color in zip(paths.items(), colors, strict=False):
        points = np.asarray(points, dtype=float)
        if points.ndim != 2 or points.shape[1] != 2:
            raise ValueError(f"paths[{label!r}] must have shape (n, 2), got {points.shape}")
        shown = points if upto is None else points[: upto + 1]
        (line,) = ax.plot(shown[:, 0], shown[:, 1], "-", color=color, linewidth=1.2, label=label)
        (marker,) = ax.plot(shown[-1:, 0], shown[-1:, 1], "o", color=color, markersize=5)
        artists[label] = (line, marker)
    ax.set(xlim=xlim, ylim=ylim, xlabel=r"$\theta_1$", ylabel=r"$\theta_2$")
    return artists


class PathAnimation:
    """An animation of optimizer paths that displays as HTML with a PNG fallback.

    Made by :func:`animate_paths`. ``html`` is the page fragment (player and frames),
    ``png`` the final frame as PNG bytes; a notebook shows the object through
    ``_repr_mimebundle_``.
    """

    def __init__(self, html, png, description):
        self.html, self.png, self.description = html, png, description

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {
            "text/html": self.html,
            "image/png": base64.b64encode(self.png).decode("ascii"),
            "text/plain": f"<animation: {self.description}>",
        }

    @property
    def size_kb(self):
        """Size of the HTML fragment in kilobytes (1 kB = 1000 bytes), which is what a page carries."""
        return len(self.html.encode("utf-8")) / 1000


def show_compact(fig):
    """Display ``fig`` in a notebook as an 8-bit palette PNG, then close it.

    Anti-aliased line plots have thousands of colours; reduced to 256 (median cut, no
    dithering) they look the same and the PNG is about a third as large, which keeps a
    page with many figures light. Use it instead of ``plt.show()``.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    """
    from IPython.display import Image as IPythonImage
    from IPython.display import display

    if not hasattr(fig, "savefig"):
        raise TypeError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", bbox_inches="tight")  # as the inline backend does
    plt.close(fig)
    display(IPythonImage(data=_small_png(buffer.getvalue()), format="png"))


def _frame_ends(n_points, n_frames):
    """Last point shown in each frame: quadratic spacing, so the fast early steps get frames."""
    fractions = np.linspace(0, 1, n_frames) ** 2
    return np.unique(np.round(fractions * (n_points - 1)).astype(int))


def animate_paths(objective, paths, xlim, ylim, *, title="", name="paths", alt="", n_frames=30,
                  figsize=(6.0, 4.0), dpi=72, density=2, fps=6, levels=8, embed_limit_mb=1.0,
                  legend_loc="upper right"):
    """Animate optimizer paths over the contour lines of a 2-D objective.

    Parameters
    ----------
    objective : nnlib.functions.Objective
        A two-dimensional objective.
    paths : dict
        ``{label: points}``, e.g. the outputs of :func:`nnlib.functions.descend`.
    xlim, ylim : (float, float)
        The window.
    title : str, default ""
        Axes title; the current step is appended.
    name : str, default "paths"
        Letters, digits and ``_`` only: the player's HTML ids are built from it, so that
        the output is the same on every run (matplotlib would draw a random id).
    alt : str, default ""
        Alternative text of the animated image, for screen readers.
    n_frames : int, default 30
        At most this many frames (fewer if the paths are shorter).
    figsize : (float, float), default (6.0, 4.0)
        Inches; with ``dpi`` it decides the size the page shows the animation at.
    dpi : int, default 72
        CSS pixels per inch: the page shows a frame ``figsize[0] * dpi`` CSS pixels wide
        (less on a narrower screen).
    density : int, default 2
        Image pixels per CSS pixel: every frame is drawn at ``dpi * density`` pixels per
        inch, so that a screen with ``density`` device pixels per CSS pixel (a phone: 2 or 3)
        shows it sharp.
    fps : int, default 6
        Frames per second when playing.
    levels : int, default 8
        Contour lines.
    embed_limit_mb : float, default 1.0
        Budget of the embedded frames in MB. matplotlib's ``animation.embed_limit`` is set
        to four times it for the frames as drawn (they shrink about fourfold when they are
        made palette PNGs); frames beyond it are dropped with a warning.
    legend_loc : str, default "upper right"
        Where the legend goes (matplotlib's ``loc``): choose a corner the paths avoid.

    Returns
    -------
    PathAnimation
    """
    if not isinstance(name, str) or not re.fullmatch(r"\w+", name):
        raise ValueError(f"name must be letters, digits and _ only, got {name!r}")
    if isinstance(n_frames, bool) or not isinstance(n_frames, int) or n_frames < 2:
        raise ValueError(f"n_frames must be an integer >= 2, got {n_frames!r}")
    if isinstance(density, bool) or not isinstance(density, int) or density < 1:
        raise ValueError(f"density must be an integer >= 1, got {density!r}")
    pixels_per_inch = dpi * density
    longest = max(len(points) for points in paths.values())
    ends = _frame_ends(longest, n_frames)
    # Without anti-aliasing a frame has few distinct colours, so it fits a small palette
    # PNG (see _small_png): about 8 kB instead of 40 kB at 432 x 288 pixels.
    with rc_context({"animation.embed_limit": 4 * embed_limit_mb, "figure.dpi": pixels_per_inch,
                     "savefig.dpi": pixels_per_inch, "lines.antialiased": False, "patch.antialiased": False,
                     "text.antialiased": False}):
        fig, ax = plt.subplots(figsize=figsize)
        artists = draw_paths(ax, objective, paths, xlim, ylim, upto=0, levels=levels)
        ax.legend(loc=legend_loc, fontsize=9)
        ax.set_title(f"{title}, step 0" if title else "step 0")  # tight_layout leaves room for it
        fig.tight_layout()

        def show(frame):
            end = ends[frame]
            for label, (line, marker) in artists.items():
                points = np.asarray(paths[label], dtype=float)[: end + 1]
                line.set_data(points[:, 0], points[:, 1])
                marker.set_data(points[-1:, 0], points[-1:, 1])
            ax.set_title(f"{title}, step {end}" if title else f"step {end}")
            return [artist for pair in artists.values() for artist in pair]

        # The contours, axes and legend are the same in every frame: draw them once as the
        # player's background picture, and let each frame hold only the paths and the title
        # on a transparent canvas (a frame then takes about 1 kB instead of 6 kB).
        path_artists = {artist for pair in artists.values() for artist in pair}

        def in_frames(child):  # the paths, the titles (texts) and the minimum's star
            return (child in path_artists or isinstance(child, Text)
                    or getattr(child, "get_marker", lambda: None)() == "*")

        fixed = [child for child in ax.get_children() if not in_frames(child)] + [fig.patch]
        title_artist = ax.title
        title_artist.set_visible(False)
        for artist in path_artists:
            artist.set_visible(False)
        background = _savefig_png(fig, pixels_per_inch)
        title_artist.set_visible(True)
        for artist in path_artists:
            artist.set_visible(True)
        for artist in fixed:
            artist.set_visible(False)
        movie = animation.FuncAnimation(fig, show, frames=len(ends), interval=1000 / fps, blit=False)
        html = movie.to_jshtml(default_mode="once")
        for artist in fixed:
            artist.set_visible(True)
        show(len(ends) - 1)
        final = _savefig_png(fig, pixels_per_inch)
        plt.close(fig)
    html = _tidy_controls(_offline(_webp_frames(html), name, alt))
    width, height = (round(inches * dpi) for inches in figsize)  # CSS pixels
    background_url = f"data:image/webp;base64,{base64.b64encode(_webp(background)).decode('ascii')}"
    html = html.replace(f'<img id="_anim_img{name}"',
                        f'<img id="_anim_img{name}" width="{width}" height="{height}" '
                        f'style="background: no-repeat top left / 100% 100% url({background_url})"')
    return PathAnimation(html, final, f"{name}, {len(ends)} frames")


def _savefig_png(fig, dpi):
    """The figure as a palette PNG (transparent where nothing is drawn)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return _small_png(buffer.getvalue())


def _small_png(png):
    """The same picture as an 8-bit palette PNG: exact when it has at most 256 colours.

    A picture with transparent pixels (an animation frame) keeps them transparent.
    """
    image = Image.open(io.BytesIO(png))
    if image.mode == "RGBA" and image.getextrema()[3][0] < 255:
        small = image.quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
        out = io.BytesIO()
        small.save(out, format="png", optimize=True)
        return out.getvalue()
    image = image.convert("RGB")
    colors = image.getcolors(256)
    if colors is not None:
        palette = Image.new("P", (1, 1))
        palette.putpalette([channel for _count, rgb in colors for channel in rgb])
        small = image.quantize(palette=palette, dither=Image.Dither.NONE)
    else:
        small = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    out = io.BytesIO()
    small.save(out, format="png", optimize=True)
    return out.getvalue()


def _webp(png):
    """The picture of a PNG as a lossless WebP (of its :func:`_small_png`), transparency kept.

    At 864 x 576 pixels an animation frame takes about 4 kB as WebP and 6 kB as palette PNG.
    """
    out = io.BytesIO()
    Image.open(io.BytesIO(_small_png(png))).save(out, format="webp", lossless=True, quality=100,
                                                 method=4)
    return out.getvalue()


def _webp_frames(html):
    """Replace every base64 PNG frame that ``to_jshtml`` embedded by its :func:`_webp`."""

    def convert(match):
        png = base64.b64decode(match.group(2).replace("\\\n", ""))
        data = base64.b64encode(_webp(png)).decode("ascii")
        return f'frames[{match.group(1)}] = "data:image/webp;base64,{data}"'

    return re.sub(r'frames\[(\d+)\] = "data:image/png;base64,([^"]*)"', convert, html)


def _offline(html, name, alt):
    """Fixed ids, no network request, text buttons and alt text in matplotlib's player."""
    html = re.sub(r'<link rel="stylesheet"\s+href="https?://[^"]*">', "", html)
    ids = set(re.findall(r"_anim_img([0-9a-f]{32})", html))
    if len(ids) != 1:
        raise RuntimeError("unexpected matplotlib player: could not find its animation id")
    html = html.replace(ids.pop(), name)
    for icon, text in _BUTTON_TEXT.items():
        html = html.replace(f'<i class="{icon}"></i>', f'<span aria-hidden="true">{text}</span>')
    alt = alt.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return html.replace(f'<img id="_anim_img{name}">', f'<img id="_anim_img{name}" alt="{alt}">')


def _tidy_controls(html):
    """Move the player's two speed buttons next to its repetition mode.

    matplotlib's player puts nine buttons in a row, which wrapped on a phone (its last button
    alone on a second line). The seven that move through the frames stay in the row; "slower"
    and "faster" join "once / loop / reflect" below it, so that every control keeps a 44 px
    square (``_static/site.css``) and the controls fit a 358 px column as one block.
    """
    speed = re.findall(r'\s*<button title="(?:Decrease|Increase) speed"[^>]*>[\s\S]*?</button>', html)
    form = re.search(r'\s*<form title="Repetition mode"[\s\S]*?</form>', html)
    if len(speed) != 2 or form is None:
        raise RuntimeError("unexpected matplotlib player: could not find its speed buttons and mode")
    for button in speed:
        html = html.replace(button, "", 1)
    options = ('\n    <div class="anim-options">'
               '\n      <div class="anim-speed" role="group" aria-label="Speed">'
               + "".join(speed) + "\n      </div>" + form.group(0) + "\n    </div>")
    return html.replace(form.group(0), options, 1)
