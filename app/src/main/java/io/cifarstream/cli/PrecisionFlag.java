package io.cifarstream.cli;

import io.cifarstream.trainer.Precision;
import picocli.CommandLine.Option;

/** The {@code --precision} of the commands that take training steps ({@code train}, {@code bench train}). */
public final class PrecisionFlag {
    @OneOf({"auto", "float32", "bfloat16"})
    @Option(names = "--precision", defaultValue = "auto", paramLabel = "auto|float32|bfloat16",
            description = "The training steps' convolutions: bfloat16 (weights and updates stay float32) or "
                    + "float32; auto: bfloat16 where the CPU multiplies it natively (AVX512-BF16, AMX-BF16), else "
                    + "float32. Default: ${DEFAULT-VALUE}.")
    String precision;

    /** The precision named, {@code auto} resolved for this machine. */
    public Precision value() {
        return "auto".equals(precision) ? Precision.fastestHere() : Precision.named(precision);
    }
}
