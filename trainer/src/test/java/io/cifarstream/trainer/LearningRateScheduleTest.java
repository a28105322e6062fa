package io.cifarstream.trainer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.data.Offset.offset;

import org.junit.jupiter.api.Test;

class LearningRateScheduleTest {

    @Test
    void oneCycleRisesLinearlyFromATwentyFifthToThePeakThenFallsAlongACosineToZero() {
        LearningRateSchedule s = new LearningRateSchedule(Recipe.Schedule.ONE_CYCLE, 0.05, 0.2, 1000);
        assertThat(s.at(0)).isCloseTo(0.002, offset(1e-12));
        assertThat(s.at(100)).isCloseTo(0.002 + 0.048 / 2, offset(1e-12));
        assertThat(s.at(200)).isCloseTo(0.05, offset(1e-12));
        assertThat(s.at(600)).isCloseTo(0.025, offset(1e-12)); // half way down the cosine
        assertThat(s.at(999)).isLessThan(1e-6).isPositive();
    }

    @Test
    void constantIsThePeakEverywhere() {
        LearningRateSchedule s = LearningRateSchedule.of(Recipe.seed(), 12_500);
        assertThat(s.totalSteps()).isEqualTo(250_000);
        assertThat(s.at(0)).isEqualTo(0.001);
        assertThat(s.at(249_999)).isEqualTo(0.001);
    }
}
