"""Names and places for the demo programme and the benchmark data generator.

Senegalese given and family names (Wolof, Pulaar, Mandinka, Serer, Diola) and the regions,
departments and communes of return. Everything here is invented data about invented people;
the places are real communes of Senegal.
"""

import random
from datetime import date

GIVEN_MALE = [
    "Mamadou", "Ousmane", "Aliou", "Abdoulaye", "Moussa", "Ibrahima", "Cheikh", "Modou",
    "Lamine", "Samba", "Amadou", "Boubacar", "Souleymane", "Demba", "Malick", "Alassane",
    "Babacar", "Seydou", "Oumar", "Saliou", "Pape", "Daouda", "Mouhamed", "Assane", "Idrissa",
    "Youssouph", "Bakary", "Sekou", "Djibril", "Thierno", "Ansou", "Karamba", "Habib", "Adama",
]  # fmt: skip

GIVEN_FEMALE = [
    "Fatou", "Aminata", "Awa", "Mariama", "Khady", "Ndeye", "Aissatou", "Binta", "Coumba",
    "Dieynaba", "Fatoumata", "Rokhaya", "Astou", "Kadiatou", "Maimouna", "Adja", "Oumou",
    "Seynabou", "Penda", "Haby", "Nafi", "Sokhna",
]  # fmt: skip

# Family names with the language most often spoken at home (used for the languages field).
FAMILY = [
    ("Diallo", "Pulaar"), ("Ba", "Pulaar"), ("Sow", "Pulaar"), ("Baldé", "Pulaar"),
    ("Kandé", "Pulaar"), ("Sidibé", "Pulaar"), ("Barry", "Pulaar"), ("Diao", "Pulaar"),
    ("Kane", "Pulaar"), ("Sy", "Pulaar"), ("Ndiaye", "Wolof"), ("Diop", "Wolof"),
    ("Fall", "Wolof"), ("Gueye", "Wolof"), ("Mbaye", "Wolof"), ("Seck", "Wolof"),
    ("Thiam", "Wolof"), ("Faye", "Serer"), ("Sarr", "Serer"), ("Diouf", "Serer"),
    ("Ndour", "Serer"), ("Cissé", "Mandinka"), ("Camara", "Mandinka"), ("Sané", "Mandinka"),
    ("Mané", "Mandinka"), ("Sylla", "Mandinka"), ("Touré", "Mandinka"), ("Keita", "Mandinka"),
    ("Dramé", "Mandinka"), ("Dabo", "Mandinka"), ("Diatta", "Diola"), ("Sagna", "Diola"),
    ("Badji", "Diola"), ("Coly", "Diola"),
]  # fmt: skip

# Places of return: region -> department -> communes.
TAMBACOUNDA = {
    "Tambacounda": ["Tambacounda", "Maka Coulibantang", "Dialacoto", "Missirah", "Koussanar"],
    "Bakel": ["Bakel", "Kidira", "Diawara", "Gabou"],
    "Goudiry": ["Goudiry", "Bala", "Koulor", "Dianké Makha"],
    "Koumpentoum": ["Koumpentoum", "Malem Niani", "Payar"],
}
KOLDA = {
    "Kolda": ["Kolda", "Dabo", "Saré Yoba Diéga", "Mampatim", "Dioulacolon"],
    "Vélingara": ["Vélingara", "Kounkané", "Diaobé-Kabendou", "Pakour"],
    "Médina Yoro Foulah": ["Médina Yoro Foulah", "Pata", "Fafacourou"],
}
DAKAR = {
    "Dakar": ["Médina", "Grand Yoff", "Parcelles Assainies"],
    "Pikine": ["Pikine Nord", "Thiaroye sur Mer"],
    "Guédiawaye": ["Golf Sud", "Sam Notaire"],
    "Rufisque": ["Rufisque Est", "Bargny"],
}
# The other regions, for the benchmark's larger office tree.
OTHER_REGIONS = {
    "Saint-Louis": {"Saint-Louis": ["Saint-Louis"], "Podor": ["Podor"], "Dagana": ["Dagana"]},
    "Matam": {"Matam": ["Matam", "Ourossogui"], "Kanel": ["Kanel"], "Ranérou": ["Ranérou"]},
    "Kédougou": {"Kédougou": ["Kédougou"], "Saraya": ["Saraya"], "Salémata": ["Salémata"]},
    "Sédhiou": {"Sédhiou": ["Sédhiou"], "Goudomp": ["Goudomp"], "Bounkiling": ["Bounkiling"]},
    "Ziguinchor": {"Ziguinchor": ["Ziguinchor"], "Bignona": ["Bignona"], "Oussouye": ["Oussouye"]},
    "Kaolack": {"Kaolack": ["Kaolack"], "Nioro du Rip": ["Nioro du Rip"]},
    "Thiès": {"Thiès": ["Thiès"], "Mbour": ["Mbour"], "Tivaouane": ["Tivaouane"]},
    "Diourbel": {"Diourbel": ["Diourbel"], "Mbacké": ["Mbacké"], "Bambey": ["Bambey"]},
    "Louga": {"Louga": ["Louga"], "Kébémer": ["Kébémer"], "Linguère": ["Linguère"]},
    "Fatick": {"Fatick": ["Fatick"], "Foundiougne": ["Foundiougne"], "Gossas": ["Gossas"]},
    "Kaffrine": {"Kaffrine": ["Kaffrine"], "Koungheul": ["Koungheul"], "Birkelane": ["Birkelane"]},
}
REGIONS = {"Tambacounda": TAMBACOUNDA, "Kolda": KOLDA, "Dakar": DAKAR, **OTHER_REGIONS}

