"""Vietnamese tokens: offsets into the original text, folding, abbreviations."""
from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from knowledge.text import fold, normalize
from nlu.tokenization import tokenize

VIETNAMESE = st.text(alphabet=st.sampled_from(list("aăâbcdđeêghiklmnoôơpqrstuưvxyàáảãạằắẳẵặầấẩẫậèéẻẽẹềếểễệ"
                                                     "ìíỉĩịòóỏõọồốổỗộờớởỡợùúủũụừứửữựỳýỷỹỵĐÀÁ0123456789 .,?!%\n"
                                                     "BHYTHCMkodc")), max_size=80)


@settings(max_examples=200, deadline=None)
@given(VIETNAMESE)
def test_token_offsets_point_at_the_typed_characters(text):
    tokens = tokenize(text)
    for token in tokens:
        assert text[token.start:token.end] == token.text
    assert all(a.end <= b.start for a, b in zip(tokens, tokens[1:]))


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_tokenizes_without_error_and_offsets_hold(text):
    for token in tokenize(text):
        assert text[token.start:token.end] == token.text and token.norm


@settings(max_examples=200, deadline=None)
@given(VIETNAMESE)
def test_folding_keeps_length_and_is_idempotent(text):
    assert len(fold(text)) == len(text)
    assert fold(fold(text)) == fold(text)


def test_typed_without_diacritics_gives_the_same_features_per_syllable():
    careful = tokenize("Hộ cận nghèo ở TP.HCM được hỗ trợ thẻ BHYT không?", segmenter=str.split)
    plain = tokenize("ho can ngheo o tphcm dc ho tro the bhyt ko?", segmenter=str.split)
    assert [t.norm for t in careful] == [t.norm for t in plain]


def test_abbreviations_and_teencode_expand():
    assert normalize("BHYT BHXH BHTN NCC HS SV ko k dc đc bn j ntn tphcm") == (
        "bao hiem y te bao hiem xa hoi bao hiem that nghiep nguoi co cong hoc sinh sinh vien "
        "khong khong duoc duoc bao nhieu gi nhu the nao ho chi minh")
    assert normalize("Ở TP. HCM") == "o ho chi minh"


def test_underthesea_words_keep_original_offsets():
    text = "Chị Lan ở ấp 3 hỏi: con đi học có được miễn học phí không ạ?"
    tokens = tokenize(text)
    assert any(t.text == "học phí" and t.norm == "hoc_phi" for t in tokens)
    assert all(text[t.start:t.end] == t.text for t in tokens)


def test_held_out_test_set_shares_no_example_with_training_data():
    import re
    from pathlib import Path

    def examples(paths):
        out = set()
        for path in paths:
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.strip()
                if line.startswith("- ") and not line.startswith("- intent"):
                    out.add(fold(re.sub(r"\[([^\]]+)\]\([^)]+\)", r"\1", line[2:])).strip())
        return out

    nlu = Path(__file__).resolve().parent.parent / "nlu"
    training = examples(sorted((nlu / "data" / "nlu").glob("*.yml")))
    held_out = examples([nlu / "tests" / "test_nlu.yml"])
    assert len(held_out) >= 21 * 25 and not training & held_out
