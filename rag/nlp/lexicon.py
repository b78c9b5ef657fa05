"""Closed-class word lists for English and Swedish that the query analyser and the offline
judge reason with: question words, negation, denial verbs, hedges, certainty markers,
number words and quantity qualifiers.

These are grammar, not content: no word here comes from the indexed articles. They are
hand-written because no PyPI package ships cue lists for both languages (nltk's stopword
lists mix all of these together, and no NLI/negation-scope model installs offline).
"""

from __future__ import annotations

WH_WORDS = {
    "en": {"what", "who", "whom", "whose", "when", "where", "why", "how", "which"},
    "sv": {"vad", "vem", "vems", "vilka", "vilken", "vilket", "när", "var", "varför", "hur",
           "vart", "varifrån"},
}
# open questions whose answer is a number: a sentence without one does not answer them
QUANTITY_QUESTIONS = {"how many", "how much", "hur många", "hur mycket", "hur stor",
                      "hur stora", "how large", "how big"}
# a question that starts with one of these asks whether a proposition holds
YESNO_STARTERS = {
    "en": {"is", "are", "was", "were", "do", "does", "did", "will", "would", "can", "could",
           "should", "shall", "has", "have", "had", "may", "might", "must", "isn't", "aren't",
           "wasn't", "weren't", "don't", "doesn't", "didn't", "won't", "wouldn't", "can't",
           "couldn't", "shouldn't", "hasn't", "haven't", "hadn't"},
    # Swedish yes/no questions put the finite verb first; any non-wh first word counts
    "sv": set(),
}
DO_SUPPORT = {"do", "does", "did"}

NEGATIONS = {
    "en": {"not", "no", "never", "none", "nobody", "nothing", "neither", "nor", "without",
           "cannot", "n't", "nowhere", "hardly"},
    "sv": {"inte", "icke", "ej", "aldrig", "ingen", "inget", "inga", "varken", "utan",
           "ingenting", "ingenstans"},
}
# verbs that deny or rule out what follows: "dismissed claims that X" asserts not-X.
# ("falsely" is left out: its scope is the verb it modifies, often not the claim's)
DENIALS = {
    "en": {"deny", "denied", "denies", "dismiss", "dismissed", "dismisses", "reject",
           "rejected", "rejects", "refute", "refuted", "refutes", "exclude", "excluded",
           "excludes", "rule out", "ruled out", "rules out", "nonsense", "unfounded"},
    "sv": {"förneka", "förnekade", "förnekar", "avfärda", "avfärdade", "avfärdar", "avvisa",
           "avvisade", "avvisar", "utesluta", "uteslöt", "utesluter", "nonsens", "ogrundade",
           "ogrundad"},
}
# hedges on the statement itself (adverbs and modal verbs). Adjectives like "possible
# attack" hedge a noun, not the claim, and Swedish "kan" is mostly ability ("jag kan inte
# föreställa mig"), so neither is listed.
HEDGES = {
    "en": {"could", "might", "possibly", "potentially", "likely", "unlikely", "perhaps",
           "reportedly", "allegedly", "fear", "fearing", "feared"},
    "sv": {"kunde", "kanske", "möjligen", "eventuellt", "troligen", "sannolikt", "påstås",
           "uppges", "fruktar"},
}
# qualifiers a claim stakes itself on: a source that lacks them does not support the claim
CERTAINTY = {
    "en": {"definitely", "certainly", "always", "automatically", "automatic", "inevitably",
           "surely", "guaranteed", "necessarily", "never", "already", "only"},
    "sv": {"definitivt", "säkert", "alltid", "automatiskt", "automatisk", "oundvikligen",
           "garanterat", "nödvändigtvis", "aldrig", "redan", "endast", "enbart", "bara"},
}
# the same qualifier in both languages, so a Swedish claim's "automatiskt" is found in an
# English source's "automatically"
CERTAINTY_CONCEPTS = [
    {"definitely", "definitivt"}, {"certainly", "surely", "säkert"}, {"always", "alltid"},
    {"automatically", "automatic", "automatiskt", "automatisk"},
    {"inevitably", "oundvikligen"}, {"guaranteed", "garanterat"},
    {"necessarily", "nödvändigtvis"}, {"never", "aldrig"}, {"already", "redan"},
    {"only", "endast", "enbart", "bara"},
]
# future/obligation modals: against a hedged source ("could") they overstate it
MODALS = {
    "en": {"will", "must", "shall"},
    "sv": {"kommer", "måste", "ska", "skall"},
}
# cardinals only: "one"/"en"/"ett" double as articles and ordinals as adverbs ("first
# activated"), so they would create numbers that are not there
NUMBER_WORDS = {
    "en": {"two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
           "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100,
           "thousand": 1000, "dozen": 12},
    "sv": {"två": 2, "tre": 3, "fyra": 4, "fem": 5, "sex": 6, "sju": 7, "åtta": 8, "nio": 9,
           "tio": 10, "elva": 11, "tolv": 12, "tjugo": 20, "hundra": 100, "tusen": 1000},
}
SCALES = {"thousand": 1e3, "tusen": 1e3, "million": 1e6, "millions": 1e6, "miljon": 1e6,
          "miljoner": 1e6, "billion": 1e9, "billions": 1e9, "miljard": 1e9, "miljarder": 1e9,
          "k": 1e3, "m": 1e6, "bn": 1e9, "mn": 1e6}
