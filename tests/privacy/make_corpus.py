#!/usr/bin/env python3
"""Writes tests/privacy/pii.txt: Dutch sentences with fake personal data,
each datum marked {{...}}, built from hand-written sentence frames and
fake people, fixed seed so the file is reproducible. The clean sentences
(clean.txt) and the refusal cases (refuse.txt) are written by hand.
Run: python3 tests/privacy/make_corpus.py > tests/privacy/pii.txt"""
import random

R = random.Random(6)

# Fake people: (first names, particle, surname). None of these are real
# case data; they are common Dutch, Turkish, Moroccan, Polish names.
PEOPLE = [
    ("Sanne", "de", "Vries"), ("Mohammed", "El", "Amrani"),
    ("Anja", "", "Bakker-Öztürk"), ("Jan", "van den", "Berg"),
    ("Fenna", "", "Dijkstra"), ("Yasmina", "", "Bouzid"),
    ("Daan", "van der", "Meulen"), ("Zoë", "", "Kuijpers"),
    ("Piotr", "", "Kowalski"), ("Emre", "", "Çelik"),
    ("Lotte", "'t", "Hart"), ("Noah", "", "Janssen"),
    ("Ilse", "ter", "Horst"), ("Bram", "", "Hendriks-Smeets"),
    ("Chloë", "", "Muller"), ("Sem", "van", "Dijk"),
    ("Fatma", "", "Yilmaz"), ("Ruben", "", "Peeters"),
    ("Noor", "de", "Wit"), ("Thijs", "", "Bijlsma"),
    ("Inés", "", "García"), ("Levi", "", "Schreurs"),
    ("Marloes", "van", "Leeuwen"), ("Ahmed", "", "Benali"),
    ("Jesse", "", "Vermeulen"), ("Femke", "", "Coenen"),
]

def full(p):
    return " ".join(x for x in p if x)

def sur(p):
    return (p[1] + " " + p[2]) if p[1] else p[2]

def cap_particle(p):
    if not p[1]:
        return p[2]
    return p[1][0].upper() + p[1][1:] + " " + p[2]

def typo(w):
    if len(w) < 5:
        return w[0] + w[2] + w[1] + w[3:] if len(w) >= 4 else w
    k = R.randrange(1, len(w) - 1)
    kind = R.randrange(3)
    if kind == 0:
        return w[:k] + w[k + 1:]                # deletion
    if kind == 1:
        return w[:k] + w[k + 1] + w[k] + w[k + 2:]  # transposition
    c = "aeiou" if w[k] not in "aeiou" else "nrst"
    return w[:k] + R.choice(c) + w[k + 1:]      # substitution

def elf_bsn():
    while True:
        d = [R.randrange(10) for _ in range(8)]
        if d[0] == 0:
            continue
        s = sum(d[i] * (9 - i) for i in range(8)) % 11
        if s < 10:
            d.append(s)
            return "".join(map(str, d))

def iban(cc, bban):
    num = "".join(str(int(c, 36)) for c in bban + cc + "00")
    chk = 98 - int(num) % 97
    return cc + "%02d" % chk + bban

def spaced(s, n=4):
    return " ".join(s[i:i + n] for i in range(0, len(s), n))

def digits(n):
    return "".join(str(R.randrange(10)) for _ in range(n))

def nl_iban():
    return iban("NL", R.choice(["ABNA", "RABO", "INGB", "TRIO", "SNSB", "ASNB"]) + digits(10))

def foreign_iban():
    return R.choice([
        iban("BE", digits(12)), iban("DE", digits(18)),
        iban("FR", digits(10) + "ABCDEFGHIJ1"[:11] + "12"),
        iban("GB", "NWBK" + digits(14)), iban("TR", digits(5) + "0" + digits(16)),
        iban("PL", digits(24)), iban("ES", digits(20))])

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli",
          "augustus", "september", "oktober", "november", "december"]
ABBR = ["jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.",
        "sep.", "okt.", "nov.", "dec."]
STREETS = ["Kerkstraat", "Molenweg", "Dorpsstraat", "Julianalaan",
           "Schoolstraat", "Grote Oost", "Kleine Noord", "Laan van Nieuw Oost-Indië",
           "Burgemeester Kesselsplein", "Maasboulevard", "Westerdijk",
           "Parallelweg", "Sint Jansgracht", "Tegelseweg", "Brugstraat",
           "Koningin Julianasingel", "Eikenlaan", "Prins Bernhardkade",
           "Stationsplein", "Heuvelstraat"]
PLACES = ["Venlo", "Roermond", "Hoorn", "Maastricht", "Enkhuizen", "Heerlen",
          "Weert", "Sittard", "Venray", "Medemblik", "Kerkrade", "Gennep"]