NEIGHBOURHOODS = [
    "Quartier Escale", "Quartier Liberté", "Quartier Plateau", "Quartier Médina",
    "Quartier Gourel", "Quartier Abattoirs", "Quartier Saré Moussa", "Quartier Pont",
    "Quartier Sinthiang", "near the central mosque", "near the weekly market",
    "near the health post",
]  # fmt: skip

PHONE_PREFIXES = ["77", "78", "76", "70"]

# Routes people came back from (for counselling notes; no figures).
ROUTES = [
    "Morocco", "Libya through Niger", "Niger (Agadez)", "Mali", "Mauritania", "Algeria",
    "the Canary Islands route via Mauritania",
]  # fmt: skip

TRADES = [
    ("open a tailoring workshop", "tailoring"),
    ("start a small shop (boutique)", "retail"),
    ("raise goats and sheep", "livestock"),
    ("grow vegetables in the dry season", "market gardening"),
    ("open a mobile phone repair stall", "phone repair"),
    ("run a motorbike taxi (Jakarta)", "transport"),
    ("start poultry farming", "poultry"),
    ("open a hair salon", "hairdressing"),
    ("sell fish at the market", "fish trade"),
    ("set up a welding workshop", "welding"),
    ("make and sell soap", "soap making"),
    ("open a small restaurant", "catering"),
]


def phone(rng: random.Random) -> str:
    """A Senegalese mobile number in the usual written form: +221 77 123 45 67."""
    n = rng.randrange(10_000_000)
    digits = f"{n:07d}"
    return f"+221 {rng.choice(PHONE_PREFIXES)} {digits[:3]} {digits[3:5]} {digits[5:]}"


def person(rng: random.Random, *, male_share: float = 0.8) -> dict:
    """Identity fields of an invented returnee: name, sex, birth date, phone, languages."""
    sex = "M" if rng.random() < male_share else "F"
    given = rng.choice(GIVEN_MALE if sex == "M" else GIVEN_FEMALE)
    # Some people carry two given names (e.g. "Mamadou Lamine").
    if sex == "M" and rng.random() < 0.12:
        second = rng.choice(GIVEN_MALE)
        if second != given:
            given = f"{given} {second}"
    family, language = rng.choice(FAMILY)
    estimated = rng.random() < 0.1
    year = rng.randint(1975, 2007)
    dob = date(year, 7, 1) if estimated else date(year, rng.randint(1, 12), rng.randint(1, 28))
    languages = [language]
    if language != "Wolof" and rng.random() < 0.7:
        languages.append("Wolof")
    if rng.random() < 0.5:
        languages.append("French")
    return {
        "given_names": given,
        "family_name": family,
        "sex": sex,
        "date_of_birth": dob,
        "is_birth_date_estimated": estimated,
        "phone": phone(rng),
        "phone_alt": phone(rng) if rng.random() < 0.2 else "",
        "languages": ", ".join(languages),
        "address": rng.choice(NEIGHBOURHOODS),
    }


def place(rng: random.Random, region: str) -> dict:
    """Region, department and commune of return inside a region."""
    departments = REGIONS[region]
    department = rng.choice(sorted(departments))
    return {
        "region": region,
        "department": department,
        "commune": rng.choice(departments[department]),
    }
