"""Health, genomic and biometric data: diagnosis codes, variant ids, sequences, templates."""

from __future__ import annotations

import base64
import binascii
import math
import re

from .base import Detector
from .context import words_near

# --- health: ICD-10 diagnosis codes -------------------------------------------------------------

# ICD-10-CM categories whose third character is a letter (all others have a digit there).
_ICD_LETTER_CATEGORIES = frozenset({"C4A", "C7A", "C7B", "D3A", "M1A", "O9A", "Z3A"})
_ICD_SHAPE = re.compile(r"[A-Z]\d[0-9A-Z](?:\.?[0-9A-Z]{1,4})?")


class Icd10Detector(Detector):
    """ICD-10 and ICD-10-CM diagnosis codes (``E11.9``, ``J45``, ``S72.001A``): context only.

    A diagnosis code tied to a person is personal health data. The shape alone (a letter, two
    characters, an optional dot and up to four more) also fits part numbers and grid
    references, so the detector needs a header word (``diagnosis``, ``icd``, ``icd10``, ``dx``,
    ``condition``, ``诊断``, ``Diagnose``, ``diagnostic``, ``diagnóstico``) or such a word next
    to the code in text. Codes are checked for shape only (no code list is bundled): the third
    character is a digit except in the ICD-10-CM categories ``C4A``, ``D3A``, ``M1A``...
    Canonical form: upper case with the dot after the category (``E119`` -> ``E11.9``).
    Masked: the chapter letter only, ``E**.*``.

    References: WHO ICD-10 (2019); CDC/CMS ICD-10-CM.
    """

    category = "health"
    name = "health.icd10"
    needs_context = True
    header_words = ("diagnosis", "diagnoses", "diagnosis_code", "icd", "icd10", "icd_10",
                    "icd10cm", "icd_code", "dx", "dx_code", "condition", "condition_code",
                    "诊断", "诊断编码", "疾病编码", "diagnose", "diagnostic", "diagnóstico",
                    "diagnostico")
    negative_header_words = ("condition_type", "weather_condition", "road_condition",
                             "item_condition", "condition_operator")
    context_words = ("diagnosis", "diagnosed", "icd", "dx", "condition", "诊断", "diagnose",
                     "diagnostic", "diagnóstico")
    cell_pattern = r"[A-Za-z]\d[0-9A-Za-z](?:\.?[0-9A-Za-z]{1,4})?"
    text_pattern = r"(?<![\w.])(?P<v>[A-Z]\d[0-9A-Z](?:\.[0-9A-Z]{1,4})?)(?![\w])"
    prefilter = r"[A-Z]\d[0-9A-Z]"

    def validate(self, candidate: str) -> bool:
        code = candidate.upper()
        if not _ICD_SHAPE.fullmatch(code):
            return False
        return code[2].isdigit() or code[:3] in _ICD_LETTER_CATEGORIES

    def normalize(self, candidate: str) -> str:
        code = candidate.upper().replace(".", "")
        return code if len(code) == 3 else f"{code[:3]}.{code[3:]}"

    def kind(self, candidate: str) -> str | None:
        return "icd10"

    def mask(self, candidate: str) -> str:
        code = self.normalize(candidate)
        return code[0] + "".join("." if c == "." else "*" for c in code[1:])

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        return [(start, end, value) for start, end, value in super().find_in_text(text)
                if words_near(text, start, end, self.context_words)]


# --- genomic: dbSNP ids and nucleotide sequences -------------------------------------------------

class RsIdDetector(Detector):
    """dbSNP reference SNP ids, ``rs`` and digits (``rs53576``).

    An rsID names a genetic variant; a column of them beside a person's genotype calls is
    human genomic data. The value shape is telling enough in a column; in text the lower-case
    ``rs`` prefix and at least three digits are required. Canonical form: lower case.
    Masked: ``rs5***``.

    References: NCBI dbSNP.
    """

    category = "genomic"
    name = "genomic.rsid"
    header_words = ("rsid", "rs_id", "snp", "snp_id", "variant_id", "dbsnp")
    context_words = ("snp", "rsid", "variant", "genotype", "allele", "dbsnp")
    cell_pattern = r"rs[1-9]\d{2,11}"
    text_pattern = r"(?<![\w])(?P<v>rs[1-9]\d{2,11})(?![\w])"
    prefilter = r"rs[1-9]\d{2}"

    def validate(self, candidate: str) -> bool:
        return candidate.startswith("rs") and candidate[2:].isdigit() and len(candidate) >= 5

    def kind(self, candidate: str) -> str | None:
        return "rsid"

    def mask(self, candidate: str) -> str:
        return candidate[:3] + "***"


_MIN_BASES = 30


class DnaSequenceDetector(Detector):
    """Nucleotide sequences: runs of at least 30 ``A``, ``C``, ``G``, ``T`` (and ``N``).

    A read or an assembled sequence of a person's DNA is human genomic data. A run must hold
    at least 30 called bases and at least three of the four bases, so that padding such as
    ``AAAA...`` or ``NNNN...`` is not a sequence. Canonical form: upper case. Masked: the
    length only, ``<sequence 150 bp>``.

    References: IUPAC nucleotide codes; FASTA/FASTQ formats.
    """

    category = "genomic"
    name = "genomic.sequence"
    header_words = ("sequence", "seq", "dna", "dna_sequence", "nucleotides", "序列",
                    "sequenz", "séquence", "secuencia")
    context_words = ("sequence", "dna", "read", "fasta", "genome", "序列", "基因")
    cell_pattern = rf"[ACGTNacgtn]{{{_MIN_BASES},}}"
    text_pattern = rf"(?<![A-Za-z])(?P<v>[ACGTNacgtn]{{{_MIN_BASES},}})(?![A-Za-z])"
    prefilter = rf"[ACGTNacgtn]{{{_MIN_BASES}}}"

    def validate(self, candidate: str) -> bool:
        bases = candidate.upper()
        called = sum(bases.count(b) for b in "ACGT")
        distinct = sum(1 for b in "ACGT" if b in bases)
        return called >= _MIN_BASES and distinct >= 3 and called + bases.count("N") == len(bases)

    def normalize(self, candidate: str) -> str:
        return candidate.upper()

    def kind(self, candidate: str) -> str | None:
        return "sequence"

    def mask(self, candidate: str) -> str:
        return f"<sequence {len(candidate)} bp>"


