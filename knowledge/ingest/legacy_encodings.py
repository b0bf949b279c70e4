"""Vietnamese 8-bit encodings (TCVN3/ABC and VNI) to Unicode, and the detection of their mojibake."""
from __future__ import annotations

import re
import unicodedata
from typing import Dict, List, Optional, Tuple

TCVN3 = "TCVN3"
VNI = "VNI"

# TCVN 5712:1993 (VN1, a superset of the common VN3/ABC fonts .VnTime): byte -> letter.
# VN3 documents write capitals with tone marks in the .VnTimeH fonts on the lowercase bytes;
# VN1 gives them their own bytes, in C0 slots, 0x80-0x9F and the gaps of the lowercase block.
_TCVN3_LETTERS: Dict[int, str] = {
    0x01: "Ú", 0x02: "Ụ", 0x04: "Ừ", 0x05: "Ử", 0x06: "Ữ",
    0x11: "Ứ", 0x12: "Ự", 0x13: "Ỳ", 0x14: "Ỷ", 0x15: "Ỹ", 0x16: "Ý", 0x17: "Ỵ",
    0x80: "À", 0x81: "Ả", 0x82: "Ã", 0x83: "Á", 0x84: "Ạ", 0x85: "Ặ", 0x86: "Ậ", 0x87: "È",
    0x88: "Ẻ", 0x89: "Ẽ", 0x8A: "É", 0x8B: "Ẹ", 0x8C: "Ệ", 0x8D: "Ì", 0x8E: "Ỉ", 0x8F: "Ĩ",
    0x90: "Í", 0x91: "Ị", 0x92: "Ò", 0x93: "Ỏ", 0x94: "Õ", 0x95: "Ó", 0x96: "Ọ", 0x97: "Ộ",
    0x98: "Ờ", 0x99: "Ở", 0x9A: "Ỡ", 0x9B: "Ớ", 0x9C: "Ợ", 0x9D: "Ù", 0x9E: "Ủ", 0x9F: "Ũ",
    0xA1: "Ă", 0xA2: "Â", 0xA3: "Ê", 0xA4: "Ô", 0xA5: "Ơ", 0xA6: "Ư", 0xA7: "Đ",
    0xA8: "ă", 0xA9: "â", 0xAA: "ê", 0xAB: "ô", 0xAC: "ơ", 0xAD: "ư", 0xAE: "đ", 0xAF: "Ằ",
    0xB5: "à", 0xB6: "ả", 0xB7: "ã",
    0xB8: "á", 0xB9: "ạ", 0xBA: "Ẳ", 0xBB: "ằ", 0xBC: "ẳ", 0xBD: "ẵ", 0xBE: "ắ", 0xBF: "Ẵ",
    0xC0: "Ắ", 0xC1: "Ầ", 0xC2: "Ẩ", 0xC3: "Ẫ", 0xC4: "Ấ", 0xC5: "Ề", 0xC6: "ặ", 0xC7: "ầ",
    0xC8: "ẩ", 0xC9: "ẫ", 0xCA: "ấ", 0xCB: "ậ", 0xCC: "è", 0xCD: "Ể", 0xCE: "ẻ", 0xCF: "ẽ",
    0xD0: "é", 0xD1: "ẹ", 0xD2: "ề", 0xD3: "ể", 0xD4: "ễ", 0xD5: "ế", 0xD6: "ệ", 0xD7: "ì",
    0xD8: "ỉ", 0xD9: "Ễ", 0xDA: "Ế", 0xDB: "Ồ", 0xDC: "ĩ", 0xDD: "í", 0xDE: "ị", 0xDF: "ò",
    0xE0: "Ổ", 0xE1: "ỏ", 0xE2: "õ", 0xE3: "ó", 0xE4: "ọ", 0xE5: "ồ", 0xE6: "ổ", 0xE7: "ỗ",
    0xE8: "ố", 0xE9: "ộ", 0xEA: "ờ", 0xEB: "ở", 0xEC: "ỡ", 0xED: "ớ", 0xEE: "ợ", 0xEF: "ù",
    0xF0: "Ỗ", 0xF1: "ủ", 0xF2: "ũ", 0xF3: "ú", 0xF4: "ụ", 0xF5: "ừ", 0xF6: "ử", 0xF7: "ữ",
    0xF8: "ứ", 0xF9: "ự", 0xFA: "ỳ", 0xFB: "ỷ", 0xFC: "ỹ", 0xFD: "ý", 0xFE: "ỵ", 0xFF: "Ố",
}
# Bytes that .VnTime files also use for Windows punctuation (“ ” ‘ ’ – — … •): a capital
# letter only inside an upper-case word (after a capital), as in "HỘI" or "CHÍNH TRỊ".
_TCVN3_PUNCTUATION_CLASH = {0x85, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97}
# Of those, the letters that never end a word (Ặ needs a final consonant, Õ rarely ends one).
_TCVN3_CLASH_MID_WORD = {0x85, 0x94}
# VN1 tone marks 0xB0-0xB4; after anything but a vowel they are ° ± ² ³ ´ as in Windows-1252.
_TCVN3_TONE_MARKS = {0xB0: "\u0300", 0xB1: "\u0309", 0xB2: "\u0303", 0xB3: "\u0301", 0xB4: "\u0323"}

