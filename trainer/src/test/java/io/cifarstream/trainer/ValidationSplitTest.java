package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.stream.IntStream;

import io.cifarstream.dataset.CifarImages;
import io.cifarstream.schemas.CifarShape;
import org.junit.jupiter.api.Test;

class ValidationSplitTest {

    @Test
    void theHeldOutAndKeptImagesAreDisjointAndTogetherTheWholeSplit() {
        ValidationSplit split = ValidationSplit.of(50_000, 5_000);

        int[] heldOut = split.heldOutIndices();
        int[] kept = split.keptIndices();
        assertThat(heldOut).hasSize(5_000).isSorted();
        assertThat(kept).hasSize(45_000).isSorted();
        int[] all = IntStream.concat(Arrays.stream(heldOut), Arrays.stream(kept)).sorted().toArray();
        assertThat(all).isEqualTo(IntStream.range(0, 50_000).toArray());
    }

    @Test
    void aFixedSeedDrawsTheSameImagesEveryTimeAndASmallerHoldoutLiesInsideALargerOne() {
        int[] first = ValidationSplit.of(50_000, 5_000).heldOutIndices();

        assertThat(ValidationSplit.of(50_000, 5_000).heldOutIndices()).isEqualTo(first);
        assertThat(first).contains(ValidationSplit.of(50_000, 1_000).heldOutIndices());
        // Spread over the split, not a block of it: the classes of CIFAR-10's files come in no order to rely on.
        assertThat(first[0]).isLessThan(100);
        assertThat(first[first.length - 1]).isGreaterThan(49_900);
    }

    @Test
    void theImagesAreThoseAtTheIndicesWithTheirLabels() {
        CifarImages train = RealCifar.data().train();
        ValidationSplit split = ValidationSplit.of(train.size(), 300);

        CifarImages validation = split.validation(train);
        CifarImages training = split.training(train, 200);

        int[] heldOut = split.heldOutIndices();
        assertThat(validation.size()).isEqualTo(300);
        for (int i = 0; i < validation.size(); i++) {
            assertThat(validation.label(i)).isEqualTo(train.label(heldOut[i]));
            assertThat(image(validation, i)).isEqualTo(image(train, heldOut[i]));
        }
        int[] kept = split.keptIndices();
        assertThat(training.size()).isEqualTo(200);
        for (int i = 0; i < training.size(); i++) {
            assertThat(image(training, i)).isEqualTo(image(train, kept[i]));
        }
        assertThat(ValidationSplit.of(train.size(), 0).training(train, 0)).isSameAs(train);
    }

    private static byte[] image(CifarImages images, int i) {
        return Arrays.copyOfRange(images.pixels(), i * CifarShape.PIXELS, (i + 1) * CifarShape.PIXELS);
    }

    @Test
    void theFastRecipeHoldsOutFiveThousandAndTheSeedRecipeNone() {
        assertThat(ValidationSplit.defaultCount(Recipe.fast())).isEqualTo(5_000);
        assertThat(ValidationSplit.defaultCount(Recipe.fast().withEpochs(8))).isEqualTo(5_000);
        assertThat(ValidationSplit.defaultCount(Recipe.seed())).isZero();
        assertThat(TrainingConfig.of(Recipe.seed(), java.nio.file.Path.of("run")).holdout()).isZero();
    }

    @Test
    void holdingOutEveryImageIsRefused() {
        assertThatThrownBy(() -> ValidationSplit.of(100, 100)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("hold out 0 to 99");
    }
}
