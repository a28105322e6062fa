package io.cifarstream.dataset;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The CIFAR-10-C corruptions (Hendrycks and Dietterich 2019, "Benchmarking Neural Network Robustness to Common
 * Corruptions and Perturbations") that this project reproduces, each with its published parameters for severities 1
 * to 5. The constants are those of the CIFAR version of the benchmark's script, which differ from ImageNet-C's:
 * https://github.com/hendrycks/robustness/blob/master/ImageNet-C/create_c/make_cifar_c.py (commit 8190fe3).
 * {@link ImageCorrupter} applies them as that script does.
 */
public enum Corruption {
    /** x + N(0, sigma), sigma per severity. */
    GAUSSIAN_NOISE("gaussian_noise", true, new double[][] {{0.04}, {0.06}, {0.08}, {0.09}, {0.10}}),
    /** Poisson(x * photons) / photons, photons per severity. */
    SHOT_NOISE("shot_noise", true, new double[][] {{500}, {250}, {100}, {75}, {50}}),
    /** Salt and pepper: this share of the values becomes 0 or 255, half each. */
    IMPULSE_NOISE("impulse_noise", true, new double[][] {{0.01}, {0.02}, {0.03}, {0.05}, {0.07}}),
    /** Correlation with an aliased disk: radius, then the sigma of the 3x3 Gaussian that anti-aliases it. */
    DEFOCUS_BLUR("defocus_blur", false, new double[][] {{0.3, 0.4}, {0.4, 0.5}, {0.5, 0.6}, {1, 0.2}, {1.5, 0.1}}),
    /** (x - mean) * factor + mean, the mean taken per channel over the image. */
    CONTRAST("contrast", false, new double[][] {{0.75}, {0.5}, {0.4}, {0.3}, {0.15}}),
    /** V of HSV raised by this much. */
    BRIGHTNESS("brightness", false, new double[][] {{0.05}, {0.1}, {0.15}, {0.2}, {0.3}}),
    /** S of HSV times the first value plus the second. */
    SATURATE("saturate", false, new double[][] {{0.3, 0}, {0.1, 0}, {1.5, 0}, {2, 0.1}, {2.5, 0.2}}),
    /** Box-resized to side * factor (truncated) and back to 32, as Pillow's BOX filter does both ways. */
    PIXELATE("pixelate", false, new double[][] {{0.95}, {0.9}, {0.85}, {0.75}, {0.65}}),
    /** Encoded as a JPEG at this quality (libjpeg's scale, 4:2:0) and decoded. */
    JPEG_COMPRESSION("jpeg_compression", false, new double[][] {{80}, {65}, {58}, {50}, {40}});

    /** The severities every corruption has: 1 (mildest) to 5. */
    public static final int MIN_SEVERITY = 1;
    public static final int MAX_SEVERITY = 5;

    private final String id;
    private final boolean random;
    private final double[][] parameters;

    Corruption(String id, boolean random, double[][] parameters) {
        this.id = id;
        this.random = random;
        this.parameters = parameters;
    }

    /** The benchmark's name, e.g. {@code gaussian_noise} (the name of the function and of the CIFAR-10-C file). */
    public String id() {
        return id;
    }

    /** Whether the corruption draws noise, so its result depends on a seed. */
    public boolean random() {
        return random;
    }

    /** The published parameters of {@code severity} (1..5), in the order the reference script uses them. */
    public double[] parameters(int severity) {
        checkSeverity(severity);
        return parameters[severity - 1].clone();
    }

    /** The corruption named {@code id}; refuses unknown names with the list of known ones. */
    public static Corruption byId(String id) {
        Objects.requireNonNull(id, "id");
        for (Corruption corruption : values()) {
            if (corruption.id.equals(id)) {
                return corruption;
            }
        }
        throw new IllegalArgumentException("no corruption \"" + id + "\"; known: " + String.join(", ", ids()));
    }

    /** Every corruption's id, in declaration order. */
    public static List<String> ids() {
        return Arrays.stream(values()).map(Corruption::id).toList();
    }

    static void checkSeverity(int severity) {
        if (severity < MIN_SEVERITY || severity > MAX_SEVERITY) {
            throw new IllegalArgumentException("severity must be " + MIN_SEVERITY + " to " + MAX_SEVERITY + ", got "
                    + severity);
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
