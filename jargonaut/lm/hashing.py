"""64-bit n-gram keys: one hash chain shared by counting (NumPy) and lookup (Python).

key(w1..wn) = mix(key(w1..wn-1), wn), key() = SEED. Keys are what the artefact stores
(sorted, one array per order), so both implementations must agree bit for bit; a test
checks that. With 64-bit keys the chance of any collision among 10^8 n-grams is ~3e-4,
the same trade KenLM's probing structure makes.
"""
from __future__ import annotations

import numpy as np

MASK = (1 << 64) - 1
SEED = 0x9E3779B97F4A7C15
_MUL = 0xD6E8FEB86659FD93
_C1 = 0xFF51AFD7ED558CCD
_C2 = 0xC4CEB9FE1A85EC53

#: reserved word ids
UNK, BOS, EOS = 0, 1, 2
SPECIALS = ("<unk>", "<s>", "</s>")


def mix(h: int, w: int) -> int:
    """Extend the key `h` by word id `w` (murmur3 finaliser over a multiply-add)."""
    x = (h * _MUL + w + 1) & MASK
    x ^= x >> 33
    x = (x * _C1) & MASK
    x ^= x >> 33
    x = (x * _C2) & MASK
    return x ^ (x >> 33)


def key_of(ids: tuple[int, ...] | list[int]) -> int:
    h = SEED
    for w in ids:
        h = mix(h, w)
    return h


_U33 = np.uint64(33)
_NMUL, _NC1, _NC2 = np.uint64(_MUL), np.uint64(_C1), np.uint64(_C2)


def mix_np(h: np.ndarray | np.integer | int, w: np.ndarray) -> np.ndarray:
    """Vectorised `mix` (uint64 arithmetic wraps modulo 2**64, as the masks do above)."""
    x = np.asarray(h, dtype=np.uint64) * _NMUL + (w.astype(np.uint64) + np.uint64(1))
    x ^= x >> _U33
    x *= _NC1
    x ^= x >> _U33
    x *= _NC2
    x ^= x >> _U33
    return x


def chain_keys(toks: np.ndarray, order: int) -> list[np.ndarray]:
    """keys[n][i] = key of the n-gram ending at position i (valid where pos[i] >= n-1).

    keys[0] is SEED everywhere (the empty context); positions before the start of the
    array hold garbage that the caller masks out with `pos`.
    """
    keys = [np.full(len(toks), SEED, dtype=np.uint64)]
    for n in range(1, order + 1):
        prev = np.empty_like(keys[-1])
        prev[0] = SEED
        prev[1:] = keys[-1][:-1]
        keys.append(mix_np(SEED if n == 1 else prev, toks))
    return keys
