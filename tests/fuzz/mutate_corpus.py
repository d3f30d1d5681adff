#!/usr/bin/python3
"""Writes N randomly mutated copies of a seed corpus, for fuzz entry points that cannot be
built with libFuzzer in the time at hand (the services target needs the whole server compiled
with clang): replay them with the g++ replay binary, e.g.

  tests/fuzz/mutate_corpus.py tests/fuzz/corpus/services /tmp/mutants 20000 [seed]
  build/tests/fuzz/fuzz_services_replay /tmp/mutants

No coverage feedback, unlike libFuzzer: bit flips, byte insertions and deletions, boundary
integers, splices of two seeds, and new method/caller bytes.
"""
import os
import random
import sys

INTERESTING = [b"\x00", b"\xff", b"\x7f", b"\x80", b"\xff\xff\xff\xff\xff\xff\xff\xff\x01",
               b"\x00\x00\x00\x00", b"\xef\xbf\xbf", b"\xc0\x80", b"\xed\xa0\x80"]


def mutate(rng, data, seeds):
    data = bytearray(data)
    for _ in range(rng.randint(1, 6)):
        op = rng.randrange(7)
        pos = rng.randrange(len(data) + 1)
        if op == 0 and data:
            data[pos % len(data)] ^= 1 << rng.randrange(8)
        elif op == 1:
            data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 8)))
        elif op == 2 and data:
            del data[pos:pos + rng.randint(1, 8)]
        elif op == 3:
            data[pos:pos] = rng.choice(INTERESTING)
        elif op == 4:
            other = rng.choice(seeds)
            cut = rng.randrange(len(other) + 1)
            data = data[:pos] + other[cut:]
        elif op == 5 and len(data) >= 2:
            # A record header: method and caller bytes.
            data[0] = rng.randrange(256)
            data[1] = rng.randrange(256)
        elif op == 6 and data:
            data[pos % len(data)] = rng.randrange(256)
    return bytes(data)


def main():
    seed_dir, out_dir, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 1)
    seeds = [open(os.path.join(seed_dir, f), "rb").read() for f in sorted(os.listdir(seed_dir))]
    os.makedirs(out_dir, exist_ok=True)
    for i in range(count):
        with open(os.path.join(out_dir, "m%06d" % i), "wb") as f:
            f.write(mutate(rng, rng.choice(seeds), seeds))


if __name__ == "__main__":
    main()
