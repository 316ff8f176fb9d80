#!/usr/bin/env python3
"""Realistic fake cases for the demo federation (scripts/demo.sh).

Prints one tab-separated line per casus:

  region key registered_by question problems themes tafel regisseur_org
  regisseur_rol datum omschrijving fate naam bsn geboortedatum adres
  postcode gemeente ouder_naam ouder_bsn

`fate` is the phase the demo moves the casus to: aanmelding, triage,
overleg, monitoren, afgesloten, geannuleerd or doorverwezen. `tafel` is "-" when the region has no tables. `key` names
the cases the story uses (escalatie, versneller, peer) or is "-".

Everything is invented and deterministic (seeded): Dutch first names and
surnames, BSNs that pass the elfproef, addresses in the region's own
municipalities. The mix follows RET Noord-Limburg 2022: 17 registrations,
5 cancelled; about 58% from municipalities, 33% from GIs, the rest from a
zorgaanbieder or the parents; half about residential places and waiting
lists. Nothing here is a real person.
"""
import random
import sys

FIRST = ["Lotte", "Sem", "Noah", "Emma", "Daan", "Julia", "Sophie", "Lucas",
         "Milan", "Tess", "Finn", "Jesse", "Sara", "Levi", "Anna", "Bram",
         "Fleur", "Thijs", "Iris", "Ruben", "Mila", "Luuk", "Nina", "Stijn",
         "Maud", "Jens", "Roos", "Gijs", "Femke", "Joep", "Lieke", "Niels"]
PARENT = ["Marieke", "Peter", "Sandra", "Mark", "Ingrid", "Rob", "Yvonne",
          "Frank", "Petra", "Hans", "Monique", "Erik", "Anouk", "Bas"]
SURNAME = {
    "limburg": ["Janssen", "Peeters", "Smeets", "Hendriks", "Willems",
                "Claessens", "Dassen", "Coenen", "Houben", "Kuijpers",
                "Vermeulen", "Gielen", "Crombach", "Wolters", "Hermans",
                "van den Bosch", "Jacobs", "Verheijen"],
    "noord-holland": ["Groot", "Kok", "Schouten", "Dekker", "Kaan", "Bakker",
                      "de Boer", "Visser", "Mulder", "Blokker", "Koning",
                      "van der Meer", "Snoek", "Pronk"],
}
STREETS = ["Kerkstraat", "Dorpstraat", "Molenweg", "Schoolstraat",
           "Julianastraat", "Lindelaan", "Beatrixlaan", "Nieuwstraat",
           "Parallelweg", "Oranjelaan", "Kastanjelaan", "Stationsstraat"]
# municipality -> postcode digits range (inclusive)
MUNI = {
    "noord-limburg": {"Venlo": (5911, 5935), "Venray": (5801, 5825),
                      "Horst aan de Maas": (5961, 5976),
                      "Peel en Maas": (5981, 5995), "Beesel": (5950, 5954),
                      "Gennep": (6591, 6599), "Bergen (L.)": (5854, 5866)},
    "midden-limburg": {"Roermond": (6041, 6046), "Weert": (6001, 6006),
                       "Echt-Susteren": (6101, 6114), "Leudal": (6081, 6099),
                       "Maasgouw": (6051, 6071), "Nederweert": (6031, 6035),
                       "Roerdalen": (6074, 6078)},
    "zuid-limburg": {"Maastricht": (6211, 6229), "Heerlen": (6411, 6422),
                     "Sittard-Geleen": (6131, 6166), "Kerkrade": (6461, 6471),
                     "Brunssum": (6441, 6446), "Valkenburg aan de Geul": (6301, 6305)},
    "westfriesland": {"Hoorn": (1621, 1628), "Enkhuizen": (1601, 1602),
                      "Medemblik": (1671, 1689), "Stede Broec": (1611, 1613),
                      "Drechterland": (1606, 1609), "Koggenland": (1633, 1648),
                      "Opmeer": (1716, 1718)},
}
GI = {"limburg": ["Jeugdbescherming Limburg", "William Schrikker Stichting",
                  "Leger des Heils Jeugdbescherming"],
      "noord-holland": ["Jeugdbescherming Noord", "William Schrikker Stichting"]}
