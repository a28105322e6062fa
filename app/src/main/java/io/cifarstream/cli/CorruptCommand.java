package io.cifarstream.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;

import io.cifarstream.dataset.Cifar10;
import io.cifarstream.dataset.CifarFolderWriter;
import io.cifarstream.dataset.CifarImages;
import io.cifarstream.dataset.CorruptedImages;
import io.cifarstream.dataset.Shift;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code cifar-stream corrupt}: a shifted copy of a split, in the official binary layout. */
@Command(name = "corrupt", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a copy of a CIFAR-10 split with a CIFAR-10-C corruption, in the official binary layout",
            "", "The copy is a cifar-10-batches-bin/ folder (batches.meta.txt and the split's batch files) that "
                + "--data of every command reads, as does any CIFAR-10 reader elsewhere. Noise is seeded: the same "
                + "--seed gives the same bytes, the ones `evaluate --corruption` and `replay --corruption` use."})
public final class CorruptCommand implements Callable<Integer> {

    @Mixin
    DataFlag data;

    @Option(names = "--shift", required = true, paramLabel = "NAME:SEVERITY",
            converter = ShiftFlags.ShiftConverter.class,
            description = "The corruption and its severity 1..5, e.g. contrast:3 (see docs/data.md).")
    Shift shift;

    @OneOf({"test", "train"})
    @Option(names = "--split", defaultValue = "test", paramLabel = "test|train",
            description = "Which CIFAR-10 split (default: ${DEFAULT-VALUE}).")
    String split;

    @Range
    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of the corruption's noise (default: ${DEFAULT-VALUE}).")
    long seed;

    @PathRule(PathRule.Kind.WRITABLE_FOLDER)
    @Option(names = "--out", required = true, paramLabel = "DIR",
            description = "Where cifar-10-batches-bin/ is written (files of the other split there stay).")
    Path out;

    @Override
    public Integer call() throws IOException {
        Cifar10 cifar = data.open();
        CifarImages clean = split.equals("train") ? cifar.train() : cifar.test();
        long start = System.nanoTime();
        CifarImages shifted = new CorruptedImages(clean, shift, seed).all();
        Path written = CifarFolderWriter.write(shifted, out);
        System.out.printf(Locale.ROOT, "Wrote the %d %s images corrupted by %s (seed %d) to %s in %.1f s%n",
                shifted.size(), split, shift, seed, written, (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
