"""Collateral damage on the blocking API and page: real register entries, popular domains put on their addresses."""

from __future__ import annotations

import json
import time

import pytest

from .conftest import PREFIXES, RESOLUTIONS, collateral_case

pytestmark = pytest.mark.data

REGISTER = "rkn/tail-2020-02-16.csv"


@pytest.fixture(scope="module")
def case(shared_data_dir):
    return collateral_case(shared_data_dir)


@pytest.fixture(scope="module")
def by_name(client):
    response = client.post("/api/v1/blocking", data={"name": REGISTER, "resolutions_name": RESOLUTIONS,
                                                     "date": PREFIXES})
    assert response.status_code == 200, response.text
    return response.json()


def test_collateral_counts_match_a_plain_reading(by_name, case) -> None:
    c = by_name["collateral"]
    assert c["unrelated_domains"] == case["unrelated"]
    assert c["addresses_with_unrelated"] == case["addresses"]
    assert c["domains_on_blocked"] == case["unrelated"] + 1  # the register's own domain is on a blocked address too
    assert c["resolutions"]["bad_records"]["count"] == 1
    assert c["resolutions"]["source"] == RESOLUTIONS
    # the server's paths stay private: the resolutions are named as the request named them
    assert "/tmp" not in json.dumps(c) and "web-data" not in json.dumps(c)


def test_addresses_table_lists_the_listed_addresses(by_name, case) -> None:
    table = by_name["collateral"]["addresses"]
    assert table["total"] == case["addresses"] == len(table["rows"])
    first = table["rows"][0]
    assert first["address"] == case["first_address"] and first["unrelated_domains"] == 3
    assert set(first["examples"].split(", ")) == set(case["first_domains"])
    assert all(r["unrelated_domains"] == 1 for r in table["rows"][1:])
    # the register's own domain on its own address is not collateral
    assert case["own"][0] not in " ".join(r["examples"] for r in table["rows"])


def test_provider_and_entry_tables(by_name, case) -> None:
    c = by_name["collateral"]
    providers = c["by_provider"]["rows"]
    assert providers and sum(r["addresses"] for r in providers) == case["addresses"]
    assert all(r["unrelated_domains"] >= 1 for r in providers)
    entries = c["top_entries"]["rows"]
    assert entries[0]["unrelated_domains"] == 3
    assert set(entries[0]["examples"].split(", ")) == set(case["first_domains"])


def test_without_resolutions_there_is_no_collateral_and_no_mixup_in_the_cache(client, by_name) -> None:
    plain = client.post("/api/v1/blocking", data={"name": REGISTER, "date": PREFIXES}).json()
    assert plain["collateral"] is None
    again = client.post("/api/v1/blocking", data={"name": REGISTER, "resolutions_name": RESOLUTIONS,
                                                  "date": PREFIXES}).json()
    assert again == by_name


def test_uploaded_resolutions_give_the_same_figures(client, by_name, case) -> None:
    response = client.post("/api/v1/blocking", data={"name": REGISTER, "date": PREFIXES},
                           files={"resolutions_file": ("mine.csv", case["text"].encode())})
    assert response.status_code == 200, response.text
    c = response.json()["collateral"]
    assert c["resolutions"]["source"] == "upload:mine.csv"
    for key in ("unrelated_domains", "addresses_with_unrelated", "by_provider", "top_entries", "addresses"):
        assert c[key] == by_name["collateral"][key], key


@pytest.mark.parametrize("name", ["../secret.txt", "/etc/passwd", "resolutions/../../secret.txt", "link-out.txt",
                                  "..", "resolutions", "%2e%2e/secret.txt", "nonexistent.csv"])
def test_resolution_names_cannot_leave_the_data_directory(client, name: str) -> None:
    response = client.post("/api/v1/blocking", data={"name": REGISTER, "resolutions_name": name})
    assert response.status_code == 400, response.text
    assert "never be served" not in response.text
    assert "resolutions file" in response.json()["message"]


def test_bad_resolutions_upload_is_one_clear_error_naming_it(client) -> None:
    response = client.post("/api/v1/blocking", data={"name": REGISTER, "date": PREFIXES},
                           files={"resolutions_file": ("bad.csv", b"this,is,not\nresolutions at all\n")})
    assert response.status_code == 422, response.text
    message = response.json()["message"]
    assert message.startswith("upload:bad.csv") and "domain,ip" in message and "/tmp" not in message


def test_bad_line_in_strict_mode_names_the_line(client, case) -> None:
    register = f"{case['first_address']}\n".encode()
    response = client.post("/api/v1/blocking", data={"date": PREFIXES, "strict": "true", "kind": "plain"},
                           files={"file": ("list.txt", register),
                                  "resolutions_file": ("strict.csv", case["text"].encode())})
    assert response.status_code == 422, response.text
    lines = case["text"].splitlines()
    assert response.json()["message"].startswith(f"upload:strict.csv:{lines.index('not a resolution line') + 1}:")


def test_empty_and_oversized_resolution_uploads(client, web_settings) -> None:
    empty = client.post("/api/v1/blocking", data={"name": REGISTER}, files={"resolutions_file": ("e.csv", b"")})
    # an empty file part without a size is taken as no upload; with a name it is refused as empty
    assert empty.status_code in (200, 400)
    if empty.status_code == 400:
        assert "empty" in empty.json()["message"]
    big = b"example.org,10.0.0.1\n" * (web_settings.max_upload_bytes // 21 + 10)
    response = client.post("/api/v1/blocking", data={"name": REGISTER}, files={"resolutions_file": ("big.csv", big)})
    assert response.status_code == 413 and "limit" in response.json()["message"]


def test_blocking_page_shows_the_three_collateral_tables(client, by_name, case) -> None:
    response = client.get(f"/blocking?register={REGISTER}&resolutions={RESOLUTIONS}&date={PREFIXES}")
    assert response.status_code == 200, response.text
    text = response.text
    for table in ("collateral-addresses", "collateral-by-provider", "collateral-top-entries"):
        assert f'id="{table}"' in text, table
    assert case["first_address"] in text and case["first_domains"][1] in text
    assert f'value="{RESOLUTIONS}" selected' in text


def test_blocking_page_with_uploaded_resolutions(client, case) -> None:
    response = client.post("/blocking", data={"name": REGISTER, "date": PREFIXES},
                           files={"resolutions_file": ("page.csv", case["text"].encode())}, follow_redirects=False)
    assert response.status_code in (200, 303), response.text
    if response.status_code == 303:
        location = response.headers["location"]
        assert location.startswith("/blocking/result/")
        for _ in range(300):
            response = client.get(location)
            if response.status_code == 200:
                break
            time.sleep(0.1)
    assert response.status_code == 200
    assert "upload:page.csv" in response.text and 'id="collateral-addresses"' in response.text


def test_blocking_page_bad_resolution_name_is_an_error_page(client) -> None:
    response = client.get(f"/blocking?register={REGISTER}&resolutions=../secret.txt")
    assert response.status_code == 400 and 'id="error"' in response.text
    assert "never be served" not in response.text
