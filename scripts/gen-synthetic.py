#!/usr/bin/env python3
"""Generate a synthetic moments repository for benchmarks and load tests.

    python3 scripts/gen-synthetic.py OUT --moments 50 --modules 10
    python3 scripts/gen-synthetic.py OUT --moments 50 --modules 10 --plain-md BOOK

writes OUT/units.yaml and OUT/moments/syn-0001/ ... syn-NNNN/, each with:

  moment.yaml                  valid per schemas/moment.schema.json; production unit
                               with two publishers, two owners, a risk analysis
  welcome.md                   the welcome text
  modules/NN-<name>.md         M modules of plain Swedish Markdown (300-600 words:
                               ## and ### headings, short sentences so LIX < 50,
                               lists, a GFM table, an image with alt text, links
                               between modules and to their headings)
  forms/halsoenkat.yaml        choice items valued 0-3, one conditional item, a score
                               with contiguous bands covering its range, two alerts;
                               placed by a ```form block in one module
  forms/halsoenkat.tests.yaml  scenarios with expectations computed here
  media/bild.png               a small PNG
  docs/riskanalys.md           the risk analysis

The result passes `moment check` with no diagnostics at all. Output is deterministic
for a given --seed (default 1).

--plain-md OUT2 also writes the same module Markdown as an mdBook (OUT2/book.toml,
OUT2/src/SUMMARY.md and chapters) and as a Hugo site (OUT2-hugo/: hugo.toml, minimal
layouts and content/), for comparing build times with other static site tools.

Only the Python standard library is used.
"""

import argparse
import json
import os
import random
import shutil
import struct
import sys
import unicodedata
import zlib

# Public keys of the example publishers in the project's units.yaml. Only public keys:
# nothing here can sign anything.
PUBLISHERS = [
    ("Anna Andersson",
     "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIKbQkJcTs2UM3fIxlL6HP2Tq/OVt8jvLw9EZfFTrq6UJ anna@example.se"),
    ("Bo Berg",
     "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAICHCiy0apn6hyCoSEpSr6HVoQZ+XOhmtIJIH2pe4uZL8 bo@example.se"),
]
UNIT = "region-syntet"
OWNERS = ["anna@example.se", "bo@example.se", "cecilia@example.se", "dalia@example.se"]
KINDS = ["education", "course", "support", "assessment", "healthplan", "treatment"]
FORM_ID = "halsoenkat"

# Topics: indefinite and definite noun, something to do, a habit to try.
TOPICS = [
    dict(name="Sömn", ti="sömn", t="sömnen", act="sova", habit="gå och lägga dig i tid"),
    dict(name="Stress", ti="stress", t="stressen", act="vila", habit="ta korta pauser"),
    dict(name="Rörelse", ti="rörelse", t="rörelsen", act="röra dig", habit="ta en kort promenad"),
    dict(name="Mat", ti="mat", t="maten", act="äta lugnt", habit="äta frukost"),
    dict(name="Oro", ti="oro", t="oron", act="andas lugnt", habit="skriva ner dina tankar"),
    dict(name="Smärta", ti="smärta", t="smärtan", act="ta det lugnt", habit="göra lätta övningar"),
    dict(name="Alkohol", ti="alkohol", t="alkoholen", act="dricka mindre", habit="ha vita dagar"),
    dict(name="Rökning", ti="rökning", t="rökningen", act="sluta röka", habit="byta en vana i taget"),
    dict(name="Andning", ti="andning", t="andningen", act="andas djupt", habit="andas ut sakta"),
    dict(name="Ensamhet", ti="ensamhet", t="ensamheten", act="träffa andra", habit="ringa en vän"),
]

