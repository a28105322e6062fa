package io.cifarstream.metricsstream;

import io.cifarstream.schemas.DeadLetterKind;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.MetricsView;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static io.cifarstream.metricsstream.TopologyHarness.T0;
import static io.cifarstream.metricsstream.TopologyHarness.confident;
import static io.cifarstream.metricsstream.TopologyHarness.prediction;
import static org.assertj.core.api.Assertions.assertThat;

/** Predictions meet labels in either order, within --label-wait (1 minute here), each pair counted once. */
class LabelJoinTest {

    @TempDir
    Path stateDir;

    private TopologyHarness harness;

    @BeforeEach
    void start() {
        harness = new TopologyHarness(
                TopologyHarness.config(Duration.ofMinutes(1), Duration.ofMinutes(1), Duration.ZERO, 100), stateDir);
    }

    @AfterEach
    void stop() {
        harness.close();
    }

    @Test
    void aPredictionWaitsForItsLabel() {
        harness.send(prediction("m", "img", confident(3, 0.9), null, T0));
        assertThat(harness.cumulative("m")).as("nothing to count before the label").isNull();

        harness.sendLabel("img", 5, T0.plusSeconds(10));

        var report = harness.cumulative("m");
        assertThat(report.count()).isEqualTo(1);
        assertThat(report.confusion().count(5, 3)).as("true class from the Label, predicted 3").isEqualTo(1);
    }

    @Test
    void aLabelWaitsForItsPrediction() {
        harness.sendLabel("img", 3, T0);
        harness.send(prediction("m", "img", confident(3, 0.9), null, T0.plusSeconds(30)));

        var report = harness.cumulative("m");
        assertThat(report.count()).isEqualTo(1);
        assertThat(report.accuracy()).isEqualTo(1.0);
    }

    @Test
    void oneLabelServesEveryModelThatScoredTheImageInEitherOrder() {
        harness.send(prediction("m1", "img", confident(3, 0.9), null, T0));
        harness.sendLabel("img", 3, T0.plusSeconds(1));
        harness.send(prediction("m2", "img", confident(4, 0.9), null, T0.plusSeconds(2)));

        assertThat(harness.cumulative("m1").confusion().count(3, 3)).isEqualTo(1);
        assertThat(harness.cumulative("m2").confusion().count(3, 4)).isEqualTo(1);
        assertThat(harness.counters.count(StreamCounters.Event.COUNTED)).isEqualTo(2);
    }

    @Test
    void aLabelForAnAlreadyLabelledPredictionCountsNothingTwiceAndIsNoUnknownImage() {
        harness.send(prediction("m", "img", confident(3, 0.9), 3, T0));
        harness.sendLabel("img", 3, T0.plusSeconds(1));
        harness.send(prediction("m", "img", confident(3, 0.9), 3, T0.plusSeconds(2)));  // a repeat of the first
        harness.send(prediction("m", "later", confident(1, 0.9), 1, T0.plusSeconds(300)));  // moves stream time past the wait

        assertThat(harness.cumulative("m").count()).isEqualTo(2);
        assertThat(harness.counters.count(StreamCounters.Event.DUPLICATE_PREDICTION)).isEqualTo(1);
        assertThat(harness.deadLetters()).isEmpty();
    }

    @Test
    void aLabelForAnUnknownImageIsDeadLetteredWhenItsWaitEnds() {
        harness.sendLabel("ghost", 4, T0);
        harness.send(prediction("m", "img", confident(1, 0.9), 1, T0.plusSeconds(59)));
        assertThat(harness.deadLetters()).as("still within the wait").isEmpty();

        harness.send(prediction("m", "img2", confident(1, 0.9), 1, T0.plusSeconds(62)));

        List<DeadLetter> letters = harness.deadLetters();
        assertThat(letters).hasSize(1);
        DeadLetter letter = letters.get(0);
        assertThat(letter.getErrorKind()).isEqualTo(DeadLetterKind.UNKNOWN_IMAGE_ID.name());
        assertThat(letter.getTopic()).isEqualTo("labels");
        assertThat(letter.getStage()).isEqualTo("metrics-stream");
        assertThat(StandardCharsets.UTF_8.decode(letter.getOriginalKey()).toString()).isEqualTo("ghost");
        assertThat(letter.getMessage()).contains("ghost", "label wait");
        assertThat(harness.counters.count(StreamCounters.Event.UNKNOWN_IMAGE_LABEL)).isEqualTo(1);
        assertThat(harness.counters.deadLetters(DeadLetterKind.UNKNOWN_IMAGE_ID.name())).isEqualTo(1);
    }

    @Test
    void aPredictionThatWaitedLongerThanTheWaitIsDroppedAndItsLateLabelReported() {
        harness.send(prediction("m", "img", confident(3, 0.9), null, T0));
        harness.send(prediction("m", "other", confident(1, 0.9), 1, T0.plusSeconds(61)));
        assertThat(harness.counters.count(StreamCounters.Event.UNLABELLED_EXPIRED)).isEqualTo(1);

        harness.sendLabel("img", 3, T0.plusSeconds(62));
        harness.send(prediction("m", "other2", confident(1, 0.9), 1, T0.plusSeconds(124)));

        assertThat(harness.cumulative("m").count()).as("only the two labelled ones").isEqualTo(2);
        assertThat(harness.deadLetters()).extracting(DeadLetter::getErrorKind).containsExactly(DeadLetterKind.UNKNOWN_IMAGE_ID.name());
        assertThat(harness.report("m", MetricsView.LAST_N).report().count()).isEqualTo(2);
    }
}
