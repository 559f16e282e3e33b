"""nnlib.animation: offline, deterministic animations of optimizer paths with a still PNG for print."""

import base64
import re

import matplotlib
import pytest

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
    frames = re.findall(r"frames\[\d+\] = \"data:image/png;base64,", animation.html)
    assert 2 <= len(frames) <= 8


def test_the_bundle_carries_a_png_for_print(paths):
    bundle = make(paths)._repr_mimebundle_()
    assert {"text/html", "image/png", "text/plain"} <= set(bundle)
    assert base64.b64decode(bundle["image/png"]).startswith(PNG_SIGNATURE)

