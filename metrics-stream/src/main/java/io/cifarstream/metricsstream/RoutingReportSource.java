package io.cifarstream.metricsstream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cifarstream.console.BearerToken;
import io.cifarstream.schemas.MetricsView;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.StreamsMetadata;
import org.apache.kafka.streams.errors.StreamsException;
import org.apache.kafka.streams.state.HostInfo;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The reports of a whole application with several instances (same {@code application.id}): a model's reports
 * live on the one instance whose task owns the model's partition of the {@code labelled-by-model} repartition
 * topic. {@link #report} asks Kafka Streams which instance that is ({@link KafkaStreams#queryMetadataForKey} with
 * the model id, the repartition topic's key) and reads this instance's store or forwards the request to the
 * owner's HTTP API ({@code application.server} = its {@code host:port}) with {@code local=true} and the bearer
 * token; {@link #models} merges every instance's list ({@link KafkaStreams#streamsMetadataForStore}).
 *
 * <p>When the owner does not answer (it died, and the group has not yet moved its tasks: that waits for its session to
 * time out), a standby replica of the model's store serves the report instead (Kafka Streams'
 * {@code num.standby.replicas}): this instance's own, or another instance's ({@code local=true&standby=true}); such a
 * report carries {@link ViewReport#SERVED_BY}. Likewise the model list takes a silent instance's models from the
 * standby replicas of its tasks.
 *
 * <p>Forwarded calls have short timeouts. While the owner is unknown (the group is rebalancing) this instance's own
 * copy of the model's task answers, if it holds one. When there is none, or the owner does not answer and no standby
 * replica holds the model, or the owner answers with an error, a {@link ReportsUnavailableException} names it: the
 * API answers 503, and the client retries.
 */
final class RoutingReportSource implements ReportSource {

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final KafkaStreams streams;
    private final HostInfo self;
    private final ReportSource local;
    private final BearerToken token;
    private final HttpClient client;

    /**
     * @param self  this instance's {@code application.server}
     * @param local this instance's reports
     * @param token sent with every forwarded call (all instances share it)
     */
    RoutingReportSource(KafkaStreams streams, HostInfo self, ReportSource local, BearerToken token) {
        this.streams = streams;
        this.self = self;
        this.local = local;
        this.token = token;
        this.client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    }

    @Override
    public List<String> models() {
        TreeSet<String> models = new TreeSet<>(local.models());
        List<StreamsMetadata> instances = instances();
        for (StreamsMetadata instance : instances) {
            if (instance.hostInfo().equals(self)) {
                continue;
            }
            try {
                models.addAll(modelList(instance.hostInfo(), "/api/models?local=true"));
            } catch (SilentInstanceException silent) {
                models.addAll(modelsOfStandbysFor(instance, instances, silent));
            }
        }
        return new ArrayList<>(models);
    }

    /** The models of a silent instance's tasks, from the standby replicas of those tasks on the other instances. */
    private List<String> modelsOfStandbysFor(StreamsMetadata silent, List<StreamsMetadata> instances,
            SilentInstanceException why) {
        TreeSet<TopicPartition> uncovered = new TreeSet<>(java.util.Comparator.comparing(TopicPartition::toString));
        uncovered.addAll(silent.topicPartitions());
        List<String> models = new ArrayList<>();
        for (StreamsMetadata other : instances) {
            if (other.hostInfo().equals(silent.hostInfo()) || other.standbyTopicPartitions().stream()
                    .noneMatch(silent.topicPartitions()::contains)) {
                continue;
            }
            List<String> replicated = other.hostInfo().equals(self) ? local.withStandbys().models()
                    : modelList(other.hostInfo(), "/api/models?local=true&standby=true");
            models.addAll(replicated);
            uncovered.removeAll(other.standbyTopicPartitions());
        }
        if (!uncovered.isEmpty()) {
            throw unavailable(why.getMessage() + " and no standby replica holds all its tasks (num.standby.replicas"
                    + " is 0, or the replicas are still being built): its models are back once the group moves its"
                    + " tasks", why);
        }
        return models;
    }

    private List<String> modelList(HostInfo instance, String pathAndQuery) {
        String body = get(instance, "one of this application's instances", pathAndQuery)
                .orElseThrow(() -> unavailable("instance " + address(instance) + " has no model list", null));
        try {
            return JSON.readValue(body, new TypeReference<List<String>>() { });
        } catch (IOException e) {
            throw unavailable("instance " + address(instance) + " sent a model list that is no JSON array of"
                    + " strings: is every instance the same version?", e);
        }
    }

    @Override
    public Optional<String> report(String modelId, MetricsView view) {
        KeyQueryMetadata metadata;
        try {
            metadata = owner(modelId);
        } catch (ReportsUnavailableException unknown) {
            return fromLocalCopy(modelId, view, unknown);
        }
        HostInfo owner = metadata.activeHost();
        if (owner.equals(self)) {
            return local.report(modelId, view);
        }
        String path = "/api/models/" + URLEncoder.encode(modelId, StandardCharsets.UTF_8).replace("+", "%20")
                + "?view=" + ViewReport.apiName(view) + "&local=true";
        try {
            return get(owner, "the owner of model '" + modelId + "'", path);
        } catch (SilentInstanceException silent) {
            return fromStandby(modelId, view, metadata, path, silent);
        }
    }

    /** While no owner is known (the group rebalances): this instance's copy of the model's task, if it holds one. */
    private Optional<String> fromLocalCopy(String modelId, MetricsView view, ReportsUnavailableException unknown) {
        Optional<String> copy;
        try {
            copy = local.report(modelId, view);
        } catch (ReportsUnavailableException e) {
            unknown.addSuppressed(e);
            throw unknown;
        }
        return copy.or(() -> {
            throw unknown;
        });
    }

    /** The report from a standby replica of the model's store, marked as such; unavailable when there is none. */
    private Optional<String> fromStandby(String modelId, MetricsView view, KeyQueryMetadata metadata, String path,
            SilentInstanceException silent) {
        String ownerAddress = address(metadata.activeHost());
        for (HostInfo standby : metadata.standbyHosts()) {
            String note = "standby replica at " + address(standby) + ": the owner " + ownerAddress + " does not answer";
            try {
                Optional<String> report = standby.equals(self) ? local.withStandbys().report(modelId, view)
                        : get(standby, "a standby replica of model '" + modelId + "'", path + "&standby=true");
                return report.map(json -> ViewReport.servedBy(json, note));
            } catch (ReportsUnavailableException e) {
                silent.addSuppressed(e);
            }
        }
        throw unavailable(silent.getMessage() + " and no standby replica of model '" + modelId + "' answers"
                + (metadata.standbyHosts().isEmpty() ? " (num.standby.replicas is 0)" : "")
                + ": the model is back once the group moves the owner's tasks", silent);
    }

    private KeyQueryMetadata owner(String modelId) {
        KeyQueryMetadata metadata;
        try {
            metadata = streams.queryMetadataForKey(MetricsTopology.REPORTS_STORE, modelId, Serdes.String().serializer());
        } catch (IllegalStateException | StreamsException e) {
            throw unavailable("the metrics stream is not running (state " + streams.state() + ")", e);
        }
        if (metadata == null || metadata.equals(KeyQueryMetadata.NOT_AVAILABLE) || metadata.activeHost() == null) {
            throw unavailable("no instance owns model '" + modelId + "' right now (the application is starting or"
                    + " rebalancing)", null);
        }
        return metadata;
    }

    private List<StreamsMetadata> instances() {
        try {
            return List.copyOf(streams.streamsMetadataForStore(MetricsTopology.REPORTS_STORE));
        } catch (IllegalStateException | StreamsException e) {
            throw unavailable("the metrics stream is not running (state " + streams.state() + ")", e);
        }
    }

    /** GET on another instance ({@code role} says what it is to the caller): the body on 200, empty on 404, else unavailable. */
    private Optional<String> get(HostInfo instance, String role, String pathAndQuery) {
        URI uri = URI.create("http://" + address(instance) + pathAndQuery);
        HttpRequest request = token.authorize(HttpRequest.newBuilder(uri).timeout(REQUEST_TIMEOUT).GET()).build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SilentInstanceException("instance " + address(instance) + ", " + role + ", does not answer ("
                    + e.getClass().getSimpleName() + ")", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted while asking instance " + address(instance), e);
        }
        return switch (response.statusCode()) {
            case 200 -> Optional.of(response.body());
            case 404 -> Optional.empty();
            case 401 -> throw unavailable("instance " + address(instance) + " refused this instance's bearer token:"
                    + " start every instance with the same " + BearerToken.ENV, null);
            default -> throw unavailable("instance " + address(instance) + ", " + role + ", answered "
                    + response.statusCode() + ": " + response.body().strip(), null);
        };
    }

    private static String address(HostInfo instance) {
        return instance.host() + ":" + instance.port();
    }

    private static ReportsUnavailableException unavailable(String why, Throwable cause) {
        return new ReportsUnavailableException(why + "; retry in a few seconds", cause);
    }

    /** An instance that does not answer at all (as a SIGKILLed one, until the group notices): its standbys may. */
    private static final class SilentInstanceException extends ReportsUnavailableException {
        private static final long serialVersionUID = 1L;

        SilentInstanceException(String why, Throwable cause) {
            super(why, cause);
        }
    }
}
