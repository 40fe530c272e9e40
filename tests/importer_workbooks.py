"""Hand-made OmaStadi research workbooks for the importer tests (made with openpyxl).

The columns are those ``hkiexport.rake`` writes (``export_component_votes`` and
``project_data`` in City-of-Helsinki/decidim-helsinki, lib/tasks/hkiexport.rake): the
Votes sheet's ``postal_code`` is column L and ``age`` column M, as there (the hash of
lines 306–328 at commit 03e05892; the Projects hash is lines 354–371).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

VOTE_HEADER = [
    "user_hash", "impersonated_user", "order_hash", "budget_id", "budget_name", "budget_total_amount",
    "available_votes_count", "voted_project_ids", "voted_projects_count", "voted_amount", "identity",
    "postal_code", "age", "gender", "school_code", "created_at", "checked_out_at",
]  # fmt: skip
PROJECT_HEADER = [
    "id", "title", "geolocated", "latitude", "longitude", "budget_id", "budget_name", "category_parent_id",
    "category_parent_name", "category_sub_id", "category_sub_name", "scope_id", "scope_name", "budget",
    "votes", "selected",
]  # fmt: skip


def vote(order: str, budget: int, name: str, total: int, ids: str, postal: str, age: str) -> list[Any]:
    count = len(ids.split(","))
    return ["u" + order, 0, order, budget, name, total, None, ids, count, 0, "suomifi", postal, age, "", None,
            "2025-10-01 10:00", "2025-10-01 10:05"]  # fmt: skip


def project(pid: int, title: str, budget: int, name: str, cost: Any, votes: int, selected: int) -> list[Any]:
    return [pid, title, 0, None, None, budget, name, None, None, None, None, None, None, cost, votes, selected]


#: Eteläinen (100000, postal codes 00100 and 00120) and Itäinen (50000, 00800 and 00810).
#: h4 lives in Itäinen (00800) but votes in Eteläinen; h5 is 11; h8 has no age.
SHEETS: dict[str, list[list[Any]]] = {
    "Eteläinen - Votes": [
        VOTE_HEADER,
        vote("h1", 1, "Eteläinen", 100000, "201,202", "00100", "34"),
        vote("h2", 1, "Eteläinen", 100000, "201,203", "00120", "15"),
        vote("h3", 1, "Eteläinen", 100000, "201,202", "00100", "40"),
        vote("h4", 1, "Eteläinen", 100000, "201", "00800", "29"),
        vote("h5", 1, "Eteläinen", 100000, "203", "00100", "11"),
    ],
    "Eteläinen - Projects": [
        PROJECT_HEADER,
        project(201, "Puisto", 1, "Eteläinen", 60000, 4, 1),
        project(202, "Kirjasto", 1, "Eteläinen", 30000, 2, 1),
        project(203, "Valot", 1, "Eteläinen", 20000, 2, 0),
    ],
    "Itäinen - Votes": [
        VOTE_HEADER,
        vote("h6", 2, "Itäinen", 50000, "301,302", "00800", "50"),
        vote("h7", 2, "Itäinen", 50000, "302", "00810", "22"),
        vote("h8", 2, "Itäinen", 50000, "301", "00810", ""),
    ],
    "Itäinen - Projects": [
        PROJECT_HEADER,
        project(302, "Penkit", 2, "Itäinen", 20000, 2, 1),
        project(301, "Kenttä", 2, "Itäinen", 40000, 2, 0),
    ],
}


def write_workbook(path: Path, sheets: dict[str, list[list[Any]]] | None = None) -> Path:
    import openpyxl  # type: ignore[import-untyped]

    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in (SHEETS if sheets is None else sheets).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


CYCLE = """[cycle]
name = "OmaStadi-style (hand-made)"

[files]
format = "omastadi-xlsx"
export = "omastadi.xlsx"

[voters]
min_age = 12
choose = "home-district"

[[pots]]
name = "Eteläinen"
amount = "100000"
postal_codes = ["00100", "00120"]

[[pots]]
name = "Itäinen"
amount = "50000"
postal_codes = ["00800", "00810"]
"""