SENTENCES = [
    "Många märker att {t} blir bättre med tiden.",
    "Det är vanligt att {t} växlar från dag till dag.",
    "Börja med ett litet steg.",
    "Du behöver inte göra allt på en gång.",
    "Skriv upp hur det går varje dag.",
    "Då ser du lättare vad som hjälper.",
    "Försök att {habit} varje dag.",
    "Det tar tid att ändra en vana.",
    "Ge inte upp om det går trögt.",
    "Prata med din behandlare om du undrar något.",
    "Många tycker att det hjälper att {act} en stund varje dag.",
    "Tänk på vad som är viktigt för dig.",
    "Sätt upp ett mål som du tror att du klarar.",
    "Ett bra mål är tydligt och litet.",
    "Kroppen och tankarna hänger ihop.",
    "När du mår bra blir det lättare att {act}.",
    "Det är bra att ha en plan.",
    "Planen kan ändras när du lär dig mer.",
    "Be gärna någon i din närhet om stöd.",
    "Ta en paus när du behöver.",
    "Det finns inget rätt eller fel sätt att börja.",
    "Du kan läsa den här delen igen när du vill.",
    "Tänk på vad som har hjälpt dig förut.",
    "Små saker kan göra stor skillnad.",
    "Många har nytta av att {habit}.",
    "Det är normalt att ha dåliga dagar.",
    "Nästa dag är en ny chans.",
    "Lägg märke till hur du känner dig efteråt.",
    "Vissa dagar går det lätt och andra dagar är tunga.",
    "Fråga gärna om något är oklart.",
    "Här får du några råd att pröva.",
    "Välj det råd som passar dig bäst.",
    "Gör det i din egen takt.",
    "Kom ihåg att vila också är viktigt.",
    "Det gör inget om du missar en dag.",
    "{Ti} påverkar hur du mår.",
    "När {t} blir bättre får många mer ork.",
    "Se {t} som en del av din vardag.",
    "Skriv ner tre saker som gick bra i dag.",
    "Det är du som vet bäst hur du mår.",
    "Din behandlare kan hjälpa dig att hitta rätt nivå.",
    "Försök att sova och äta på ungefär samma tider.",
    "Fasta tider gör det lättare för kroppen.",
    "Gör inte för mycket på en gång.",
    "Det är bättre att göra lite ofta än mycket sällan.",
    "Ring 1177 om du behöver råd om vård.",
    "Ring 112 om det är akut.",
    "Tänk på en sak i taget.",
    "Det du gör i dag spelar roll i morgon.",
    "Var snäll mot dig själv.",
    "Ingen klarar allt varje dag.",
    "Du kan alltid börja om.",
    "Ställ en fråga till din behandlare i ett meddelande.",
    "Svaret kommer inom tre vardagar.",
    "Gå tillbaka till dina mål ibland.",
    "Fira när något går bra.",
    "Det är lättare att ändra en sak än tio saker.",
    "Välj en tid på dagen som passar dig.",
    "Många tycker att det går lättare med en vän.",
    "Om det känns svårt kan du ta en kortare väg.",
    "Det viktiga är att du fortsätter.",
    "Ett nytt sätt att {act} kan kännas ovant först.",
    "Efter ett par veckor brukar det bli lättare.",
    "Titta på hur det har gått när veckan är slut.",
]

HEADINGS = [
    "Vad är {ti}", "Varför spelar {t} roll", "Så kan du börja", "Ett första steg", "Små mål",
    "Din plan", "När det går trögt", "Råd för vardagen", "Vanliga frågor", "Att följa upp",
    "Stöd från andra", "Tänk på det här", "Att ta en paus", "Så går du vidare", "Bra att veta",
    "Prova själv", "Din vecka", "Hjälp på vägen", "Det här kan hjälpa", "Frågor att fundera på",
]

MODULE_NAMES = [
    "Om {ti}", "Din vardag", "Små steg", "Nya vanor", "Tankar och känslor", "Kropp och ork",
    "Stöd omkring dig", "Planera veckan", "Följ upp", "Vägen framåt", "När det är svårt",
    "Mål och mening", "Vila och återhämtning", "Att hålla i", "Bakslag", "Sammanfattning",
]

LIST_ITEMS = [
    "Välj en tid som passar dig.", "Skriv ner ditt mål.", "Berätta för någon du litar på.",
    "Börja med fem minuter.", "Ta en paus när du behöver.", "Gör det på samma tid varje dag.",
    "Titta på hur det gick efter en vecka.", "Byt till ett mindre mål om det känns svårt.",
    "Försök att {habit}.", "Tänk på vad som hjälpte förra gången.", "Skriv upp hur du mår.",
    "Fråga din behandlare om råd.", "Gå ut en stund i dagsljus.", "Drick vatten under dagen.",
]

