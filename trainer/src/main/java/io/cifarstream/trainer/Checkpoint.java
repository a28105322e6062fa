package io.cifarstream.trainer;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;

/**
 * Everything a run needs to continue after an epoch exactly as if it had not stopped: the weights, the optimizer's
 * momentum buffers, the schedule's position (steps done), the data-order/augmentation RNG state, the
 * normalization, the recipe and seed, how many images it trains on and holds out, the history and every batch's
 * loss (for the loss plot).
 *
 * <p>File format ({@code checkpoints/epoch-NNN.ckpt}): magic, format version, a JSON header with the scalar state,
 * then the tensors as float32 arrays. Written to a temporary file and moved into place, so a crash never leaves
 * a half-written checkpoint under the final name.
 */
public record Checkpoint(Recipe recipe, long seed, int epoch, long step, long rngState, float[] normalizationMean,
                         float[] normalizationStd, int trainImages, int heldOut, List<EpochRecord> history,
                         List<float[]> weights, List<float[]> momentum, float[] batchLosses) {

    private static final int MAGIC = 0x43534350; // "CSCP"
    private static final int FORMAT = 1;
    private static final Pattern FILE_NAME = Pattern.compile("epoch-(\\d+)\\.ckpt");
    private static final ObjectMapper JSON = new ObjectMapper()
            .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE);

    public Checkpoint {
        history = List.copyOf(history);
        weights = List.copyOf(weights);
        momentum = List.copyOf(momentum);
    }

    /** The JSON part of the file; {@code held_out} is absent (0) in checkpoints of runs that held none out. */
    private record Header(Recipe recipe, long seed, int epoch, long step, long rngState, float[] normalizationMean,
                          float[] normalizationStd, int trainImages, int heldOut, List<EpochRecord> history) {
    }

    /** {@code dir/epoch-NNN.ckpt}. */
    public static Path fileFor(Path dir, int epoch) {
        return dir.resolve(String.format("epoch-%03d.ckpt", epoch));
    }

    /** Writes this checkpoint into {@code dir} (created if needed); returns the file. */
    public Path save(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path file = fileFor(dir, epoch);
        Path temporary = Files.createTempFile(dir, "epoch-", ".partial");
        try (DataOutputStream out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(temporary),
                1 << 16))) {
            out.writeInt(MAGIC);
            out.writeInt(FORMAT);
            byte[] header = JSON.writeValueAsBytes(new Header(recipe, seed, epoch, step, rngState, normalizationMean,
                    normalizationStd, trainImages, heldOut, history));
            out.writeInt(header.length);
            out.write(header);
            writeArrays(out, weights);
            writeArrays(out, momentum);
            writeArrays(out, List.of(batchLosses));
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return file;
    }

    private static void writeArrays(DataOutputStream out, List<float[]> arrays) throws IOException {
        out.writeInt(arrays.size());
        for (float[] array : arrays) {
            out.writeInt(array.length);
            for (float v : array) {
                out.writeFloat(v);
            }
        }
    }

    private static List<float[]> readArrays(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<float[]> arrays = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] array = new float[in.readInt()];
            for (int j = 0; j < array.length; j++) {
                array[j] = in.readFloat();
            }
            arrays.add(array);
        }
        return arrays;
    }

    /** Reads a checkpoint written by {@link #save}. */
    public static Checkpoint load(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16))) {
            if (in.readInt() != MAGIC || in.readInt() != FORMAT) {
                throw new IOException(file + " is not a cifar-stream checkpoint (format " + FORMAT + ")");
            }
            byte[] headerBytes = in.readNBytes(in.readInt());
            Header header = JSON.readValue(headerBytes, Header.class);
            List<float[]> weights = readArrays(in);
            List<float[]> momentum = readArrays(in);
            float[] losses = readArrays(in).get(0);
            return new Checkpoint(header.recipe(), header.seed(), header.epoch(), header.step(), header.rngState(),
                    header.normalizationMean(), header.normalizationStd(), header.trainImages(), header.heldOut(),
                    header.history(),
                    weights, momentum, losses);
        }
    }

    /** The checkpoint of the highest epoch in {@code dir}, if any. */
    public static Optional<Path> latest(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        try (Stream<Path> files = Files.list(dir)) {
            Path best = null;
            int bestEpoch = -1;
            for (Path f : (Iterable<Path>) files::iterator) {
                Matcher m = FILE_NAME.matcher(f.getFileName().toString());
                if (m.matches() && Integer.parseInt(m.group(1)) > bestEpoch) {
                    bestEpoch = Integer.parseInt(m.group(1));
                    best = f;
                }
            }
            return Optional.ofNullable(best);
        }
    }
}