_VOWELS = set("aăâeêioôơuưyAĂÂEÊIOÔƠUƯY")
_TONES = {"\u0301": "acute", "\u0300": "grave", "\u0309": "hook", "\u0303": "tilde", "\u0323": "dot"}

# VNI: a base letter followed by one diacritic byte (Windows-1252 letters), lower-case form shown.
_VNI_TONE = {"acute": "ù", "grave": "ø", "hook": "û", "tilde": "õ", "dot": "ï"}
_VNI_CIRCUMFLEX = {None: "â", "acute": "á", "grave": "à", "hook": "å", "tilde": "ã", "dot": "ä"}
_VNI_BREVE = {None: "ê", "acute": "é", "grave": "è", "hook": "ú", "tilde": "ü", "dot": "ë"}
# Letters VNI writes as one byte: đ, ơ, ư and the toned i, and ỵ.
_VNI_SINGLE = {"đ": "ñ", "ơ": "ô", "ư": "ö", "í": "í", "ì": "ì", "ỉ": "æ", "ĩ": "ó", "ị": "ò", "ỵ": "î"}

_MARK_CODES = {"\u0302": "circumflex", "\u0306": "breve", "\u031b": "horn"}


def _tone_and_shape(letter: str) -> Tuple[str, Optional[str], Optional[str]]:
    """(base ASCII letter or ơ/ư/đ, shape mark name, tone name) of a Vietnamese letter."""
    decomposed = unicodedata.normalize("NFD", letter)
    base, shape, tone = decomposed[0], None, None
    for mark in decomposed[1:]:
        if mark in _TONES:
            tone = _TONES[mark]
        elif mark in _MARK_CODES:
            shape = _MARK_CODES[mark]
    if shape == "horn":
        base, shape = unicodedata.normalize("NFC", base + "\u031b"), None
    return base, shape, tone


def _vni_code(letter: str) -> Optional[str]:
    """The VNI spelling of one Vietnamese letter, or None for a letter VNI writes as itself."""
    lower = letter.lower()
    if lower in _VNI_SINGLE:
        code = _VNI_SINGLE[lower]
        return code.upper() if letter != lower else code
    base, shape, tone = _tone_and_shape(lower)
    if base in ("ơ", "ư"):
        head = _VNI_SINGLE[base]
    elif base.isascii():
        head = base
    else:
        return None
    if shape == "circumflex":
        tail = _VNI_CIRCUMFLEX[tone]
    elif shape == "breve":
        tail = _VNI_BREVE[tone]
    elif tone:
        tail = _VNI_TONE[tone]
    else:
        tail = ""
    if not tail and head == lower:
        return None
    code = head + tail
    return code.upper() if letter != lower else code


