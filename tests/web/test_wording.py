"""pipeline.search.wording: shared words and word-by-word changes."""

from __future__ import annotations

from pipeline.search.wording import WordChange, mark_shared, unmarked, word_changes


def test_word_changes_mark_what_was_removed_and_added():
    changes = word_changes(
        "Receive the second quarter's performance report", "Receive the first quarter's performance management report"
    )
    assert changes == (
        WordChange("same", "Receive the"),
        WordChange("removed", "second"),
        WordChange("added", "first"),
        WordChange("same", "quarter's performance"),
        WordChange("added", "management"),
        WordChange("same", "report"),
    )


def test_identical_wordings_have_only_same_steps():
    assert word_changes("Note the report", "Note  the report") == (WordChange("same", "Note the report"),)


def test_mark_shared_marks_runs_of_words_the_other_text_shares_stemmed(web_index):
    draft = "We are developing a strategy to improve the local supply of foster carers"
    passage = "A strategy is being [[developed]] to look at ways of improving the supply of local foster carers."
    out = mark_shared(web_index, draft, passage)
    assert unmarked(out) == draft
    # stop words between shared words join one run; "We" and "are" are stop words, left out
    assert out == "We are [[developing a strategy to improve the local supply of foster carers]]"
    assert mark_shared(web_index, "improve the budget supply", passage) == "[[improve]] the budget [[supply]]"


def test_mark_shared_with_nothing_in_common_marks_nothing(web_index):
    assert mark_shared(web_index, "budget", "foster carers") == "budget"
