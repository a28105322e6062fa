package io.cifarstream.cli;

import java.util.List;
import java.util.Map;

/** Type checks for values read from YAML: a wrong shape fails with the place in the file, not a ClassCastException. */
final class YamlValues {

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String where) {
        if (!(value instanceof Map<?, ?> map) || !map.keySet().stream().allMatch(String.class::isInstance)) {
            throw new AssertionError(where + " must be a mapping with string keys, got: " + value);
        }
        return (Map<String, Object>) map;
    }

    static List<?> list(Object value, String where) {
        if (!(value instanceof List<?> list)) {
            throw new AssertionError(where + " must be a sequence, got: " + value);
        }
        return list;
    }

    /** A sequence of strings; numbers or booleans are refused, since YAML would have retyped what was meant as text. */
    static List<String> strings(Object value, String where) {
        List<?> list = list(value, where);
        for (Object item : list) {
            if (!(item instanceof String)) {
                throw new AssertionError(where + ": every item must be a quoted string, got " + item + " ("
                        + (item == null ? "null" : item.getClass().getSimpleName()) + ")");
            }
        }
        return list.stream().map(String.class::cast).toList();
    }

    private YamlValues() {
    }
}
