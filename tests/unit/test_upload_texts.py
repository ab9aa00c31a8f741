"""What a citizen is told about an upload follows the document's own accepted kinds."""

from __future__ import annotations

import pytest

from conversations.application.checklist import (
    accepted_kinds_text,
    not_a_file_text,
    refusal_text,
    wrong_kind_text,
)
from domain.catalogue import DocumentRequirement, FileKind
from domain.file_checks import Rejection
from tests.catalogues import parsed_catalogue

CATALOGUE = parsed_catalogue()


@pytest.mark.parametrize("document", CATALOGUE.documents, ids=lambda d: d.code)
def test_every_text_offers_only_the_kinds_the_document_accepts(
    document: DocumentRequirement,
) -> None:
    texts = [
        accepted_kinds_text(document, 10),
        wrong_kind_text(document, 10),
        not_a_file_text(document, 10),
        *(refusal_text(reason, document, 10) for reason in Rejection),
    ]
    for text in texts:
        assert "{" not in text
        if FileKind.PDF not in document.kinds:
            assert "PDF" not in text, text
        if FileKind.PHOTO not in document.kinds:
            assert "عکس" not in text, text


def test_the_personal_photo_is_photo_only() -> None:
    photo = CATALOGUE.document("photo")
    assert photo is not None and tuple(photo.kinds) == (FileKind.PHOTO,)
    assert "۱۰ مگابایت" in wrong_kind_text(photo, 10)
