"""Template imports: budget, helårsprognos, volymer och nyckeltal, indikatorer.

``ramverk`` is the shared framework (reading and header matching, plans, the locking rule, the preview/confirm
service); ``budget``, ``prognos``, ``volymer`` and ``indikatorer`` are the import kinds. The Kolada import
(``importer.kolada``) builds on the same framework. Callers use the names below: ``mallar.förhandsgranska``,
``mallar.bekräfta``, ``mallar.importtyp(typ)`` …
"""

from .budget import Budgetimport
from .budget_konto import Kontobudgetimport
from .indikatorer import Indikatorimport, Indikatorpost, indikatorer_för, planera_indikatorvärden
from .prognos import Prognosimport
from .ramverk import (
    GRÄNSER,
    IMPORTTYPER,
    MAX_FILSTORLEK,
    MAX_RADER,
    SKIPPA_BLAD,
    SÖK_RUBRIK_RADER,
    Granskning,
    Importtypdef,
    InteBekräftad,
    Kolumnkarta,
    Kontext,
    Låsning,
    Plan,
    Postplan,
    Tolkat,
    avbryt,
    bekräfta,
    förhandsgranska,
    granska,
    hitta_kolumner,
    importtyp,
    kräv_import,
    läs_tabeller,
    nyckeltext,
    skriv,
    tom,
    visa,
)
from .volymer import VOLYMTYPER, Volymimport, bred_kolumn

__all__ = [
    "GRÄNSER",
    "IMPORTTYPER",
    "MAX_FILSTORLEK",
    "MAX_RADER",
    "SKIPPA_BLAD",
    "SÖK_RUBRIK_RADER",
    "VOLYMTYPER",
    "Budgetimport",
    "Kontobudgetimport",
    "Granskning",
    "Importtypdef",
    "Indikatorimport",
    "Indikatorpost",
    "InteBekräftad",
    "Kolumnkarta",
    "Kontext",
    "Låsning",
    "Plan",
    "Postplan",
    "Prognosimport",
    "Tolkat",
    "Volymimport",
    "avbryt",
    "bekräfta",
    "bred_kolumn",
    "förhandsgranska",
    "granska",
    "hitta_kolumner",
    "importtyp",
    "indikatorer_för",
    "kräv_import",
    "läs_tabeller",
    "nyckeltext",
    "planera_indikatorvärden",
    "skriv",
    "tom",
    "visa",
]
