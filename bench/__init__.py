"""berth's benchmark suite: the same work through berth and the reference engines, side by side.

Run it with ``python -m bench.run``; see docs/design/bench.md for how rows are written.
"""