PROVIDER = {"limburg": ["Koraal", "Mondriaan", "Xonar", "Daelzicht"],
            "noord-holland": ["Parlan", "Levvel", "GGZ Noord-Holland-Noord"]}
SUMMARY = {
    "verblijf_wachtlijst": [
        "Jeugdige zit thuis vast, passende verblijfsplek niet beschikbaar; wachtlijst van maanden.",
        "Gezinshuis zegt op, geen vervolgplek; drie aanbieders wijzen af.",
        "Crisisplaatsing loopt af, vervolgplek in kleinschalig wonen ontbreekt.",
        "Intensieve behandelplek nodig, alle aanbieders hebben een wachtlijst.",
    ],
    "passend_aanbod": [
        "Combinatie van LVB en trauma: geen aanbieder die beide biedt.",
        "Ambulante hulp loopt vast, specialistische diagnostiek nodig.",
    ],
    "samenwerking_regie": [
        "Veel partijen betrokken, niemand neemt regie; plan loopt vast.",
        "Gemeente en GI oneens over wie de casusregie heeft.",
    ],
    "onderwijs": ["Thuiszitter al een jaar, school en zorg vinden geen aansluiting."],
    "overgang_18": ["Wordt binnenkort 18, vervolg in Wmo of Wlz niet geregeld."],
    "other": ["Vraag over afstemming tussen zorg en veiligheid in het gezin."],
}
PROBLEMS = ["gedrag", "psychiatrie", "verslaving", "lvb", "gezin", "onderwijs",
            "veiligheid", "wonen"]
THEME_OF = {"verblijf_wachtlijst": "wachtlijsten,kleinschalig_wonen",
            "passend_aanbod": "afwijzing_aanbieders,perspectief",
            "samenwerking_regie": "regie", "onderwijs": "onderwijs",
            "overgang_18": "overgang_18", "other": "normaliseren"}
ROLE_OF = {"gemeente": "jeugdconsulent", "gi": "jeugdbeschermer",
           "zorgaanbieder": "regiebehandelaar", "ouders_jeugdige": "casusregisseur"}

# Per region: registrants, question types and fates, in registration order.
# Noord-Limburg follows its 2022 figures: 17 registrations, 5 cancelled.
PLAN = {
    "noord-limburg": {
        "by": ["gemeente"] * 10 + ["gi"] * 5 + ["zorgaanbieder", "ouders_jeugdige"],
        "fates": ["afgesloten", "geannuleerd", "afgesloten", "afgesloten",
                  "geannuleerd", "monitoren", "doorverwezen", "afgesloten",
                  "geannuleerd", "overleg", "monitoren", "geannuleerd",
                  "overleg", "triage", "geannuleerd", "overleg", "aanmelding"],
        "keys": {13: "escalatie"},
    },
    "midden-limburg": {
        "by": ["gemeente"] * 5 + ["gi"] * 3 + ["zorgaanbieder"],
        "fates": ["afgesloten", "geannuleerd", "monitoren", "afgesloten",
                  "overleg", "geannuleerd", "monitoren", "afgesloten",
                  "geannuleerd"],
        "keys": {},
    },
    "zuid-limburg": {
        "by": ["gemeente"] * 5 + ["gi"] * 3 + ["zorgaanbieder"],
        "fates": ["afgesloten", "geannuleerd", "afgesloten", "monitoren",
                  "doorverwezen", "overleg", "monitoren", "geannuleerd",
                  "overleg"],
        "keys": {9: "versneller"},
    },
    "westfriesland": {
        "by": ["gemeente"] * 6 + ["gi"] * 3 + ["ouders_jeugdige"],
        "fates": ["afgesloten", "geannuleerd", "afgesloten", "monitoren",
                  "geannuleerd", "overleg", "monitoren", "triage",
                  "geannuleerd", "overleg"],
        "keys": {10: "peer"},
    },
}
TABLES = {"westfriesland": ["mda", "schakeloverleg", "doorbraaktafel"]}


