package io.cifarstream.kafka;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.cifarstream.kafka.KafkaConnectionWatch.State;

/** A consumer's connections, watched through its metrics while its broker stops and comes back. */
class KafkaConnectionWatchTest {

    @Test
    void aBrokerOutageIsSeenOnceWhenItBeginsAndOnceWhenItEnds(@TempDir Path dir) throws Exception {
        String topic = "watched";
        // Port 0: the broker picks ports below the ephemeral range, which the consumer's reconnects cannot take.
        EmbeddedKafkaBroker broker = start(dir, 0, 0);
        int port = broker.port();
        int controllerPort = broker.controllerPort();
        KafkaSettings settings = KafkaSettings.of(broker.bootstrapServers());
        new TopicSetup(settings).ensure(List.of(TopicSpec.of(topic, 1)));
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(settings.consumer("watch-test"),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            KafkaConnectionWatch watch = new KafkaConnectionWatch("test consumer", broker.bootstrapServers(),
                    consumer::metrics);
            assertThat(watch.check()).isEqualTo(State.NOT_YET_CONNECTED);
            consumer.subscribe(List.of(topic));
            State state = pollUntil(consumer, watch, State.CONNECTED);
            assertThat(state).isEqualTo(State.CONNECTED);
            assertThat(new KafkaConnectionWatch("nothing watched", broker.bootstrapServers(), consumer::metrics,
                    name -> false).check()).as("a watch counts only the clients it is told to").isEqualTo(State.NOT_YET_CONNECTED);

            broker.close();
            assertThat(pollUntil(consumer, watch, State.LOST)).isEqualTo(State.LOST);
            assertThat(watch.check()).as("the loss is reported once; later checks just see it").isEqualTo(State.LOST);

            broker = start(dir, port, controllerPort);
            assertThat(pollUntil(consumer, watch, State.RESTORED)).isEqualTo(State.RESTORED);
            assertThat(watch.check()).isEqualTo(State.CONNECTED);
        } finally {
            broker.close();
        }
    }

    private static EmbeddedKafkaBroker start(Path dir, int port, int controllerPort) {
        return EmbeddedKafkaBroker.builder().port(port).controllerPort(controllerPort).dataDir(dir.resolve("kafka")).start();
    }

    /** Polls (which makes the consumer connect, or notice it cannot) until the watch sees {@code wanted}, at most 60 s. */
    private static State pollUntil(KafkaConsumer<byte[], byte[]> consumer, KafkaConnectionWatch watch, State wanted) {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        State state;
        do {
            consumer.poll(Duration.ofMillis(200));
            state = watch.check();
        } while (state != wanted && System.nanoTime() < deadline);
        return state;
    }
}
