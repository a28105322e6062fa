package io.cifarstream.scorer;

import io.cifarstream.schemas.CifarShape;
import io.cifarstream.schemas.DeadLetterKind;

import io.cifarstream.schemas.Rejection;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import io.cifarstream.kafka.AcknowledgementWatch;
import io.cifarstream.kafka.FatalProducerError;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidPidMappingException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;

import io.cifarstream.metrics.ImageStatistics;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.AvroSerializer;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.ModelReference;
import io.cifarstream.schemas.Prediction;

/**
 * Writes scored batches in Kafka transactions on its own thread, so the scoring thread scores the next batch while
 * this one commits. Per batch, in one transaction: one prediction per accepted image and model (key = the image's
 * original key, with the image's statistics), one dead letter per rejected record, the model references the
 * batch publishes (key = model id), the batch's offsets with the consumer's group metadata, then the commit. A batch
 * may carry references only (a model just loaded): it commits no offsets. A failed transaction is aborted here; the
 * returned future then fails with the cause, and the scoring thread reads the batch again from the last committed
 * offsets. A commit or abort that times out is called again until Kafka answers (a broker failover). A transaction
 * Kafka aborted for outliving the transaction timeout (a long outage, a stalled process) leaves the producer unusable:
 * a new one takes over and the batch is read again. Failures after which the scorer cannot go on (fenced by a
 * successor, refused) fail it with a {@link ScorerFailedException}.
 *
 * <p>Counts committed work in {@link ScorerMetrics}. One batch at a time: the scoring thread waits for the previous
 * future before submitting the next.
 */
final class BatchCommitter implements AutoCloseable {

    static final String STAGE = "scorer";
    private static final Logger LOG = LoggerFactory.getLogger(BatchCommitter.class);
    /** Dead letters carry the original value only up to this size, so they stay below Kafka's 1 MB default. */
    static final int MAX_VALUE_IN_DEAD_LETTER = 256 * 1024;

    private final ScorerConfig config;
    private final TransactionalProducer producer;
    private final List<String> modelIds;
    private final ScorerMetrics metrics;
    private final ExecutorService thread;
    private final Prediction prediction = new Prediction();
    private final FloatSliceView logProbs = new FloatSliceView(CifarShape.CLASSES);
    private final FloatSliceView channelMeans = new FloatSliceView(ImageStatistics.CHANNELS);
    private final FloatSliceView channelStds = new FloatSliceView(ImageStatistics.CHANNELS);
    private final AvroSerializer<Prediction> predictions = AvroSerde.predictions().serializer();
    private final AvroSerializer<ModelReference> references = AvroSerde.modelReferences().serializer();
    private final AvroSerializer<DeadLetter> deadLetters = AvroSerde.deadLetters().serializer();
    private final int[] predicted;
    private final AcknowledgementWatch acknowledgements;

    BatchCommitter(ScorerConfig config, TransactionalProducer producer, List<String> modelIds,
            ScorerMetrics metrics, AcknowledgementWatch acknowledgements) {
        this.config = config;
        this.acknowledgements = acknowledgements;
        this.producer = producer;
        this.modelIds = List.copyOf(modelIds);
        this.metrics = metrics;
        this.predicted = new int[modelIds.size()];
        this.thread = Executors.newSingleThreadExecutor(runnable -> {
            Thread t = new Thread(runnable, "scorer-commit-" + config.instanceId());
            t.setDaemon(true);
            return t;
        });
    }

    /** Commits {@code batch} (already scored) with {@code offsets} as consumed by the member {@code group}. */
    Future<?> submit(ImageBatch batch, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        return thread.submit(() -> commit(batch, offsets, group));
    }

