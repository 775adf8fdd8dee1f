"""Names as England and Wales give them: forenames by birth decade, surnames by frequency.

Frequencies are rough per-10,000 shares in the spirit of ONS surname and baby-name
counts; the long tail of rare surnames is synthesised from English place-name parts, so a
large population has the many one-family names that real registers have.
"""

from __future__ import annotations

import random
from bisect import bisect
from itertools import accumulate

_SURNAMES = """
Smith 126 Jones 94 Williams 70 Taylor 56 Brown 55 Davies 52 Evans 37 Wilson 35 Thomas 34
Johnson 34 Roberts 33 Robinson 28 Thompson 28 Wright 27 Walker 27 White 26 Edwards 25
Hughes 25 Green 25 Hall 25 Lewis 24 Harris 24 Clarke 23 Patel 23 Jackson 22 Wood 22
Turner 21 Martin 21 Cooper 21 Hill 21 Ward 20 Morris 20 Moore 20 Clark 20 Lee 19 King 19
Baker 19 Harrison 19 Morgan 18 Allen 18 James 18 Scott 17 Phillips 17 Watson 17 Davis 17
Parker 16 Price 16 Bennett 16 Young 16 Griffiths 16 Mitchell 15 Kelly 15 Cook 15 Carter 15
Richardson 15 Bailey 14 Collins 14 Bell 14 Shaw 14 Murphy 14 Miller 14 Cox 14 Richards 14
Khan 14 Marshall 13 Anderson 13 Simpson 13 Ellis 13 Adams 13 Singh 13 Wilkinson 12
Foster 12 Chapman 12 Powell 12 Webb 12 Rogers 12 Gray 12 Mason 12 Ali 12 Hunt 12
Hussain 12 Campbell 11 Matthews 11 Owen 11 Palmer 11 Holmes 11 Mills 11 Barnes 11
Knight 11 Lloyd 11 Butler 11 Russell 11 Barker 11 Fisher 11 Stevens 10 Jenkins 10
Murray 10 Dixon 10 Harvey 10 Graham 10 Pearson 10 Ahmed 10 Fletcher 10 Walsh 10 Gibson 9
Howard 9 Andrews 9 Stewart 9 Elliott 9 Reynolds 9 Saunders 9 Payne 9 Fox 9 Ford 9
Pearce 9 Day 9 Brooks 9 West 9 Lawrence 9 Cole 9 Atkinson 9 Bradley 9 Spencer 9 Gill 9
Dawson 8 Ball 8 Burton 8 O'Brien 8 Watts 8 Rose 8 Booth 8 Perry 8 Ryan 8 Grant 8 Wells 8
Armstrong 8 Francis 8 Rees 8 Hayes 8 Hart 8 Hudson 8 Newman 8 Barrett 8 Webster 8
Hunter 8 Gregory 8 Carr 8 Lowe 8 Page 8 Marsh 8 Riley 8 Dunn 8 Woods 7 Parsons 7 Berry 7
Stone 7 Reid 7 Holland 7 Hawkins 7 Harding 7 Porter 7 Robertson 7 Newton 7 Oliver 7
Reed 7 Kennedy 7 Williamson 7 Bird 7 Gardner 7 Shah 7 Dean 7 Lane 7 Cooke 7 Bates 7
Henderson 7 Parry 7 Burgess 7 Bishop 7 Walton 7 Burns 7 Nicholson 7 Shepherd 7 Ross 7
Cross 7 Long 7 Freeman 7 Warren 7 Nicholls 7 Hamilton 7 Byrne 7 Sutton 7 McDonald 7
Yates 7 Hodgson 7 Robson 7 Curtis 7 Hopkins 7 O'Connor 7 Harper 7 Coleman 7 Watkins 7
Moss 7 McCarthy 7 Chambers 6 O'Neill 6 Griffin 6 Sharp 6 Hardy 6 Wheeler 6 Potter 6
Osborne 6 Johnston 6 Gordon 6 Doyle 6 Wallace 6 George 6 Jordan 6 Hutchinson 6 Rowe 6
Burke 6 May 6 Pritchard 6 Gilbert 6 Willis 6 Higgins 6 Read 6 Miles 6 Stevenson 6
Stephenson 6 Hammond 6 Arnold 6 Buckley 6 Walters 6 Hewitt 6 Barber 6 Nelson 6 Slater 6
Austin 6 Sullivan 6 Whitehead 6 Mann 6 Frost 6 Lambert 6 Stephens 6 Blake 6 Akhtar 6
Lynch 6 Goodwin 6 Barton 6 Woodward 6 Thomson 6 Cunningham 6 Quinn 6 Barnett 6 Baxter 6
Clayton 6 Nash 6 Greenwood 6 Jennings 6 Holt 6 Kemp 6 Poole 6 Gallagher 6 Bond 6
Stokes 6 Tucker 6 Davidson 6 Fowler 6 Heath 6 Norman 6 Middleton 6 Lawson 6 Banks 6
French 6 Stanley 6 Jarvis 6 Gibbs 6 Ferguson 6 Hayward 6 Carroll 6 Douglas 6 Todd 6
Barlow 6 Peters 6 Lucas 6 Knowles 6 Hartley 6 Miah 6 Simmons 6 Morton 6 Alexander 6
Field 6 Morrison 6 Norris 5 Townsend 5 Preston 5 Hancock 5 Thornton 5 Baldwin 5
Burrows 5 Briggs 5 Storey 5 Pugh 5 Lees 5 Humphreys 5 Kowalski 4 Nowak 4 Wiśniewski 3
Nguyen 3 Okafor 3 Adeyemi 3 Mensah 3 Chowdhury 4 Rahman 5 Islam 4 Uddin 4 Mahmood 4
Iqbal 4 Sharma 4 Kumar 4 Mistry 3 Chauhan 3 Parmar 3 Da Silva 3 Costa 2 Santos 2
ap Rhys 1 Llewellyn 3 Prosser 2 Bowen 4 Vaughan 4 Meredith 2 Gwynne 1 Pryce 2 Tudor 2
"""

