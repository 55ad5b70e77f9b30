"""FarmHash Fingerprint64 (farmhashna::Hash64), the hash of TensorFlow's ``to_hash_bucket_fast``.

``keras.layers.Hashing`` puts tokens in bins by this fingerprint, so Ember
implements it (pure Python, 64-bit arithmetic masked) to put every token in
the bin Keras does; checked against the pyfarmhash package on lengths 0-1000.

Example:
    >>> [fingerprint64(letter.encode()) % 3 for letter in "ABCDE"]  # Keras's Hashing(num_bins=3) example
    [1, 0, 1, 1, 2]
"""
from __future__ import annotations

MASK = (1 << 64) - 1
K0, K1, K2 = 0xc3a5c85c97cb3127, 0xb492b66fbe98f273, 0x9ae16a3b2f90404f


def rotate(value, shift):
    return value if shift == 0 else ((value >> shift) | (value << (64 - shift))) & MASK


def fetch64(data, offset):
    return int.from_bytes(data[offset:offset + 8], "little")


def fetch32(data, offset):
    return int.from_bytes(data[offset:offset + 4], "little")


def shift_mix(value):
    return value ^ (value >> 47)


def hash_len16(u, v, mul):
    a = ((u ^ v) * mul) & MASK
    a ^= a >> 47
    b = ((v ^ a) * mul) & MASK
    b ^= b >> 47
    return (b * mul) & MASK


def len0to16(data):
    length = len(data)
    if length >= 8:
        mul = K2 + length * 2
        a = (fetch64(data, 0) + K2) & MASK
        b = fetch64(data, length - 8)
        c = (rotate(b, 37) * mul + a) & MASK
        d = ((rotate(a, 25) + b) * mul) & MASK
        return hash_len16(c, d, mul)
    if length >= 4:
        mul = K2 + length * 2
        a = fetch32(data, 0)
        return hash_len16((length + (a << 3)) & MASK, fetch32(data, length - 4), mul)
    if length > 0:
        a, b, c = data[0], data[length >> 1], data[length - 1]
        y = (a + (b << 8)) & 0xFFFFFFFF
        z = (length + (c << 2)) & 0xFFFFFFFF
        return (shift_mix(((y * K2) ^ (z * K0)) & MASK) * K2) & MASK
    return K2


def len17to32(data):
    length = len(data)
    mul = K2 + length * 2
    a = (fetch64(data, 0) * K1) & MASK
    b = fetch64(data, 8)
    c = (fetch64(data, length - 8) * mul) & MASK
    d = (fetch64(data, length - 16) * K2) & MASK
    return hash_len16((rotate((a + b) & MASK, 43) + rotate(c, 30) + d) & MASK,
                      (a + rotate((b + K2) & MASK, 18) + c) & MASK, mul)


def len33to64(data):
    length = len(data)
    mul = K2 + length * 2
    a = (fetch64(data, 0) * K2) & MASK
    b = fetch64(data, 8)
    c = (fetch64(data, length - 8) * mul) & MASK
    d = (fetch64(data, length - 16) * K2) & MASK
    y = (rotate((a + b) & MASK, 43) + rotate(c, 30) + d) & MASK
    z = hash_len16(y, (a + rotate((b + K2) & MASK, 18) + c) & MASK, mul)
    e = (fetch64(data, 16) * mul) & MASK
    f = fetch64(data, 24)
    g = ((y + fetch64(data, length - 32)) * mul) & MASK
    h = ((z + fetch64(data, length - 24)) * mul) & MASK
    return hash_len16((rotate((e + f) & MASK, 43) + rotate(g, 30) + h) & MASK,
                      (e + rotate((f + a) & MASK, 18) + g) & MASK, mul)


def weak32(data, offset, a, b):
    w, x, y, z = (fetch64(data, offset + 8 * i) for i in range(4))
    a = (a + w) & MASK
    b = rotate((b + a + z) & MASK, 21)
    c = a
    a = (a + x + y) & MASK
    b = (b + rotate(a, 44)) & MASK
    return (a + z) & MASK, (b + c) & MASK


def fingerprint64(data: bytes) -> int:
    """The 64-bit FarmHash fingerprint of ``data``."""
    length = len(data)
    if length <= 16:
        return len0to16(data)
    if length <= 32:
        return len17to32(data)
    if length <= 64:
        return len33to64(data)
    seed = 81
    x = seed
    y = (seed * K1 + 113) & MASK
    z = (shift_mix((y * K2 + 113) & MASK) * K2) & MASK
    v, w = (0, 0), (0, 0)
    x = (x * K2 + fetch64(data, 0)) & MASK
    end = ((length - 1) // 64) * 64
    last64 = end + ((length - 1) & 63) - 63
    s = 0
    while True:
        x = (rotate((x + y + v[0] + fetch64(data, s + 8)) & MASK, 37) * K1) & MASK
        y = (rotate((y + v[1] + fetch64(data, s + 48)) & MASK, 42) * K1) & MASK
        x ^= w[1]
        y = (y + v[0] + fetch64(data, s + 40)) & MASK
        z = (rotate((z + w[0]) & MASK, 33) * K1) & MASK
        v = weak32(data, s, (v[1] * K1) & MASK, (x + w[0]) & MASK)
        w = weak32(data, s + 32, (z + w[1]) & MASK, (y + fetch64(data, s + 16)) & MASK)
        z, x = x, z
        s += 64
        if s == end:
            break
    mul = K1 + ((z & 0xff) << 1)
    s = last64
    w = ((w[0] + ((length - 1) & 63)) & MASK, w[1])
    v = ((v[0] + w[0]) & MASK, v[1])
    w = ((w[0] + v[0]) & MASK, w[1])
    x = (rotate((x + y + v[0] + fetch64(data, s + 8)) & MASK, 37) * mul) & MASK
    y = (rotate((y + v[1] + fetch64(data, s + 48)) & MASK, 42) * mul) & MASK
    x ^= (w[1] * 9) & MASK
    y = (y + v[0] * 9 + fetch64(data, s + 40)) & MASK
    z = (rotate((z + w[0]) & MASK, 33) * mul) & MASK
    v = weak32(data, s, (v[1] * mul) & MASK, (x + w[0]) & MASK)
    w = weak32(data, s + 32, (z + w[1]) & MASK, (y + fetch64(data, s + 16)) & MASK)
    z, x = x, z
    return hash_len16((hash_len16(v[0], w[0], mul) + shift_mix(y) * K0 + z) & MASK,
                      (hash_len16(v[1], w[1], mul) + x) & MASK, mul)