LOWER_BOUND = {"over", "more than", "at least", "above", "upwards of", "in excess of",
               "över", "mer än", "fler än", "minst", "drygt", "åtminstone"}
UPPER_BOUND = {"under", "less than", "fewer than", "at most", "below", "up to", "nearly",
               "almost", "högst", "mindre än", "färre än", "nästan", "upp till", "knappt"}
APPROX = {"about", "around", "roughly", "approximately", "some", "cirka", "ungefär",
          "omkring", "runt"}


# obligation against permission: a source that says members "can" do what a claim says
# they "must" do does not bear the claim out
OBLIGATION = {"en": {"must", "shall", "obliged", "required"},
              "sv": {"måste", "skall", "tvungen", "tvungna", "skyldig", "skyldiga"}}
PERMISSION = {"en": {"can", "may"}, "sv": {"kan", "får"}}
# a requirement: the source says something must happen, not that it did ("approval is
# required" does not say "parliament has approved")
REQUIREMENT = {"en": OBLIGATION["en"] | {"requires", "require", "need", "needs", "needed",
                                         "necessary"},
               "sv": OBLIGATION["sv"] | {"krävs", "kräver", "krav", "behöver", "behövs",
                                         "nödvändig", "nödvändigt"}}

# verbs that pass a negation on to the verb they take: "does not risk escalating",
# "riskerar inte att trappa upp", "did not try to stop"
CATENATIVES = {"risk", "risks", "try", "tried", "seem", "seems", "need", "needs", "want",
               "wants", "plan", "plans", "intend", "intends", "begin", "start", "riskera",
               "riskerar", "försöka", "försöker", "verka", "verkar", "behöva", "behöver",
               "vilja", "vill", "planera", "planerar", "börja", "börjar"}


# sentence openers that are capitalised only because they come first ("Enligt New York
# Times…", "According to Kallas…"): never names
DISCOURSE = {"according", "enligt", "however", "dock", "dessutom", "meanwhile",
             "previously", "tidigare", "despite", "trots", "following", "reportedly",
             "earlier", "later", "today", "yesterday", "idag", "igår", "also", "även",
             "moreover", "furthermore", "thus", "therefore", "därför", "alltså"}


# words that attribute a quote to its source ("the article reported that …", "enligt
# artikeln: …", "SVT skriver att …"): framing a verbatim quote with them adds no claim
ATTRIBUTION = {"report", "reports", "reported", "state", "states", "stated", "write",
               "writes", "wrote", "note", "notes", "noted", "quote", "quotes", "quoted",
               "add", "adds", "added", "explain", "explains", "explained", "told", "tells",
               "rapporterar", "rapporterade", "skriver", "skrev", "uppger", "uppgav",
               "konstaterar", "konstaterade", "berättar", "berättade", "tillägger", "citerar",
               "article", "articles", "artikel", "artikeln", "artiklarna", "source",
               "sources", "källa", "källan", "källor", "källorna"}


# verbs that report speech: every quoted person in a news sentence sits next to one, so
# "X said" is no slot that only X can fill ("Šimonytė said …, while Roll stated …")
REPORTING = {"say", "says", "said", "saying", "state", "states", "stated", "tell", "tells",
             "told", "argue", "argues", "argued", "claim", "claims", "claimed", "add",
             "adds", "added", "explain", "explains", "explained", "note", "notes", "noted",
             "believe", "believes", "believed", "säga", "säger", "sade", "sa", "uppger",
             "uppgav", "hävdar", "hävdade", "menar", "menade", "anser", "ansåg",
             "förklarar", "förklarade", "betonar", "betonade", "tillägger", "tillade",
             "berättar", "berättade", "konstaterar", "konstaterade"}


