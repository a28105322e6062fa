package io.cifarstream.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** One service of a {@link ComposeFile}, with Compose's short and long spellings of each key brought to one form. */
record ComposeService(String name, Map<String, Object> definition) {

    Optional<String> image() {
        return Optional.ofNullable(definition.get("image")).map(Object::toString);
    }

    boolean hasBuild() {
        return definition.containsKey("build");
    }

    /** The build context: {@code build: DIR} or {@code build: {context: DIR}}. */
    Optional<String> buildContext() {
        Object build = definition.get("build");
        if (build == null) {
            return Optional.empty();
        }
        if (build instanceof String context) {
            return Optional.of(context);
        }
        return Optional.ofNullable(YamlValues.map(build, where("build")).get("context")).map(Object::toString);
    }

    Map<String, String> buildArgs() {
        Object build = definition.get("build");
        if (!(build instanceof Map<?, ?>)) {
            return Map.of();
        }
        return keyValues(YamlValues.map(build, where("build")).get("args"), where("build.args"));
    }

    /** Built from this repository's Dockerfile, so its command is a cifar-stream command line. */
    boolean runsCifarStream() {
        return buildContext().filter(context -> context.equals(".") || context.equals("./")).isPresent();
    }

    /** The command in exec form; an absent command is an empty list. */
    List<String> command() {
        Object command = definition.get("command");
        if (command == null) {
            return List.of();
        }
        if (command instanceof String) {
            throw new AssertionError(where("command") + " must be a list (exec form), so no shell splitting "
                    + "changes the words; got the string: " + command);
        }
        return YamlValues.strings(command, where("command"));
    }

    Map<String, String> environment() {
        return keyValues(definition.get("environment"), where("environment"));
    }

    List<String> ports() {
        Object ports = definition.get("ports");
        return ports == null ? List.of() : YamlValues.strings(ports, where("ports"));
    }

    /** Volumes in the short syntax {@code SOURCE:TARGET[:MODE]}. */
    List<String> volumes() {
        Object volumes = definition.get("volumes");
        return volumes == null ? List.of() : YamlValues.strings(volumes, where("volumes"));
    }

    /** A volume in the short syntax {@code SOURCE:TARGET[:MODE]}; SOURCE may hold a {@code ${VAR:-default}}. */
    record Mount(String source, String target, String mode) {

        static Mount parse(String spec, String where) {
            List<String> parts = new ArrayList<>();
            StringBuilder part = new StringBuilder();
            int braces = 0;
            for (char c : spec.toCharArray()) {
                if (c == ':' && braces == 0) {
                    parts.add(part.toString());
                    part.setLength(0);
                    continue;
                }
                braces += c == '{' ? 1 : c == '}' ? -1 : 0;
                part.append(c);
            }
            parts.add(part.toString());
            if (parts.size() < 2 || parts.size() > 3 || parts.stream().anyMatch(String::isEmpty)) {
                throw new AssertionError(where + ": '" + spec + "' is not SOURCE:TARGET[:MODE]");
            }
            return new Mount(parts.get(0), parts.get(1), parts.size() == 3 ? parts.get(2) : "rw");
        }

        /** Whether {@code path} (in the container) is this mount's target or lies under it. */
        boolean holds(String path) {
            return path.equals(target) || path.startsWith(target.endsWith("/") ? target : target + "/");
        }
    }

    List<Mount> mounts() {
        return volumes().stream().map(spec -> Mount.parse(spec, where("volumes"))).toList();
    }

    /** Each dependency with its condition; the list form means {@code service_started}. */
    Map<String, String> dependsOn() {
        Object dependsOn = definition.get("depends_on");
        Map<String, String> conditions = new LinkedHashMap<>();
        if (dependsOn == null) {
            return conditions;
        }
        if (dependsOn instanceof List<?>) {
            YamlValues.strings(dependsOn, where("depends_on")).forEach(d -> conditions.put(d, "service_started"));
            return conditions;
        }
        YamlValues.map(dependsOn, where("depends_on")).forEach((dependency, spec) -> {
            Object condition = YamlValues.map(spec, where("depends_on." + dependency)).get("condition");
            conditions.put(dependency, condition == null ? "service_started" : condition.toString());
        });
        return conditions;
    }

    List<String> profiles() {
        Object profiles = definition.get("profiles");
        return profiles == null ? List.of() : YamlValues.strings(profiles, where("profiles"));
    }

    /** The healthcheck's {@code test}, when there is one. */
    Optional<List<String>> healthcheck() {
        Object healthcheck = definition.get("healthcheck");
        if (healthcheck == null) {
            return Optional.empty();
        }
        Object test = YamlValues.map(healthcheck, where("healthcheck")).get("test");
        return Optional.of(YamlValues.strings(test, where("healthcheck.test")));
    }

    /** Compose's default restart policy is "no". */
    String restart() {
        return String.valueOf(definition.getOrDefault("restart", "no"));
    }

    String where(String key) {
        return "services." + name + "." + key;
    }

    /** {@code KEY: value} mappings or {@code KEY=value} lists, both allowed by Compose for environment and args. */
    private static Map<String, String> keyValues(Object value, String where) {
        Map<String, String> pairs = new LinkedHashMap<>();
        if (value == null) {
            return pairs;
        }
        if (value instanceof List<?>) {
            for (String item : YamlValues.strings(value, where)) {
                int eq = item.indexOf('=');
                if (eq <= 0) {
                    throw new AssertionError(where + ": '" + item + "' is not KEY=VALUE");
                }
                pairs.put(item.substring(0, eq), item.substring(eq + 1));
            }
            return pairs;
        }
        YamlValues.map(value, where).forEach((key, v) -> {
            if (v instanceof Map<?, ?> || v instanceof List<?>) {
                throw new AssertionError(where + "." + key + " must be a single value, got: " + v);
            }
            pairs.put(key, v == null ? "" : v.toString());
        });
        return pairs;
    }
}
