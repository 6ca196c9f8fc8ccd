"""Makes the bundled MNIST subset: the first 5,000 training and the first 1,000 test images of
MNIST with their labels, as the four standard IDX .gz files, plus SHA256SUMS.uncompressed.

Run from the project root (Python 3 standard library only):

    python3 examples/data/mnist-subset/make_subset.py ../shared/data/mnist examples/data/mnist-subset

The output is byte-for-byte reproducible: gzip level 9, no file name, modification time 0.
"""
import gzip
import hashlib
import struct
import sys
from pathlib import Path

SPLITS = [("train", 5000), ("t10k", 1000)]


def take(src, dst, kind, n):
    """Copies the header of an IDX file with its count set to n, then the first n items."""
    data = gzip.decompress(src.read_bytes())
    magic, count = struct.unpack(">II", data[:8])
    assert magic == (0x803 if kind == "images" else 0x801), (src, hex(magic))
    assert count >= n, (src, count)
    ndims = magic & 0xFF
    header = 4 + 4 * ndims
    dims = struct.unpack(">" + "I" * ndims, data[4:header])
    item = 1
    for d in dims[1:]:
        item *= d
    out = struct.pack(">I", magic) + struct.pack(">" + "I" * ndims, n, *dims[1:]) + data[header:header + n * item]
    with open(dst, "wb") as f, gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=f, mtime=0) as g:
        g.write(out)
    return hashlib.sha256(out).hexdigest()


def main(src_dir, dst_dir):
    src_dir, dst_dir = Path(src_dir), Path(dst_dir)
    sums = []
    for split, n in SPLITS:
        for kind, suffix in (("images", "idx3-ubyte"), ("labels", "idx1-ubyte")):
            name = f"{split}-{kind}-{suffix}"
            sums.append(f"{take(src_dir / (name + '.gz'), dst_dir / (name + '.gz'), kind, n)}  {name}\n")
    (dst_dir / "SHA256SUMS.uncompressed").write_text("".join(sums))


if __name__ == "__main__":
    main(*sys.argv[1:3])
