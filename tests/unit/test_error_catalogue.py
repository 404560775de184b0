"""Every error code the domain can raise is in the catalogue, with both languages."""

import importlib
import pkgutil

import domain
from domain.errors import DomainError
from mobile_contract.errors import CATALOGUE


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_every_domain_error_code_is_catalogued():
    for module in pkgutil.walk_packages(domain.__path__, "domain."):
        if "piccolo_migrations" not in module.name:
            importlib.import_module(module.name)
    codes = {cls.code for cls in _all_subclasses(DomainError)}
    assert len(codes) >= 10
    assert codes - set(CATALOGUE) == set()


def test_every_catalogue_entry_has_both_languages_and_an_error_status():
    for code, entry in CATALOGUE.items():
        assert code.isupper() and 400 <= entry.status < 600
        assert entry.zh and entry.en and entry.zh != entry.en
