package io.cifarstream.scorer;

import io.cifarstream.schemas.CifarShape;
import io.cifarstream.schemas.Rejection;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.cifarstream.console.Uninterruptibly;
import io.cifarstream.inference.OnnxClassifier;
import io.cifarstream.schemas.ModelReference;

/**
 * The scoring thread: consume, decode, batch, score, and hand each scored batch to the {@link BatchCommitter},
 * exactly once.
 *
 * <p>A micro-batch is assembled in memory (no transaction is open meanwhile) until it holds {@code maxBatch}
 * records or {@link BatchCut} says it is due: after a quiet spell at once, under load at most one per {@code linger}.
 * While a backlog lasts (the consumer's lag, read after each poll that returns records, is at least
 * {@code backlogBatch} records) the batch grows to {@code backlogBatch} records instead, so that a replay or a
 * catch-up pays Kafka's per-transaction cost once per {@code backlogBatch} records; the models still score it
 * {@code maxBatch} records at a time. A full slice is begun at once: the first model's other lanes score it while
 * this thread decodes the next records, and this thread joins them when the next slice is full or the batch is cut,
 * so that the second core does not wait for the decoding. Every model scores the batch's last slice when it is cut,
 * and the committer writes its predictions and dead letters and commits its offsets in one transaction while this
 * thread fills and scores the next batch (two batch buffers; at most one commit in flight). If a commit fails, the
 * committer aborts it, and this thread drops the batch it is filling (and the records of the poll in hand) and
 * seeks every partition back to its last committed position, so the same records are read and scored again:
 * nothing is lost, and since only committed output counts for {@code read_committed} readers, nothing is
 * duplicated. Before partitions move in a rebalance, {@code onPartitionsRevoked} commits the open batch and waits
 * for it; lost partitions drop it.
 *
 * <p>Model references (a model's reference statistics, when it loads or reloads) ride in the transaction of the next
 * batch handed off, or of a batch of their own when no record waits; they stay unpublished until a transaction that
 * carried them committed, and a newer one for the same model replaces an unpublished older one.
 */
final class ScoringLoop implements Runnable {

    private static final Logger LOG = LoggerFactory.getLogger(ScoringLoop.class);
    private static final Duration IDLE_POLL = Duration.ofMillis(200);
    /** How often the loop looks whether the commit in flight is over while records wait for it. */
    private static final Duration COMMIT_CHECK = Duration.ofMillis(1);
    /** Batches that fail for reasons other than their input, in a row, before the scorer gives up. */
    private static final int MAX_CONSECUTIVE_FAILURES = 10;
    private static final Duration MODEL_CHECK_INTERVAL = Duration.ofSeconds(1);

    private final ScorerConfig config;
    private final KafkaConsumer<byte[], ByteBuffer> consumer;
    private final List<ScoringModel> models;
    private final ScorerMetrics metrics;
    private final BatchCommitter committer;
    private final ImageEventDecoder decoder;
    private final String imagesTopic;
    private final int maxBatch;
    /** Whether the lag after the last poll that returned records was at least a backlog batch. */
    private boolean backlog;
    /** The batch being filled; the other buffer is in flight or free. */
    private ImageBatch batch;
    private ImageBatch spare;
    private Future<?> inFlight;
    private Map<TopicPartition, OffsetAndMetadata> inFlightOffsets;
    /** References not yet committed, at most one per model id. */
    private final List<ModelReference> unpublished = new ArrayList<>();
    /** Per partition, where to read again if the open work fails: the last committed position (-1: not ours). */
    private long[] rewindTo = new long[8];
    private volatile boolean closing;
    /** Set once run() is over: a rebalance while the consumer closes then commits nothing. */
    private boolean finished;
    private final BatchCut cut;
    private long nextModelCheck;
    private long nextStatus;
    private int consecutiveFailures;
    /** Time spent scoring and handing off, so decoding time can leave out the flushes nested in it. */
    private long flushNanos;
    /**
     * The first model's scoring of the open batch's newest full slice, begun and not finished: its other lanes score
     * while this thread decodes the next records, and every model has scored the slice once it is finished.
     */
    private OnnxClassifier.Scoring slice;
    /** The slot after that slice. */
    private int sliceEnd;