def all_of(table: dict[str, set[str]]) -> set[str]:
    return table["en"] | table["sv"]


# clauses a sentence mentions without asserting (rag.judge.asserted): an embedded question
# ("asked whether X", "huruvida X diskuterades") or a condition ("if X, …")
QUESTION_OPENERS = {"en": {"whether"}, "sv": {"huruvida"}}
CONDITION_OPENERS = {"en": {"if", "unless"}, "sv": {"ifall", "såvida"}}
# "if" / "om" after one of these opens an embedded question ("asked if", "frågan om");
# Swedish "om" is also "about", so it opens a clause only after these, after
# OM_CONDITION ("även om": even if) or first in the sentence
QUESTION_GOVERNORS = {
    "en": {"ask", "asks", "asked", "asking", "wonder", "wonders", "wondered", "debate",
           "debates", "debated", "discuss", "discussed", "unclear", "unknown", "uncertain",
           "decide", "decides", "decided", "know", "knows", "knew", "see", "check",
           "checked", "question", "doubt", "doubts"},
    "sv": {"fråga", "frågan", "frågade", "frågar", "frågas", "undrar", "undrade",
           "diskuterar", "diskuterade", "diskuteras", "debatterar", "debatterade",
           "oklart", "osäkert", "okänt", "avgöra", "avgör", "avgjorde", "besluta",
           "beslutar", "beslutade", "bestämma", "bestämmer", "vet", "visste", "veta",
           "undersöka", "undersöker", "pröva", "prövar", "tveksamt"},
}
OM_CONDITION = {"men", "även", "och", "att", "eller"}
# a claim with one of these is hypothetical itself: a source's condition may say it
HYPOTHETICAL_VERBS = {"en": {"would", "could", "might"}, "sv": {"skulle", "kunde"}}
HYPOTHETICALS = {"en": HYPOTHETICAL_VERBS["en"] | {"if"},
                 "sv": HYPOTHETICAL_VERBS["sv"] | {"om", "ifall"}}

# titles and offices: capitalised before a name ("Prime Minister Kallas", "Försvarsminister
# Jonson") but roles, not names (rag.query.casing); Swedish compounds end in these
ROLE_WORDS = {"prime", "minister", "ministers", "president", "vice", "chancellor",
              "secretary", "general", "premier", "foreign", "defence", "defense", "interior",
              "finance", "justice", "affairs", "ambassador", "spokesperson", "spokesman",
              "spokeswoman", "king", "queen", "prince", "princess", "senator", "governor",
              "mayor", "commander", "chief", "director", "chairman", "chairwoman", "chair",
              "leader", "speaker", "mr", "mrs", "ms", "dr", "sir", "lord", "statsminister",
              "premiärminister", "kansler", "generalsekreterare", "ambassadör", "talesperson",
              "kung", "kungen", "drottning", "drottningen", "talman", "talmannen",
              "borgmästare", "överbefälhavare", "överbefälhavaren", "ordförande", "ledare",
              "presidenten"}
ROLE_SUFFIXES = ("minister", "ministern", "ministerns", "ministrar", "ministrarna")
# Swedish finite verbs without a regular ending (strong and irregular past tenses): a
# yes/no question may start with them ("Sa Kallas att …?", "Gav Sverige …?")
SV_IRREGULAR_FINITE = {"sa", "gav", "tog", "kom", "fick", "gick", "såg", "låg", "drog",
                       "bad", "blev", "slog", "sköt", "dog", "föll", "höll", "bröt", "steg",
                       "vann", "fann", "satt", "stod", "lät", "drev", "skrev", "bjöd",
                       "sjönk", "sprang", "vek", "bar", "gör", "vet", "får"}
# the same office in either language (rag.judge.roles): a run of title words -> one key
ROLE_CONCEPTS = {
    "prime-minister": {"prime minister", "premier", "statsminister", "premiärminister"},
    "foreign-minister": {"foreign minister", "foreign affairs minister", "utrikesminister"},
    "defence-minister": {"defence minister", "defense minister", "försvarsminister"},
    "finance-minister": {"finance minister", "finansminister"},
    "interior-minister": {"interior minister", "inrikesminister"},
    "justice-minister": {"justice minister", "justitieminister"},
    "president": {"president"},
    "vice-president": {"vice president", "vicepresident"},
    "secretary-general": {"secretary general", "generalsekreterare"},
    "chancellor": {"chancellor", "kansler"},
}
# a copula between a name and its title: "X is Poland's Foreign Minister"
COPULAS = {"is", "was", "are", "were", "became", "becomes", "remains", "är", "var", "blev",
           "förblir"}
