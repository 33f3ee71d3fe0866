from jargonaut.lm.normalise import cardinal, normalise_words


def test_words_punctuation_and_apostrophes():
    assert normalise_words("Hi, Diane! I'm doin' okay 'cause...") == ["hi", "diane", "i'm", "doin", "okay", "cause"]
    assert normalise_words("It\u2019s fine") == ["it's", "fine"]


def test_hyphens_and_letter_digit_splits():
    assert normalise_words("PD-1 inhibitors") == ["pd", "one", "inhibitors"]
    assert normalise_words("BRCA2") == ["brca", "two"]
    assert normalise_words("follow-up") == ["follow", "up"]


def test_numbers_spoken():
    assert normalise_words("28 year old") == ["twenty", "eight", "year", "old"]
    assert normalise_words("1,500 mg") == ["one", "thousand", "five", "hundred", "mg"]
    assert normalise_words("2.5") == ["two", "point", "five"]
    assert normalise_words("3rd 21st 12th") == ["third", "twenty", "first", "twelfth"]
    assert normalise_words("1995") == ["nineteen", "ninety", "five"]
    assert normalise_words("2005") == ["two", "thousand", "five"]
    assert normalise_words("007") == ["zero", "zero", "seven"]
    assert normalise_words("5% & more") == ["five", "percent", "and", "more"]
    assert cardinal(1_000_001) == ["one", "million", "one"]


def test_unicode():
    assert normalise_words("Ärzte CAFÉ Œuvre") == ["ärzte", "café", "œuvre"]
    assert normalise_words("\uff11\uff12") == ["twelve"]  # full-width digits (NFKC)
    assert normalise_words("cafe\u0301") == ["café"]  # combining accent composes


def test_deterministic_and_empty():
    assert normalise_words("") == []
    assert normalise_words(" -- ... ") == []
    text = "The patient's BP was 140/90."
    assert normalise_words(text) == normalise_words(text)
