from tests.matrix.common import Entry

MATRIX: dict[str, Entry] = {}
