"""What a revision has only once approved or published: asking a draft for it is a clear error."""

from __future__ import annotations

import pytest

from tests.conftest import take_to


def test_a_draft_has_no_frozen_content_and_no_publication_time(sample_draft):
    with pytest.raises(LookupError, match="never approved"):
        _ = sample_draft.frozen_content
    with pytest.raises(LookupError, match="not published"):
        _ = sample_draft.publication_time


def test_an_approved_revision_sends_what_was_frozen(sample_draft, sample_users):
    take_to(sample_draft, "approved", sample_users)
    assert sample_draft.frozen_content is sample_draft.snapshot.content
    assert sample_draft.frozen_content["headline"]["zh"] == sample_draft.headline_zh


def test_a_published_revision_has_its_publication_time(sample_published):
    assert sample_published.publication_time == sample_published.published_at is not None
