package io.cifarstream.kafka;

import io.cifarstream.broker.EmbeddedKafkaBroker;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** Clients of every kind against one embedded broker: plain, grouped and transactional. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class KafkaRoundTripTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private EmbeddedKafkaBroker broker;
    private KafkaSettings settings;

    @BeforeAll
    void startBroker() {
        broker = EmbeddedKafkaBroker.builder().defaultPartitions(3).start();
        settings = KafkaSettings.of(broker.bootstrapServers());
    }

    @AfterAll
    void stopBroker() {
        broker.close();
    }

    @Test
    void aThousandProducedRecordsAreConsumedByAGroupInOrderPerKeyAndCommitted() throws Exception {
        String topic = uniqueTopic("thousand");
        new TopicSetup(settings).ensure(List.of(TopicSpec.of(topic, 3)));
        List<String> sent = IntStream.range(0, 1_000).mapToObj(i -> "image-" + i).collect(Collectors.toList());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(settings.producer(), new StringSerializer(), new StringSerializer())) {
            for (int i = 0; i < sent.size(); i++) {
                producer.send(new ProducerRecord<>(topic, "key-" + (i % 10), sent.get(i)));
            }
            producer.flush();
        }

        String group = "group-" + topic;
        List<ConsumerRecord<String, String>> received = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(settings.consumer(group), new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (received.size() < sent.size() && System.nanoTime() < deadline) {
                consumer.poll(Duration.ofMillis(200)).forEach(received::add);
            }
            consumer.commitSync();
        }

        assertThat(received).extracting(ConsumerRecord::value).containsExactlyInAnyOrderElementsOf(sent);
        // One key always lands in one partition, so its values arrive in the order they were sent.
        Map<String, List<Integer>> sequenceByKey = received.stream().collect(Collectors.groupingBy(ConsumerRecord::key,
                Collectors.mapping(record -> Integer.parseInt(record.value().substring("image-".length())), Collectors.toList())));
        assertThat(sequenceByKey).hasSize(10);
        sequenceByKey.values().forEach(sequence -> assertThat(sequence).isSorted());
        try (Admin admin = Admin.create(settings.admin())) {
            Map<TopicPartition, OffsetAndMetadata> committed =
                    admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
            assertThat(committed.values().stream().mapToLong(OffsetAndMetadata::offset).sum()).isEqualTo(1_000);
        }
    }

    @Test
    void readCommittedSeesOnlyTheCommittedTransactionReadUncommittedSeesBoth() throws Exception {
        String topic = uniqueTopic("transactions");
        new TopicSetup(settings).ensure(List.of(TopicSpec.of(topic, 2)));
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(
                settings.transactionalProducer("tx-" + topic), new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            producer.beginTransaction();
            for (int i = 0; i < 300; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "committed-" + i));
            }
            producer.commitTransaction();
            producer.beginTransaction();
            for (int i = 0; i < 200; i++) {
                producer.send(new ProducerRecord<>(topic, "k" + i, "aborted-" + i));
            }
            producer.flush();
            producer.abortTransaction();
        }

        List<String> committedView = values(TopicContents.readToEnd(settings.consumer("unused"), topic, TIMEOUT));
        Map<String, Object> uncommitted = settings.consumer("unused");
        uncommitted.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
        List<String> uncommittedView = values(TopicContents.readToEnd(uncommitted, topic, TIMEOUT));

        assertThat(committedView).hasSize(300).allMatch(value -> value.startsWith("committed-"));
        assertThat(uncommittedView).hasSize(500)
                .containsAll(committedView)
                .filteredOn(value -> value.startsWith("aborted-")).hasSize(200);
    }

    @Test
    void theBrokerReportsItselfAsTheOneNodeOfItsClusterAtItsAddress() throws Exception {
        try (Admin admin = Admin.create(settings.admin())) {
            assertThat(admin.describeCluster().nodes().get())
                    .singleElement()
                    .satisfies(node -> assertThat(node.host() + ":" + node.port()).isEqualTo(broker.bootstrapServers()));
            String topic = uniqueTopic("auto-created");
            try (KafkaProducer<String, String> producer =
                         new KafkaProducer<>(settings.producer(), new StringSerializer(), new StringSerializer())) {
                producer.send(new ProducerRecord<>(topic, "first")).get();
            }
            // Topics created on first use get the broker's default partition count.
            assertThat(admin.describeTopics(Set.of(topic)).allTopicNames().get().get(topic).partitions()).hasSize(3);
        }
    }

    private static List<String> values(List<ConsumerRecord<String, String>> records) {
        return records.stream().map(ConsumerRecord::value).collect(Collectors.toList());
    }

    private static String uniqueTopic(String purpose) {
        return purpose + "-" + UUID.randomUUID();
    }
}
