package io.cifarstream.kafka;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import io.cifarstream.kafka.AcknowledgementWatch.State;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class AcknowledgementWatchTest {

    @Test
    void writesWaitingLongerThanThePatienceAreReportedOnceWithTheBrokersThatAnswerAndOnceWhenTheyFlowAgain()
            throws Exception {
        try (EmbeddedKafkaBroker broker = EmbeddedKafkaBroker.builder().start()) {
            KafkaSettings settings = KafkaSettings.of(broker.bootstrapServers());
            new TopicSetup(settings).ensure(List.of(TopicSpec.of("acknowledged", 1)));
            AcknowledgementWatch watch = new AcknowledgementWatch("test producer", settings, "acknowledged",
                    Duration.ofMillis(100));
            assertThat(watch.check()).as("nothing waits").isEqualTo(State.FLOWING);

            watch.sent();
            watch.sent();
            watch.settled();
            assertThat(watch.check()).as("within the patience").isEqualTo(State.FLOWING);
            Thread.sleep(300);
            assertThat(watch.check()).isEqualTo(State.STALLED);
            assertThat(watch.check()).as("reported once; later checks just see it").isEqualTo(State.STALLED);
            assertThat(watch.diagnosis()).isEqualTo("all 1 brokers answer (partitions may be electing leaders or"
                    + " shrinking their in-sync replicas) and each write needs 1 in-sync replicas (min.insync.replicas"
                    + " of acknowledged)");

            watch.settled();
            assertThat(watch.check()).isEqualTo(State.RESUMED);
            assertThat(watch.check()).isEqualTo(State.FLOWING);
        }
    }
}
