#!/usr/bin/python3
"""The table data of examples/vae4j and its baselines (docs/TUTORIAL.md, "Tables").

  /usr/bin/python3 examples/python/tables.py export-breast-cancer   # examples/data/breast-cancer/wdbc.csv from python3-sklearn
  /usr/bin/python3 examples/python/tables.py split-breast-cancer DIR [--seed 1]
        # DIR/train.csv (benign rows only, no label), DIR/test.csv (held-out benign + all malignant),
        # DIR/test-labels.csv (1 = malignant)
  /usr/bin/python3 examples/python/tables.py generate-mixed OUT_DIR [--rows 5000] [--seed 1]
        # OUT_DIR/mixed.csv (no label) and OUT_DIR/mixed-labels.csv (1 = anomaly)
  /usr/bin/python3 examples/python/tables.py baselines --train TRAIN.csv --test TEST.csv --labels LABELS.csv
        [--scores SCORES.csv] [--seed 1]
        # ROC AUC of PCA reconstruction error and IsolationForest fitted on TRAIN and scored on TEST
        # (one-hot categoricals, standardised numerics, missing cells at the training mean), and of
        # vae4j's score column when SCORES.csv (from examples/vae4j score) is given

Needs numpy and scikit-learn (Debian: python3-numpy, python3-sklearn); run with /usr/bin/python3.
"""
import argparse
import csv
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
DATA = os.path.join(HERE, "..", "data")


