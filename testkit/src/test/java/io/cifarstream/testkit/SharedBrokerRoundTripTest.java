package io.cifarstream.testkit;

import io.cifarstream.kafka.TopicSetup;
import io.cifarstream.kafka.TopicSpec;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** How an integration test uses the run's broker: its own topic, the project's client settings. */
@ExtendWith(KafkaBrokerExtension.class)
class SharedBrokerRoundTripTest {

    @Test
    void aTestProducesAndConsumesOnItsOwnTopicOfTheSharedBroker(KafkaBroker broker) {
        String topic = "shared-" + UUID.randomUUID();
        new TopicSetup(broker.settings()).ensure(List.of(TopicSpec.of(topic, 2)));
        List<String> sent = IntStream.range(0, 100).mapToObj(i -> "record-" + i).collect(Collectors.toList());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(broker.settings().producer(), new StringSerializer(), new StringSerializer())) {
            sent.forEach(value -> producer.send(new ProducerRecord<>(topic, value)));
        }

        List<String> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(
                broker.settings().consumer("group-" + topic), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(record -> received.add(record.value()));
            }
        }

        assertThat(received).containsExactlyInAnyOrderElementsOf(sent);
    }
}
