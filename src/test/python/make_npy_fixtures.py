"""NumPy-written fixtures for the vae4j .npy and CSV reader tests (NpyTest, CsvTest).

Rerun from the project root with

    /usr/bin/python3 src/test/python/make_npy_fixtures.py

It needs only numpy and writes small files to src/test/resources/data/:

    float32_3x4.npy       (np.arange(12, float32).reshape(3, 4) - 5.5) / 3
    float32_1d.npy        [1.5, -2.25, 3e38, -0.0] as float32, shape (4,)
    uint8_2x5.npy         [[0, 1, 2, 127, 128], [200, 254, 255, 3, 4]] as uint8
    float32_3x4.csv       the float32_3x4 array via np.savetxt(delimiter=',')
    reject_bigendian.npy  2x3 float32 stored as '>f4'
    reject_fortran.npy    2x3 float32 in Fortran order
    reject_object.npy     object array [1, 'a', None] (allow_pickle=True)
    reject_float64.npy    2x3 float64
    reject_3d.npy         2x2x2 float32
"""
from pathlib import Path

import numpy as np

OUT = Path(__file__).resolve().parents[1] / "resources" / "data"


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    a = (np.arange(12, dtype=np.float32).reshape(3, 4) - 5.5) / 3
    assert a.dtype == np.float32
    np.save(OUT / "float32_3x4.npy", a)
    np.save(OUT / "float32_1d.npy", np.array([1.5, -2.25, 3e38, -0.0], dtype=np.float32))
    np.save(OUT / "uint8_2x5.npy", np.array([[0, 1, 2, 127, 128], [200, 254, 255, 3, 4]], dtype=np.uint8))
    np.savetxt(OUT / "float32_3x4.csv", a, delimiter=",")

    b = np.arange(6, dtype=np.float32).reshape(2, 3)
    np.save(OUT / "reject_bigendian.npy", b.astype(">f4"))
    np.save(OUT / "reject_fortran.npy", np.asfortranarray(b))
    np.save(OUT / "reject_object.npy", np.array([1, "a", None], dtype=object), allow_pickle=True)
    np.save(OUT / "reject_float64.npy", b.astype(np.float64))
    np.save(OUT / "reject_3d.npy", np.arange(8, dtype=np.float32).reshape(2, 2, 2))


if __name__ == "__main__":
    main()
