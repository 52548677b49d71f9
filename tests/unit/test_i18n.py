from shared.i18n import MESSAGES, LANGUAGES, negotiate, translate


def test_every_message_is_in_finnish_swedish_and_english():
    for code, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), code


def test_language_negotiation():
    assert negotiate("sv-FI,sv;q=0.9,en;q=0.5") == "sv"
    assert negotiate("de, en;q=0.3, fi;q=0.8") == "fi"
    assert negotiate("de") == "en"
    assert negotiate(None) == "en"


def test_parameters_are_filled_in():
    assert translate("forbidden_role", "fi", roles="admin") == "Tämä toiminto vaatii roolin: admin."
