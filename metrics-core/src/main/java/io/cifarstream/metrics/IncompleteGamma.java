package io.cifarstream.metrics;

/**
 * The regularized incomplete gamma functions, for the chi-square distribution's tail:
 * {@code P(a, x) = γ(a, x) / Γ(a)} and {@code Q(a, x) = 1 - P(a, x) = Γ(a, x) / Γ(a)}
 * ({@code scipy.special.gammainc} and {@code gammaincc}).
 *
 * <p>Numerical Recipes' method (3rd ed., §6.2): below {@code x = a + 1} the power series of P converges
 * fast and Q = 1 - P loses nothing there (Q is not small); above it, the continued fraction of Q
 * (modified Lentz) converges fast and keeps Q's relative precision far into the tail, down to the smallest
 * doubles. Both share the prefactor {@code exp(-x + a ln x - ln Γ(a))}, with ln Γ from NR's Lanczos
 * approximation (g = 671/128, 14 terms, relative error about 1e-15). Tested against scipy to a relative
 * 1e-12 over a ≤ 100 and tails down to 1e-300.
 */
final class IncompleteGamma {

    private static final double EPSILON = 0x1p-52;
    private static final double TINY = Double.MIN_NORMAL / EPSILON;
    private static final int MAX_TERMS = 1_000_000;
    private static final double[] LANCZOS = {57.1562356658629235, -59.5979603554754912, 14.1360979747417471,
        -0.491913816097620199, .339946499848118887e-4, .465236289270485756e-4, -.983744753048795646e-4,
        .158088703224912494e-3, -.210264441724104883e-3, .217439618115212643e-3, -.164318106536763890e-3,
        .844182239838527433e-4, -.261908384015814087e-4, .368991826595316234e-5};

    private IncompleteGamma() {
    }

    /** {@code ln Γ(a)} for {@code a > 0}. */
    static double logGamma(double a) {
        if (!(a > 0) || Double.isInfinite(a)) {
            throw new IllegalArgumentException("ln Γ(a) needs a finite a > 0, got " + a);
        }
        double shifted = a + 5.24218750000000000;
        double head = (a + 0.5) * Math.log(shifted) - shifted;
        double series = 0.999999999999997092;
        double y = a;
        for (double c : LANCZOS) {
            series += c / ++y;
        }
        return head + Math.log(2.5066282746310005 * series / a);
    }

    /** {@code Q(a, x)}, the upper tail; 1 at x = 0, 0 at x = +Infinity. */
    static double upper(double a, double x) {
        requireArguments(a, x);
        if (x == 0) {
            return 1;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return 0;
        }
        return x < a + 1 ? 1 - lowerSeries(a, x) : upperFraction(a, x);
    }

    /** {@code P(a, x)}, the lower tail; 0 at x = 0, 1 at x = +Infinity. */
    static double lower(double a, double x) {
        requireArguments(a, x);
        if (x == 0) {
            return 0;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return 1;
        }
        return x < a + 1 ? lowerSeries(a, x) : 1 - upperFraction(a, x);
    }

    private static void requireArguments(double a, double x) {
        if (!(a > 0) || Double.isInfinite(a) || !(x >= 0)) {
            throw new IllegalArgumentException("the incomplete gamma function needs a finite a > 0 and x >= 0, got a = "
                    + a + ", x = " + x);
        }
    }

    /** {@code x^a e^-x / Γ(a)}, in logs so that it neither overflows nor underflows early. */
    private static double prefactor(double a, double x) {
        return Math.exp(-x + a * Math.log(x) - logGamma(a));
    }

    /** P by its series {@code sum_n x^n / (a (a+1) ... (a+n))}, for {@code x < a + 1}. */
    private static double lowerSeries(double a, double x) {
        double denominator = a;
        double term = 1 / a;
        double sum = term;
        for (int n = 1; n <= MAX_TERMS; n++) {
            denominator++;
            term *= x / denominator;
            sum += term;
            if (Math.abs(term) < Math.abs(sum) * EPSILON) {
                return sum * prefactor(a, x);
            }
        }
        throw new ArithmeticException("the series of P(" + a + ", " + x + ") did not converge");
    }

    /** Q by its continued fraction (modified Lentz), for {@code x >= a + 1}. */
    private static double upperFraction(double a, double x) {
        double b = x + 1 - a;
        double c = 1 / TINY;
        double d = 1 / b;
        double h = d;
        for (int i = 1; i <= MAX_TERMS; i++) {
            double an = -i * (i - a);
            b += 2;
            d = an * d + b;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = b + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double step = d * c;
            h *= step;
            if (Math.abs(step - 1) <= EPSILON) {
                return prefactor(a, x) * h;
            }
        }
        throw new ArithmeticException("the continued fraction of Q(" + a + ", " + x + ") did not converge");
    }
}
