package org.vae4j.eval;

/**
 * Running mean and variance of a stream of values (Welford 1962), in double. Mutable, not
 * thread-safe.
 */
final class MeanAccumulator {

    private long n;
    private double mean;
    private double m2; // sum of squared deviations from the running mean

    void add(double v) {
        n++;
        double delta = v - mean;
        mean += delta / n;
        m2 += delta * (v - mean);
    }

    long count() {
        return n;
    }

    double mean() {
        return mean;
    }

    /** Population variance (divided by n); 0 for one value. */
    double populationVariance() {
        return n == 0 ? Double.NaN : m2 / n;
    }

    /** Standard error of the mean, sqrt(sample variance / n) with the sample variance divided by n - 1; NaN for fewer than 2 values. */
    double standardError() {
        return n < 2 ? Double.NaN : Math.sqrt(m2 / (n - 1) / n);
    }
}
