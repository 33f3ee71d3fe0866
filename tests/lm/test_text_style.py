"""Training text restyled as Whisper writes (lm.text_style), the warnings it raises, and
CamelCase names kept whole (lm.spelling.joined_names)."""
from __future__ import annotations

from jargonaut.lm.spelling import learn_spellings, respell_text
from jargonaut.lm.text_checks import text_warnings
from jargonaut.lm.text_style import WhisperStyle, profile_text


def write(tmp_path, name: str, lines: list[str]):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def styled(tmp_path, lines: list[str]) -> list[str]:
    path = write(tmp_path, "text.txt", lines)
    return list(WhisperStyle(profile_text([path])).lines(lines))


def test_lower_case_lines_get_sentence_starts_and_the_pronoun(tmp_path):
    lines = ["we pushed the fix to GitHub and the MRI looked fine.", "i think i'm done. the GitHub build passed"]
    lines += ["d: i pushed it to github and the mri was normal"] * 3
    out = styled(tmp_path, lines)
    assert out[1] == "I think I'm done. The GitHub build passed."
    # the casing the mixed-case lines establish ("GitHub", "MRI"), a frequent speaker tag dropped
    assert out[2] == "I pushed it to GitHub and the MRI was normal."


def test_all_caps_lines_are_recased(tmp_path):
    out = styled(tmp_path, ["Check the Grafana board.", "THE GRAFANA BOARD SHOWS NO ERRORS"])
    assert out[1] == "The Grafana board shows no errors."


def test_verbatim_speech_is_cleaned(tmp_path):
    out = styled(tmp_path, [
        "so, um, we we checked the the logs, uh, yesterday.",
        "and and and it was, you know, fine.",
        "I think I think your- your blood pressure is high [laughter] um.",
        "- first item of a list",
        "2. second item",
        "Note that that is fine and we had had enough.",
    ])
    assert out == [
        "So, we checked the logs, yesterday.",
        "And it was, fine.",
        "I think your blood pressure is high.",
        "First item of a list.",
        "Second item.",
        "Note that that is fine and we had had enough.",
    ]


def test_warnings_name_what_was_undone(tmp_path):
    verbatim = write(tmp_path, "verbatim.txt", ["doctor: um so we we did the test, uh, yesterday"] * 50
                     + ["Patient: okay and and then what"] * 50)
    warnings = text_warnings([verbatim])
    assert [w for w in warnings if "verbatim transcript" in w]
    assert [w for w in warnings if "speaker tag" in w and '"doctor:"' in w]
    assert [w for w in warnings if "lines are all lower case" in w]
    bare = write(tmp_path, "bare.txt", ["Kubernetes pod restarted after the deploy"] * 20)
    assert [w for w in text_warnings([bare]) if "no punctuation" in w]


def test_camel_case_names_stay_one_token(tmp_path):
    text = write(tmp_path, "ops.txt", [
        "We store the events in ClickHouse and the logs in OpenSearch.",
        "The ClickHouse cluster ran out of disk, so OpenSearch took the load.",
        "Ask whether ClickHouse or OpenSearch is faster for this query.",
        "The house by the river has a red door.",
    ])
    table = learn_spellings([text])
    assert table["click house"] == "ClickHouse" and table["clickhouse"] == "ClickHouse"
    assert respell_text(" Open the click house dashboard and the Opensearch mapping.", table) == \
        " Open the ClickHouse dashboard and the OpenSearch mapping."
    assert respell_text(" The house is open.", table) == " The house is open."


def test_treebank_split_contractions_are_joined(tmp_path):
    out = styled(tmp_path, ["i'm gon na check and we got ta wait, i wan na see you."])
    assert out == ["I'm gonna check and we gotta wait, I wanna see you."]


def test_a_word_that_only_starts_sentences_is_also_read_as_mid_sentence(tmp_path):
    """The token model is case-sensitive: a term the text only ever writes at a sentence start
    ("Revolver", "Subframe") also gets its mid-sentence casing, so " revolver" inside speech is
    a word the CLM knows; words the text writes inside sentences, names and "I" are left."""
    lines = ["- revolver: $75M facility, none drawn.", "The term loan is drawn. Subframe bushings wear out.",
             "I checked the loan with Linda.", "Linda approved it.", "The audit is done."]
    path = write(tmp_path, "text.txt", lines)
    style = WhisperStyle(profile_text([path]))
    out = list(style.lines(lines))
    assert out[0] == "Revolver: $75M facility, none drawn."
    assert style.mid_sentence_starts(out[0]) == ["revolver: $75M"]
    assert style.mid_sentence_starts(out[1]) == ["subframe bushings"]  # "the" is written inside a sentence
    assert style.mid_sentence_starts(out[3]) == []  # "Linda" is written inside a sentence too
    assert style.mid_sentence_starts(out[2]) == []  # "I"
    assert style.mid_sentence_starts("Rotors warp.") == ["rotors warp."]


def test_table_rows_are_read_cell_by_cell(tmp_path):
    """A table (Markdown pipes, an export's tabs) opens every cell like a line: its first word's
    capital establishes no casing ("| Ballroom |" is no name), Whisper never writes the pipes, and
    an all-caps row is recased as a whole; prose with one pipe is no table."""
    lines = ["| Ticket | Area | Issue |", "|---|:--:|---|", "| 5584 | Ballroom | Two projectors flicker |",
             "5585\tBallroom\tThermostat stuck", "Set up the ballroom chairs before noon.",
             "| 5586 | POOL | HEATER TRIPPING |", "Use either | or in the query."]
    path = write(tmp_path, "text.txt", lines)
    profile = profile_text([path])
    assert "ballroom" not in profile.casing()
    assert "ballroom" in profile.lower_case_words()
    out = list(WhisperStyle(profile).lines(lines))
    assert out == ["Ticket.", "Area.", "Issue.", "5584.", "Ballroom.", "Two projectors flicker.", "5585.", "Ballroom.",
                   "Thermostat stuck.", "Set up the ballroom chairs before noon.", "5586.", "Pool.", "Heater tripping.",
                   "Use either | or in the query."]