    ScoringLoop(ScorerConfig config, KafkaConsumer<byte[], ByteBuffer> consumer, BatchCommitter committer,
            List<ScoringModel> models, ScorerMetrics metrics) {
        this.config = config;
        this.consumer = consumer;
        this.committer = committer;
        this.models = models;
        this.metrics = metrics;
        this.maxBatch = config.maxBatch();
        this.batch = new ImageBatch(config.backlogBatch(), models.size());
        this.spare = new ImageBatch(config.backlogBatch(), models.size());
        this.decoder = new ImageEventDecoder(config.maxRecordBytes());
        this.imagesTopic = config.topics().images();
        Arrays.fill(rewindTo, -1);
        models.forEach(m -> metrics.modelVersion(m.id(), m.version()));
        takeReferences();
        long now = System.nanoTime();
        this.nextModelCheck = now + MODEL_CHECK_INTERVAL.toNanos();
        this.nextStatus = now + config.statusInterval().toNanos();
        this.cut = new BatchCut(config.linger(), now);
    }

    /** The listener to subscribe with: it commits the open batch before partitions move. */
    ConsumerRebalanceListener rebalanceListener() {
        return new ConsumerRebalanceListener() {
            @Override
            public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                if (finished) {
                    return;
                }
                if (flush()) {
                    awaitInFlight();
                }
                partitions.forEach(tp -> setRewind(tp.partition(), -1));
                metrics.partitionsGone(partitions.size());
            }

            @Override
            public void onPartitionsLost(Collection<TopicPartition> partitions) {
                if (finished) {
                    return;
                }
                // Others own them already: the open batch must not be committed; they read from the last commit.
                awaitInFlight();
                dropSlice();
                batch.clear();
                partitions.forEach(tp -> setRewind(tp.partition(), -1));
                metrics.partitionsGone(partitions.size());
            }

            @Override
            public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                metrics.partitionsAssigned(partitions.size());
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
            try {
                while (!closing) {
                    ConsumerRecords<byte[], ByteBuffer> records = poll();
                    long now = System.nanoTime();
                    if (inFlight != null && inFlight.isDone() && !awaitInFlight()) {
                        // The commit failed and the partitions were sought back to the last commit: this poll's
                        // records lie past it and are read again from there, so they are not admitted now.
                        continue;
                    }
                    if (!records.isEmpty()) {
                        // The lag moves with what is fetched and consumed, so it is read only when records came.
                        backlog = lagAtLeast(batch.capacity());
                        admit(records, now);
                    }
                    if (!batch.isEmpty() && (batch.consumed() >= limit() || cut.due(now, inFlight != null, backlog))
                            || batch.isEmpty() && !unpublished.isEmpty() && inFlight == null) {
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
            if (flush()) {
                awaitInFlight();
            }
        } finally {
            finished = true;
            dropSlice();
            committer.close();
        }
    }

    /** The consumer's poll, timed; a rebalance's flush inside it counts as its own phases. */
    private ConsumerRecords<byte[], ByteBuffer> poll() {
        return timedBesideFlushes(ScorerMetrics.Phase.POLL, () -> consumer.poll(pollTimeout()));
    }

    /**
     * Runs {@code work} and counts its time as {@code phase}, less the time of the flushes nested in it, which count
     * as their own phases (scoring, committing).
     */
    private <T> T timedBesideFlushes(ScorerMetrics.Phase phase, Supplier<T> work) {
        long start = System.nanoTime();
        long flushing = flushNanos;
        try {
            return work.get();
        } finally {
            metrics.phase(phase, System.nanoTime() - start - (flushNanos - flushing));
        }
    }

    private Duration pollTimeout() {
        if (batch.isEmpty()) {
            return inFlight == null ? IDLE_POLL : COMMIT_CHECK;
        }
        long untilDue = cut.nanosUntilDue(System.nanoTime(), inFlight != null, backlog);
        // A commit in flight: come back soon to account for it.
        return Duration.ofNanos(inFlight == null ? untilDue : Math.min(untilDue, COMMIT_CHECK.toNanos()));
    }

    /** Decodes the polled records into the open batch, timed; the flushes inside count as their own phases. */
    private void admit(ConsumerRecords<byte[], ByteBuffer> records, long receivedNanos) {
        timedBesideFlushes(ScorerMetrics.Phase.DECODE, () -> {
            admitAll(records, receivedNanos);
            return null;
        });
    }

    private void admitAll(ConsumerRecords<byte[], ByteBuffer> records, long receivedNanos) {
        for (TopicPartition tp : records.partitions()) {
            if (rewindPosition(tp.partition()) < 0) {
                setRewind(tp.partition(), records.records(tp).get(0).offset());
            }
        }
        for (ConsumerRecord<byte[], ByteBuffer> record : records) {
            if (batch.isEmpty()) {
                cut.firstRecord(receivedNanos);
            }
            Rejection rejection = decoder.admit(record, batch, receivedNanos);
            if (rejection != null) {
                batch.reject(record, rejection);
            }
            if (batch.size() - slicedUpTo() >= maxBatch && !scoreSlice()) {
                return; // the batch was dropped, the rest of this poll sought back and read again
            }
            if (batch.consumed() >= limit() && !flush()) {
                return; // the rest of this poll was sought back and is read again
            }
        }
    }

    /** Records the open batch holds before it is cut: a backlog batch while a backlog lasts. */
    private int limit() {
        return backlog ? batch.capacity() : maxBatch;
    }

    /** Whether the consumer's lag over its partitions (those with a known lag) is at least {@code records}. */
    private boolean lagAtLeast(int records) {
        if (records <= maxBatch) {
            return false;
        }
        long lag = 0;
        for (TopicPartition tp : consumer.assignment()) {
            lag += consumer.currentLag(tp).orElse(0);
        }
        return lag >= records;
    }

    /** The slot up to which the open batch's images are scored or being scored. */
    private int slicedUpTo() {
        return slice != null ? sliceEnd : batch.scored();
    }

    /**
     * Finishes the slice begun before, if any, and begins the next {@code maxBatch} images, which the first model's
     * other lanes score while this thread decodes further.
     *
     * @return false when a model call failed: the batch was dropped and the partitions sought back
     */
    private boolean scoreSlice() {
        long start = System.nanoTime();
        try {
            int from = slicedUpTo();
            finishSlice();
            slice = models.get(0).classifier().begin(batch.pixels(), from, maxBatch, batch.logProbabilities(0),
                    from * CifarShape.CLASSES);
            sliceEnd = from + maxBatch;
            return true;
        } catch (RuntimeException e) {
            return modelFailed(e);
        } finally {
            long took = System.nanoTime() - start;
            metrics.phase(ScorerMetrics.Phase.SCORE, took);
            flushNanos += took;
        }
    }

    /** Finishes the slice begun, if any: this thread joins the first model's lanes, then every other model scores it. */
    private void finishSlice() {
        if (slice == null) {
            return;
        }
        OnnxClassifier.Scoring begun = slice;
        slice = null;
        begun.finish();
        int from = batch.scored();
        score(1, from, sliceEnd - from);
        batch.scoredUpTo(sliceEnd);
    }

    /**
     * Completes the slice begun, if any, whose scores are not wanted: its lanes write into the batch about to be
     * dropped, so they must be done before it is cleared or reused.
     */
    private void dropSlice() {
        if (slice == null) {
            return;
        }
        OnnxClassifier.Scoring begun = slice;
        slice = null;
        try {
            begun.finish();
        } catch (RuntimeException e) {
            LOG.debug("Scorer {}: a dropped batch's scoring failed too: {}", config.transactionalId(), e.toString());
        }
    }

    /** Every model scores the open batch's images up to slot {@code end}, at most {@code maxBatch} per call. */
    private void scoreUpTo(int end) {
        finishSlice();
        while (batch.scored() < end) {
            int from = batch.scored();
            int n = Math.min(maxBatch, end - from);
            score(0, from, n);
            batch.scoredUpTo(from + n);
        }
    }

    /** Models {@code firstModel ..} score the open batch's slots {@code from .. from+n-1}, one call each. */
    private void score(int firstModel, int from, int n) {
        for (int m = firstModel; m < models.size(); m++) {
            models.get(m).classifier().logProbabilities(batch.pixels(), from, n, batch.logProbabilities(m),
                    from * CifarShape.CLASSES);
        }
    }

    /**
     * A model call failed, so the open batch is not handed off. The commit in flight settles first: seeking back
     * while it might still commit would read its records again.
     *
     * @return false, for the caller to pass on
     */
    private boolean modelFailed(RuntimeException e) {
        if (e instanceof ScorerFailedException) {
            throw e;
        }
        if (awaitInFlight()) {
            failed(e);
        }
        return false;
    }

    /**
     * Scores the open batch and hands it to the committer, after the previous batch's commit is over.
     *
     * @return false when the previous commit failed: the open batch was dropped and the partitions sought back
     */
    private boolean flush() {
        if (batch.isEmpty() && unpublished.isEmpty()) {
            return true;
        }
        long start = System.nanoTime();
        cut.cut(start);
        try {
            scoreUpTo(batch.size());
            for (int m = 0; m < models.size(); m++) {
                batch.scoredBy(m, models.get(m).version());
            }
            long scored = System.nanoTime();
            metrics.phase(ScorerMetrics.Phase.SCORE, scored - start);
            boolean previousCommitted = awaitInFlight();
            metrics.phase(ScorerMetrics.Phase.COMMIT, System.nanoTime() - scored);
            if (!previousCommitted) {
                return false;
            }
            batch.publish(unpublished);
            inFlightOffsets = batch.offsetsToCommit(imagesTopic);
            inFlight = committer.submit(batch, inFlightOffsets, consumer.groupMetadata());
            ImageBatch next = spare;
            spare = batch;
            batch = next;
            reloadModelsIfDue();
            return true;
        } catch (RuntimeException e) {
            return modelFailed(e);
        } finally {
            flushNanos += System.nanoTime() - start;
        }
    }

    /**
     * Waits for the commit in flight, if any, and accounts for it.
     *
     * @return true when it committed (or none was in flight); false when it failed and everything since the last
     *         commit, including the open batch, will be read again
     */
    private boolean awaitInFlight() {
        if (inFlight == null) {
            return true;
        }
        Future<?> commit = inFlight;
        inFlight = null;
        try {
            Uninterruptibly.get(commit);
            for (Map.Entry<TopicPartition, OffsetAndMetadata> entry : inFlightOffsets.entrySet()) {
                setRewind(entry.getKey().partition(), entry.getValue().offset());
            }
            // Identity: a newer reference that replaced one in flight stays unpublished.
            unpublished.removeIf(reference -> spare.references().stream().anyMatch(sent -> sent == reference));
            consecutiveFailures = 0;
            return true;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof ScorerFailedException fatal) {
                throw fatal;
            }
            failed(e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause()));
            return false;
        } finally {
            spare.clear();
        }
    }

