package io.cifarstream.metrics;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The expected values of {@code src/test/python/make_monitoring_fixture.py}, read once. */
final class MonitoringFixture {

    private static JsonNode json;

    private MonitoringFixture() {
    }

    static synchronized JsonNode json() {
        if (json == null) {
            try (InputStream in = MonitoringFixture.class.getResourceAsStream("monitoring-fixture.json")) {
                if (in == null) {
                    throw new IllegalStateException("monitoring-fixture.json is not on the test classpath");
                }
                json = new ObjectMapper().readTree(in);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return json;
    }
}
