package io.cifarstream.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class DurationConverterTest {

    @Test
    void readsTheUnitsPeopleWrite() {
        assertThat(DurationConverter.parse("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(DurationConverter.parse("30s")).isEqualTo(Duration.ofSeconds(30));
        assertThat(DurationConverter.parse(" 1M ")).isEqualTo(Duration.ofMinutes(1));
        assertThat(DurationConverter.parse("2h")).isEqualTo(Duration.ofHours(2));
        assertThat(DurationConverter.parse("1d")).isEqualTo(Duration.ofDays(1));
        assertThat(DurationConverter.parse("PT1M30S")).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void refusesAnythingElseWithAnExample() {
        assertThatThrownBy(() -> DurationConverter.parse("30")).hasMessageContaining("write e.g. 500ms, 30s");
        assertThatThrownBy(() -> DurationConverter.parse("-1s")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> DurationConverter.parse("PT-1S")).hasMessageContaining("is not a duration");
        assertThatThrownBy(() -> DurationConverter.parse("1.5m")).hasMessageContaining("is not a duration");
    }
}
