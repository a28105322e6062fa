package io.cifarstream.metrics;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;

import java.io.IOException;

/**
 * JSON has no NaN: an undefined metric (an AUC with one class in view, the accuracy of nothing) is
 * written as {@code null} and read back as NaN. An infinity is written as Jackson writes it, the string
 * {@code "Infinity"} or {@code "-Infinity"}, and read back. Attached per field, so any ObjectMapper gets it right.
 */
final class NanAsNull {

    private NanAsNull() {
    }

    static final class Writer extends StdSerializer<Double> {
        Writer() {
            super(Double.class);
        }

        @Override
        public void serialize(Double value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (value == null || value.isNaN()) {
                gen.writeNull();
            } else {
                gen.writeNumber(value);
            }
        }
    }

    static final class Reader extends StdDeserializer<Double> {
        Reader() {
            super(Double.class);
        }

        @Override
        public Double deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            // Jackson writes an infinite value (a chi-square statistic against a zero expected count) as the
            // string "Infinity" or "-Infinity".
            if (p.currentToken() == JsonToken.VALUE_STRING) {
                String text = p.getText();
                return switch (text) {
                    case "Infinity", "+Infinity" -> Double.POSITIVE_INFINITY;
                    case "-Infinity" -> Double.NEGATIVE_INFINITY;
                    default -> (Double) ctxt.handleWeirdStringValue(Double.class, text, "not a number or an infinity");
                };
            }
            return p.getDoubleValue();
        }

        @Override
        public Double getNullValue(DeserializationContext ctxt) {
            return Double.NaN;
        }
    }
}
