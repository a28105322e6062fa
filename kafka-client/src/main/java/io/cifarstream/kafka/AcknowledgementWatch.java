package io.cifarstream.kafka;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.config.ConfigResource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Says in one log line when Kafka stops acknowledging a client's writes while the client is still connected (a
 * producer with {@code acks=all} waits, and retries, while a partition has fewer in-sync replicas than
 * {@code min.insync.replicas} or no leader), why as far as the cluster tells, and in one more line when writes are
 * acknowledged again. {@link KafkaConnectionWatch} covers the other case, every connection lost.
 *
 * <p>The client calls {@link #sent()} for each write that awaits an acknowledgement and {@link #settled()} once it has
 * one (or failed). A stall is {@code patience} without any acknowledgement while writes wait.
 */
public final class AcknowledgementWatch implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AcknowledgementWatch.class);
    private static final int PROBE_TIMEOUT_MS = 2_000;

    /** What a {@link #check()} saw. */
    public enum State {
        /** Nothing waits, or acknowledgements keep coming. */
        FLOWING,
        /** Writes wait and nothing was acknowledged for the patience: logged once when it begins. */
        STALLED,
        /** Acknowledged again after a stall: logged once with its length. */
        RESUMED
    }

    private final String who;
    private final KafkaSettings settings;
    private final String topic;
    private final Duration patience;
    private final AtomicLong waiting = new AtomicLong();
    private final AtomicLong progressNanos = new AtomicLong(System.nanoTime());
    private long stalledSinceNanos;
    private boolean stalled;
    private final PeriodicCheck checks;

    /**
     * @param who      the component, as the log lines name it (e.g. "replay")
     * @param topic    a topic the client writes, whose {@code min.insync.replicas} the line quotes
     * @param patience how long writes may wait without any acknowledgement before the line is logged
     */
    public AcknowledgementWatch(String who, KafkaSettings settings, String topic, Duration patience) {
        this.who = Objects.requireNonNull(who, "who");
        this.checks = new PeriodicCheck("kafka-acknowledgement-watch", who, this::check);
        this.settings = Objects.requireNonNull(settings, "settings");
        this.topic = Objects.requireNonNull(topic, "topic");
        this.patience = Objects.requireNonNull(patience, "patience");
    }

    /** A write now awaits its acknowledgement. */
    public void sent() {
        if (waiting.getAndIncrement() == 0) {
            progressNanos.set(System.nanoTime());
        }
    }

    /** A write was acknowledged, or failed: it waits no more. */
    public void settled() {
        waiting.decrementAndGet();
        progressNanos.set(System.nanoTime());
    }

    /** Calls {@link #check()} every {@code interval} on a daemon thread until {@link #close()}; returns this. */
    public AcknowledgementWatch startChecking(Duration interval) {
        checks.start(interval);
        return this;
    }

    /** Stops the checks started by {@link #startChecking}. */
    @Override
    public void close() {
        checks.close();
    }

    /** Compares the time since the last acknowledgement with the patience, logs a change, and says what it saw. */
    public synchronized State check() {
        long now = System.nanoTime();
        long pending = waiting.get();
        boolean quiet = pending > 0 && now - progressNanos.get() > patience.toNanos();
        if (quiet && !stalled) {
            stalled = true;
            stalledSinceNanos = progressNanos.get();
            LOG.warn("{}: Kafka at {} has acknowledged none of {} waiting writes for {} s; {}: nothing is acknowledged,"
                    + " so nothing can be lost, until enough replicas are back; the writes are kept and retried", who,
                    settings.bootstrapServers(), String.format(Locale.ROOT, "%,d", pending), patience.toSeconds(),
                    diagnosis());
            return State.STALLED;
        }
        if (!quiet && stalled) {
            stalled = false;
            LOG.info("{}: Kafka at {} acknowledges writes again after {} s", who, settings.bootstrapServers(),
                    String.format(Locale.ROOT, "%.1f", (now - stalledSinceNanos) / 1e9));
            return State.RESUMED;
        }
        return stalled ? State.STALLED : State.FLOWING;
    }

    /**
     * Which brokers answer (a connection to each broker the cluster lists) and how many in-sync replicas each write
     * needs. Short timeouts: a cluster in trouble may answer slowly or not at all, and the line must still come.
     */
    String diagnosis() {
        Map<String, Object> config = settings.admin();
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, PROBE_TIMEOUT_MS);
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, PROBE_TIMEOUT_MS);
        try (Admin admin = Admin.create(config)) {
            Collection<Node> nodes = admin.describeCluster().nodes().get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
            List<String> silent = new ArrayList<>();
            for (Node node : nodes) {
                if (!answers(node)) {
                    silent.add(node.host() + ":" + node.port());
                }
            }
            String minInSync = minInSync(admin).map(n -> "each write needs " + n + " in-sync replicas"
                    + " (min.insync.replicas of " + topic + ")").orElse("min.insync.replicas unknown");
            if (silent.isEmpty()) {
                return "all " + nodes.size() + " brokers answer (partitions may be electing leaders or shrinking their"
                        + " in-sync replicas) and " + minInSync;
            }
            return (nodes.size() - silent.size()) + " of " + nodes.size() + " brokers answer (" + String.join(", ", silent)
                    + (silent.size() == 1 ? " does" : " do") + " not) and " + minInSync;
        } catch (Exception e) {
            return "the cluster does not describe itself (" + e.getClass().getSimpleName() + ")";
        }
    }

    private Optional<String> minInSync(Admin admin) {
        ConfigResource resource = new ConfigResource(ConfigResource.Type.TOPIC, topic);
        try {
            Config config = admin.describeConfigs(List.of(resource)).all().get(PROBE_TIMEOUT_MS, TimeUnit.MILLISECONDS)
                    .get(resource);
            ConfigEntry entry = config == null ? null : config.get("min.insync.replicas");
            return Optional.ofNullable(entry).map(ConfigEntry::value);
        } catch (Exception e) {
            return Optional.empty();
        }
    }

    private static boolean answers(Node node) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(node.host(), node.port()), PROBE_TIMEOUT_MS / 2);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
