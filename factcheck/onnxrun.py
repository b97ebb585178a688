"""Running the shipped ONNX models (check-worthiness scorer, sentence encoder): one way to load each part.

No Django; onnxruntime and tokenizers only. Sessions run on the CPU, sequentially, with ``threads`` intra-op
threads (one suits several worker processes per machine).
"""

from __future__ import annotations

from pathlib import Path


def load_tokenizer(directory: Path, max_len: int):
    """The model's tokenizer (``tokenizer.json`` in ``directory``), unpadded, cut at ``max_len`` pieces."""
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_len)
    return tok


def cpu_session(path: Path, threads: int):
    """An onnxruntime session for the model at ``path`` on the CPU, fully optimised, quiet."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    opts.log_severity_level = 3
    return ort.InferenceSession(str(path), sess_options=opts, providers=["CPUExecutionProvider"])