def _all_letters() -> List[str]:
    """The 134 Vietnamese letters with diacritics, lower case then upper case."""
    lower = ["đ"]
    for base in "aăâeêioôơuưy":
        for tone in ("", *_TONES):
            letter = unicodedata.normalize("NFC", base + tone)
            if not letter.isascii():
                lower.append(letter)
    return lower + [ch.upper() for ch in lower]


VIETNAMESE_LETTERS: Tuple[str, ...] = tuple(_all_letters())
_TCVN3_BYTE = {letter: byte for byte, letter in _TCVN3_LETTERS.items()}
_VNI_ENCODE = {letter: _vni_code(letter) for letter in VIETNAMESE_LETTERS}
# (base, diacritic byte) -> letter, the case taken from the base letter.
_VNI_PAIRS: Dict[Tuple[str, str], str] = {}
for _letter, _code in _VNI_ENCODE.items():
    if _code and len(_code) == 2 and _letter.islower():
        _VNI_PAIRS[(_code[0], _code[1])] = _letter
_VNI_PAIRS[("y", "ï")] = "ỵ"  # some fonts' spelling of ỵ, besides î
_VNI_SINGLE_DECODE = {code: letter for letter, code in _VNI_SINGLE.items()}


def to_legacy_bytes(text: str) -> Optional[bytes]:
    """The 8-bit bytes a text read as Windows-1252 came from, or None if it has other characters."""
    out = bytearray()
    for ch in text:
        if ord(ch) < 0x100:  # ASCII, Latin-1, and bytes Windows-1252 leaves undefined
            out.append(ord(ch))
            continue
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            return None
    return bytes(out)


def _cp1252(byte: int) -> str:
    """One byte as Windows-1252, undefined bytes kept as their Latin-1 control character."""
    return bytes([byte]).decode("cp1252", errors="ignore") or chr(byte)


def _is_upper_letter(ch: str) -> bool:
    return ch.isalpha() and ch.isupper()


def _is_letter_byte(data: bytes, i: int) -> bool:
    return 0 <= i < len(data) and (chr(data[i]).isalpha() and data[i] < 0x80 or data[i] in _TCVN3_LETTERS)


def decode_tcvn3(data: bytes) -> str:
    """TCVN3 (VN1/VN3) bytes as Unicode NFC text."""
    out: List[str] = []
    for i, byte in enumerate(data):
        prev = out[-1] if out else ""
        if byte in _TCVN3_PUNCTUATION_CLASH:
            letter = _is_upper_letter(prev[-1:]) and (
                byte not in _TCVN3_CLASH_MID_WORD or _is_letter_byte(data, i + 1))
            out.append(_TCVN3_LETTERS[byte] if letter else _cp1252(byte))
        elif byte in _TCVN3_LETTERS:
            out.append(_TCVN3_LETTERS[byte])
        elif byte in _TCVN3_TONE_MARKS and prev and _tone_and_shape(prev[-1])[0].lower() in "aeiouyơư":
            out[-1] = unicodedata.normalize("NFC", prev + _TCVN3_TONE_MARKS[byte])
        elif byte >= 0x80:
            out.append(_cp1252(byte))
        else:
            out.append(chr(byte))
    return unicodedata.normalize("NFC", "".join(out))


def encode_tcvn3(text: str) -> bytes:
    """Unicode text as TCVN3 bytes; ValueError for a character TCVN3 cannot write."""
    out = bytearray()
    for ch in unicodedata.normalize("NFC", text):
        if ch in _TCVN3_BYTE:
            out.append(_TCVN3_BYTE[ch])
        elif ord(ch) < 0x80 or ch == "\u00a0" or ch in "°±²³´":
            out.append(ord(ch))
        else:
            try:
                byte = ch.encode("cp1252")
            except UnicodeEncodeError:
                raise ValueError(f"TCVN3 has no byte for {ch!r}") from None
            if byte[0] not in _TCVN3_PUNCTUATION_CLASH:
                raise ValueError(f"TCVN3 has no byte for {ch!r}")
            out += byte
    return bytes(out)