# The syllables of English and Welsh place and trade names, for the rare-surname tail.
_HEADS = (
    "Ash Brad Black Brook Cald Carl Chad Clif Cran Dal Dun Ebb Elm Farn Fell Gar Glad Good "
    "Hal Hart Haw Hol Horn Kirk Lang Ley Lind Mar Mid Mor Nor Oak Pen Pick Rad Ram Red Rock "
    "Ros Rud Sal Sand Shel Sher Stan Stock Sut Tal Thorn Tre Wal Wat Wes Whit Wick Win Wor"
)
_TAILS = (
    "bury by combe croft den don field ford gate grave ham hurst ington land ley low man "
    "more ridge shaw side stead stone thorpe ton wall well wick win wood worth"
)

# Forenames per birth decade and sex: the decade's common names, most common first.
_FORENAMES = {
    1930: (
        "John William George James Robert Thomas Arthur Kenneth Frederick Albert Ronald "
        "Dennis Stanley Leslie Harold Ernest Alfred Walter Eric Norman",
        "Margaret Mary Joan Joyce Dorothy Jean Doris Betty Barbara Kathleen Eileen Irene "
        "Elsie Edna Marjorie Audrey Sheila Gwendoline Vera Olive",
    ),
    1950: (
        "David John Michael Peter Robert Stephen Paul Alan Christopher Richard Anthony "
        "Brian Keith Graham Gareth Colin Trevor Barry Malcolm Terence",
        "Susan Linda Christine Margaret Janet Patricia Carol Elizabeth Mary Anne Jennifer "
        "Gillian Pauline Sandra Lynne Angela Denise Valerie Elaine Glenys",
    ),
    1970: (
        "Paul Mark David Andrew Richard Stephen Christopher Darren Lee Jason Neil Simon "
        "Gary Ian Martin Craig Wayne Carl Dean Rhys",
        "Sarah Claire Nicola Emma Lisa Joanne Michelle Helen Samantha Karen Amanda Rachel "
        "Louise Kelly Julie Tracey Donna Zoe Sian Ceri",
    ),
    1990: (
        "Thomas James Daniel Matthew Joshua Ryan Luke Jack Adam Liam Jordan Callum "
        "Connor Kieran Jake Bradley Nathan Lewis Aaron Dylan",
        "Rebecca Laura Jessica Sophie Hannah Amy Chloe Emily Lauren Charlotte Danielle "
        "Megan Bethany Jade Natasha Stacey Leah Kirsty Ffion Alys",
    ),
    2010: (
        "Oliver Jack Harry Jacob Charlie George Noah Alfie Freddie Leo Oscar Archie Ethan "
        "Theo Arthur Riley Tyler Mason Harrison Teddy",
        "Olivia Amelia Isla Ava Emily Poppy Isabella Mia Ella Lily Sophia Grace Evie Freya "
        "Ruby Millie Harper Willow Seren Nia",
    ),
}
# Names families of South Asian, African, Polish and other heritage give across the decades.
_SHARED_FORENAMES = (
    "Mohammed Muhammad Ahmed Ali Omar Yusuf Ibrahim Hamza Imran Arjun Ravi Sanjay Amir "
    "Kwame Tomasz Jakub Piotr Kacper",
    "Aisha Fatima Zainab Maryam Ayesha Noor Amira Priya Anjali Sana Hafsa Ama Zofia "
    "Oliwia Natalia Agnieszka",
)

