import pytest

from core.settings import load_settings
from resolver import geography


@pytest.fixture(scope="module")
def force_areas():
    path = load_settings().source_data_dir / "geo" / "police-force-areas.geojson.gz"
    return geography.read_force_areas(path)


def test_points_fall_in_the_right_force(force_areas) -> None:
    points = [
        (51.4816, -3.1791),  # Cardiff
        (51.5881, -2.9977),  # Newport
        (53.2274, -4.1293),  # Bangor
        (52.4153, -4.0829),  # Aberystwyth
        (50.7278, -1.8443),  # Bournemouth
        (51.5072, -0.1276),  # Westminster
        (54.5973, -5.9301),  # Belfast: no England and Wales force
    ]
    assert geography.force_of_points(force_areas, points) == [
        "south-wales",
        "gwent",
        "north-wales",
        "dyfed-powys",
        "dorset",
        "metropolitan",
        None,
    ]


def test_all_43_forces_have_distinct_codes(force_areas) -> None:
    assert len({a.code for a in force_areas}) == 43
