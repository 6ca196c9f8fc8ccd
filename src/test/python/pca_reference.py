#!/usr/bin/env python3
"""The PCA-30 reference figure that src/test/java/org/vae4j/eval/PcaTest checks on MNIST.

Runs pca_baseline from the PyTorch reference (bench/pytorch_ref.py: a float64 SVD of the centred
training images, squared error per test image without clamping) and prints its JSON:

    /usr/bin/python3 src/test/python/pca_reference.py [--bench ../shared/bench] [--data ../shared/data/mnist] [--k 30]

Seen on 2 threads: pca_test_se_per_image 13.866266, pca_train_se_per_image 14.207105,
pca_explained_var_frac 0.730543.
"""
import argparse
import json
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default="../shared/bench", help="folder holding pytorch_ref.py")
    ap.add_argument("--data", default="../shared/data/mnist", help="folder with the MNIST .gz files")
    ap.add_argument("--k", type=int, default=30)
    args = ap.parse_args()
    sys.path.insert(0, args.bench)
    import pytorch_ref
    x_train, _ = pytorch_ref.load_split(args.data, "train")
    x_test, _ = pytorch_ref.load_split(args.data, "t10k")
    print(json.dumps(pytorch_ref.pca_baseline(x_train, x_test, args.k), indent=1))


if __name__ == "__main__":
    main()
