package io.cifarstream.dataset;

import java.util.random.RandomGenerator;

/**
 * Poisson draws with numpy's algorithms (random_poisson in numpy/random/src/distributions/distributions.c): the
 * product of uniforms below a mean of 10, Hörmann's transformed rejection (PTRS) from 10 on. Shot noise draws one per
 * pixel value with means up to 500, so the log-factorials PTRS needs come from a table.
 */
final class PoissonSampler {
    private static final int TABLE = 2048;
    private static final double[] LOG_FACTORIAL = new double[TABLE];

    static {
        for (int k = 1; k < TABLE; k++) {
            LOG_FACTORIAL[k] = LOG_FACTORIAL[k - 1] + Math.log(k);
        }
    }

    private PoissonSampler() {
    }

    /** One draw from Poisson({@code mean}); {@code mean} must be finite and not negative. */
    static long draw(RandomGenerator random, double mean) {
        if (mean >= 10) {
            return transformedRejection(random, mean);
        }
        if (mean == 0) {
            return 0;
        }
        double limit = Math.exp(-mean);
        long count = 0;
        double product = random.nextDouble();
        while (product > limit) {
            count++;
            product *= random.nextDouble();
        }
        return count;
    }

    private static long transformedRejection(RandomGenerator random, double mean) {
        double sqrtMean = Math.sqrt(mean);
        double logMean = Math.log(mean);
        double b = 0.931 + 2.53 * sqrtMean;
        double a = -0.059 + 0.02483 * b;
        double inverseAlpha = 1.1239 + 1.1328 / (b - 3.4);
        double vr = 0.9277 - 3.6224 / (b - 2);
        while (true) {
            double u = random.nextDouble() - 0.5;
            double v = random.nextDouble();
            double us = 0.5 - Math.abs(u);
            long k = (long) Math.floor((2 * a / us + b) * u + mean + 0.43);
            if (us >= 0.07 && v <= vr) {
                return k;
            }
            if (k < 0 || (us < 0.013 && v > us)) {
                continue;
            }
            if (Math.log(v) + Math.log(inverseAlpha) - Math.log(a / (us * us) + b)
                    <= -mean + k * logMean - logFactorial(k)) {
                return k;
            }
        }
    }

    /** log(k!): summed for the table, Stirling's series beyond it. */
    static double logFactorial(long k) {
        if (k < TABLE) {
            return LOG_FACTORIAL[(int) k];
        }
        double n = k + 1.0;
        return (n - 0.5) * Math.log(n) - n + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * n) - 1 / (360 * n * n * n);
    }
}