ARTICLES = {"the", "a", "an", "en", "ett"}
# days and months: capitalised in English, names of dates, not of people or places
DATE_NAMES = {"monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
              "january", "february", "march", "april", "may", "june", "july", "august",
              "september", "october", "november", "december", "måndag", "tisdag", "onsdag",
              "torsdag", "fredag", "lördag", "söndag", "januari", "februari", "mars", "maj",
              "juni", "juli", "augusti", "oktober"}
# a country's other names (pycountry has "Russian Federation", not "Russia") and its
# adjectives and peoples (demonyms), en and sv, merged into pycountry's names for it
# (rag.nlp.entities): "Polens", "polska", "Polish" and "Poland" name one country. Swedish
# adjectives are written in lower case; they are names only through this table.
COUNTRY_NAMES = {
    "russian federation": {"russia", "ryssland"},
    "united kingdom": {"britain", "great britain", "storbritannien", "uk"},
    "united states": {"america"},
    "netherlands": {"holland"},
    "türkiye": {"turkey"},
}
DEMONYMS = {
    "russian federation": {"russian", "russians", "rysk", "ryska", "ryskt", "ryssar"},
    "united kingdom": {"british", "britons", "britter", "brittisk", "brittiska", "brittiskt"},
    "united states": {"american", "americans", "amerikaner", "amerikansk", "amerikanska",
        "amerikanskt"},
    "france": {"fransk", "franska", "franskt", "fransmän", "french"},
    "germany": {"german", "germans", "tysk", "tyska", "tyskar", "tyskt"},
    "poland": {"polacker", "poles", "polish", "polsk", "polska", "polskt"},
    "estonia": {"estnisk", "estniska", "estniskt", "estonian", "estonians"},
    "latvia": {"latvian", "latvians", "lettisk", "lettiska", "lettiskt"},
    "lithuania": {"litauer", "litauisk", "litauiska", "litauiskt", "lithuanian", "lithuanians"},
    "finland": {"finländare", "finländsk", "finländska", "finnish", "finsk", "finska",
        "finskt"},
    "sweden": {"svensk", "svenska", "svenskar", "svenskt", "swedes", "swedish"},
    "norway": {"norrmän", "norsk", "norska", "norskt", "norwegian", "norwegians"},
    "denmark": {"danes", "danish", "dansk", "danska", "danskar", "danskt"},
    "ukraine": {"ukrainare", "ukrainian", "ukrainians", "ukrainsk", "ukrainska", "ukrainskt"},
    "belarus": {"belarusian", "belarusians", "belarusisk", "belarusiska", "vitrysk", "vitryska"},
    "netherlands": {"dutch", "holländsk", "holländska", "nederländsk", "nederländska"},
    "belgium": {"belgian", "belgians", "belgisk", "belgiska"},
    "italy": {"italian", "italians", "italienare", "italiensk", "italienska"},
    "spain": {"spaniards", "spanish", "spanjorer", "spansk", "spanska"},
    "hungary": {"hungarian", "hungarians", "ungersk", "ungerska", "ungrare"},
    "romania": {"romanian", "romanians", "rumäner", "rumänsk", "rumänska"},
    "bulgaria": {"bulgarer", "bulgarian", "bulgarians", "bulgarisk", "bulgariska"},
    "slovakia": {"slovak", "slovakisk", "slovakiska", "slovaks"},
    "czechia": {"czech", "czechs", "tjecker", "tjeckisk", "tjeckiska"},
    "türkiye": {"turkar", "turkish", "turkisk", "turkiska", "turks"},
    "china": {"chinese", "kineser", "kinesisk", "kinesiska"},
    "iran": {"iranian", "iranians", "iranier", "iransk", "iranska"},
    "canada": {"canadian", "canadians", "kanadensisk", "kanadensiska"},
    "japan": {"japanese", "japansk", "japanska"},
    "moldova": {"moldavisk", "moldaviska", "moldovan", "moldovans"},
    "georgia": {"georgian", "georgians", "georgisk", "georgiska"},
    "portugal": {"portugisisk", "portugisiska", "portuguese"},
    "greece": {"greek", "greeks", "greker", "grekisk", "grekiska"},
    "austria": {"austrian", "austrians", "österrikisk", "österrikiska"},
    "ireland": {"irish", "irländsk", "irländska"},
    "iceland": {"icelandic", "isländsk", "isländska"},
    "israel": {"israeli", "israelis", "israelisk", "israeliska"},
}