DAYS = ["Måndag", "Tisdag", "Onsdag", "Torsdag", "Fredag", "Lördag", "Söndag"]
DOINGS = ["Promenad", "Vila", "Läste", "Träffade en vän", "Lagade mat", "Städade", "Andades lugnt"]
FEELINGS = ["Bra", "Ganska bra", "Trött", "Lugn", "Orolig", "Glad", "Som vanligt"]

OPTIONS = ["Inte alls", "Några dagar", "Mer än hälften av dagarna", "Nästan varje dag"]
QUESTIONS = [
    "Har {t} varit ett problem för dig?",
    "Har du känt dig trött under dagen?",
    "Har du haft svårt att komma igång med saker?",
    "Har du känt dig orolig eller spänd?",
    "Har du känt dig nedstämd eller utan hopp?",
]
FOLLOW_UP = "Har det påverkat ditt arbete eller dina studier?"


def fill(template, topic):
    return template.format(t=topic["t"], ti=topic["ti"], Ti=topic["ti"].capitalize(),
                           act=topic["act"], habit=topic["habit"])


def slugify(text):
    """An ASCII file-name slug."""
    folded = unicodedata.normalize("NFKD", text.lower())
    out = []
    for c in folded:
        if c.isascii() and c.isalnum():
            out.append(c)
        elif c in " -" and out and out[-1] != "-":
            out.append("-")
    return "".join(out).strip("-")


def anchor(text):
    """The anchor comrak (GitHub style) gives a heading: lowercase, punctuation dropped,
    spaces turned into hyphens."""
    kept = []
    for c in text.lower():
        cat = unicodedata.category(c)
        if cat[0] in "LMN" or cat == "Pc" or c in " -":
            kept.append(c)
    return "".join(kept).replace(" ", "-")


def quote(s):
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(s, ensure_ascii=False)


def png(width, height, seed):
    """A small deterministic PNG: sky, sun and a hill, colours varied by seed."""
    rng = random.Random(seed)
    sky = (150 + rng.randrange(60), 190 + rng.randrange(40), 235)
    hill = (60 + rng.randrange(50), 140 + rng.randrange(60), 70)
    sun = (250, 210, 80)
    cx, cy, r = width * 3 // 4, height // 4, max(3, height // 8)
    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            ground = height * 2 // 3 + int(6 * ((x - width / 2) / width) ** 2 * 8)
            if (x - cx) ** 2 + (y - cy) ** 2 <= r * r:
                px = sun
            elif y >= ground:
                px = hill
            else:
                px = sky
            row.extend(px)
        rows.append(bytes(row))
    raw = b"".join(rows)

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body) & 0xFFFFFFFF)

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 9))
            + chunk(b"IEND", b""))