SCHOOLS = ["OBS De Regenboog", "basisschool De Wingerd", "CBS Het Kompas",
           "basisschool 't Palet", "RKBS Sint Jozef", "SBO De Wissel",
           "kindcentrum De Horizon", "IKC De Vlieger", "zorgboerderij De Hoeve",
           "gezinshuis De Linde", "woongroep Het Anker", "BSO De Boomhut",
           "Blariacumcollege", "het Bouwens van der Boijecollege",
           "peuterspeelzaal Dikkertje Dap", "dagbesteding De Werkplaats"]
OTHER = [("mevrouw", "Jansen"), ("mw.", "Peters"), ("dhr.", "Bakker"),
         ("Dr.", "Smit"), ("juf", "Fatima"), ("meester", "Kees"),
         ("oma", "Ans"), ("opa", "Harrie"), ("pleegmoeder", "Anja Smit"),
         ("moeder", "Yasmina"), ("vader", "Karim"), ("tante", "Wilma"),
         ("mevrouw", "van Beek"), ("meneer", "de Groot"), ("dhr.", "J. Hermans"),
         ("mw.", "A.M. Custers"), ("buurvrouw", "Trees"), ("oom", "Sjaak"),
         ("stiefvader", "Dennis"), ("mentor", "Gijs Vossen"), ("huisarts", "Van Rooij"),
         ("de heer", "Lemmens"), ("Mevr.", "Kessels"), ("zus", "Amira"),
         ("broer", "Youssef"), ("pleegvader", "Piet Driessen")]

def date_forms():
    d, m, y = R.randrange(1, 29), R.randrange(1, 13), R.randrange(2005, 2024)
    return R.choice([
        "%02d-%02d-%d" % (d, m, y), "%d/%d/%02d" % (d, m, y % 100),
        "%d-%02d-%02d" % (y, m, d), "%d %s %d" % (d, MONTHS[m - 1], y),
        "%d %s %d" % (d, ABBR[m - 1], y), "%d %s" % (d, MONTHS[m - 1]),
        "%s %d" % (MONTHS[m - 1], y), "%d.%d.%d" % (d, m, y),
        "%d-%s-%d" % (d, ABBR[m - 1].rstrip("."), y),
        "%d %s %d" % (d, MONTHS[m - 1].capitalize(), y)])

def postcode():
    n = R.randrange(1000, 9999)
    l = R.choice("ABCDEFGHJKLMNPRTVWXZ") + R.choice("ABCDEGHJKLMNPRSTVWXZ")
    return R.choice(["%d %s" % (n, l), "%d%s" % (n, l), "%d %s" % (n, l.lower()),
                     "%d-%s" % (n, l), "%d%s" % (n, l.lower())])

def address():
    st = R.choice(STREETS)
    nr = str(R.randrange(1, 240))
    nr += R.choice(["", "", "a", "b", " A", "-2", "-II", " bis", "-1", "B"])
    return st + " " + nr

def phone():
    a = digits(8)
    return R.choice([
        "06-" + a, "06 %s %s %s %s" % (a[0:2], a[2:4], a[4:6], a[6:8]),
        "+31 6 %s %s" % (a[0:4], a[4:8]), "+31 (0)6 " + a, "+31(0)6-" + a,
        "0031 6 %s %s" % (a[0:4], a[4:8]), "0031 6 " + a, "+316" + a,
        "077-" + digits(7), "(043) %s %s %s" % (digits(3), digits(2), digits(2)),
        "0229-" + digits(6), "0475 " + digits(6), "045 - " + digits(7),
        "0800-" + digits(4), "0900 " + digits(7), "+32 470 %s %s" % (digits(2), digits(4)),
        "+49 171 " + digits(7), "06" + a, "(0229) " + digits(6)])

def email(p):
    f = p[0].lower().replace("ë", "e").replace("é", "e")
    s = p[2].lower().replace("ö", "o").replace("ü", "u").replace("ç", "c").replace("-", "")
    dom = R.choice(["gmail.com", "hotmail.nl", "outlook.com", "ziggo.nl", "kpnmail.nl",
                    "live.be", "posteo.de", "icloud.com", "proton.me", "xs4all.nl"])
    return R.choice(["%s.%s@%s" % (f, s, dom), "%s%s%d@%s" % (f[0], s, R.randrange(70, 99), dom),
                     "%s_%s@%s" % (f, s[:3], dom)])