def export_breast_cancer(_args):
    from sklearn.datasets import load_breast_cancer
    d = load_breast_cancer()
    out = os.path.join(DATA, "breast-cancer", "wdbc.csv")
    with open(out, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(list(d.feature_names) + ["diagnosis"])
        for row, t in zip(d.data, d.target):
            # sklearn's target: 0 = malignant, 1 = benign; written as M / B like the UCI file
            w.writerow([repr(float(v)) if v != int(v) else str(int(v)) for v in row] + ["M" if t == 0 else "B"])
    print(f"wrote {out}: {len(d.data)} rows, {len(d.feature_names)} features + diagnosis")


def read_csv(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        r = csv.reader(f)
        header = next(r)
        rows = [row for row in r if row]
    return header, rows


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def split_breast_cancer(args):
    header, rows = read_csv(os.path.join(DATA, "breast-cancer", "wdbc.csv"))
    label = header.index("diagnosis")
    benign = [r for r in rows if r[label] == "B"]
    malignant = [r for r in rows if r[label] == "M"]
    rng = np.random.default_rng(args.seed)
    order = rng.permutation(len(benign))
    n_test = len(benign) // 3
    test_b = [benign[i] for i in sorted(order[:n_test])]
    train = [benign[i] for i in sorted(order[n_test:])]
    strip = lambda r: r[:label] + r[label + 1:]
    feats = header[:label] + header[label + 1:]
    os.makedirs(args.dir, exist_ok=True)
    write_csv(os.path.join(args.dir, "train.csv"), feats, [strip(r) for r in train])
    test = [(strip(r), 0) for r in test_b] + [(strip(r), 1) for r in malignant]
    write_csv(os.path.join(args.dir, "test.csv"), feats, [r for r, _ in test])
    write_csv(os.path.join(args.dir, "test-labels.csv"), ["row", "anomaly"], [[i, y] for i, (_, y) in enumerate(test)])
    print(f"{args.dir}: train {len(train)} benign rows; test {len(test_b)} benign + {len(malignant)} malignant")


def generate_mixed(args):
    """Numeric, binary and categorical columns driven by 3 shared latent factors, mostly through
    nonlinear links (products, squares, |.|, tanh) that a linear method sees little of. Anomalies
    (1.5%) take half of their columns, chosen at random, from other random normal rows: every cell
    is plausible on its own (the marginals are unchanged) but the row's joint structure is broken.
    2% of the cells are empty; a customer ID column leads."""
    rng = np.random.default_rng(args.seed)
    n = args.rows
    f = rng.standard_normal((n, 3))
    cols = {}
    noise = lambda s: s * rng.standard_normal(n)
    cols["income"] = np.exp(10 + 0.5 * f[:, 0] + noise(0.1))           # skewed (log-normal)
    cols["age"] = 45 + 12 * f[:, 1] + noise(2)
    cols["spend"] = f[:, 0] * f[:, 1] + noise(0.15)                     # product: no linear correlation
    cols["visits"] = f[:, 2] ** 2 + noise(0.15)                          # square
    cols["risk"] = np.tanh(f[:, 0] - f[:, 2]) + noise(0.1)
    cols["tenure"] = 10 + 4 * np.abs(f[:, 1] + f[:, 2]) + noise(0.5)
    cols["premium"] = (rng.random(n) < 1 / (1 + np.exp(-4 * f[:, 0] * f[:, 2]))).astype(int)
    cols["mobile"] = np.where(rng.random(n) < 1 / (1 + np.exp(3 * f[:, 1])), "yes", "no")
    regions = np.array(["north", "south", "east", "west"])
    logits = np.stack([2 * f[:, 2], -2 * f[:, 2], 2 * f[:, 0] * f[:, 1], -2 * f[:, 0] * f[:, 1]], axis=1)
    p = np.exp(logits - logits.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    cols["region"] = regions[[rng.choice(4, p=pi) for pi in p]]
    plans = np.array(["basic", "plus", "pro"])
    cols["plan"] = plans[np.clip(np.round(np.abs(f[:, 0]) + 0.3 * rng.standard_normal(n)), 0, 2).astype(int)]
    names = list(cols)
    anomaly = np.zeros(n, dtype=int)
    idx = rng.choice(n, size=int(round(0.015 * n)), replace=False)
    anomaly[idx] = 1
    normal = np.flatnonzero(anomaly == 0)
    table = {k: np.array(v, dtype=object) for k, v in cols.items()}
    for i in idx:
        # half of the columns (at random) from other normal rows: each cell stays plausible
        for k in rng.choice(names, size=len(names) // 2, replace=False):
            table[k][i] = cols[k][rng.choice(normal)]
    rows = []
    for i in range(n):
        row = [f"cust{i:06d}"]
        for k in names:
            v = table[k][i]
            if rng.random() < 0.02:
                row.append("")
            elif isinstance(v, float):
                row.append(f"{v:.4g}" if k != "income" else f"{v:.0f}")
            else:
                row.append(str(v))
        rows.append(row)
    os.makedirs(args.out, exist_ok=True)
    write_csv(os.path.join(args.out, "mixed.csv"), ["customer"] + names, rows)
    write_csv(os.path.join(args.out, "mixed-labels.csv"), ["row", "anomaly"], [[i, int(a)] for i, a in enumerate(anomaly)])
    print(f"{args.out}: {n} rows, {int(anomaly.sum())} anomalies, columns {names}")


def encode(train_h, train, test_h, test):
    """Numeric columns standardised (training mean/sd, missing at the mean); label columns one-hot
    over the training labels (a missing or unseen label all zeros). Columns whose training values
    are all distinct labels (IDs) are left out, as examples/vae4j does."""
    blocks_tr, blocks_te = [], []
    for j, name in enumerate(train_h):
        k = test_h.index(name)
        tr = [r[j].strip() for r in train]
        te = [r[k].strip() for r in test]
        def num(v):
            try:
                x = float(v)
                return x if math.isfinite(x) else math.nan
            except ValueError:
                return None
        parsed = [num(v) for v in tr if v not in ("", "NaN", "nan")]
        if all(p is not None for p in parsed):
            a = np.array([num(v) if v not in ("",) and num(v) is not None else math.nan for v in tr], float)
            b = np.array([num(v) if v not in ("",) and num(v) is not None else math.nan for v in te], float)
            mu, sd = np.nanmean(a), np.nanstd(a) or 1.0
            a = np.where(np.isnan(a), mu, a)
            b = np.where(np.isnan(b), mu, b)
            blocks_tr.append(((a - mu) / sd)[:, None])
            blocks_te.append(((b - mu) / sd)[:, None])
        else:
            labels = sorted(set(v for v in tr if v != ""))
            if len(labels) == len([v for v in tr if v != ""]):
                continue  # ID-like
            index = {l: i for i, l in enumerate(labels)}
            def onehot(vals):
                m = np.zeros((len(vals), len(labels)))
                for r, v in enumerate(vals):
                    if v in index:
                        m[r, index[v]] = 1
                return m
            blocks_tr.append(onehot(tr))
            blocks_te.append(onehot(te))
    return np.hstack(blocks_tr), np.hstack(blocks_te)


def auc(labels, scores):
    from sklearn.metrics import roc_auc_score
    return roc_auc_score(labels, scores)


def baselines(args):
    from sklearn.decomposition import PCA
    from sklearn.ensemble import IsolationForest
    th, tr = read_csv(args.train)
    eh, te = read_csv(args.test)
    _, lab = read_csv(args.labels)
    y = np.array([int(r[1]) for r in lab])
    xtr, xte = encode(th, tr, eh, te)
    k = max(1, min(xtr.shape[1] // 3, 10))
    pca = PCA(n_components=k, random_state=args.seed).fit(xtr)
    rec = pca.inverse_transform(pca.transform(xte))
    pca_score = ((xte - rec) ** 2).sum(1)
    iso = IsolationForest(n_estimators=200, random_state=args.seed).fit(xtr)
    iso_score = -iso.score_samples(xte)
    print(f"encoded width {xtr.shape[1]}, train rows {len(xtr)}, test rows {len(xte)} ({int(y.sum())} anomalies)")
    print(f"PCA ({k} components) reconstruction error  ROC AUC {auc(y, pca_score):.4f}")
    print(f"IsolationForest (200 trees)              ROC AUC {auc(y, iso_score):.4f}")
    if args.scores:
        sh, sc = read_csv(args.scores)
        s = np.array([float(r[sh.index("score")]) for r in sc])
        if len(s) != len(y):
            sys.exit(f"{args.scores} has {len(s)} rows, the labels {len(y)}")
        print(f"vae4j score                              ROC AUC {auc(y, s):.4f}")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("export-breast-cancer").set_defaults(fn=export_breast_cancer)
    s = sub.add_parser("split-breast-cancer")
    s.add_argument("dir")
    s.add_argument("--seed", type=int, default=1)
    s.set_defaults(fn=split_breast_cancer)
    g = sub.add_parser("generate-mixed")
    g.add_argument("out")
    g.add_argument("--rows", type=int, default=5000)
    g.add_argument("--seed", type=int, default=1)
    g.set_defaults(fn=generate_mixed)
    b = sub.add_parser("baselines")
    b.add_argument("--train", required=True)
    b.add_argument("--test", required=True)
    b.add_argument("--labels", required=True)
    b.add_argument("--scores")
    b.add_argument("--seed", type=int, default=1)
    b.set_defaults(fn=baselines)
    a = p.parse_args()
    a.fn(a)


if __name__ == "__main__":
    main()
