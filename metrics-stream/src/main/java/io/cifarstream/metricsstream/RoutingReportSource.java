package io.cifarstream.metricsstream;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cifarstream.console.BearerToken;
import io.cifarstream.schemas.MetricsView;
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
 * <p>Forwarded calls have short timeouts. When the owner is unknown (the group is rebalancing), does not answer,
 * or answers with an error, a {@link ReportsUnavailableException} names it: the API answers 503, and the
 * client retries.
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
        for (HostInfo instance : instances()) {
            if (!instance.equals(self)) {
                String body = get(instance, "one of this application's instances", "/api/models?local=true")
                        .orElseThrow(() -> unavailable("instance " + address(instance) + " has no model list", null));
                try {
                    models.addAll(JSON.readValue(body, new TypeReference<List<String>>() { }));
                } catch (IOException e) {
                    throw unavailable("instance " + address(instance) + " sent a model list that is no JSON array of"
                            + " strings: is every instance the same version?", e);
                }
            }
        }
        return new ArrayList<>(models);
    }

    @Override
    public Optional<String> report(String modelId, MetricsView view) {
        HostInfo owner = owner(modelId);
        if (owner.equals(self)) {
            return local.report(modelId, view);
        }
        return get(owner, "the owner of model '" + modelId + "'", "/api/models/" + URLEncoder.encode(modelId, StandardCharsets.UTF_8).replace("+", "%20")
                + "?view=" + ViewReport.apiName(view) + "&local=true");
    }

    private HostInfo owner(String modelId) {
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
        return metadata.activeHost();
    }

    private List<HostInfo> instances() {
        try {
            return streams.streamsMetadataForStore(MetricsTopology.REPORTS_STORE).stream().map(StreamsMetadata::hostInfo)
                    .distinct().toList();
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
            throw unavailable("instance " + address(instance) + ", " + role + ", does not answer ("
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
}