# Familiar forms a record may carry in place of the registered name (a preferred name).
FAMILIAR = {
    "WILLIAM": ("Bill", "Will", "Billy", "Liam"), "ROBERT": ("Rob", "Bob", "Bobby"),
    "JAMES": ("Jim", "Jamie", "Jimmy"), "MARGARET": ("Maggie", "Peggy", "Meg"),
    "ELIZABETH": ("Liz", "Beth", "Lizzie", "Betty"), "CATHERINE": ("Kate", "Cath", "Katie"),
    "THOMAS": ("Tom", "Tommy"), "MICHAEL": ("Mike", "Mick", "Micky"), "DAVID": ("Dave", "Dai"),
    "ANTHONY": ("Tony",), "CHRISTOPHER": ("Chris", "Kit"), "RICHARD": ("Rich", "Dick"),
    "JOSHUA": ("Josh",), "DANIEL": ("Dan", "Danny"), "MATTHEW": ("Matt",), "SAMANTHA": ("Sam",),
    "JESSICA": ("Jess",), "REBECCA": ("Becky", "Becca"), "NICOLA": ("Nicky", "Nikki"),
    "ALFIE": ("Alfred",), "FREDDIE": ("Fred",), "CHARLOTTE": ("Lottie",),
    "OLIVIA": ("Liv",), "ISABELLA": ("Bella", "Izzy"), "GARETH": ("Gaz",),
    "MOHAMMED": ("Mo",), "JENNIFER": ("Jenny", "Jen"), "PATRICIA": ("Pat", "Trish"),
    "SUSAN": ("Sue", "Susie"), "KENNETH": ("Ken", "Kenny"), "FREDERICK": ("Fred",),
    "ALBERT": ("Bert",), "STEPHEN": ("Steve",), "ANDREW": ("Andy",), "BARBARA": ("Babs",),
}  # fmt: skip

# Spellings a clerk writes for a name heard, not read.
SOUNDS_LIKE = {
    "STEPHEN": "STEVEN", "STEVEN": "STEPHEN", "CATHERINE": "KATHRYN", "MOHAMMED": "MUHAMMAD",
    "MUHAMMAD": "MOHAMED", "JON": "JOHN", "SEAN": "SHAUN", "CLAIRE": "CLARE", "ZOE": "ZOEY",
    "PHILLIPS": "PHILIPS", "THOMPSON": "THOMSON", "THOMSON": "THOMPSON", "CLARKE": "CLARK",
    "CLARK": "CLARKE", "REID": "REED", "REED": "READ", "STEVENS": "STEPHENS",
    "MATTHEWS": "MATHEWS", "JAYDEN": "JADEN", "LEAH": "LEA", "SIAN": "SIÂN", "RHYS": "REES",
    "LOUISE": "LOUISA", "ISLA": "ILA", "FREYA": "FREIA", "EVIE": "EVEY", "HARPER": "HARPA",
    "AISHA": "AYESHA", "GRAHAM": "GRAEME", "ALAN": "ALLAN", "LINDSAY": "LINDSEY",
    "NICHOLLS": "NICHOLS", "DAVIES": "DAVIS", "MACDONALD": "MCDONALD", "MCDONALD": "MACDONALD",
}  # fmt: skip


class Names:
    """Seeded draws of names for a person born in a given year."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        surnames: dict[str, float] = {}
        words = _SURNAMES.split()
        index = 0
        while index < len(words):
            parts = []
            while not words[index].isdigit():
                parts.append(words[index])
                index += 1
            surnames[" ".join(parts)] = float(words[index])
            index += 1
        tail = [head + end for head in _HEADS.split() for end in _TAILS.split()]
        head_total = sum(surnames.values())
        # A heavy tail: about 45% of people carry one of the rare names.
        for rank, name in enumerate(random.Random(1).sample(tail, len(tail))):
            weight = head_total * 0.8 / (len(tail) * (1 + rank / 900))
            surnames.setdefault(name.capitalize(), weight)
        self._surnames = list(surnames)
        self._surname_cumulative = list(accumulate(surnames.values()))
        self._forenames = {
            decade: tuple(_weighted(names.split()) for names in pair)
            for decade, pair in _FORENAMES.items()
        }
        self._shared = tuple(_weighted(names.split()) for names in _SHARED_FORENAMES)

    def surname(self) -> str:
        point = self.rng.random() * self._surname_cumulative[-1]
        return self._surnames[bisect(self._surname_cumulative, point)]

    def forename(self, sex: str, born: int, *, avoid: set[str] = frozenset()) -> str:
        """A name of the birth decade (or a shared heritage name); ``avoid``: siblings'."""
        index = 0 if sex == "M" else 1
        decade = max(d for d in self._forenames if d <= max(born, 1930)) if born >= 1930 else 1930
        # Neighbouring decades blend: 1980 births draw from 1970 and 1990.
        later = min((d for d in self._forenames if d > decade), default=decade)
        for _ in range(20):
            if self.rng.random() < 0.08:
                pool = self._shared[index]
            else:
                chosen = later if self.rng.random() < (born - decade) / 20 else decade
                pool = self._forenames[chosen][index]
            name = _draw(pool, self.rng)
            if name not in avoid:
                return name
        return name


def _weighted(names: list[str]) -> tuple[list[str], list[float]]:
    """Names most common first, weighted like a baby-name table (a long, falling tail)."""
    return names, list(accumulate(1.0 / (rank + 2) for rank in range(len(names))))


def _draw(pool: tuple[list[str], list[float]], rng: random.Random) -> str:
    names, cumulative = pool
    return names[bisect(cumulative, rng.random() * cumulative[-1])]
