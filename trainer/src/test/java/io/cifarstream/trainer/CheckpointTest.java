package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    @TempDir
    Path dir;

    @Test
    void whatIsLoadedEqualsWhatWasSavedAndTheLatestEpochIsFound() throws IOException {
        Recipe recipe = Recipe.fast().withEpochs(9).withLearningRate(0.07);
        List<EpochRecord> history = List.of(new EpochRecord(1, 12.5, 1.9, 0.41, 1100.0, 0.03),
                new EpochRecord(2, 25.0, 1.6, 0.52, 1150.0, 0.05));
        List<float[]> weights = List.of(new float[] {1f, -2f, 3.5f}, new float[] {Float.MIN_VALUE});
        List<float[]> momentum = List.of(new float[] {0.1f, 0.2f, -0.3f}, new float[] {-7f});
        Checkpoint saved = new Checkpoint(recipe, 42, 2, 780, 0x1234_5678_9ABCL, new float[] {0.49f, 0.48f, 0.45f},
                new float[] {0.25f, 0.24f, 0.26f}, 45_000, 5_000, history, weights, momentum, new float[] {2.3f, 2.1f});
        saved.save(dir);
        new Checkpoint(recipe, 42, 1, 390, 1, new float[3], new float[3], 45_000, 5_000, history.subList(0, 1), weights,
                momentum, new float[0]).save(dir);

        assertThat(Checkpoint.latest(dir)).contains(dir.resolve("epoch-002.ckpt"));
        Checkpoint loaded = Checkpoint.load(dir.resolve("epoch-002.ckpt"));
        assertThat(loaded.recipe()).isEqualTo(recipe);
        assertThat(loaded.seed()).isEqualTo(42);
        assertThat(loaded.epoch()).isEqualTo(2);
        assertThat(loaded.step()).isEqualTo(780);
        assertThat(loaded.rngState()).isEqualTo(0x1234_5678_9ABCL);
        assertThat(loaded.normalizationMean()).containsExactly(0.49f, 0.48f, 0.45f);
        assertThat(loaded.normalizationStd()).containsExactly(0.25f, 0.24f, 0.26f);
        assertThat(loaded.trainImages()).isEqualTo(45_000);
        assertThat(loaded.heldOut()).isEqualTo(5_000);
        assertThat(loaded.history()).isEqualTo(history);
        assertThat(loaded.weights()).hasSize(2);
        assertThat(loaded.weights().get(0)).containsExactly(1f, -2f, 3.5f);
        assertThat(loaded.weights().get(1)).containsExactly(Float.MIN_VALUE);
        assertThat(loaded.momentum().get(0)).containsExactly(0.1f, 0.2f, -0.3f);
        assertThat(loaded.momentum().get(1)).containsExactly(-7f);
        assertThat(loaded.batchLosses()).containsExactly(2.3f, 2.1f);
        try (var files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("epoch-001.ckpt",
                    "epoch-002.ckpt");
        }
    }

    @Test
    void anEmptyOrMissingFolderHasNoLatestCheckpoint() throws IOException {
        assertThat(Checkpoint.latest(dir)).isEmpty();
        assertThat(Checkpoint.latest(dir.resolve("missing"))).isEmpty();
    }
}