def fresh(value, used):
    """True when value is neither inside nor around any value used so far
    (so "Anna Kok" never hides in "Anna Koning")."""
    return all(value not in u and u not in value for u in used)


def bsn(rng):
    """A 9-digit number passing the elfproef (not starting with 0)."""
    while True:
        d = [rng.randint(1, 9)] + [rng.randint(0, 9) for _ in range(7)]
        s = sum(w * x for w, x in zip(range(9, 1, -1), d))
        last = s % 11
        if last <= 9:
            return "".join(map(str, d + [last]))


def postcode(rng, lo, hi):
    letters = "ABCEGHJKLMNPRTVWXZ"
    while True:
        p = rng.choice(letters) + rng.choice(letters)
        if p not in ("SA", "SD", "SS"):
            return "%d%s" % (rng.randint(lo, hi), p)


def main():
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 2022
    used = set()
    for ri, region in enumerate(PLAN):
        rng = random.Random(seed * 10 + ri)
        plan = PLAN[region]
        area = "noord-holland" if region == "westfriesland" else "limburg"
        by = plan["by"][:]
        rng.shuffle(by)
        n = len(plan["fates"])
        # half verblijf/wachtlijst, the other half spread over the rest
        q = ["verblijf_wachtlijst"] * ((n + 1) // 2)
        rest = ["passend_aanbod", "samenwerking_regie", "onderwijs",
                "overgang_18", "passend_aanbod", "other"]
        while len(q) < n:
            q.append(rest[(len(q)) % len(rest)])
        rng.shuffle(q)
        months = sorted(rng.randint(1, 10) for _ in range(n))
        for i in range(n):
            key = plan["keys"].get(i + 1, "-")
            qt = q[i]
            if key in ("escalatie", "versneller"):
                qt = "verblijf_wachtlijst"
            muni = rng.choice(sorted(MUNI[region]))
            lo, hi = MUNI[region][muni]
            sur = rng.choice(SURNAME[area])
            while True:
                first = rng.choice(FIRST)
                if fresh(first + " " + sur, used):
                    used.add(first + " " + sur)
                    break
            who = by[i]
            if who == "gemeente":
                org = "Gemeente " + muni
            elif who == "gi":
                org = rng.choice(GI[area])
            elif who == "zorgaanbieder":
                org = rng.choice(PROVIDER[area])
            else:
                org = "Gemeente " + muni
            probs = ",".join(sorted(set(rng.sample(PROBLEMS, 2))))
            tafel = rng.choice(TABLES[region]) if region in TABLES else "-"
            age = rng.randint(9, 17)
            birth = "%04d-%02d-%02d" % (2026 - age, rng.randint(1, 12), rng.randint(1, 28))
            datum = "2026-%02d-%02d" % (months[i], rng.randint(1, 28))
            # every name, address and BSN unique in the whole federation,
            # so the demo can look for each one everywhere else
            while True:
                addr = "%s %d" % (rng.choice(STREETS), rng.randint(10, 99))
                if fresh(addr, used):
                    used.add(addr)
                    break
            while True:
                parent = rng.choice(PARENT) + " " + sur
                if fresh(parent, used):
                    used.add(parent)
                    break
            kid_bsn, parent_bsn = bsn(rng), bsn(rng)
            pc = postcode(rng, lo, hi)
            if {kid_bsn, parent_bsn, pc} & used or kid_bsn == parent_bsn:
                raise SystemExit("demo_data: a BSN or postcode repeats; change the seed")
            used.update((kid_bsn, parent_bsn, pc))
            fields = [region, key, who, qt, probs, THEME_OF[qt], tafel, org,
                      ROLE_OF[who], datum, rng.choice(SUMMARY[qt]),
                      plan["fates"][i], first + " " + sur, kid_bsn, birth,
                      addr, pc, muni, parent, parent_bsn]
            assert all("\t" not in f and "\n" not in f for f in fields)
            print("\t".join(fields))


if __name__ == "__main__":
    main()
