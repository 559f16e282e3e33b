"""nnlib.animation: offline, deterministic animations of optimizer paths with a still PNG for print."""

import base64
import io
import re

import matplotlib
import pytest
from PIL import Image

matplotlib.use("Agg")

from nnlib.animation import animate_paths  # noqa: E402
from nnlib.functions import Quadratic, descend  # noqa: E402
from nnlib.optim import SGD  # noqa: E402

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def paths():
    bowl = Quadratic([[1.0, 0.0], [0.0, 10.0]])
    return bowl, {
        "GD": descend(bowl, [-2.0, 1.0], lambda ps: SGD(ps, lr=0.05), 40),
        "momentum": descend(bowl, [-2.0, 1.0], lambda ps: SGD(ps, lr=0.05, momentum=0.9), 40),
    }


def make(paths):
    bowl, runs = paths
    return animate_paths(bowl, runs, (-2.5, 1.0), (-1.5, 1.5), title="bowl", name="test_anim",
                         alt="Two paths on a bowl", n_frames=8)


def test_same_output_every_run(paths):
    # nbval compares the animation's HTML: it must not contain a random id or a timestamp
    assert make(paths).html == make(paths).html


def test_offline_and_described(paths):
    animation = make(paths)
    assert not re.search(r"(src|href)=[\"']?https?:", animation.html), "nothing may load from the network"
    assert 'alt="Two paths on a bowl"' in animation.html
    frames = re.findall(r"frames\[\d+\] = \"data:image/webp;base64,", animation.html)
    assert 2 <= len(frames) <= 8


def test_the_bundle_carries_a_png_for_print(paths):
    bundle = make(paths)._repr_mimebundle_()
    assert {"text/html", "image/png", "text/plain"} <= set(bundle)
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)



def test_frames_hold_two_pixels_per_css_pixel_shown(paths):
    # make() keeps the defaults figsize (6, 4) in, dpi 72 CSS px per inch, density 2: the page shows
    # the player 6 * 72 = 432 by 4 * 72 = 288 CSS px, and every picture has 864 by 576 pixels, so that
    # a phone's screen (2 or 3 device pixels per CSS pixel) shows it sharp (issue 22).
    html = make(paths).html
    assert re.search(r'<img id="_anim_imgtest_anim" width="432" height="288"', html)
    pictures = re.findall(r'data:image/webp;base64,([^"\)]*)', html)
    assert len(pictures) >= 3  # the background and at least two frames
    for data in pictures:
        assert Image.open(io.BytesIO(base64.b64decode(data))).size == (864, 576)