def name_variant(p):
    first, part, last = p
    parts = last.split("-")
    lastword = parts[0]
    opts = [
        first, first.upper(), sur(p), cap_particle(p), sur(p).upper(), lastword,
        first[0] + ". " + sur(p), first[0] + "." + sur(p).replace(" ", ". ", 0),
        full(p), typo(first) if len(first) >= 4 else first,
        typo(lastword) if len(lastword) >= 4 else lastword,
        (lastword + (", " + first[0] + ".") + ((" " + part) if part else "")),
        first + ("'s" if first[-1] in "aeiouy" else "s"),
    ]
    if part:
        opts.append(first[0] + "".join(x[0] for x in part.split()) + last[0])
        opts.append(part.upper() + " " + last.upper())
    if part in ("van den", "van der"):
        opts += ["v.d. " + last, "vd " + last, "v/d " + last]
    if len(parts) > 1:
        opts += parts + [parts[1].upper()]
    if first in ("Sanne", "Fenna", "Femke", "Noor", "Jan", "Lotte", "Marloes", "Ilse"):
        opts.append(first + ("ke" if first[-1] == "e" else "tje"))
    return R.choice(opts)

FRAMES = [
    "{N} is aangemeld door de huisarts.",
    "Het wijkteam heeft {N} drie keer gesproken.",
    "Volgens school gaat het slecht met {N}.",
    "{N} zit sinds de zomer thuis.",
    "Moeder wil niet dat {N} naar de opvang gaat.",
    "De jeugdconsulent heeft met {N} en vader gesproken.",
    "Gesprek met {N} over de plaatsing verliep rustig.",
    "Er is zorg over de veiligheid van {N}.",
    "Het dossier van {N} is compleet.",
    "We adviseren om {N} op korte termijn te zien.",
    "{N} heeft behoefte aan een vaste begeleider.",
    "In het overleg is {N} besproken.",
    "De GI heeft contact met {N} gehad.",
    "Afgesproken is dat {N} elke week komt.",
    "{N} en haar broertje logeren bij de buren.",
    "De casusregisseur belt {N} morgen terug.",
]

def line(tmpl, **kw):
    return tmpl.format(**{k: "{{" + v + "}}" for k, v in kw.items()})

out = []
def block(people):
    out.append("N " + "|".join(full(p) for p in people))

def emit(s):
    out.append("P " + s)

for round_ in range(2):  # two passes over the people, different draws
    for idx, p in enumerate(PEOPLE):
        q = PEOPLE[(idx + 7) % len(PEOPLE)]
        block([p, q])
        for _ in range(3):
            emit(R.choice(FRAMES).replace("{N}", "{{" + name_variant(p) + "}}"))
        emit("Ouder {{%s}} wil meedenken, contact via {{%s}}." % (name_variant(q), phone()))
        emit("Geboren op {{%s}}, woont met moeder op {{%s}} in %s." % (date_forms(), address(), R.choice(PLACES)))
        emit("BSN {{%s}} staat in het dossier." % R.choice([elf_bsn(), ]))
        b = elf_bsn()
        emit("Het burgerservicenummer is {{%s}}." % R.choice(
            [b, "%s.%s.%s" % (b[:4], b[4:6], b[6:]), "%s %s %s" % (b[:3], b[3:6], b[6:]),
             "%s-%s-%s" % (b[:3], b[3:6], b[6:])]))
        emit("Post graag naar {{%s}}, {{%s}} %s." % (address(), postcode(), R.choice(PLACES)))
        emit("Mail naar {{%s}} of bel {{%s}}." % (email(p), phone()))
        i = R.choice([nl_iban(), foreign_iban()])
        emit("De toeslag wordt gestort op {{%s}}." % R.choice([i, spaced(i)]))
        t = R.choice(OTHER)
        emit("Volgens %s {{%s}} is de situatie thuis verslechterd." % (t[0], t[1]))
        emit("Zij zit op {{%s}} in %s, in groep %d." % (R.choice(SCHOOLS), R.choice(PLACES), R.randrange(1, 9)))
        age = R.randrange(2, 18)
        emit(R.choice(["De jongen is {{%d jaar}} en zit thuis." % age,
                       "Het gaat om een meisje van {{%d}} met angstklachten." % age,
                       "De {{%d-jarige}} wil niet naar school." % age,
                       "Zij is {{%d jaar oud}} en woont bij oma." % age,
                       "De {{%djarige}} zoon heeft een licht verstandelijke beperking." % age]))
        emit(R.choice(["Cliëntnummer {{%s}} is aangemaakt." % digits(6),
                       "Dossiernummer {{%d-%s}} loopt nog." % (R.randrange(2015, 2025), digits(4)),
                       "AGB-code {{%s}} van de praktijk is bekend." % digits(8),
                       "Zaaknummer {{Z/%s}} bij de gemeente." % digits(6),
                       "Het kenmerk is {{JB-%s}}." % digits(5),
                       "Nummer {{%s}} staat op de brief." % digits(9)]))

text = "\n".join(out)
print("# Generated by make_corpus.py (seed 6): fake people, hand-written frames.")
print(text)
