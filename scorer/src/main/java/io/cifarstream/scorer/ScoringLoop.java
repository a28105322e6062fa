package io.cifarstream.scorer;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.InvalidProducerEpochException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.UnsupportedVersionException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.schemas.AvroSerde;
import io.cifarstream.schemas.AvroSerializer;
import io.cifarstream.schemas.DeadLetter;
import io.cifarstream.schemas.Prediction;

/**
 * The scoring thread: consume, decode, batch, score, produce, commit, exactly once.
 *
 * <p>A micro-batch is assembled in memory (no transaction is open meanwhile) until it holds {@code maxBatch}
 * records or {@code linger} has passed since its first record. Then, in one Kafka transaction: every model scores
 * the whole batch in one call, one prediction per image and model and one dead letter per rejected record are
 * produced, the consumed offsets are sent with the consumer's group metadata, and the transaction commits.
 * If anything fails, the transaction is aborted and every partition is sought back to its last committed
 * position, so the same records are read and scored again: nothing is lost, and since only committed output
 * counts for {@code read_committed} readers, nothing is duplicated. On a rebalance the open batch is committed
 * in {@code onPartitionsRevoked}, while this instance still owns its partitions; lost partitions drop it.
 */
final class ScoringLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringLoop.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(200);
    /** Batches that fail for reasons other than their input, in a row, before the scorer gives up. */
    private static final int MAX_CONSECUTIVE_FAILURES = 10;
    private static final Duration MODEL_CHECK_INTERVAL = Duration.ofSeconds(1);
    private static final String STAGE = "scorer";
    /** Dead letters carry the original value only up to this size, so they stay below Kafka's 1 MB default. */
    private static final int MAX_VALUE_IN_DEAD_LETTER = 256 * 1024;

    private final ScorerConfig config;
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final KafkaProducer<byte[], byte[]> producer;
    private final List<ScoringModel> models;
    private final ScorerMetrics metrics;
    private final ImageBatch batch;
    private final ImageEventDecoder decoder;
    private final float[][] outputs;
    private final int[] predictedByModel;
    private final Prediction prediction = new Prediction();
    private final LogProbabilityView logProbs = new LogProbabilityView();
    private final DeadLetter deadLetter = new DeadLetter();
    private final AvroSerializer<Prediction> predictions = AvroSerde.predictions().serializer();
    private final AvroSerializer<DeadLetter> deadLetters = AvroSerde.deadLetters().serializer();
    private final String imagesTopic;
    /** Per partition, where to read again if the open work fails: the last committed position (-1: not ours). */
    private long[] rewindTo = new long[8];
    private volatile boolean closing;
    private long batchDeadline;
    private long nextModelCheck;
    private long nextStatus;
    private int consecutiveFailures;

    ScoringLoop(ScorerConfig config, KafkaConsumer<byte[], byte[]> consumer, KafkaProducer<byte[], byte[]> producer,
            List<ScoringModel> models, ScorerMetrics metrics) {
        this.config = config;
        this.consumer = consumer;
        this.producer = producer;
        this.models = models;
        this.metrics = metrics;
        this.batch = new ImageBatch(config.maxBatch());
        this.decoder = new ImageEventDecoder(config.maxRecordBytes());
        this.outputs = new float[models.size()][config.maxBatch() * OnnxClassifier.CLASSES];
        this.imagesTopic = config.topics().images();
        this.predictedByModel = new int[models.size()];
        Arrays.fill(rewindTo, -1);
        models.forEach(m -> metrics.modelVersion(m.id(), m.version()));
        long now = System.nanoTime();
        this.nextModelCheck = now + MODEL_CHECK_INTERVAL.toNanos();
        this.nextStatus = now + config.statusInterval().toNanos();
    }

    /** The listener to subscribe with: it commits the open batch before partitions move. */
    ConsumerRebalanceListener rebalanceListener() {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                flush();
                partitions.forEach(tp -> setRewind(tp.partition(), -1));
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                // Others own them already: nothing may be committed for them; they read from the last commit.
                batch.clear();
                partitions.forEach(tp -> setRewind(tp.partition(), -1));
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                LOG.info("Scorer {} now scores partitions {}", config.transactionalId(), partitions);
            }
        };
    }

    /** Asks the loop to finish its open batch and stop; safe from any thread. */
    void stop() {
        closing = true;
        consumer.wakeup();
    }

    @Override
    public void run() {
        try {
            while (!closing) {
                ConsumerRecords<byte[], byte[]> records = consumer.poll(pollTimeout());
                long now = System.nanoTime();
                if (!records.isEmpty()) {
                    admit(records, now);
                }
                if (!batch.isEmpty() && now - batchDeadline >= 0) {
                    flush();
                }
                report(now);
            }
        } catch (WakeupException e) {
            if (!closing) {
                throw e;
            }
        }
        // Closing: the records already consumed are scored and committed rather than read again by the next owner.
        flush();
    }

    private Duration pollTimeout() {
        if (batch.isEmpty()) {
            return IDLE_POLL;
        }
        return Duration.ofNanos(Math.max(0, batchDeadline - System.nanoTime()));
    }

    private void admit(ConsumerRecords<byte[], byte[]> records, long receivedNanos) {
        for (TopicPartition tp : records.partitions()) {
            if (rewindPosition(tp.partition()) < 0) {
                setRewind(tp.partition(), records.records(tp).get(0).offset());
            }
        }
        for (ConsumerRecord<byte[], byte[]> record : records) {
            if (batch.isEmpty()) {
                batchDeadline = receivedNanos + config.linger().toNanos();
            }
            Rejection rejection = decoder.admit(record, batch, receivedNanos);
            if (rejection != null) {
                batch.reject(rejection);
            }
            if (batch.isFull() && !flush()) {
                return; // the rest of this poll was sought back and is read again
            }
        }
    }

    /**
     * Scores and commits the open batch in one transaction; on failure aborts and seeks back.
     *
     * @return true when the batch was committed (or empty), false when it was aborted
     */
    boolean flush() {
        if (batch.isEmpty()) {
            return true;
        }
        boolean inTransaction = false;
        try {
            int n = batch.size();
            for (int m = 0; m < models.size(); m++) {
                if (n > 0) {
                    models.get(m).classifier().logProbabilities(batch.pixels(), 0, n, outputs[m]);
                }
            }
            producer.beginTransaction();
            inTransaction = true;
            Arrays.fill(predictedByModel, 0);
            int nanLetters = produceResults(n, predictedByModel);
            producer.sendOffsetsToTransaction(batch.offsetsToCommit(imagesTopic), consumer.groupMetadata());
            producer.commitTransaction();
            inTransaction = false;
            committed(n, predictedByModel, nanLetters);
            return true;
        } catch (ProducerFencedException | InvalidProducerEpochException | OutOfOrderSequenceException
                | AuthorizationException | UnsupportedVersionException e) {
            throw new ScorerFailedException(fatalMessage(e), e);
        } catch (ScorerFailedException e) {
            throw e;
        } catch (RuntimeException e) {
            abort(inTransaction, e);
            return false;
        } finally {
            batch.clear();
            reloadModelsIfDue();
        }
    }

    /** Produces predictions and dead letters; counts predictions per model into {@code predicted}. */
    private int produceResults(int n, int[] predicted) {
        String predictionsTopic = config.topics().predictions();
        Instant scoredAt = Instant.now();
        int nanLetters = 0;
        for (int i = 0; i < n; i++) {
            ConsumerRecord<byte[], byte[]> record = batch.record(i);
            long latencyMicros = TimeUnit.NANOSECONDS.toMicros(System.nanoTime() - batch.receivedNanos(i));
            for (int m = 0; m < models.size(); m++) {
                ScoringModel model = models.get(m);
                logProbs.show(outputs[m], i * OnnxClassifier.CLASSES);
                int best = logProbs.argMax();
                if (best < 0) {
                    sendDeadLetter(record, DeadLetterKind.NAN_LOG_PROB.name(), "model " + model.id() + " version "
                            + model.version() + " gave NaN log-probabilities for image " + batch.id(i)
                            + ": the model is numerically broken for this input; check its export and weights");
                    nanLetters++;
                    continue;
                }
                prediction.setImageId(batch.id(i));
                prediction.setModelId(model.id());
                prediction.setModelVersion(model.version());
                prediction.setLogProbs(logProbs);
                prediction.setPredictedClass(best);
                prediction.setLabel(batch.label(i) == ImageBatch.NO_LABEL ? null : batch.label(i));
                prediction.setEventTime(Instant.ofEpochMilli(batch.eventTime(i)));
                prediction.setScoredTime(scoredAt);
                prediction.setScoringLatencyMicros(latencyMicros);
                producer.send(new ProducerRecord<>(predictionsTopic, record.key(),
                        predictions.serialize(predictionsTopic, prediction)));
                metrics.scoringLatencyMicros(latencyMicros);
                predicted[m]++;
            }
        }
        for (Rejection rejection : batch.rejections()) {
            sendDeadLetter(rejection.record(), rejection.kind(), rejection.message());
        }
        return nanLetters;
    }

    /** A dead letter for {@code record}, with its original key and (unless too large) value. */
    private void sendDeadLetter(ConsumerRecord<byte[], byte[]> record, String kind, String message) {
        String topic = config.topics().deadLetters();
        byte[] key = record.key();
        byte[] value = record.value();
        deadLetter.setOriginalKey(key == null ? null : ByteBuffer.wrap(key));
        deadLetter.setOriginalValue(value == null || value.length > MAX_VALUE_IN_DEAD_LETTER ? null : ByteBuffer.wrap(value));
        deadLetter.setTopic(record.topic());
        deadLetter.setPartition(record.partition());
        deadLetter.setOffset(record.offset());
        deadLetter.setStage(STAGE);
        deadLetter.setErrorKind(kind);
        deadLetter.setMessage(message);
        deadLetter.setFailedTime(Instant.now());
        producer.send(new ProducerRecord<>(topic, key, deadLetters.serialize(topic, deadLetter)));
    }

    private void committed(int images, int[] predicted, int nanLetters) {
        long nowMillis = System.currentTimeMillis();
        for (int i = 0; i < images; i++) {
            metrics.latencyMicros(TimeUnit.MILLISECONDS.toMicros(Math.max(0, nowMillis - batch.eventTime(i))));
        }
        for (Rejection rejection : batch.rejections()) {
            metrics.deadLetter(rejection.kind());
        }
        for (int k = 0; k < nanLetters; k++) {
            metrics.deadLetter(DeadLetterKind.NAN_LOG_PROB.name());
        }
        metrics.imagesScored(images);
        for (int m = 0; m < models.size(); m++) {
            metrics.predictions(models.get(m).id(), predicted[m]);
        }
        metrics.batchCommitted(batch.consumed());
        for (var entry : batch.offsetsToCommit(imagesTopic).entrySet()) {
            setRewind(entry.getKey().partition(), entry.getValue().offset());
        }
        consecutiveFailures = 0;
    }

    private void abort(boolean inTransaction, RuntimeException cause) {
        metrics.batchAborted();
        consecutiveFailures++;
        LOG.warn("Scorer {}: batch of {} records failed ({}); aborting and reading them again (failure {} of {} in a row)",
                config.transactionalId(), batch.consumed(), cause.toString(), consecutiveFailures, MAX_CONSECUTIVE_FAILURES);
        if (inTransaction) {
            try {
                producer.abortTransaction();
            } catch (KafkaException e) {
                e.addSuppressed(cause);
                throw new ScorerFailedException("scorer " + config.transactionalId() + " could not abort a failed"
                        + " transaction (" + e.getMessage() + "); restart it: its successor aborts the transaction", e);
            }
        }
        for (TopicPartition tp : consumer.assignment()) {
            long position = rewindPosition(tp.partition());
            if (tp.topic().equals(imagesTopic) && position >= 0) {
                consumer.seek(tp, position);
            }
        }
        if (consecutiveFailures >= MAX_CONSECUTIVE_FAILURES) {
            throw new ScorerFailedException("scorer " + config.transactionalId() + " failed " + consecutiveFailures
                    + " batches in a row, the last with: " + cause.getMessage()
                    + "; check the broker and the models, then restart it", cause);
        }
        pause(Duration.ofMillis(100L * consecutiveFailures));
    }

    private void reloadModelsIfDue() {
        long now = System.nanoTime();
        if (now - nextModelCheck < 0) {
            return;
        }
        nextModelCheck = now + MODEL_CHECK_INTERVAL.toNanos();
        for (ScoringModel model : models) {
            if (model.reloadIfChanged()) {
                metrics.modelReloaded();
                metrics.modelVersion(model.id(), model.version());
            }
        }
    }

    private void report(long now) {
        if (now - nextStatus < 0) {
            return;
        }
        nextStatus = now + config.statusInterval().toNanos();
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(tp);
            if (partitionLag.isEmpty()) {
                lag = -1;
                break;
            }
            lag += partitionLag.getAsLong();
        }
        metrics.consumerLag(lag);
        metrics.updateRate();
        config.status().accept(metrics.statusLine());
    }

    private String fatalMessage(KafkaException e) {
        if (e instanceof ProducerFencedException || e instanceof InvalidProducerEpochException) {
            return "scorer " + config.transactionalId() + " was fenced: another scorer started with the same --group "
                    + config.group() + " and --instance-id " + config.instanceId() + " and took over (" + e.getMessage()
                    + "); give every running scorer its own --instance-id";
        }
        return "scorer " + config.transactionalId() + " cannot go on: " + e.getMessage();
    }

    private long rewindPosition(int partition) {
        return partition < rewindTo.length ? rewindTo[partition] : -1;
    }

    private void setRewind(int partition, long position) {
        if (partition >= rewindTo.length) {
            int old = rewindTo.length;
            rewindTo = Arrays.copyOf(rewindTo, Math.max(partition + 1, old * 2));
            Arrays.fill(rewindTo, old, rewindTo.length, -1);
        }
        rewindTo[partition] = position;
    }

    private static void pause(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