class Writer:
    def __init__(self, root):
        self.root = root
        self.files = 0

    def text(self, rel, content):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            f.write(content)
        self.files += 1

    def binary(self, rel, content):
        path = os.path.join(self.root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(content)
        self.files += 1


def words(text):
    return sum(1 for w in text.replace("|", " ").split() if any(c.isalnum() for c in w))


class ModuleText:
    """Builds one module's Markdown from sentences, lists, a table and an image."""

    def __init__(self, rng, topic):
        self.rng = rng
        self.topic = topic
        self.parts = []
        self.headings = []
        self.used_headings = set()
        self.pool = list(SENTENCES)
        rng.shuffle(self.pool)

    def sentence(self):
        if not self.pool:
            self.pool = list(SENTENCES)
            self.rng.shuffle(self.pool)
        return fill(self.pool.pop(), self.topic)

    def paragraph(self, lo=3, hi=5):
        self.parts.append(" ".join(self.sentence() for _ in range(self.rng.randint(lo, hi))))

    def heading(self, level):
        choices = [h for h in HEADINGS if h not in self.used_headings]
        h = self.rng.choice(choices)
        self.used_headings.add(h)
        text = fill(h, self.topic)
        text = text[0].upper() + text[1:]
        self.headings.append((level, text))
        self.parts.append("#" * level + " " + text)
        return text

    def bullets(self, ordered=False):
        items = self.rng.sample(LIST_ITEMS, self.rng.randint(3, 5))
        marks = [f"{i + 1}." if ordered else "-" for i in range(len(items))]
        self.parts.append("\n".join(f"{m} {fill(t, self.topic)}" for m, t in zip(marks, items)))

    def table(self):
        days = DAYS[: self.rng.randint(3, 5)]
        lines = ["| Dag | Vad jag gjorde | Hur det kändes |", "| --- | --- | --- |"]
        for d in days:
            lines.append(f"| {d} | {self.rng.choice(DOINGS)} | {self.rng.choice(FEELINGS)} |")
        self.parts.append("Så här kan en vecka se ut. Fyll gärna i en egen tabell.")
        self.parts.append("\n".join(lines))

    def image(self):
        self.parts.append(
            "![En enkel bild av en grön kulle under en blå himmel med en gul sol.](../media/bild.png)")

    def raw(self, text):
        self.parts.append(text)

    def word_count(self):
        return sum(words(p) for p in self.parts)

    def markdown(self):
        return "\n\n".join(self.parts) + "\n"


def build_module(rng, topic, index, modules, form_here):
    """The body of module `index` (0-based) of `modules` (list of (file, title))."""
    m = ModuleText(rng, topic)
    target = rng.randint(340, 540)
    m.paragraph(2, 3)
    m.heading(2)
    m.paragraph()
    m.heading(3)
    m.paragraph(2, 4)
    m.bullets()
    m.heading(2)
    m.paragraph()
    m.table()
    m.image()
    if form_here:
        m.raw("## Fyll i enkäten")
        m.headings.append((2, "Fyll i enkäten"))
        m.raw("Svara på frågorna så gott du kan. Det tar bara några minuter. "
              "Din behandlare ser dina svar.")
        m.raw(f"```form\nref: {FORM_ID}\n```")
    m.heading(2)
    m.paragraph()
    m.bullets(ordered=True)
    while m.word_count() < target - 60:
        if rng.random() < 0.3:
            m.heading(3)
        m.paragraph()
    return m


def module_links(index, modules, bodies):
    """A closing section with links to the previous and next module, one to a heading."""
    lines = []
    if index + 1 < len(modules):
        nxt_file, nxt_title = modules[index + 1]
        lines.append(f"Nästa del handlar om [{nxt_title.lower()}]({os.path.basename(nxt_file)}).")
    if index > 0:
        prev_file, _ = modules[index - 1]
        level, text = next(h for h in bodies[index - 1].headings if h[0] == 2)
        lines.append(f"Vill du läsa igen? Gå tillbaka till [{text.lower()}]"
                     f"({os.path.basename(prev_file)}#{anchor(text)}).")
    if not lines:
        lines.append("Det här är den enda delen. Läs den igen när du vill.")
    first = next(h for h in bodies[index].headings if h[0] == 2)
    lines.append(f"Högst upp finns [{first[1].lower()}](#{anchor(first[1])}).")
    return "## Gå vidare\n\n" + " ".join(lines)


def form_yaml(topic, n_items):
    items = []
    ids = [f"q{i + 1}" for i in range(n_items)]
    for i, qid in enumerate(ids):
        text = fill(QUESTIONS[i % len(QUESTIONS)], topic)
        items.append(f"  - id: {qid}\n    type: choice\n    text: {quote(text)}\n    required: true\n"
                     + "    options:\n"
                     + "".join(f"      - {{value: {v}, label: {quote(OPTIONS[v])}}}\n" for v in range(4)))
    items.append("  - id: arbete\n    type: choice\n"
                 f"    text: {quote(FOLLOW_UP)}\n"
                 "    enable_when: {item: q1, op: \">=\", value: 1}\n"
                 "    options:\n"
                 + "".join(f"      - {{value: {v}, label: {quote(OPTIONS[v])}}}\n" for v in range(4)))
    # The conditional follow-up is not summed: a score over an item that may be
    # hidden is not computed when it is (W016).
    summed = ids
    hi = 3 * len(summed)
    a, b = hi // 3, 2 * hi // 3
    bands = [(0, a, "Låg"), (a + 1, b, "Måttlig"), (b + 1, hi, "Hög")]
    alert_at = b + 1
    text = (f"# yaml-language-server: $schema=../../../schemas/form.schema.json\n"
            f"id: {FORM_ID}\n"
            f"title: Hälsoenkät\n"
            f"description: {quote('Frågorna gäller de senaste två veckorna. Välj det svar som stämmer bäst.')}\n"
            f"kind: questionnaire\n"
            f"schedule: {{every: 14d, times: 6}}\n"
            f"items:\n" + "".join(items)
            + "scores:\n  - id: total\n    title: Total poäng\n"
            + f"    sum: [{', '.join(summed)}]\n    bands:\n"
            + "".join(f"      - {{min: {lo}, max: {hi_}, label: {label}}}\n" for lo, hi_, label in bands)
            + "alerts:\n"
            + f"  - id: nedstamd\n    when: {{item: {ids[-1]}, op: \">=\", value: 2}}\n"
            + f"    message: {quote('Personen har ofta känt sig nedstämd. Gör en bedömning snart.')}\n"
            + f"  - id: hog-poang\n    when: {{score: total, op: \">=\", value: {alert_at}}}\n"
            + f"    message: {quote('Hög poäng. Kontakta personen för uppföljning.')}\n")
    return text, ids, bands, alert_at


def evaluate(ids, bands, alert_at, answers):
    hidden = [] if answers.get("q1", 0) >= 1 else ["arbete"]
    total = sum(v for k, v in answers.items() if k in ids)
    band = next(label for lo, hi, label in reversed(bands) if lo <= total <= hi)
    alerts = []
    if answers.get(ids[-1], 0) >= 2:
        alerts.append("nedstamd")
    if total >= alert_at:
        alerts.append("hog-poang")
    return total, band, alerts, hidden


def tests_yaml(rng, ids, bands, alert_at):
    scenarios = [("alla svar noll", {i: 0 for i in ids + ["arbete"]}),
                 ("högsta svar på allt", {i: 3 for i in ids + ["arbete"]})]
    for k in range(3):
        answers = {i: rng.randrange(4) for i in ids + ["arbete"]}
        scenarios.append((f"blandade svar {k + 1}", answers))
    out = ["# yaml-language-server: $schema=../../../schemas/form-tests.schema.json\n"]
    for name, answers in scenarios:
        total, band, alerts, hidden = evaluate(ids, bands, alert_at, answers)
        ans = ", ".join(f"{k}: {v}" for k, v in answers.items())
        out.append(f"- name: {quote(name)}\n  answers: {{{ans}}}\n  expect:\n"
                   f"    scores: {{total: {total}}}\n    bands: {{total: {band}}}\n"
                   f"    alerts: [{', '.join(alerts)}]\n    hidden: [{', '.join(hidden)}]\n")
    return "".join(out)


def welcome_md(rng, topic, title, first_module):
    m = ModuleText(rng, topic)
    m.raw(f"Välkommen till {title.lower()}. Här får du stöd och råd, ett steg i taget.")
    m.raw("## Så går det till")
    m.paragraph(3, 4)
    m.raw("## Skriv till din behandlare")
    m.raw("Du kan skicka meddelanden till din behandlare här. Du får svar inom tre vardagar. "
          "Om det är akut ska du ringa 112.")
    file, name = first_module
    m.raw(f"Börja med den första delen, [{name.lower()}]({file}).")
    return m.markdown()


def riskanalys_md(title):
    return (f"# Riskanalys för {title}\n\n"
            "Syntetisk riskanalys för prestandamätningar. Den beskriver inga verkliga risker.\n\n"
            "| Risk | Hur troligt | Åtgärd |\n| --- | --- | --- |\n"
            "| Deltagaren mår sämre och ingen märker det. | Låg | Behandlaren följer upp larm. |\n")


def generate(out, n_moments, n_modules, seed):
    rng = random.Random(seed)
    w = Writer(out)
    ids = [f"syn-{i:04d}" for i in range(1, n_moments + 1)]
    width = max(2, len(str(n_modules)))
    plain = []  # (moment id, title, welcome text, [(file, title, body)])

    units = ["# yaml-language-server: $schema=./schemas/units.schema.json\n",
             "# Synthetic repository made by scripts/gen-synthetic.py.\nunits:\n",
             f"  - id: {UNIT}\n    name: Region Syntet utgivarenhet\n    kind: production\n    publishers:\n"]
    for name, key in PUBLISHERS:
        units.append(f"      - name: {name}\n        key: {quote(key)}\n")
    units.append("    groups:\n")
    for g in range(0, len(ids), 25):
        chunk = ids[g:g + 25]
        units.append(f"      - name: grupp-{g // 25 + 1}\n        members: [\"@anna\", \"@bo\"]\n"
                     f"        moments: [{', '.join(chunk)}]\n")
    w.text("units.yaml", "".join(units))

    for n, mid in enumerate(ids):
        topic = TOPICS[n % len(TOPICS)]
        title = f"{topic['name']} – program {n + 1}"
        base = f"moments/{mid}"
        names = []
        for i in range(n_modules):
            name = fill(MODULE_NAMES[i % len(MODULE_NAMES)], topic)
            name = name[0].upper() + name[1:]
            if i >= len(MODULE_NAMES):
                name = f"{name} {i // len(MODULE_NAMES) + 1}"
            names.append(name)
        modules = [(f"modules/{i + 1:0{width}d}-{slugify(name)}.md", name) for i, name in enumerate(names)]
        form_at = min(1, n_modules - 1)
        bodies = [build_module(rng, topic, i, modules, i == form_at) for i in range(n_modules)]
        texts = []
        for i, body in enumerate(bodies):
            body.raw(module_links(i, modules, bodies))
            texts.append(body.markdown())

        owners = rng.sample(OWNERS, 2)
        description = f"Syntetiskt program om {topic['ti']} med {n_modules} delar."
        # Assigned, with messaging: the texts mention messages and staff-activated
        # modules, which an open moment may not have (W026, E068).
        access = "assigned"
        meta = [f"# yaml-language-server: $schema=../../schemas/moment.schema.json\n",
                f"id: {mid}\n", "version: \"1.0.0\"\n", f"title: {quote(title)}\n",
                f"description: {quote(description)}\n",
                f"unit: {UNIT}\n", f"kind: {KINDS[n % len(KINDS)]}\n", "language: sv\n",
                f"access: {access}\n"]
        if access == "open":
            meta.append("open_to: [\"01\", \"0180\"]\n")
        meta += ["care_providers:\n", f"  - SE2321000131-E{n + 1:012d}\n",
                 "messaging: true\n",
                 f"owners: [{', '.join(owners)}]\n", "risk_analysis: docs/riskanalys.md\n",
                 "welcome: welcome.md\n", "modules:\n"]
        meta += [f"  - {f}\n" for f, _ in modules]
        w.text(f"{base}/moment.yaml", "".join(meta))
        welcome = welcome_md(rng, topic, title, modules[0])
        w.text(f"{base}/welcome.md", welcome)
        w.text(f"{base}/docs/riskanalys.md", riskanalys_md(title))
        w.binary(f"{base}/media/bild.png", png(96, 64, seed * 100003 + n))
        for (f, name), text in zip(modules, texts):
            activation = "immediate" if f == modules[0][0] else "staff"
            w.text(f"{base}/{f}", f"---\ntitle: {quote(name)}\nactivation: {activation}\n---\n{text}")
        form, qids, bands, alert_at = form_yaml(topic, 5)
        w.text(f"{base}/forms/{FORM_ID}.yaml", form)
        w.text(f"{base}/forms/{FORM_ID}.tests.yaml", tests_yaml(rng, qids, bands, alert_at))
        plain.append((mid, title, welcome, [(f, name, text) for (f, name), text in zip(modules, texts)]))
    return w.files, plain


def write_plain(out2, plain, seed):
    """The same Markdown as an mdBook (out2) and a Hugo site (out2-hugo)."""
    book = Writer(out2)
    book.text("book.toml", "[book]\ntitle = \"Syntetiska moment\"\nlanguage = \"sv\"\nsrc = \"src\"\n\n"
                           "[output.html]\n")
    summary = ["# Summary\n\n"]
    for n, (mid, title, welcome, modules) in enumerate(plain):
        summary.append(f"- [{title}]({mid}/welcome.md)\n")
        book.text(f"src/{mid}/welcome.md", f"# {title}\n\n{welcome}")
        book.binary(f"src/{mid}/media/bild.png", png(96, 64, seed * 100003 + n))
        for f, name, text in modules:
            summary.append(f"  - [{name}]({mid}/{f})\n")
            book.text(f"src/{mid}/{f}", f"# {name}\n\n{text}")
    book.text("src/SUMMARY.md", "".join(summary))

    hugo = Writer(out2.rstrip("/") + "-hugo")
    hugo.text("hugo.toml", "baseURL = \"/\"\nlanguageCode = \"sv\"\ntitle = \"Syntetiska moment\"\n"
                           "relativeURLs = true\n"
                           "disableKinds = [\"taxonomy\", \"term\", \"RSS\", \"sitemap\", \"robotsTXT\"]\n\n"
                           "[markup.goldmark.renderer]\nunsafe = false\n")
    page = ("<!doctype html>\n<html lang=\"sv\"><head><meta charset=\"utf-8\"><title>{{ .Title }}</title></head>\n"
            "<body><main><h1>{{ .Title }}</h1>\n{{ .Content }}\n{{ range .Pages }}"
            "<p><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a></p>{{ end }}</main></body></html>\n")
    for layout in ["layouts/_default/single.html", "layouts/_default/list.html", "layouts/index.html"]:
        hugo.text(layout, page)
    hugo.text("content/_index.md", "---\ntitle: \"Syntetiska moment\"\n---\n")
    for n, (mid, title, welcome, modules) in enumerate(plain):
        hugo.text(f"content/{mid}/_index.md", f"---\ntitle: {quote(title)}\n---\n{welcome}")
        hugo.binary(f"static/{mid}/media/bild.png", png(96, 64, seed * 100003 + n))
        for i, (f, name, text) in enumerate(modules):
            hugo.text(f"content/{mid}/{f}", f"---\ntitle: {quote(name)}\nweight: {i + 1}\n---\n{text}")
    return book.files, hugo.files


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="folder to write the repository into (created; must be empty or absent)")
    ap.add_argument("--moments", type=int, default=10, help="number of moments (default 10)")
    ap.add_argument("--modules", type=int, default=5, help="modules per moment (default 5)")
    ap.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    ap.add_argument("--plain-md", metavar="OUT2",
                    help="also write the modules as an mdBook in OUT2 and a Hugo site in OUT2-hugo")
    ap.add_argument("--force", action="store_true", help="replace OUT (and OUT2) if they exist")
    args = ap.parse_args()
    if args.moments < 1 or args.modules < 1:
        ap.error("--moments and --modules must be at least 1")
    targets = [args.out] + ([args.plain_md, args.plain_md.rstrip("/") + "-hugo"] if args.plain_md else [])
    for t in targets:
        if os.path.exists(t) and os.listdir(t):
            if not args.force:
                ap.error(f"{t} exists and is not empty (use --force to replace it)")
            shutil.rmtree(t)
    files, plain = generate(args.out, args.moments, args.modules, args.seed)
    print(f"wrote {args.moments} moments, {args.moments * args.modules} modules, {files} files to {args.out}",
          file=sys.stderr)
    if args.plain_md:
        b, h = write_plain(args.plain_md, plain, args.seed)
        print(f"wrote an mdBook ({b} files) to {args.plain_md} and a Hugo site ({h} files) to "
              f"{args.plain_md.rstrip('/')}-hugo", file=sys.stderr)


if __name__ == "__main__":
    main()
