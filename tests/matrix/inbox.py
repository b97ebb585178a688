from tests.matrix.common import READ, Entry, no_args, no_data

MATRIX: dict[str, Entry] = {
    "inbox": ("get", no_args, no_data, READ),
}
