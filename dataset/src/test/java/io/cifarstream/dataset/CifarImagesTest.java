package io.cifarstream.dataset;

import io.cifarstream.schemas.CifarShape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-memory split: its checks, ids and prefixes, on records of the real test split. */
class CifarImagesTest {
    private static CifarImages test;

    @BeforeAll
    static void readTestSplit() throws IOException {
        test = Cifar10.open(SharedCifarCopy.location()).test();
    }

    @Test
    void idsAreSplitAndFiveDigitIndex() {
        assertThat(test.id(0)).isEqualTo("test-00000");
        assertThat(test.id(42)).isEqualTo("test-00042");
        assertThat(test.id(1_234)).isEqualTo("test-01234");
        assertThat(test.id(9_999)).isEqualTo("test-09999");
        assertThatThrownBy(() -> test.id(10_000)).isInstanceOf(IndexOutOfBoundsException.class);
    }

    @Test
    void firstKeepsTheLeadingRecordsAndTheirIds() {
        CifarImages three = test.first(3);

        assertThat(three.size()).isEqualTo(3);
        assertThat(three.split()).isEqualTo("test");
        assertThat(three.labels()).containsExactly(test.label(0), test.label(1), test.label(2));
        assertThat(three.pixels()).isEqualTo(Arrays.copyOf(test.pixels(), 3 * CifarShape.PIXELS));
        assertThat(three.id(2)).isEqualTo("test-00002");
        assertThat(three.classNames()).isEqualTo(test.classNames());
        assertThat(test.first(10_000)).isSameAs(test);
        assertThat(test.first(0).size()).isZero();
    }

    @Test
    void sharesItsArraysInsteadOfCopyingThem() {
        assertThat(test.pixels()).isSameAs(test.pixels());
        assertThat(test.labels()).isSameAs(test.labels());
    }

    @Test
    void rejectsInconsistentContent() {
        byte[] pixels = Arrays.copyOf(test.pixels(), 2 * CifarShape.PIXELS);
        byte[] labels = Arrays.copyOf(test.labels(), 2);
        List<String> names = test.classNames();

        assertThat(new CifarImages("train", pixels, labels, names).size()).isEqualTo(2);
        assertThatThrownBy(() -> new CifarImages("train", pixels, Arrays.copyOf(labels, 3), names))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pixels hold 6144 bytes but 3 records need 9216 (3072 per record)");
        byte[] badLabels = labels.clone();
        badLabels[1] = 10;
        assertThatThrownBy(() -> new CifarImages("train", pixels, badLabels, names))
                .hasMessage("label of record 1 is 10; labels must be 0..9");
        assertThatThrownBy(() -> new CifarImages("valid", pixels, labels, names))
                .hasMessage("split must be \"train\" or \"test\", not \"valid\"");
        assertThatThrownBy(() -> new CifarImages("test", pixels, labels, names.subList(0, 9)))
                .hasMessage("expected 10 class names, got 9");
    }
}
