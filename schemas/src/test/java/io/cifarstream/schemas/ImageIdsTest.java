package io.cifarstream.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageIdsTest {

    @Test
    void idsAreTheSplitADashAndTheIndexPaddedToFiveDigits() {
        assertThat(ImageIds.of("test", 42)).isEqualTo("test-00042");
        assertThat(ImageIds.of("train", 0)).isEqualTo("train-00000");
        assertThat(ImageIds.of("train", 49_999)).isEqualTo("train-49999");
    }

    @Test
    void indicesFromOneHundredThousandTakeTheDigitsTheyNeed() {
        assertThat(ImageIds.of("photos", 123_456)).isEqualTo("photos-123456");
        assertThat(ImageIds.parse("photos-123456")).isEqualTo(new ImageId("photos", 123_456));
    }

    @Test
    void parsingGivesBackTheParts() {
        ImageId id = ImageIds.parse("test-00042");

        assertThat(id.split()).isEqualTo("test");
        assertThat(id.index()).isEqualTo(42);
        assertThat(id.value()).isEqualTo("test-00042");
        assertThat(id).hasToString("test-00042");
    }

    @Test
    void splitsMayContainDashesBecauseTheIndexFollowsTheLastOne() {
        assertThat(ImageIds.parse(ImageIds.of("my-folder", 7))).isEqualTo(new ImageId("my-folder", 7));
    }

    @Test
    void formattingAndParsingAreInverseOverTheWholeCifarRange() {
        for (int index = 0; index < 60_000; index += 1_237) {
            assertThat(ImageIds.parse(ImageIds.of("train", index))).isEqualTo(new ImageId("train", index));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"test-42", "test-0042", "test-000042", "test00042", "-00042", "test-", "test-4200a",
        "test--00042", "test 1-00042", "test-99999999999"})
    void anythingElseIsNotAnImageId(String notAnId) {
        assertThatThrownBy(() -> ImageIds.parse(notAnId)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + notAnId + "' is not an image id");
    }

    @Test
    void negativeIndicesAndOddSplitsAreRefused() {
        assertThatThrownBy(() -> ImageIds.of("test", -1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("negative");
        assertThatThrownBy(() -> ImageIds.of("", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageIds.of("a/b", 1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ImageIds.of(null, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
