package io.cifarstream.reliability;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongPredicate;

import io.cifarstream.metricsstream.ViewReport;

/** A metrics stream's HTTP API as a client sees it: the cumulative view of one model, {@code GET /api/models/{id}}. */
record MetricsApi(URI address, String modelId) {

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    /** An answer of the API: its status code (0 when nothing answered) and body. */
    record Answer(int status, String body) {
        Optional<ViewReport> view() {
            return status == 200 ? Optional.of(ViewReport.fromJson(body)) : Optional.empty();
        }
    }

    /** The cumulative view now, if the API serves one yet (404 before the first record, 503 while restoring). */
    Optional<ViewReport> cumulative() {
        return cumulativeAnswer().view();
    }

    /** The API's answer for the cumulative view, whatever it is. */
    Answer cumulativeAnswer() {
        return get("/api/models/" + modelId + "?view=cumulative");
    }

    /** GET {@code pathAndQuery} on this API. */
    Answer get(String pathAndQuery) {
        HttpRequest request = HttpRequest.newBuilder(address.resolve(pathAndQuery)).timeout(Duration.ofSeconds(5)).build();
        try {
            HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
            return new Answer(response.statusCode(), response.body());
        } catch (IOException e) {
            return new Answer(0, e.toString()); // not listening (yet, or any more): the caller decides what that means
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The same API asked about another model. */
    MetricsApi forModel(String otherModel) {
        return new MetricsApi(address, otherModel);
    }

    /** Polls until the cumulative count satisfies {@code done}; fails after {@code timeout}, naming the last count. */
    ViewReport await(LongPredicate done, String what, Duration timeout, Runnable stillFine) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long last = -1;
        while (true) {
            Optional<ViewReport> view = cumulative();
            if (view.isPresent()) {
                last = view.get().report().count();
                if (done.test(last)) {
                    return view.get();
                }
            }
            stillFine.run();
            if (System.nanoTime() > deadline) {
                throw new AssertionError(address + " never showed " + what + " within " + timeout + " (last count: "
                        + last + ")");
            }
            CliProcess.pause(Duration.ofMillis(200));
        }
    }
}
