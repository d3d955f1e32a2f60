"""Judge transfers against the law: regime rule packs (data) evaluated over facts.

``load_facts`` merges a transfer file, a scan inventory and a flows result; ``assess`` turns the
facts into findings; ``findings_document`` wraps them as ``databorder.findings/1`` JSON.
"""

from databorder.assess.engine import FINDINGS_SCHEMA, Finding, assess, findings_document
from databorder.assess.loading import load_facts
from databorder.assess.model import Facts, SourcedTransfer, Transfer

__all__ = ["FINDINGS_SCHEMA", "Facts", "Finding", "SourcedTransfer", "Transfer", "assess",
           "findings_document", "load_facts"]