def decode_vni(data: bytes) -> str:
    """VNI (VNI-Windows) bytes as Unicode NFC text."""
    chars = [_cp1252(b) if b >= 0x80 else chr(b) for b in data]
    out: List[str] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        nxt = chars[i + 1] if i + 1 < len(chars) else ""
        lower_base = _VNI_SINGLE_DECODE.get(ch.lower(), ch.lower())
        if lower_base in ("ơ", "ư"):
            lower_base = ch.lower()  # ô/ö carry tones as the horned letter
        pair = _VNI_PAIRS.get((lower_base, nxt.lower())) if nxt else None
        if pair:
            out.append(pair.upper() if ch.isupper() else pair)
            i += 2
            continue
        single = _VNI_SINGLE_DECODE.get(ch.lower())
        out.append((single.upper() if ch.isupper() else single) if single else ch)
        i += 1
    return unicodedata.normalize("NFC", "".join(out))


def encode_vni(text: str) -> bytes:
    """Unicode text as VNI bytes; ValueError for a character VNI cannot write."""
    out: List[str] = []
    for ch in unicodedata.normalize("NFC", text):
        code = _VNI_ENCODE.get(ch)
        out.append(code if code else ch)
    try:
        return "".join(out).encode("cp1252")
    except UnicodeEncodeError as err:
        raise ValueError(f"VNI has no byte for {err.object[err.start]!r}") from None


DECODERS = {TCVN3: decode_tcvn3, VNI: decode_vni}

# Scoring: how many words read as Vietnamese syllables once tone marks are set aside.
_SYLLABLE = re.compile(
    r"^(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdđghklmnpqrstvx])?"
    r"[aăâeêioôơuưy]{1,3}(?:ng|nh|ch|[cmnpt])?$")
_WORD = re.compile(r"[^\W\d_]+")


def _is_syllable(word: str) -> bool:
    decomposed = unicodedata.normalize("NFD", word.lower())
    tones = sum(1 for mark in decomposed if mark in _TONES)
    bare = unicodedata.normalize("NFC", "".join(m for m in decomposed if m not in _TONES))
    return tones <= 1 and bool(_SYLLABLE.match(bare))


def vietnamese_score(text: str) -> int:
    """Words with diacritics that read as Vietnamese syllables, less those that do not."""
    score = 0
    for word in _WORD.findall(text):
        if not word.isascii():
            score += 1 if _is_syllable(word) else -1
    return score


def detect_legacy(text: str) -> Optional[str]:
    """TCVN3 or VNI when the text reads far better decoded from its Windows-1252 bytes, else None."""
    original = vietnamese_score(text)
    lines = [line for line in text.splitlines() if not line.isascii()]
    best, best_score = None, original
    for name, decode in DECODERS.items():
        score = 0
        for line in lines:
            raw = to_legacy_bytes(line)
            score += vietnamese_score(decode(raw) if raw is not None else line)
        if score > best_score + 2:
            best, best_score = name, score
    return best


def repair_legacy(lines: List[str], encoding: Optional[str] = None) -> Tuple[List[str], Optional[str]]:
    """Lines converted from TCVN3/VNI mojibake (given, or detected), with the encoding used."""
    name = encoding or detect_legacy("\n".join(lines))
    if name is None:
        return lines, None
    decode = DECODERS[name]
    fixed = []
    for line in lines:
        raw = to_legacy_bytes(line)
        converted = decode(raw) if raw is not None else line
        fixed.append(converted if vietnamese_score(converted) >= vietnamese_score(line) else line)
    return fixed, name
