package io.cifarstream.kafka;

import org.apache.kafka.common.Metric;
import org.apache.kafka.common.MetricName;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Says in the log when Kafka clients lose every connection to the cluster and when they have one again. The clients
 * retry on their own and Kafka's own connection lines are silenced (they would repeat a refused login; see the
 * launcher's {@code simplelogger.properties}), so without this a broker outage would pass in silence. It reads the
 * clients' {@code connection-count} metrics, on a daemon thread once {@link #startChecking} is called (the metrics of
 * a producer or of Kafka Streams may be read from any thread; a consumer's only from its own, which calls
 * {@link #check()} itself), until {@link #close()}.
 */
public final class KafkaConnectionWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaConnectionWatch.class);

    /** What a {@link #check()} saw. */
    public enum State {
        /** No connection has been made yet (starting up). */
        NOT_YET_CONNECTED,
        CONNECTED,
        /** Connected before, none now: logged once as a warning when it begins. */
        LOST,
        /** Connected again after a loss: logged once with the outage's length. */
        RESTORED
    }

    private final String who;
    private final String servers;
    private final Supplier<? extends Map<MetricName, ? extends Metric>> metrics;
    private final Predicate<MetricName> watched;
    private boolean everConnected;
    private long lostAtNanos;
    private boolean lost;
    private final PeriodicCheck checks;

    /**
     * @param who      the component, as the log lines name it (e.g. "scorer 0")
     * @param servers  the bootstrap servers, for the log lines
     * @param metrics  the clients' metrics, e.g. {@code consumer::metrics} or {@code streams::metrics}
     */
    public KafkaConnectionWatch(String who, String servers, Supplier<? extends Map<MetricName, ? extends Metric>> metrics) {
        this(who, servers, metrics, name -> true);
    }

    /**
     * A watch over the clients whose {@code connection-count} metric {@code watched} accepts. Count only clients that
     * use the network all the time: an idle client notices a closed connection late, and its stale count would hide
     * an outage (Kafka Streams' admin and restore clients, say).
     */
    public KafkaConnectionWatch(String who, String servers, Supplier<? extends Map<MetricName, ? extends Metric>> metrics,
            Predicate<MetricName> watched) {
        this.who = Objects.requireNonNull(who, "who");
        this.checks = new PeriodicCheck("kafka-connection-watch", who, this::check);
        this.servers = Objects.requireNonNull(servers, "servers");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        this.watched = Objects.requireNonNull(watched, "watched");
    }

    /** Calls {@link #check()} every {@code interval} on a daemon thread until {@link #close()}; returns this. */
    public KafkaConnectionWatch startChecking(Duration interval) {
        checks.start(interval);
        return this;
    }

    /** Stops the checks started by {@link #startChecking}. */
    @Override
    public void close() {
        checks.close();
    }

    /** Reads the connection counts, logs a change, and says what it saw. */
    public synchronized State check() {
        double connections = 0;
        for (Map.Entry<MetricName, ? extends Metric> metric : metrics.get().entrySet()) {
            if (metric.getKey().name().equals("connection-count") && watched.test(metric.getKey())
                    && metric.getValue().metricValue() instanceof Number count) {
                connections += count.doubleValue();
            }
        }
        long now = System.nanoTime();
        if (connections > 0) {
            everConnected = true;
            if (lost) {
                lost = false;
                LOG.info("{}: connected to Kafka at {} again after {} s", who, servers,
                        String.format(java.util.Locale.ROOT, "%.1f", (now - lostAtNanos) / 1e9));
                return State.RESTORED;
            }
            return State.CONNECTED;
        }
        if (!everConnected) {
            return State.NOT_YET_CONNECTED;
        }
        if (!lost) {
            lost = true;
            lostAtNanos = now;
            LOG.warn("{}: lost every connection to Kafka at {}; retrying on its own with back-off (uncommitted work is"
                    + " redone, nothing is lost); if this lasts, check that the brokers run and are reachable", who, servers);
        }
        return State.LOST;
    }
}
