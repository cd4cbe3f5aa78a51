"""Word lists shared by the rule-based PERSON and LOCATION recognizers."""

from __future__ import annotations

from functools import cache
from importlib import resources

__all__ = [
    "NOT_NAMES",
    "STREET_SUFFIXES",
    "common_words",
    "first_names",
    "regex_alternation",
    "word_set",
]


def word_set(words: str, sep: str | None = None) -> frozenset[str]:
    """Return the words of a whitespace- (or ``sep``-) separated string, stripped."""
    return frozenset(w.strip() for w in words.split(sep) if w.strip())


#: Capitalised words that start sentences, label fields or name companies: never a name part.
NOT_NAMES: frozenset[str] = word_set(
    """
    a about academy account accounting address admin after afternoon again agent airlines
    all also am amount an analytics and any april are as association at attached attachment
    august automotive avenue aviation balance bank bcc be been before being beneficiary best
    biotech birth builders but by can capital card cc city client clinic cloud co college
    company construction consulting contact corp could credit creditor customer customers
    data date dear debtor december dental department description design details did digital
    do dob doctor does done each east email energy engineering evening everyone february
    finance financial first fitness foods for forwarded foundation friday from full fw fwd
    global gmbh good great group guest had has have he headquarters health healthcare hello
    her here hey hi his holdings hospital host hotel hotels how hq i iban if important in
    inc industries institute insurance international into invoice is it its january july
    june just kind labs last law legal little llc logistics lower ltd madam manager mandate
    manufacturing many march marine me media medical member message middle ministry mobile
    monday more morning most motors mutual my name national network networks new nhs night
    no nor north not note notes november now nurse october of office old on once only or
    order original other our out over owner partners patient payment pharmacy phone photos
    plc please priority properties re realty received reference refund regards retail road
    saturday savings school security sent september server service services she should sir
    so society software solutions some south ssn staff status street studio studios subject
    such summary sunday support systems team technologies telecom than thank thanks that the
    their them then there these they this those through thursday ticket to today tomorrow
    too total transfer travel trust tuesday under union united university until up upper
    urgent user users valued very was we website wednesday were west what when where which
    while who why will with would wrote yes yesterday yet you your
    """
)

#: Street-type words (USPS suffix list plus common UK/AU/NZ/IE forms), lower case.
STREET_SUFFIXES: tuple[str, ...] = tuple(
    sorted(
        word_set(
            """
            street st road rd avenue ave av lane ln drive dr court ct place pl square sq boulevard
            blvd way terrace tce crescent cres close grove gardens garden park parks hill hills row
            walk mews trail parkway pkwy highway hwy circle cir loop plaza motorway port ports haven
            vista views view common commons brae mount mountain glen ridge heights meadow meadows
            valley crossing creek fields field green greens estate estates village harbor harbour
            island isle junction key keys knoll knolls lake lakes landing manor manors mill mills
            orchard pass path pike pines plains point points prairie ranch rest river route shoal
            shoals shore shores spring springs spur station stream summit trace track tunnel
            turnpike underpass union unions vale viaduct well wells wharf wynd quay rise parade
            esplanade promenade bypass chase dale fold gate side approach hollow flats alley bridge
            brook brooks burg burgs bluff bluffs bottom branch canyon cape causeway center centre
            centers cliff cliffs club corner corners course courts cove coves crest curve dam divide
            expressway extension falls ferry flat ford fords forge forges fork forks fort freeway
            gateway glens grounds harbors inlet junctions lock locks lodge mall neck oval overpass
            plain radial ramp rapids ridges run skyway squares stravenue streets throughway
            trafficway ville walks wall ways
            annex arcade bayou beach bend camp crossroad crossroads forest land light lights
            loaf mission passage pine rapid trailer village villages ridge brow drove mead yard
            nagar ganj marg chowk colony puram vihar enclave layout bagh peth sector
            """
        )
    )
)


def regex_alternation(words: tuple[str, ...] | frozenset[str]) -> str:
    """Return a regex alternation of ``words``, longest first so prefixes do not win."""
    return "|".join(sorted(set(words), key=len, reverse=True))


@cache
def first_names() -> frozenset[str]:
    """Return the shipped given-name list (loaded once, on first use)."""
    return _read_list("data/first_names.txt")


@cache
def common_words() -> frozenset[str]:
    """Return the shipped list of common English words (lower case; no given names)."""
    return _read_list("data/common_words.txt")


def _read_list(name: str) -> frozenset[str]:
    data = resources.files("privault.detect").joinpath(name).read_text("utf-8")
    return frozenset(
        line.strip() for line in data.splitlines() if line.strip() and not line.startswith("#")
    )