# --- biometric: templates and embeddings ---------------------------------------------------------

_MIN_TEMPLATE_CHARS = 64
_MIN_EMBEDDING_DIM = 64
_FLOAT = r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
_VECTOR = rf"\[?\s*{_FLOAT}(?:\s*[,;\s]\s*{_FLOAT}){{{_MIN_EMBEDDING_DIM - 1},}}\s*\]?"
_BLOB = rf"[A-Za-z0-9+/_-]{{{_MIN_TEMPLATE_CHARS},}}={{0,2}}"
_FLOAT_RE = re.compile(_FLOAT)
_HASH_HEX = re.compile(r"[0-9a-fA-F]{32}|[0-9a-fA-F]{40}|[0-9a-fA-F]{64}|[0-9a-fA-F]{128}")


def _embedding_values(candidate: str) -> list[float] | None:
    inner = candidate.strip().removeprefix("[").removesuffix("]")
    parts = [p for p in re.split(r"[,;\s]+", inner.strip()) if p]
    if len(parts) < _MIN_EMBEDDING_DIM or not all(_FLOAT_RE.fullmatch(p) for p in parts):
        return None
    values = [float(p) for p in parts]
    return values if all(math.isfinite(v) for v in values) else None


def _template_bytes(candidate: str) -> bytes | None:
    if len(candidate) < _MIN_TEMPLATE_CHARS or _HASH_HEX.fullmatch(candidate):
        return None
    text = candidate.replace("-", "+").replace("_", "/")
    text += "=" * (-len(text) % 4)
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


class BiometricTemplateDetector(Detector):
    """Biometric templates and embeddings (face, fingerprint, iris, voice): context only.

    A face embedding or fingerprint template identifies its subject as surely as the image it
    came from and cannot be changed once leaked; it is a biometric identifier under the DOJ
    rule and sensitive under PIPL. Values: a base64 blob of at least 64 characters (kind
    ``template``; hex strings of hash lengths are refused) or a vector of at least 64 numbers
    (``[0.12,-0.3,...]``, kind ``embedding``). Both shapes are common outside biometrics, so a
    header word is required: ``face_embedding``, ``embedding``, ``faceprint``,
    ``fingerprint_template``, ``iris_code``, ``voiceprint``, ``biometric``, ``人脸特征``,
    ``指纹``, ``Fingerabdruck``, ``empreinte``, ``huella``; ``text_embedding`` and similar ML
    feature columns are ruled out. Masked by size only, never content: ``<embedding dim=128>``,
    ``<template 512 bytes>``.

    References: ISO/IEC 19794 (biometric data interchange); 28 CFR 202.204.
    """

    category = "biometric"
    name = "biometric.template"
    needs_context = True
    header_words = ("face_embedding", "embedding", "faceprint", "face_template", "face_vector",
                    "face_feature", "face_encoding", "fingerprint_template", "minutiae",
                    "iris_code", "iriscode", "iris_template", "voiceprint", "voice_embedding",
                    "biometric", "biometrics", "biometric_template", "人脸特征", "人脸", "指纹",
                    "虹膜", "声纹", "fingerabdruck", "empreinte", "empreinte_digitale", "huella",
                    "huella_dactilar")
    negative_header_words = ("text_embedding", "word_embedding", "sentence_embedding",
                             "doc_embedding", "document_embedding", "product_embedding",
                             "item_embedding", "query_embedding", "embedding_model")
    context_words = ("embedding", "faceprint", "face template", "fingerprint template",
                     "iris code", "voiceprint", "biometric", "人脸", "指纹", "fingerabdruck",
                     "empreinte", "huella")
    cell_pattern = f"{_VECTOR}|{_BLOB}"
    text_pattern = (rf"(?P<v>\[[-0-9.eE,;\s]{{{4 * _MIN_EMBEDDING_DIM},}}\]"
                    rf"|(?<![A-Za-z0-9+/=_-]){_BLOB})")
    prefilter = rf"[A-Za-z0-9+/]{{{_MIN_TEMPLATE_CHARS}}}|\[(?:\s*{_FLOAT}\s*,){{8}}"

    def validate(self, candidate: str) -> bool:
        return _embedding_values(candidate) is not None or _template_bytes(candidate) is not None

    def normalize(self, candidate: str) -> str:
        values = _embedding_values(candidate)
        if values is not None:
            return ",".join(repr(v) for v in values)
        return candidate.rstrip("=").replace("-", "+").replace("_", "/")

    def kind(self, candidate: str) -> str | None:
        return "embedding" if _embedding_values(candidate) is not None else "template"

    def mask(self, candidate: str) -> str:
        values = _embedding_values(candidate)
        if values is not None:
            return f"<embedding dim={len(values)}>"
        blob = _template_bytes(candidate)
        size = len(blob) if blob is not None else len(candidate) * 3 // 4
        return f"<template {size} bytes>"

    def find_in_text(self, text: str) -> list[tuple[int, int, str]]:
        return [(start, end, value) for start, end, value in super().find_in_text(text)
                if words_near(text, start, end, self.context_words, window=60)]