    private void commit(ImageBatch batch, Map<TopicPartition, OffsetAndMetadata> offsets, ConsumerGroupMetadata group) {
        boolean inTransaction = false;
        long begun = System.nanoTime();
        acknowledgements.sent();
        KafkaProducer<byte[], byte[]> kafka = producer.get();
        try {
            kafka.beginTransaction();
            inTransaction = true;
            int nanLetters = produce(kafka, batch);
            if (!offsets.isEmpty()) {
                kafka.sendOffsetsToTransaction(offsets, group);
            }
            untilNoTimeout("commit", kafka::commitTransaction);
            inTransaction = false;
            metrics.transactionTook(TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - begun));
            committed(batch, nanLetters);
        } catch (OutOfOrderSequenceException | AuthorizationException | UnsupportedVersionException e) {
            throw new ScorerFailedException(fatalMessage(e), e);
        } catch (RuntimeException e) {
            metrics.batchAborted();
            Optional<KafkaException> fatal = FatalProducerError.in(e);
            if (fatal.isPresent()) {
                replaceProducer(fatal.get(), begun);
            } else if (inTransaction) {
                try {
                    untilNoTimeout("abort", kafka::abortTransaction);
                } catch (KafkaException abortFailure) {
                    abortFailure.addSuppressed(e);
                    KafkaException fatalNow = FatalProducerError.in(abortFailure).orElseThrow(() -> new ScorerFailedException(
                            "scorer " + config.transactionalId() + " could not abort a failed transaction ("
                            + abortFailure.getMessage() + "); restart it: its successor under the same instance id"
                            + " aborts the transaction", abortFailure));
                    replaceProducer(fatalNow, begun);
                }
            }
            throw e;
        } finally {
            acknowledgements.settled();
        }
    }

    /**
     * Replaces a producer Kafka will not take writes from any more, so that the batch is read and scored again under
     * a new one. Its transaction was open longer than the transaction timeout: Kafka aborted it for its age and moved
     * the transactional id to the next epoch. An unknown producer id mapping: Kafka forgot an idle transactional id.
     * Otherwise, the only explanation is a successor under the same instance id (or a broker's refusal), and this
     * scorer stops.
     */
    private void replaceProducer(KafkaException e, long begun) {
        Duration open = Duration.ofNanos(System.nanoTime() - begun);
        if (!(e instanceof InvalidPidMappingException) && open.compareTo(config.transactionTimeout()) <= 0) {
            throw new ScorerFailedException(fatalMessage(e), e);
        }
        LOG.warn("Scorer {}: Kafka no longer takes this producer's writes ({}) after its transaction was open {} ms"
                + " (transaction timeout {} ms): a new producer takes over and the batch is scored again",
                config.transactionalId(), e.toString(), open.toMillis(), config.transactionTimeout().toMillis());
        producer.replace();
        metrics.producerReplaced();
    }

    /**
     * Ends the transaction, calling again as long as the call times out ({@code max.block.ms}): while its coordinator
     * moves to another broker (the old one died) a commit or abort can take longer than that, and Kafka then accepts
     * only the same call again, not another transaction nor the opposite ending. The scoring thread waits meanwhile.
     */
    private void untilNoTimeout(String ending, Runnable call) {
        while (true) {
            try {
                call.run();
                return;
            } catch (org.apache.kafka.common.errors.TimeoutException e) {
                LOG.warn("Scorer {}: the transaction's {} is still waiting for Kafka ({}); waiting on", config.transactionalId(),
                        ending, e.getMessage());
            }
        }
    }

    /** Produces predictions and dead letters; returns how many NaN dead letters replaced predictions. */
    private int produce(KafkaProducer<byte[], byte[]> kafka, ImageBatch batch) {
        String topic = config.topics().predictions();
        Instant scoredAt = Instant.now();
        java.util.Arrays.fill(predicted, 0);
        int nanLetters = 0;
        for (int i = 0; i < batch.size(); i++) {
            ConsumerRecord<byte[], ByteBuffer> record = batch.record(i);
            long latencyMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - batch.receivedNanos(i));
            channelMeans.show(batch.imageStatistics(), i * ImageStatistics.LENGTH + ImageStatistics.MEAN);
            channelStds.show(batch.imageStatistics(), i * ImageStatistics.LENGTH + ImageStatistics.STD);
            Float chroma = batch.imageStatistics()[i * ImageStatistics.LENGTH + ImageStatistics.CHROMA];
            Float detail = batch.imageStatistics()[i * ImageStatistics.LENGTH + ImageStatistics.DETAIL];
            for (int m = 0; m < modelIds.size(); m++) {
                logProbs.show(batch.logProbabilities(m), i * CifarShape.CLASSES);
                int best = logProbs.argMax();
                if (best < 0) { // a model that produced NaN has no prediction
                    sendDeadLetter(kafka, record, new Rejection(DeadLetterKind.NAN_LOG_PROB, "model " + modelIds.get(m)
                            + " version " + batch.modelVersion(m) + " gave NaN log-probabilities for image " + batch.id(i)
                            + ": the model is numerically broken for this input; check its export and weights"));
                    nanLetters++;
                    continue;
                }
                prediction.setImageId(batch.id(i));
                prediction.setModelId(modelIds.get(m));
                prediction.setModelVersion(batch.modelVersion(m));
                prediction.setLogProbs(logProbs);
                prediction.setPredictedClass(best);
                prediction.setLabel(batch.label(i) == ImageBatch.NO_LABEL ? null : batch.label(i));
                prediction.setEventTime(Instant.ofEpochMilli(batch.eventTime(i)));
                prediction.setScoredTime(scoredAt);
                prediction.setScoringLatencyMicros(latencyMicros);
                prediction.setChannelMeans(channelMeans);
                prediction.setChannelStds(channelStds);
                prediction.setImageChroma(chroma);
                prediction.setImageDetail(detail);
                kafka.send(new ProducerRecord<>(topic, record.key(), predictions.serialize(topic, prediction)));
                metrics.scoringLatencyMicros(latencyMicros);
                predicted[m]++;
            }
        }
        for (RejectedRecord rejected : batch.rejections()) {
            sendDeadLetter(kafka, rejected.record(), rejected.rejection());
        }
        String referencesTopic = config.topics().references();
        for (ModelReference reference : batch.references()) {
            reference.setPublishedTime(scoredAt);
            kafka.send(new ProducerRecord<>(referencesTopic, reference.getModelId().getBytes(StandardCharsets.UTF_8),
                    references.serialize(referencesTopic, reference)));
        }
        return nanLetters;
    }

    /** A dead letter for {@code record}: its original key and (unless too large) value, and its coordinates. */
    private void sendDeadLetter(KafkaProducer<byte[], byte[]> kafka, ConsumerRecord<byte[], ByteBuffer> record,
            Rejection rejection) {
        String topic = config.topics().deadLetters();
        ByteBuffer value = record.value();
        DeadLetter letter = rejection.toDeadLetter(STAGE, record.key(),
                value == null || value.remaining() > MAX_VALUE_IN_DEAD_LETTER ? null : bytesOf(value),
                record.topic(), record.partition(), record.offset(), Instant.now());
        kafka.send(new ProducerRecord<>(topic, record.key(), deadLetters.serialize(topic, letter)));
    }

    /** A copy of the buffer's remaining bytes; its position is left alone. */
    private static byte[] bytesOf(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(buffer.position(), bytes);
        return bytes;
    }

    private void committed(ImageBatch batch, int nanLetters) {
        long nowMillis = System.currentTimeMillis();
        for (int i = 0; i < batch.size(); i++) {
            metrics.latencyMicros(TimeUnit.MILLISECONDS.toMicros(Math.max(0, nowMillis - batch.eventTime(i))));
        }
        for (RejectedRecord rejected : batch.rejections()) {
            metrics.deadLetter(rejected.rejection().kind());
        }
        for (int k = 0; k < nanLetters; k++) {
            metrics.deadLetter(DeadLetterKind.NAN_LOG_PROB);
        }
        metrics.imagesScored(batch.size());
        for (int m = 0; m < modelIds.size(); m++) {
            metrics.predictions(modelIds.get(m), predicted[m]);
        }
        if (batch.consumed() > 0) {
            metrics.batchCommitted(batch.consumed());
        }
    }

    private String fatalMessage(KafkaException e) {
        if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException) {
            return "scorer " + config.transactionalId() + " was fenced: another scorer started with the same group "
                    + config.group() + " and instance id " + config.instanceId() + " and took over (" + e.getMessage()
                    + "); give every running scorer its own instance id";
        }
        return "scorer " + config.transactionalId() + " cannot go on: " + e.getMessage();
    }

    /** Stops the thread after the batch in flight, if any. */
    @Override
    public void close() {
        thread.shutdown();
        try {
            thread.awaitTermination(1, TimeUnit.MINUTES);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
