"""Health (ICD-10), genomic (rsID, DNA sequence) and biometric template detectors."""

from __future__ import annotations

import base64
import random

import polars as pl
import pytest

from databorder.detect.context import name_matches
from databorder.detect.health import (
    BiometricTemplateDetector,
    DnaSequenceDetector,
    Icd10Detector,
    RsIdDetector,
)

ICD = Icd10Detector()
RSID = RsIdDetector()
DNA = DnaSequenceDetector()
BIOMETRIC = BiometricTemplateDetector()

RNG = random.Random(42)
EMBEDDING = "[" + ",".join(f"{RNG.uniform(-1, 1):.5f}" for _ in range(128)) + "]"
TEMPLATE = base64.b64encode(RNG.randbytes(512)).decode()
READ = "".join(RNG.choice("ACGT") for _ in range(150))


# --- ICD-10 ------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["E11.9", "J45", "S72.001A", "I10", "e119", "C4A.0", "Z3A.01",
                                   "U07.1", "F32.A", "O9A.211"])
def test_icd10_valid(value: str) -> None:
    assert ICD.valid_cells(pl.Series([value])).item()


@pytest.mark.parametrize("value", ["123", "E1", "EE1.9", "A1B", "E11.99999", "J45-20", "1E1.9"])
def test_icd10_invalid(value: str) -> None:
    assert not ICD.valid_cells(pl.Series([value])).item()


def test_icd10_context_normalize_mask() -> None:
    assert ICD.needs_context and ICD.kind("E11.9") == "icd10"
    for header in ("diagnosis", "primary_dx", "icd10_code", "诊断编码", "Diagnose"):
        assert name_matches(header, ICD.header_words), header
    assert ICD.normalize_cells(pl.Series(["e119", "E11.9"])).to_list() == ["E11.9", "E11.9"]
    assert ICD.mask("S72.001A") == "S**.****"
    found = ICD.find_in_text("Discharge diagnosis: E11.9 (type 2 diabetes)")
    assert [v for _, _, v in found] == ["E11.9"]
    assert ICD.find_in_text("Shipped part B12 to row C34 of the warehouse") == []


# --- rsID --------------------------------------------------------------------------------------

def test_rsid_cells_and_text() -> None:
    cells = pl.Series(["rs53576", "rs4680", "rs1801133", "rs1", "RS232", "rs0123", "rsabc"])
    assert RSID.valid_cells(cells).to_list() == [True, True, True, False, False, False, False]
    assert not RSID.needs_context
    found = RSID.find_in_text("carriers of rs4680 (COMT Val158Met); RS232 port; rs12")
    assert [v for _, _, v in found] == ["rs4680"]
    assert RSID.kind("rs4680") == "rsid"
    assert RSID.mask("rs1801133") == "rs1***"


# --- DNA sequences -----------------------------------------------------------------------------

def test_dna_sequence_cells_and_text() -> None:
    cells = pl.Series([READ, READ.lower(), READ[:40] + "NNNN" + READ[40:80], "A" * 60,
                       "N" * 60, READ[:20], "ACGU" * 10])
    assert DNA.valid_cells(cells).to_list() == [True, True, True, False, False, False, False]
    fastq = f"@read1\n{READ}\n+\n{'I' * 150}\n"
    assert [v for _, _, v in DNA.find_in_text(fastq)] == [READ]
    assert DNA.find_in_text("GATTACA is a film; CATCATCAT") == []
    assert DNA.mask(READ) == "<sequence 150 bp>"
    assert DNA.normalize(READ.lower()) == READ
    assert DNA.kind(READ) == "sequence"


# --- biometric templates -----------------------------------------------------------------------

def test_biometric_values() -> None:
    cells = pl.Series([EMBEDDING, EMBEDDING.strip("[]").replace(",", " "), TEMPLATE,
                       "[0.1, 0.2, 0.3]", "a" * 64, "e3b0c44298fc1c149afbf4c8996fb924" * 2,
                       "hello world"])
    assert BIOMETRIC.valid_cells(cells).to_list() == [True, True, True, False, False, False,
                                                      False]
    assert BIOMETRIC.kind(EMBEDDING) == "embedding"
    assert BIOMETRIC.kind(TEMPLATE) == "template"


def test_biometric_masks_never_show_content() -> None:
    assert BIOMETRIC.mask(EMBEDDING) == "<embedding dim=128>"
    assert BIOMETRIC.mask(TEMPLATE) == "<template 512 bytes>"


def test_biometric_headers_and_context() -> None:
    assert BIOMETRIC.needs_context
    for header in ("face_embedding", "user_faceprint", "iris_code", "人脸特征", "指纹数据",
                   "Fingerabdruck", "huella"):
        assert name_matches(header, BIOMETRIC.header_words), header
    assert name_matches("text_embedding", BIOMETRIC.negative_header_words)
    assert len(BIOMETRIC.find_in_text(f"face embedding: {EMBEDDING}")) == 1
    assert BIOMETRIC.find_in_text(f"session token {TEMPLATE}") == []


def test_biometric_normalize_merges_vector_spellings() -> None:
    spaced = EMBEDDING.replace(",", ", ")
    assert BIOMETRIC.normalize(spaced) == BIOMETRIC.normalize(EMBEDDING)
