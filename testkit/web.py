"""What the browser tests share: the API served by uvicorn in its own process, Debian's
Chromium driven by Playwright (never a downloaded browser), screenshots kept under
test-artifacts/, and pixel checks on what the page drew."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
from PIL import Image

from core.settings import PROJECT_ROOT, WEB_DIR, Settings
from testkit.server import serve

CHROMIUM = Path(os.environ.get("CRIMEGRAPH_CHROMIUM", "/usr/bin/chromium"))
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
LAPTOP = {"width": 1366, "height": 768}
# Headless Chromium has no GPU here: WebGL through SwiftShader, Chromium's software renderer.
CHROMIUM_ARGS = ["--use-angle=swiftshader", "--enable-unsafe-swiftshader", "--ignore-gpu-blocklist"]


def require_built_pages() -> None:
    """The pages are built by `make web`; a clear failure, not a blank page, when they are not."""
    if not (WEB_DIR / "dist" / "index.html").is_file():
        raise RuntimeError("web/dist is missing: run `make web` before the browser tests")


@contextlib.contextmanager
def serve_api(settings: Settings, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """`crimegraph serve` on a free port against these settings; yields its base URL."""
    with serve(settings, settings.data_dir, **(extra_env or {})) as url:
        yield url


def screenshot(page, name: str) -> bytes:
    """Save a full-page screenshot under test-artifacts/ and return the PNG bytes."""
    ARTIFACTS.mkdir(exist_ok=True)
    return page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


def _rgb(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)


def colour_share(png: bytes, colour: tuple[int, int, int], tolerance: int = 12) -> float:
    """The fraction of pixels within `tolerance` of `colour` on every channel."""
    pixels = _rgb(png)
    near = np.all(np.abs(pixels - np.array(colour, dtype=np.int16)) <= tolerance, axis=-1)
    return float(near.mean())


def palette_share(png: bytes, colours: list[tuple[int, int, int]], tolerance: int = 40) -> float:
    """The fraction of pixels near any of `colours` (summed channel distance)."""
    pixels = _rgb(png)[..., None, :]
    stops = np.array(colours, dtype=np.int16)[None, None, :, :]
    near = (np.abs(pixels - stops).sum(axis=-1) <= tolerance).any(axis=-1)
    return float(near.mean())


def changed_share(before: bytes, after: bytes, threshold: int = 30) -> float:
    """The fraction of pixels that changed by more than `threshold` (summed channels)."""
    return float((np.abs(_rgb(before) - _rgb(after)).sum(axis=-1) > threshold).mean())


def hex_rgb(value: str) -> tuple[int, int, int]:
    value = value.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def seed_layers(warehouse_path: Path, resolutions: tuple[int, ...] = (7, 8, 9)) -> int:
    """Write risk_scores, hotspots and forecasts in the contract's shape, computed plainly
    from the warehouse's own incidents (counts per H3 cell, month and crime group), so the
    pages have layers to draw whatever the risk stage's models say. Returns the rows written."""
    import duckdb
    import h3
    import pandas as pd

    with duckdb.connect(str(warehouse_path)) as con:
        events = (
            con.sql(
                "SELECT i.month, i.crime_group, l.h3_cell, i.force_code FROM incidents i "
                "JOIN locations l USING (location_id) WHERE l.h3_cell IS NOT NULL"
            )
            .to_arrow_table()
            .to_pandas()
        )
        frames = []
        for res in resolutions:
            cells = events.assign(
                area_id=[h3.cell_to_parent(c, res) for c in events["h3_cell"]], resolution=res
            )
            for group_cells in (cells, cells.assign(crime_group="All crime")):
                frames.append(
                    group_cells.groupby(["month", "resolution", "area_id", "crime_group"])
                    .agg(incidents=("h3_cell", "size"), force_code=("force_code", "first"))
                    .reset_index()
                )
        scores = pd.concat(frames, ignore_index=True)
        top = scores.groupby(["month", "resolution", "crime_group"])["incidents"].transform("max")
        scores["score"] = scores["incidents"] / top
        scores["harm"] = scores["score"] * 0.6
        scores["near_repeat"] = scores["score"] * 0.25
        scores["network"] = scores["score"] * 0.15
        scores["forecast"] = scores["incidents"] * 0.9
        scores["area_level"] = "h3"
        con.register("scores_frame", scores)
        con.execute("CREATE OR REPLACE TABLE risk_scores AS SELECT * FROM scores_frame")
        con.execute(
            "CREATE OR REPLACE TABLE hotspots AS SELECT month, area_level, resolution, area_id, "
            "crime_group, 1 + 3 * score AS gi_z, "
            "CASE WHEN score >= 0.5 THEN 0.001 ELSE 0.5 END::DOUBLE AS p_value FROM risk_scores"
        )
        con.execute(
            "CREATE OR REPLACE TABLE forecasts AS SELECT month, resolution, area_id AS cell, "
            "crime_group, forecast AS expected, 'counts' AS model FROM risk_scores"
        )
        return len(scores)
