import pytest

from factcheck.matching.entities import entity_key, org_entity, person_entity, same_entity


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("John Mullenaar", "John Moolenaar"),
        ("Rep. John Moolenaar", "John Moolenaar"),
        ("Farley", "Jim Farley"),
        ("J. Moolenaar", "John Moolenaar"),
    ],
)
def test_same_person_despite_spelling(a, b):
    assert same_entity(person_entity(a), person_entity(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [("Joe Biden", "John Moolenaar"), ("Joe Biden", "Jill Biden"), ("Donald Trump", "Donald Tusk"),
     ("Jim Farley", "Joe Biden")],
)
def test_different_people(a, b):
    assert not same_entity(person_entity(a), person_entity(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Ford Motor Co.", "Ford"),
        ("FT", "Financial Times"),
        ("GM", "General Motors"),
        ("House China Committee", "House Select Committee on China"),
        ("The Pentagon", "Pentagon"),
    ],
)
def test_same_organisation(a, b):
    assert same_entity(org_entity(a), org_entity(b))


@pytest.mark.parametrize(("a", "b"), [("Ford", "BYD"), ("Xiaomi", "CATL"), ("X", "Xiaomi")])
def test_different_organisations(a, b):
    assert not same_entity(org_entity(a), org_entity(b))


def test_entity_key_normalises():
    assert entity_key("Ford Motor Co.") == "ford motor"
    assert entity_key("Rep. John Moolenaar (R-Mich.)", kind="person") == "john moolenaar"
