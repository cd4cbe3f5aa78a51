"""Column names as a hint, in English, German, French, Spanish, Dutch and Italian.

A name never decides alone: :mod:`privault.discovery.classify` needs value
evidence too. A hint lowers the share of matching values needed, and is the
only way generic shapes (plain digits, capitalised words) count at all.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

__all__ = ["HINTS", "is_identifier_name", "name_hint", "normalize"]

#: Keywords per entity type, most specific type first ("ip_address" before
#: "address"). Words of 1-3 letters match whole tokens, of 4-5 letters the start
#: of a token, longer ones anywhere ("kundenname", "telefonnummer").
HINTS: dict[str, tuple[str, ...]] = {
    "EMAIL_ADDRESS": (
        "email", "emailaddress", "e_mail", "mail", "emailadresse", "courriel", "adresse_mail",
        "correo", "correo_electronico", "posta_elettronica", "emailadres", "pec",
    ),
    "IP_ADDRESS": ("ip", "ipv4", "ipv6", "ip_address", "client_ip", "remote_addr", "ipadresse"),
    "MAC_ADDRESS": ("mac", "mac_address", "macadresse", "hwaddr"),
    "URL": ("url", "website", "homepage", "webseite", "site_web", "sitio_web", "link", "uri"),
    "SECRET": (
        "password", "passwd", "pwd", "secret", "token", "api_key", "apikey", "passwort", "kennwort",
        "mot_de_passe", "contrasena", "wachtwoord", "access_key", "private_key",
    ),
    "CRYPTO": ("wallet", "btc", "bitcoin", "eth_address", "ethereum"),
    "US_SSN": ("ssn", "social_security", "socialsecurity", "sozialversicherung", "tax_id"),
    "UK_NHS": ("nhs", "nhs_number"),
    "UK_NINO": ("nino", "national_insurance", "ni_number"),
    "US_PASSPORT": ("passport", "reisepass", "passeport", "pasaporte", "paspoort", "passaporto"),
    "US_DRIVER_LICENSE": (
        "driver_license", "drivers_license", "driving_licence", "dl_number", "fuhrerschein",
        "permis_de_conduire", "licencia", "rijbewijs", "patente",
    ),
    "DATE_TIME": (
        "birth", "dob", "birthday", "birthdate", "date_of_birth", "geburtsdatum", "geburtstag",
        "geboren", "naissance", "date_naissance", "nacimiento", "fecha_nacimiento", "geboortedatum",
        "geboorte", "nascita", "data_nascita", "data_di_nascita", "deceased", "death",
        "sterbedatum",
    ),
    "PERSON": (
        "name", "fullname", "full_name", "first_name", "firstname", "last_name", "lastname",
        "surname", "given_name", "forename", "middle_name", "maiden_name", "contact_name",
        "vorname", "nachname", "familienname", "nom", "prenom", "nom_de_famille", "nombre",
        "apellido", "apellidos", "naam", "voornaam", "achternaam", "nome", "cognome", "holder",
        "cardholder", "kontoinhaber", "titulaire", "titular", "intestatario", "patient", "employee",
        "customer_name", "kundenname", "mitarbeiter",
    ),
    "IBAN_CODE": ("iban", "konto", "kontonummer", "rib", "compte", "cuenta", "rekening", "conto"),
    "US_BANK_NUMBER": ("bank_account", "account_number", "routing", "acct", "bankkonto"),
    "PHONE_NUMBER": (
        "phone", "phonenumber", "telephone", "tel", "mobile", "cell", "cellphone", "fax", "handy",
        "telefon", "mobil", "mobilnummer", "handynummer", "rufnummer", "portable", "telefono",
        "movil", "celular", "telefoon", "mobiel", "gsm", "cellulare", "whatsapp", "msisdn",
    ),
    "CREDIT_CARD": (
        "card", "credit_card", "creditcard", "cc", "ccnum", "pan", "kreditkarte", "karte",
        "kartennummer", "carte", "carte_bancaire", "tarjeta", "kaart", "creditcardnummer", "carta",
        "carta_di_credito",
    ),
    "LOCATION": (
        "address", "street", "city", "town", "zip", "zipcode", "postcode", "postal_code", "adresse",
        "anschrift", "strasse", "stadt", "ort", "wohnort", "plz", "postleitzahl", "rue", "ville",
        "code_postal", "commune", "direccion", "domicilio", "calle", "ciudad", "codigo_postal",
        "localidad", "adres", "straat", "woonplaats", "plaats", "indirizzo", "via", "citta", "cap",
        "localita", "residence", "residenza",
    ),
}  # fmt: skip

#: Words that make a name about a thing, not a person ("product_name", "file_name").
_NOT_PERSON = (
    "product", "company", "firma", "entreprise", "empresa", "bedrijf", "azienda", "file",
    "host", "domain", "display", "user", "username", "table", "column", "brand", "item",
    "artikel", "produit", "producto", "prodotto", "shop", "store", "city", "street", "org",
    "organisation", "organization", "department", "team", "category", "segment", "vendor",
)  # fmt: skip

#: Words of identifier columns: digits there are keys, not phone or card numbers.
_IDENTIFIER = (
    "id", "ids", "key", "no", "nr", "num", "number", "nummer", "numero", "ref", "reference",
    "code", "sku", "order", "invoice", "ticket", "tracking", "serial", "kundennummer",
    "bestellnummer", "rechnungsnummer", "commande", "pedido", "factura", "bestelling",
    "ordine", "fattura", "uuid", "guid", "seq", "index",
)  # fmt: skip


def normalize(name: str) -> str:
    """Lower-case ``name``, strip accents, split camelCase; tokens joined by ``_``."""
    split = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name.replace("ß", "ss"))
    plain = unicodedata.normalize("NFKD", split).encode("ascii", "ignore").decode()
    return "_".join(t for t in re.split(r"[^a-z0-9]+", plain.lower()) if t)


@cache
def _regex(words: tuple[str, ...]) -> re.Pattern[str]:
    tiny = sorted((w for w in words if len(w) < 4), key=len, reverse=True)
    short = sorted((w for w in words if 4 <= len(w) < 6), key=len, reverse=True)
    long = sorted((w for w in words if len(w) >= 6), key=len, reverse=True)
    parts = [rf"(?:^|_)(?:{'|'.join(tiny)})(?:_|$)"] if tiny else []
    parts += [rf"(?:^|_)(?:{'|'.join(short)})"] if short else []
    parts += [f"(?:{'|'.join(long)})"] if long else []
    return re.compile("|".join(parts))


def name_hint(name: str) -> str | None:
    """Return the entity type ``name`` hints at, or None.

    >>> name_hint("Telefonnummer"), name_hint("product_name"), name_hint("eMail")
    ('PHONE_NUMBER', None, 'EMAIL_ADDRESS')
    """
    norm = normalize(name)
    if not norm:
        return None
    for entity, words in HINTS.items():
        if entity == "PERSON" and _regex(_NOT_PERSON).search(norm):
            continue
        if _regex(words).search(norm):
            return entity
    return None


def is_identifier_name(name: str) -> bool:
    """True when ``name`` reads like a key or reference column ("order_id", "Kundennummer")."""
    norm = normalize(name)
    return bool(norm) and bool(_regex(_IDENTIFIER).search(norm))
