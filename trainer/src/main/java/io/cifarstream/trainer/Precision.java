package io.cifarstream.trainer;

import java.util.Locale;
import java.util.Set;

/**
 * The number format of a training step's convolutions. The parameters, the optimizer, the fully connected layers,
 * the loss, the test evaluation and the exported model are float32 in both.
 */
public enum Precision {
    /** Every operation in float32. */
    FLOAT32("float32"),
    /**
     * The three convolutions, their pooling and ReLUs, forward and backward, in bfloat16 ({@link CifarNetBfloat16}):
     * float32's 8-bit exponent with an 8-bit significand, so no loss scaling is needed. Each step rounds the
     * float32 weights to bfloat16 on the way in; their gradients come back as float32 and the SGD update adds
     * them to the float32 weights, so updates smaller than bfloat16's resolution are not lost.
     */
    BFLOAT16("bfloat16");

    /** CPU flags ({@link Processor#vectorFlags}) of instructions that multiply bfloat16 natively. */
    private static final Set<String> NATIVE_BFLOAT16_FLAGS = Set.of("avx512_bf16", "amx_bf16");

    private final String label;

    Precision(String label) {
        this.label = label;
    }

    /**
     * bfloat16 where the CPU multiplies it natively (AVX512-BF16 or AMX-BF16: twice float32's rate in oneDNN's
     * convolutions), float32 elsewhere (without those instructions bfloat16 is emulated and slower than float32).
     */
    public static Precision fastestHere() {
        return fastestFor(Processor.current());
    }

    /** The fastest precision on {@code processor}. */
    static Precision fastestFor(Processor processor) {
        return processor.vectorFlags().stream().anyMatch(NATIVE_BFLOAT16_FLAGS::contains) ? BFLOAT16 : FLOAT32;
    }

    /** The precision named {@code float32} or {@code bfloat16}. */
    public static Precision named(String name) {
        for (Precision p : values()) {
            if (p.label.equals(name.toLowerCase(Locale.ROOT))) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown precision '" + name + "' (use float32 or bfloat16)");
    }

    /** {@code float32} or {@code bfloat16}, as the command line, the console and the benchmarks name it. */
    public String label() {
        return label;
    }
}