    /** Drops the open batch and seeks every partition back to its last committed position. */
    private void failed(RuntimeException cause) {
        consecutiveFailures++;
        dropSlice();
        LOG.warn("Scorer {}: a batch failed ({}); reading everything since the last commit again (failure {} of {} in a row)",
                config.transactionalId(), cause.toString(), consecutiveFailures, MAX_CONSECUTIVE_FAILURES);
        batch.clear();
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
        takeReferences();
    }

    /** Queues each model's new reference, replacing an unpublished older one of the same model. */
    private void takeReferences() {
        for (ScoringModel model : models) {
            model.takeReference().ifPresent(reference -> {
                unpublished.removeIf(old -> old.getModelId().equals(reference.getModelId()));
                unpublished.add(reference);
            });
        }
    }

    private void report(long now) {
        if (now - nextStatus < 0) {
            return;
        }
        nextStatus = now + config.statusInterval().toNanos();
        // Partitions not fetched from yet have no known lag; the sum covers the others (-1 when none is known).
        long lag = -1;
        for (TopicPartition tp : consumer.assignment()) {
            OptionalLong partitionLag = consumer.currentLag(tp);
            if (partitionLag.isPresent()) {
                lag = Math.max(lag, 0) + partitionLag.getAsLong();
            }
        }
        metrics.consumerLag(lag);
        metrics.updateRate();
        config.status().accept(metrics.statusLine());
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
