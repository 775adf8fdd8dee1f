import pytest

from resolver.forces import force_code


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Dyfed-Powys Police", "dyfed-powys"),
        ("Dyfed-Powys", "dyfed-powys"),
        ("South Wales Police", "south-wales"),
        ("Devon & Cornwall", "devon-and-cornwall"),
        ("Avon and Somerset Constabulary", "avon-and-somerset"),
        ("Metropolitan Police", "metropolitan"),
        ("Metropolitan Police Service", "metropolitan"),
        ("London, City of", "city-of-london"),
        ("City of London Police", "city-of-london"),
        ("  north   wales  police ", "north-wales"),
    ],
)
def test_force_code_matches_police_uk_ids(name: str, code: str) -> None:
    assert force_code(name) == code
