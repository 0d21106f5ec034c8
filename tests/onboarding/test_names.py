"""Names from Lever split into First Name, Middle Name, Surname and Known As."""

import pytest

from lever_cezanne.onboarding.names import NoNameError, parse_name


@pytest.mark.parametrize(
    "full,first,middle,surname,known_as",
    [
        ("Cosima Niehaus", "Cosima", None, "Niehaus", "Cosima"),
        ("John Paul Smith", "John", "Paul", "Smith", "John"),
        ("José María García López", "José", "María García", "López", "José"),
        ("Ludwig van der Rohe", "Ludwig", None, "van der Rohe", "Ludwig"),
        ("Maria de la Cruz", "Maria", None, "de la Cruz", "Maria"),
        ("Vincent van Gogh", "Vincent", None, "van Gogh", "Vincent"),
        ('Robert "Bob" Smith', "Robert", None, "Smith", "Bob"),
        ("Robert (Bob) Smith", "Robert", None, "Smith", "Bob"),
        ("Zoë Ångström-Øvergaard", "Zoë", None, "Ångström-Øvergaard", "Zoë"),
        ("Siobhán Ó Súilleabháin", "Siobhán", None, "Ó Súilleabháin", "Siobhán"),
        ("  Jean-Luc   Picard ", "Jean-Luc", None, "Picard", "Jean-Luc"),
        ("Dr. Jane Smith Jr.", "Jane", None, "Smith", "Jane"),
    ],
)
def test_names_are_split_as_hr_expects(full, first, middle, surname, known_as):
    name = parse_name(full)
    assert (name.first, name.middle, name.surname, name.known_as) == (
        first,
        middle,
        surname,
        known_as,
    )
    assert name.full == f"{first} {surname}"
    assert not name.one_word


@pytest.mark.parametrize("full,word", [("Cher", "Cher"), ("Mr Li", "Li"), ("李", "李")])
def test_one_word_fills_first_name_and_surname(full, word):
    name = parse_name(full)
    assert name.one_word
    assert name.first == name.surname == name.known_as == word
    assert name.full == word  # never "Cher Cher"


@pytest.mark.parametrize("full", ["", "   ", None])
def test_no_name_is_an_error(full):
    with pytest.raises(NoNameError):
        parse_name(full)
