"""Welsh forenames and surnames the synthetic test populations are drawn from."""

FORENAMES = [
    "Gareth", "Sian", "Owain", "Ffion", "Dylan", "Nia", "Huw", "Eleri", "Iwan", "Carys",
    "Aled", "Bethan", "Rhodri", "Lowri", "Emyr", "Catrin", "Geraint", "Mali",
]  # fmt: skip
SURNAMES = [
    "Davies", "Williams", "Thomas", "Roberts", "Hughes", "Lewis", "Morgan", "Griffiths",
    "Edwards", "Owen", "Rees", "Jenkins", "Price", "Lloyd", "Powell", "Parry", "Bowen",
    "Pugh", "Vaughan", "Watkins", "Howells", "Prosser", "Meredith",
]  # fmt: skip
